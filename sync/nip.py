"""NIP (ASN) and NIK (citizen) numbers: what they encode and whether they are well formed.

NIP (PP 11/2017, BKN): 18 digits = birth date YYYYMMDD + TMT CPNS YYYYMM + gender digit
(1 male, 2 female) + a 3-digit sequence. NIK (Permendagri / Dukcapil): 16 digits = province,
regency and district codes (2+2+2) + DDMMYY (day + 40 for women) + a 4-digit sequence.
Each checker returns *every* problem as a bilingual sentence, so a quarantine entry says all
that is wrong with a row at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# An NIP written by a spreadsheet as a number: "1.98E+17", "1,98001E+17", "198001012005011000.0".
_NUMBER_LOOKING = re.compile(r"^\d+([.,]\d*)?([eE][+-]?\d+)?$")

# Banten: province 36; regencies 3601-3604 (Pandeglang, Lebak, Tangerang, Serang) and
# cities 3671-3674 (Tangerang, Cilegon, Serang, Tangerang Selatan).
BANTEN_REGENCIES: frozenset[str] = frozenset({"3601", "3602", "3603", "3604", "3671", "3672", "3673", "3674"})


@dataclass(frozen=True, slots=True)
class NipParts:
    tanggal_lahir: date
    tmt_cpns: tuple[int, int]  # (year, month)
    jenis_kelamin: int  # 1 male, 2 female
    urutan: str


def _as_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def nip_problems(nip: str, *, today: date | None = None) -> list[str]:
    """Every reason ``nip`` is not a valid NIP (empty list when it is)."""
    today = today or date.today()
    if not nip:
        return ["NIP kosong / NIP is empty"]
    if len(nip) != 18 and ("E" in nip.upper() or "." in nip or "," in nip) and _NUMBER_LOOKING.match(nip):
        return [
            f"NIP {nip!r} tertulis sebagai angka (mis. 1.98E+17); simpan kolom NIP sebagai Teks / "
            "NIP was written as a number by a spreadsheet; store the NIP column as Text"
        ]
    if not nip.isdigit() or not nip.isascii():
        return [f"NIP {nip!r} harus berisi angka saja / NIP must contain digits only"]
    if len(nip) != 18:
        return [f"NIP {nip!r} harus 18 digit, bukan {len(nip)} / NIP must be 18 digits, not {len(nip)}"]
    problems: list[str] = []
    born = _as_date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    if born is None:
        problems.append(
            f"tanggal lahir {nip[0:8]} dalam NIP tidak valid / "
            "the birth date embedded in the NIP is not a date"
        )
    elif born > today or born.year < 1900:
        problems.append(
            f"tanggal lahir {nip[0:8]} dalam NIP tidak masuk akal / "
            "the birth date embedded in the NIP is implausible"
        )
    tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= tmt_month <= 12:
        problems.append(
            f"bulan TMT CPNS {nip[12:14]} dalam NIP tidak valid (01-12) / "
            "the TMT CPNS month embedded in the NIP must be 01-12"
        )
    elif (tmt_year, tmt_month) > (today.year, today.month):
        problems.append(
            f"TMT CPNS {nip[8:14]} dalam NIP ada di masa depan / "
            "the TMT CPNS embedded in the NIP is in the future"
        )
    elif born is not None and tmt_year < born.year + 15:
        problems.append(
            f"TMT CPNS {nip[8:14]} terlalu dekat dengan tanggal lahir {nip[0:8]} / "
            "TMT CPNS is before the person could have been appointed"
        )
    if nip[14] not in "12":
        problems.append(
            f"digit jenis kelamin {nip[14]!r} dalam NIP harus 1 atau 2 / "
            "the gender digit of the NIP must be 1 or 2"
        )
    if nip[15:18] == "000":
        problems.append("nomor urut NIP tidak boleh 000 / the NIP sequence number cannot be 000")
    return problems


def parse_nip(nip: str) -> NipParts:
    """The parts of a valid NIP; raises ``ValueError`` naming the problems otherwise."""
    problems = nip_problems(nip)
    if problems:
        raise ValueError("; ".join(problems))
    return NipParts(
        tanggal_lahir=date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8])),
        tmt_cpns=(int(nip[8:12]), int(nip[12:14])),
        jenis_kelamin=int(nip[14]),
        urutan=nip[15:18],
    )


def make_nip(born: date, tmt_year: int, tmt_month: int, jenis_kelamin: int, urutan: int) -> str:
    return f"{born:%Y%m%d}{tmt_year:04d}{tmt_month:02d}{jenis_kelamin}{urutan:03d}"


def nik_problems(nik: str, *, today: date | None = None, banten_only: bool = True) -> list[str]:
    """Every reason ``nik`` is not a valid (Banten) NIK; for the citizens' realm (G2C) later."""
    today = today or date.today()
    if not nik:
        return ["NIK kosong / NIK is empty"]
    if not nik.isdigit() or not nik.isascii():
        return [f"NIK {nik!r} harus berisi angka saja / NIK must contain digits only"]
    if len(nik) != 16:
        return [f"NIK {nik!r} harus 16 digit, bukan {len(nik)} / NIK must be 16 digits, not {len(nik)}"]
    problems: list[str] = []
    if banten_only and nik[0:4] not in BANTEN_REGENCIES:
        problems.append(
            f"kode wilayah {nik[0:4]} bukan kabupaten/kota di Banten / "
            "the region code is not a Banten regency or city (3601-3604, 3671-3674)"
        )
    if nik[4:6] == "00":
        problems.append("kode kecamatan NIK tidak boleh 00 / the district code cannot be 00")
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40  # women: day + 40
    # Two-digit year: the latest century that does not put the birth in the future.
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    if _as_date(year, month, day) is None:
        problems.append(
            f"tanggal lahir {nik[6:12]} dalam NIK tidak valid / "
            "the birth date embedded in the NIK is not a date"
        )
    if nik[12:16] == "0000":
        problems.append("nomor urut NIK tidak boleh 0000 / the NIK sequence number cannot be 0000")
    return problems


def nik_is_female(nik: str) -> bool:
    return int(nik[6:8]) > 40
