"""Validation of what the sources gave: good records go on, bad ones are quarantined with the
row they came from and *every* reason, and the rest of the run is not held up by them.

Rules: a duplicate key quarantines every row carrying it (we cannot tell which one is right);
a unit whose parent is unknown or quarantined is quarantined, and so on down the tree; a
jabatan needs a known unit; a pegawai needs a known unit and jabatan, unless they are a
leaver — a pensioner whose unit was dissolved must still be disabled, so for leavers the
unit and jabatan codes are kept as given and may not be in the snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from .fields import (
    JENIS_VALUES,
    MAX_TEXT,
    as_text,
    code_text,
    email_ok,
    jabatan_kode_ok,
    kunker_problems,
    name_problems,
    normalise_eselon,
    normalise_golongan,
    too_long,
)
from .model import Jabatan, JenisJabatan, Pegawai, Quarantined, SourceRow, StatusPegawai, Unit, unit_parent
from .nip import nip_problems
from .snapshot import HrSnapshot
from .status import StatusMapper


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One source row with its values under the model's field names (after column mapping)."""

    origin: SourceRow
    values: dict[str, object]
    extra: dict[str, object] = field(default_factory=dict)


class _Ledger:
    """Reasons per row, so every problem of a row ends up in one quarantine entry."""

    def __init__(self) -> None:
        self.reasons: dict[int, list[str]] = defaultdict(list)

    def add(self, index: int, reason: str) -> None:
        if reason not in self.reasons[index]:
            self.reasons[index].append(reason)

    def bad(self, index: int) -> bool:
        return bool(self.reasons.get(index))


def _duplicates(keys: Sequence[str], records: Sequence[RawRecord], ledger: _Ledger, label: str) -> None:
    rows: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        if key:
            rows[key].append(index)
    for key, indexes in rows.items():
        if len(indexes) > 1:
            where = ", ".join(str(records[i].origin.row) for i in indexes)
            for i in indexes:
                ledger.add(
                    i,
                    f"{label} {key} ganda (baris {where}); semua baris dikarantina / "
                    f"duplicate {label} (rows {where}); all of them are quarantined",
                )


def _quarantine(
    kind: str,
    keys: Sequence[str],
    records: Sequence[RawRecord],
    ledger: _Ledger,
    leavers: Sequence[bool] = (),
) -> list[Quarantined]:
    return [
        Quarantined(
            kind=kind,
            key=keys[i],
            origin=records[i].origin,
            reasons=tuple(ledger.reasons[i]),
            leaver=bool(leavers) and leavers[i],
        )
        for i in range(len(records))
        if ledger.bad(i)
    ]


def validate_units(records: Sequence[RawRecord]) -> tuple[dict[str, Unit], list[Quarantined]]:
    ledger = _Ledger()
    keys: list[str] = []
    parents: list[str | None] = []
    names: list[str] = []
    for i, record in enumerate(records):
        kode, problem = code_text(record.values.get("kode"), "kunker")
        keys.append(kode)
        for reason in [problem] if problem else kunker_problems(kode):
            ledger.add(i, reason)
        parent_raw, problem = code_text(record.values.get("parent_kode"), "kunker induk")
        if problem:
            ledger.add(i, problem)
        elif parent_raw:
            for reason in kunker_problems(parent_raw, "kunker induk"):
                ledger.add(i, reason)
            if parent_raw == kode:
                ledger.add(i, f"unit {kode} menjadi induk dirinya sendiri / unit is its own parent")
        parents.append(parent_raw or (unit_parent(kode) if not ledger.bad(i) else None))
        names.append(as_text(record.values.get("nama")))
        if not names[-1]:
            ledger.add(i, f"nama unit {kode} kosong / unit name is missing")
        elif len(names[-1]) > MAX_TEXT:
            # Members carry it as unit_nama, which the user profile limits to 255.
            ledger.add(i, too_long(f"nama unit {kode}", "unit name"))
    _duplicates(keys, records, ledger, "kunker")

    known = set(keys)
    for i, parent in enumerate(parents):
        if parent and parent not in known:
            ledger.add(i, f"unit induk {parent} tidak dikenal / unknown parent unit {parent}")
    index_of = {k: i for i, k in enumerate(keys) if not ledger.bad(i)}
    # An explicit kunker_induk can loop (A under B under A): such units have no place.
    in_cycle: list[str] = []
    for kode, i in index_of.items():
        seen = {kode}
        parent = parents[i]
        while parent:
            if parent in seen:
                if parent == kode:  # units merely *below* a loop are handled by the cascade
                    in_cycle.append(kode)
                break
            seen.add(parent)
            parent = parents[index_of[parent]] if parent in index_of else None
    for kode in in_cycle:
        ledger.add(index_of.pop(kode), f"unit {kode} ada dalam lingkaran induk / unit is in a parent cycle")
    # Down the tree: a unit under a quarantined parent cannot be placed either.
    changed = True
    while changed:
        changed = False
        for kode, i in list(index_of.items()):
            parent = parents[i]
            if parent and parent not in index_of:
                ledger.add(i, f"unit induk {parent} dikarantina / parent unit {parent} is quarantined")
                del index_of[kode]
                changed = True
    units = {
        keys[i]: Unit(kode=keys[i], nama=names[i], parent_kode=parents[i])
        for i in range(len(records))
        if not ledger.bad(i)
    }
    return units, _quarantine("unit", keys, records, ledger)


