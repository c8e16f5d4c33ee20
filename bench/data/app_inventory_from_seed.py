"""Regenerate ``app_inventory.csv`` from the concept document's tables (Tabel 1-3, 2017/2018).

    python bench/data/app_inventory_from_seed.py \\
        /work/shared/seeds/desain-dan-perancangan-integrasi-aplikasi.md

One row per distinct host (the tables overlap), plus the "Aplikasi Dasar" the document designs
(portal, satu data, sistem informasi jabatan). ``client_id`` is the host without
``.bantenprov.go.id``, dots as dashes.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "app_inventory.csv"
DASAR = [
    (
        "Dinas Komunikasi, Informatika, Statistik dan Persandian",
        "portal.bantenprov.go.id",
        "Aplikasi",
        "Portal Pemerintah Provinsi Banten (aplikasi dasar)",
    ),
    (
        "Dinas Komunikasi, Informatika, Statistik dan Persandian",
        "satudata.bantenprov.go.id",
        "Aplikasi",
        "Banten Satu Data (aplikasi dasar)",
    ),
    (
        "Biro Organisasi",
        "sijab.bantenprov.go.id",
        "Aplikasi",
        "Sistem Informasi Jabatan (aplikasi pendukung)",
    ),
]


def client_id(host: str) -> str:
    short = re.sub(r"\.bantenprov\.go\.id$", "", host)
    return re.sub(r"[^a-z0-9]+", "-", short).strip("-")


def main(seed: Path) -> None:
    rows: dict[str, tuple[str, str, str, str]] = {}
    table = ""
    for line in seed.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            table = line if line.startswith("### Tabel") else ""
            continue
        if not table or not line.startswith("|") or line.startswith("|--") or line.startswith("| No"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        host = cells[2].lower().rstrip("/")
        if not host:
            continue  # a row without a URL (Tabel 1 no. 88)
        # Tabel 1 has a "Jenis" column; Tabel 2 lists websites, Tabel 3 applications.
        if "Tabel 1" in table:
            jenis, ket = cells[4], cells[5]
        else:
            jenis, ket = ("Website" if "Tabel 2" in table else "Aplikasi"), cells[4]
        rows.setdefault(host, (cells[1], host, jenis, ket))
    for opd, host, jenis, ket in DASAR:
        rows.setdefault(host, (opd, host, jenis, ket))
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["client_id", "opd", "host", "jenis", "keterangan"])
        seen: set[str] = set()
        for opd, host, jenis, ket in rows.values():
            cid = client_id(host)
            assert cid not in seen, cid
            seen.add(cid)
            writer.writerow([cid, opd, host, jenis, ket])
    print(f"{len(rows)} aplikasi -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
