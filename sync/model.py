"""The domain as the HR systems describe it: units (the ``kunker`` tree), jabatan, pegawai.

These are plain, immutable values. Sources produce them, validation checks them, the
planner turns the validated set into desired Keycloak state; nothing here knows Keycloak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class JenisJabatan(StrEnum):
    """Kind of position (PP 11/2017 and PermenPANRB naming)."""

    STRUKTURAL = "struktural"  # JPT, administrator, pengawas
    FUNGSIONAL = "fungsional"
    PELAKSANA = "pelaksana"


class StatusPegawai(StrEnum):
    AKTIF = "aktif"
    PENSIUN = "pensiun"
    BERHENTI = "berhenti"
    MENINGGAL = "meninggal"
    CLTN = "cltn"  # cuti di luar tanggungan negara
    MUTASI_KELUAR = "mutasi_keluar"

    @property
    def is_leaver(self) -> bool:
        return self is not StatusPegawai.AKTIF


# Eselon from highest to lowest; index 0 is the top. Used for ranges ("II.a and above").
ESELON_ORDER: tuple[str, ...] = ("I.a", "I.b", "II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b", "V.a")

# Golongan ruang from lowest to highest (PNS); PPPK uses I..XVII and is kept as given.
GOLONGAN_ORDER: tuple[str, ...] = (
    "I/a",
    "I/b",
    "I/c",
    "I/d",
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
    "IV/c",
    "IV/d",
    "IV/e",
)


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit kerja, keyed on its 15-digit ``kunker`` code: ``00`` + two digits per level
    (up to five levels) + ``000``. The parent is derived from the code unless given."""

    kode: str
    nama: str
    parent_kode: str | None = None

    @property
    def level(self) -> int:
        return unit_level(self.kode)


@dataclass(frozen=True, slots=True)
class Jabatan:
    kode: str
    nama: str
    jenis: JenisJabatan
    unit_kode: str
    eselon: str | None = None  # only for struktural


@dataclass(frozen=True, slots=True)
class Pegawai:
    nip: str
    nama: str  # full name with gelar, as HR writes it
    unit_kode: str
    jabatan_kode: str
    status: StatusPegawai = StatusPegawai.AKTIF
    gelar_depan: str = ""
    gelar_belakang: str = ""
    email: str | None = None
    golongan: str | None = None
    eselon: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def first_name(self) -> str:
        """Keycloak's firstName: the name with gelar depan (e.g. ``Dr. Ahmad``)."""
        parts = self.nama.split()
        return parts[0] if parts else self.nama

    @property
    def full_name(self) -> str:
        front = f"{self.gelar_depan} " if self.gelar_depan else ""
        back = f", {self.gelar_belakang}" if self.gelar_belakang else ""
        return f"{front}{self.nama}{back}"


@dataclass(frozen=True, slots=True)
class SourceRow:
    """Where a record came from, so a quarantine entry and the run log can name it."""

    source: str  # e.g. "simpeg-sql", "pegawai.csv"
    row: int | str  # row number or record key
    raw: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.source} baris/row {self.row}"


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record that failed validation, with every reason, and the row it came from."""

    kind: str  # "unit" | "jabatan" | "pegawai"
    key: str  # kunker, jabatan code or NIP as given (may be malformed)
    origin: SourceRow
    reasons: tuple[str, ...]
    # A pegawai row whose status says they left (pensiun, berhenti, ...): whatever else is
    # wrong with it, that part is clear, and a leaver must not keep access.
    leaver: bool = False


def unit_level(kode: str) -> int:
    """Depth of a kunker code: ``000100000000000`` is 1, ``000101010000000`` is 3."""
    body = kode[2:12]
    level = 0
    for i in range(0, 10, 2):
        if body[i : i + 2] == "00":
            break
        level += 1
    return level


def unit_parent(kode: str) -> str | None:
    """Parent kunker derived from the code; ``None`` for a top-level unit (an OPD)."""
    level = unit_level(kode)
    if level <= 1:
        return None
    cut = 2 + 2 * (level - 1)
    return kode[:cut] + "0" * (15 - cut)


def unit_prefix(kode: str) -> str:
    """The significant prefix of a kunker: every code in its subtree starts with it."""
    return kode[: 2 + 2 * unit_level(kode)]