def validate_jabatan(
    records: Sequence[RawRecord], units: dict[str, Unit]
) -> tuple[dict[str, Jabatan], list[Quarantined]]:
    ledger = _Ledger()
    keys: list[str] = []
    built: list[Jabatan | None] = []
    for i, record in enumerate(records):
        v = record.values
        kode = as_text(v.get("kode"))
        keys.append(kode)
        if not kode:
            ledger.add(i, "kode jabatan kosong / jabatan code is missing")
        elif not jabatan_kode_ok(kode):
            ledger.add(
                i,
                f"kode jabatan {kode!r} hanya boleh huruf, angka, . _ - (maks. 64) / "
                "jabatan code may hold letters, digits, . _ - only (max 64)",
            )
        nama = as_text(v.get("nama"))
        if not nama:
            ledger.add(i, f"nama jabatan {kode} kosong / jabatan name is missing")
        elif len(nama) > MAX_TEXT:
            ledger.add(i, too_long(f"nama jabatan {kode}", "jabatan name"))
        jenis_raw = as_text(v.get("jenis"))
        jenis = JENIS_VALUES.get(jenis_raw.lower())
        if jenis is None:
            ledger.add(
                i,
                f"jenis jabatan {jenis_raw!r} tidak dikenal (struktural/fungsional/pelaksana) / "
                "unknown kind of jabatan",
            )
        unit_kode, problem = code_text(v.get("unit_kode"), "kunker")
        if problem:
            ledger.add(i, problem)
        elif unit_kode not in units:
            ledger.add(
                i,
                f"unit {unit_kode or '(kosong)'} untuk jabatan {kode} tidak dikenal / "
                "the jabatan's unit is unknown",
            )
        eselon_raw = as_text(v.get("eselon"))
        eselon = normalise_eselon(eselon_raw) if eselon_raw else None
        if eselon_raw and eselon is None:
            ledger.add(i, f"eselon {eselon_raw!r} tidak dikenal / unknown eselon")
        built.append(
            None
            if ledger.bad(i) or jenis is None
            else Jabatan(
                kode=kode,
                nama=nama,
                jenis=jenis,
                unit_kode=unit_kode,
                eselon=eselon if jenis is JenisJabatan.STRUKTURAL else None,
            )
        )
    _duplicates(keys, records, ledger, "kode jabatan")
    jabatan = {j.kode: j for i, j in enumerate(built) if j is not None and not ledger.bad(i)}
    return jabatan, _quarantine("jabatan", keys, records, ledger)


