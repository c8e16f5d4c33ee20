"""Staff figures for one unit subtree: head-count by unit, golongan and eselon, joiners and
leavers of the last sync. Pure functions over :class:`StaffData`; no Flask, no I/O."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sync.model import ESELON_ORDER, GOLONGAN_ORDER, unit_level

PROVINCE_PREFIX = "00"
NON_ESELON = "non-eselon"
UNKNOWN = "?"


@dataclass(frozen=True)
class StaffMember:
    nip: str
    nama: str
    unit_kode: str
    golongan: str = ""
    eselon: str = ""
    aktif: bool = True


@dataclass(frozen=True)
class SyncChange:
    """A joiner or a leaver of the last sync run, as its run log names them."""

    nip: str
    nama: str
    unit_kode: str
    kind: str          # "joiner" | "leaver"
    reason: str = ""   # e.g. pensiun, mutasi_keluar


@dataclass
class StaffData:
    """Units (kunker -> name) and pegawai as the synced HR data holds them."""

    units: dict[str, str] = field(default_factory=dict)
    members: list[StaffMember] = field(default_factory=list)
    changes: list[SyncChange] = field(default_factory=list)
    last_sync: str = ""        # when the last sync ran (ISO text), "" when unknown
    source: str = ""           # where the figures came from, shown on the page


@dataclass(frozen=True)
class UnitCount:
    kode: str
    nama: str
    jumlah: int


@dataclass(frozen=True)
class StaffFigures:
    prefix: str
    nama: str
    total: int
    by_unit: list[UnitCount]
    by_golongan: list[tuple[str, int]]
    by_eselon: list[tuple[str, int]]
    joiners: list[SyncChange]
    leavers: list[SyncChange]


def prefix_level(prefix: str) -> int:
    return (len(prefix) - 2) // 2


def unit_for_prefix(prefix: str) -> str:
    return prefix.ljust(15, "0")


def _ordered(counter: Counter[str], order: tuple[str, ...]) -> list[tuple[str, int]]:
    known = [(key, counter[key]) for key in order if counter.get(key)]
    rest = sorted((k, v) for k, v in counter.items() if k not in order)
    return known + rest


def figures_for(data: StaffData, prefix: str) -> StaffFigures:
    """Figures for the subtree of ``prefix`` (``00`` = the whole province)."""
    level = prefix_level(prefix)
    members = [m for m in data.members if m.aktif and m.unit_kode.startswith(prefix)]
    child_len = 2 + 2 * (level + 1)
    per_child: Counter[str] = Counter()
    for m in members:
        # People placed directly on the root unit count under the root itself.
        child = m.unit_kode[:child_len] if unit_level(m.unit_kode) > level else prefix
        per_child[child] += 1
    by_unit = [
        UnitCount(unit_for_prefix(p), data.units.get(unit_for_prefix(p), unit_for_prefix(p)), n)
        for p, n in sorted(per_child.items(), key=lambda item: (-item[1], item[0]))
    ]
    golongan = Counter(m.golongan or UNKNOWN for m in members)
    eselon = Counter(m.eselon or NON_ESELON for m in members)
    changes = [c for c in data.changes if c.unit_kode.startswith(prefix)]
    if prefix == PROVINCE_PREFIX:
        nama = "Pemerintah Provinsi Banten"
    else:
        nama = data.units.get(unit_for_prefix(prefix), unit_for_prefix(prefix))
    return StaffFigures(
        prefix=prefix,
        nama=nama,
        total=len(members),
        by_unit=by_unit,
        by_golongan=_ordered(golongan, GOLONGAN_ORDER),
        by_eselon=_ordered(eselon, (*ESELON_ORDER, NON_ESELON)),
        joiners=[c for c in changes if c.kind == "joiner"],
        leavers=[c for c in changes if c.kind == "leaver"],
    )
