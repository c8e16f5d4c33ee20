"""The unit tree and jabatan of the synthetic province (codes, names, eselon)."""

from __future__ import annotations

from dataclasses import dataclass

from .demo_opd import (
    ASISTEN_BIRO,
    BAGIAN_BIRO,
    FUNGSIONAL,
    FUNGSIONAL_KHUSUS,
    OPD,
    PELAKSANA,
    RSUD,
    RSUD_WADIR,
    SEKDA,
    SEKRETARIAT_SUBBAG,
    SUBBAGIAN,
    UPTD_PARTS,
)

WILAYAH = (
    "Pandeglang",
    "Lebak",
    "Kabupaten Tangerang",
    "Kabupaten Serang",
    "Kota Tangerang",
    "Cilegon",
    "Kota Serang",
    "Tangerang Selatan",
)
UPTD_NAMES = {
    "Badan Pendapatan Daerah": "UPTD Samsat",
    "Dinas Pendidikan dan Kebudayaan": "Kantor Cabang Dinas Pendidikan",
    "Dinas Pekerjaan Umum dan Penataan Ruang": "UPTD Pengelolaan Jalan dan Jembatan",
    "Dinas Lingkungan Hidup dan Kehutanan": "Kantor Cabang Dinas Kehutanan",
    "Dinas Perhubungan": "UPTD Pengelolaan Prasarana Perhubungan",
    "Dinas Pertanian": "UPTD Balai Pertanian",
}
SEKSI_PREFIX = ("Perencanaan", "Pelaksanaan", "Pengendalian")
ROMAN = ("", " II", " III", " IV")


@dataclass(frozen=True, slots=True)
class DemoUnit:
    kode: str
    nama: str
    parent: str | None
    opd: str  # the level-1 kunker
    eselon: str  # of its head
    kepala: str  # the head's jabatan name


@dataclass(frozen=True, slots=True)
class DemoJabatan:
    kode: str
    nama: str
    jenis: str
    unit: str
    eselon: str | None


def kode_of(*parts: int) -> str:
    digits = "".join(f"{p:02d}" for p in parts)
    return "00" + digits.ljust(10, "0") + "000"


def _topic(name: str) -> str:
    for prefix in ("Bidang ", "Bagian ", "Inspektur Pembantu "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _kepala(name: str) -> str:
    if name.startswith(("Asisten", "Wakil Direktur", "Inspektur Pembantu")):
        return name
    return f"Kepala {name}"


def build_units() -> list[DemoUnit]:
    units: list[DemoUnit] = []

    def add(path: tuple[int, ...], nama: str, eselon: str, kepala: str | None = None) -> str:
        kode = kode_of(*path)
        parent = kode_of(*path[:-1]) if len(path) > 1 else None
        units.append(DemoUnit(kode, nama, parent, kode_of(path[0]), eselon, kepala or _kepala(nama)))
        return kode

    # Sekretariat Daerah: the one five-level OPD (Setda > Asisten > Biro > Bagian > Subbagian).
    add((1,), SEKDA, "I.b", "Sekretaris Daerah")
    for a, (asisten, biros) in enumerate(ASISTEN_BIRO, start=1):
        add((1, a), asisten, "II.a")
        for b, biro in enumerate(biros, start=1):
            add((1, a, b), biro, "II.a")
            topic = biro.removeprefix("Biro ")
            for g, bagian in enumerate(BAGIAN_BIRO, start=1):
                add((1, a, b, g), f"{bagian} {topic}" if g < 3 else bagian, "III.a")
                for s, sub in enumerate(SUBBAGIAN, start=1):
                    add((1, a, b, g, s), f"{sub} {topic}", "IV.a")
    number = 1
    for name, parts, uptd in OPD:
        number += 1
        kepala = {"Sekretariat DPRD": "Sekretaris DPRD", "Inspektorat": "Inspektur"}.get(name)
        add((number,), name, "II.a", kepala)
        if name == "Sekretariat DPRD":
            add((number, 1), "Bagian Tata Usaha Sekretariat DPRD", "III.a")
        else:
            add((number, 1), f"Sekretariat {name}", "III.a", f"Sekretaris {name}")
        for s, sub in enumerate(SEKRETARIAT_SUBBAG, start=1):
            add((number, 1, s), sub, "IV.a")
        for p, part in enumerate(parts, start=2):
            add((number, p), part, "III.a")
            for s, prefix in enumerate(SEKSI_PREFIX, start=1):
                kind = "Subbagian" if part.startswith(("Bagian", "Inspektur")) else "Seksi"
                add((number, p, s), f"{kind} {prefix} {_topic(part)}", "IV.a")
        base = UPTD_NAMES.get(name, "UPTD " + name.removeprefix("Dinas ").removeprefix("Badan "))
        for u in range(uptd):
            path = (number, len(parts) + 2 + u)
            add(path, f"{base} {WILAYAH[u % 8]}{ROMAN[u // 8]}", "III.b")
            for s, sub in enumerate(UPTD_PARTS, start=1):
                add((*path, s), sub, "IV.b")
    for rsud in RSUD:
        number += 1
        add((number,), rsud, "II.b", f"Direktur {rsud}")
        for w, (wadir, parts) in enumerate(RSUD_WADIR, start=1):
            add((number, w), wadir, "III.a")
            for p, part in enumerate(parts, start=1):
                add((number, w, p), part, "III.b")
                for s, prefix in enumerate(SEKSI_PREFIX, start=1):
                    kind = "Subbagian" if part.startswith("Bagian") else "Seksi"
                    add((number, w, p, s), f"{kind} {prefix} {_topic(part)}", "IV.a")
    return units


def build_jabatan(units: list[DemoUnit]) -> list[DemoJabatan]:
    """One structural jabatan per unit (its head), then fungsional and pelaksana per OPD."""
    jabatan = [DemoJabatan(f"S{u.kode}", u.kepala, "struktural", u.kode, u.eselon) for u in units]
    for opd in (u for u in units if u.parent is None):
        short = opd.kode[2:4]
        for n, nama in enumerate(FUNGSIONAL + FUNGSIONAL_KHUSUS.get(opd.nama, ()), start=1):
            jabatan.append(DemoJabatan(f"F{short}{n:03d}", nama, "fungsional", opd.kode, None))
        for n, nama in enumerate(PELAKSANA, start=1):
            jabatan.append(DemoJabatan(f"P{short}{n:03d}", nama, "pelaksana", opd.kode, None))
    return jabatan