def validate_pegawai(
    records: Sequence[RawRecord],
    units: dict[str, Unit],
    jabatan: dict[str, Jabatan],
    status_of: StatusMapper,
    *,
    today: date | None = None,
) -> tuple[dict[str, Pegawai], list[Quarantined]]:
    ledger = _Ledger()
    keys: list[str] = []
    # Only NIPs read as text take part in the duplicate check: a spreadsheet number keeps 15
    # digits, so hundreds of unrelated rows would look like copies of each other.
    text_keys: list[str] = []
    leavers: list[bool] = []
    emails: list[str] = []
    built: list[Pegawai | None] = []
    for i, record in enumerate(records):
        v = record.values
        nip, problem = code_text(v.get("nip"), "NIP")
        keys.append(nip)
        text_keys.append("" if problem else nip)
        for reason in [problem] if problem else nip_problems(nip, today=today):
            ledger.add(i, reason)
        for name in ("nama", "gelar_depan", "gelar_belakang", "email", "golongan", "eselon", "jabatan_kode"):
            if isinstance(v.get(name), dict | list):
                # A JSON API answering an object or list where a text belongs (e.g. nama split
                # into parts): shown as text it would be Python's repr in someone's name.
                ledger.add(
                    i, f"{name} bukan teks (objek/daftar JSON) / {name} is not text (a JSON object or list)"
                )
        nama = as_text(v.get("nama"))
        if not nama:
            ledger.add(i, f"nama pegawai {nip} kosong / name is missing")
        # Names become Keycloak's firstName/lastName: what its validators refuse is refused
        # here, with the row, and not by a later update of the account.
        parts = {name: as_text(v.get(name)) for name in ("nama", "gelar_depan", "gelar_belakang")}
        for name, value in parts.items():
            for reason in name_problems(value, name):
                ledger.add(i, reason)
        if sum(len(value) + 2 for value in parts.values()) > MAX_TEXT:
            ledger.add(i, too_long("nama dengan gelar", "name with gelar"))
        status_raw = as_text(v.get("status"))
        status = status_of(status_raw) if "status" in v else status_of("") or StatusPegawai.AKTIF
        if status is None:
            ledger.add(
                i,
                f"status pegawai {status_raw!r} tidak dikenal / unknown status; "
                "add it to status_values in the sync config",
            )
        unit_kode, problem = code_text(v.get("unit_kode"), "kunker")
        jabatan_kode = as_text(v.get("jabatan_kode"))
        leaver = status is not None and status.is_leaver
        leavers.append(leaver)
        if problem:
            ledger.add(i, problem)
        elif unit_kode not in units and not leaver:
            ledger.add(i, f"unit {unit_kode or '(kosong)'} tidak dikenal / unknown unit")
        if jabatan_kode not in jabatan and not leaver:
            ledger.add(i, f"jabatan {jabatan_kode or '(kosong)'} tidak dikenal / unknown jabatan")
        email = as_text(v.get("email")).lower()
        if email and not email_ok(email):
            ledger.add(i, f"e-mail {email!r} tidak sah / invalid e-mail")
        emails.append(email)
        golongan_raw = as_text(v.get("golongan"))
        golongan = normalise_golongan(golongan_raw) if golongan_raw else None
        if golongan_raw and golongan is None:
            ledger.add(i, f"golongan {golongan_raw!r} tidak dikenal / unknown golongan")
        eselon_raw = as_text(v.get("eselon"))
        eselon = normalise_eselon(eselon_raw) if eselon_raw else None
        if eselon_raw and eselon is None:
            ledger.add(i, f"eselon {eselon_raw!r} tidak dikenal / unknown eselon")
        if eselon is None and jabatan_kode in jabatan:
            eselon = jabatan[jabatan_kode].eselon
        built.append(
            None
            if ledger.bad(i) or status is None
            else Pegawai(
                nip=nip,
                nama=nama,
                unit_kode=unit_kode,
                jabatan_kode=jabatan_kode,
                status=status,
                gelar_depan=as_text(v.get("gelar_depan")),
                gelar_belakang=as_text(v.get("gelar_belakang")),
                email=email or None,
                golongan=golongan,
                eselon=eselon,
                extra={k: as_text(x) for k, x in record.extra.items() if as_text(x)},
            )
        )
    _duplicates(text_keys, records, ledger, "NIP")
    _duplicates(emails, records, ledger, "e-mail")
    pegawai = {p.nip: p for i, p in enumerate(built) if p is not None and not ledger.bad(i)}
    return pegawai, _quarantine("pegawai", keys, records, ledger, leavers)


def validate(
    units: Iterable[RawRecord],
    jabatan: Iterable[RawRecord],
    pegawai: Iterable[RawRecord],
    status_of: StatusMapper | None = None,
    *,
    today: date | None = None,
) -> HrSnapshot:
    unit_records, jabatan_records, pegawai_records = list(units), list(jabatan), list(pegawai)
    good_units, q_units = validate_units(unit_records)
    good_jabatan, q_jabatan = validate_jabatan(jabatan_records, good_units)
    good_pegawai, q_pegawai = validate_pegawai(
        pegawai_records, good_units, good_jabatan, status_of or StatusMapper(), today=today
    )
    return HrSnapshot(
        units=good_units,
        jabatan=good_jabatan,
        pegawai=good_pegawai,
        quarantine=q_units + q_jabatan + q_pegawai,
        source_counts={
            "units": len(unit_records),
            "jabatan": len(jabatan_records),
            "pegawai": len(pegawai_records),
        },
    )
