"""The Dapodik education figures the dashboard draws: one JSON data file per table, as the
loader (``python -m flask_demo_app.dapodik_loader``) writes them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satulogin.errors import SatuLoginError

DATA_DIR = Path(__file__).resolve().parent / "data"
JENJANG: tuple[str, ...] = ("sd", "smp", "sma", "smk", "slb")
TABLES: dict[str, tuple[str, str]] = {
    # tabel -> (the two groups each count splits into), in the order the page shows them
    "sekolah": ("n", "s"),
    "guru": ("l", "p"),
    "pegawai": ("l", "p"),
    "peserta_didik": ("l", "p"),
}


class DapodikDataError(SatuLoginError):
    code = "dapodik_data"
    exit_code = 2


@dataclass(frozen=True)
class Wilayah:
    nama: str
    counts: dict[str, dict[str, int]]     # jenjang -> group -> count

    def group_total(self, group: str) -> int:
        return sum(c.get(group, 0) for c in self.counts.values())

    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())


@dataclass(frozen=True)
class EducationTable:
    tabel: str
    groups: tuple[str, str]
    tanggal_data: str
    sumber: str
    keterangan: dict[str, Any]
    wilayah: tuple[Wilayah, ...]

    def total(self) -> int:
        return sum(w.total() for w in self.wilayah)

    def by_jenjang(self) -> list[tuple[str, list[int]]]:
        return [(j, [sum(w.counts.get(j, {}).get(g, 0) for w in self.wilayah) for g in self.groups])
                for j in JENJANG]


def table_path(tabel: str, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"dapodik-{tabel}.json"


def load_table(tabel: str, data_dir: Path = DATA_DIR) -> EducationTable:
    path = table_path(tabel, data_dir)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DapodikDataError(
            f"berkas data Dapodik {path} tidak bisa dibaca / cannot read the Dapodik data file: {exc}; "
            "buat ulang dengan / regenerate with: python -m flask_demo_app.dapodik_loader"
        ) from exc
    groups = tuple(doc["kelompok"])
    return EducationTable(
        tabel=doc["tabel"],
        groups=(groups[0], groups[1]),
        tanggal_data=doc["tanggal_data"],
        sumber=doc.get("sumber", ""),
        keterangan=doc.get("_keterangan", {}),
        wilayah=tuple(Wilayah(w["nama"], {j: dict(c) for j, c in w["jenjang"].items()})
                      for w in doc["wilayah"]),
    )


def load_all(data_dir: Path = DATA_DIR) -> dict[str, EducationTable]:
    return {tabel: load_table(tabel, data_dir) for tabel in TABLES}
