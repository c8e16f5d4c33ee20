"""The SIMPEG stand-in of the demo: a synthetic province in SQLite.

``generate(path)`` writes the tables the default sync config reads (``unit_kerja``,
``jabatan``, ``pegawai``): ~1,150 units under 35 OPDs, ~2,000 jabatan and N pegawai with
valid NIPs. The same seed gives the same file. ``apply_changes`` then plays HR for tests and
benchmarks: movers, leavers, joiners and unit renames. No real person's data is used.
"""

from __future__ import annotations

import os
import random
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .demo_people import EMAIL_DOMAIN, REFERENCE_DATE, Person, make_email, make_person
from .demo_units import DemoJabatan, DemoUnit, build_jabatan, build_units, kode_of
from .model import unit_level, unit_parent

SCHEMA = """
CREATE TABLE unit_kerja (kunker TEXT PRIMARY KEY, nama_unit TEXT NOT NULL, kunker_induk TEXT,
                         tingkat INTEGER NOT NULL);
CREATE TABLE jabatan (kode_jabatan TEXT PRIMARY KEY, nama_jabatan TEXT NOT NULL, jenis_jabatan TEXT NOT NULL,
                      kunker TEXT NOT NULL, eselon TEXT);
CREATE TABLE pegawai (nip TEXT PRIMARY KEY, nama TEXT NOT NULL, gelar_depan TEXT, gelar_belakang TEXT,
                      jenis_kelamin TEXT, tanggal_lahir TEXT, kunker TEXT NOT NULL,
                      kode_jabatan TEXT NOT NULL, golongan TEXT, eselon TEXT, email TEXT,
                      status_pegawai TEXT NOT NULL);
"""
LEAVER_STATUSES = ("Pensiun", "Meninggal Dunia", "Mutasi Keluar", "Berhenti", "CLTN")
PEGAWAI_COLUMNS = (
    "nip",
    "nama",
    "gelar_depan",
    "gelar_belakang",
    "jenis_kelamin",
    "tanggal_lahir",
    "kunker",
    "kode_jabatan",
    "golongan",
    "eselon",
    "email",
    "status_pegawai",
)


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """A well-known person of the demo, always generated with the same NIP."""

    role: str
    nip: str
    nama: str
    gelar_depan: str
    gelar_belakang: str
    jabatan_kode: str
    jenis_kelamin: int
    golongan: str


BIRO_PEMERINTAHAN = kode_of(1, 1, 1)
SUBBAG_PEMERINTAHAN = kode_of(1, 1, 1, 1, 1)
DISKOMINFO_APLIKASI = kode_of(24, 2)  # Bidang Aplikasi Informatika
DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "sekda", "196805121994031003", "Bambang Suryadi", "Dr. H.", "M.Si.", f"S{kode_of(1)}", 1, "IV/e"
    ),
    DemoPerson(
        "kepala_biro",
        "197203201998032001",
        "Siti Nurhasanah",
        "Hj.",
        "S.H., M.H.",
        f"S{BIRO_PEMERINTAHAN}",
        2,
        "IV/c",
    ),
    # Pengadministrasi Umum of the Setda; Pranata Komputer Ahli Muda of Diskominfo.
    DemoPerson("staf", "199108172015031002", "Dedi Kurniawan", "", "A.Md.", "P01001", 1, "II/d"),
    DemoPerson("admin", "198807142011012001", "Rina Oktaviani", "", "S.Kom., M.T.", "F24006", 2, "III/d"),
)
# The unit each well-known person works in (the staf works in a Subbagian of Biro Pemerintahan).
DEMO_UNITS = {
    "sekda": kode_of(1),
    "kepala_biro": BIRO_PEMERINTAHAN,
    "staf": SUBBAG_PEMERINTAHAN,
    "admin": DISKOMINFO_APLIKASI,
}
DEMO_NIPS = frozenset(p.nip for p in DEMO_PEOPLE)


def demo_people(path: str | Path | None = None) -> dict[str, dict[str, str]]:
    """The well-known people by role (``sekda``, ``kepala_biro``, ``staf``, ``admin``); read
    from the database when given (so renames show), else as generated."""
    people = {
        p.role: {
            "nip": p.nip,
            "nama": p.nama,
            "gelar_depan": p.gelar_depan,
            "gelar_belakang": p.gelar_belakang,
            "jabatan_kode": p.jabatan_kode,
            "unit_kode": DEMO_UNITS[p.role],
        }
        for p in DEMO_PEOPLE
    }
    if path is not None:
        with sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True) as db:
            for info in people.values():
                row = db.execute(
                    "SELECT p.email, j.nama_jabatan, u.nama_unit FROM pegawai p "
                    "JOIN jabatan j ON j.kode_jabatan = p.kode_jabatan "
                    "JOIN unit_kerja u ON u.kunker = p.kunker WHERE p.nip = ?",
                    (info["nip"],),
                ).fetchone()
                if row:
                    info.update(email=row[0] or "", jabatan_nama=row[1], unit_nama=row[2])
    return people


def _pegawai_row(
    person: Person | DemoPerson, born: date, unit: str, jabatan: DemoJabatan, email: str | None, status: str
) -> tuple[Any, ...]:
    return (
        person.nip,
        person.nama,
        person.gelar_depan,
        person.gelar_belakang,
        "L" if person.jenis_kelamin == 1 else "P",
        born.isoformat(),
        unit,
        jabatan.kode,
        person.golongan,
        jabatan.eselon,
        email,
        status,
    )


def _people(
    rng: random.Random, n: int, units: list[DemoUnit], jabatan: list[DemoJabatan]
) -> list[tuple[Any, ...]]:
    by_kode = {j.kode: j for j in jabatan}
    used_nips = set(DEMO_NIPS)
    used_emails: set[str] = set()
    rows: list[tuple[Any, ...]] = []
    for p in DEMO_PEOPLE[:n]:
        born = date(int(p.nip[0:4]), int(p.nip[4:6]), int(p.nip[6:8]))
        # Name-based e-mail, the same for every seed: the demo prints it.
        email = f"{p.nama.lower().replace(' ', '.')}@{EMAIL_DOMAIN}"
        used_emails.add(email)
        rows.append(_pegawai_row(p, born, DEMO_UNITS[p.role], by_kode[p.jabatan_kode], email, "Aktif"))
    taken = {p.jabatan_kode for p in DEMO_PEOPLE}
    # Heads first, top of the tree first, a few posts left vacant; about one in eight people.
    structural = [j for j in jabatan if j.jenis == "struktural" and j.kode not in taken]
    heads = [j for j in structural if rng.random() > 0.03][: max(0, min(len(structural), n // 8))]
    for j in heads:
        person = make_person(rng, used_nips, eselon=j.eselon, jenis=j.jenis, jabatan_nama=j.nama)
        head_email = make_email(rng, person.nama, person.nip, used_emails)
        rows.append(_pegawai_row(person, person.tanggal_lahir, j.unit, j, head_email, "Aktif"))
    staff_jabatan: dict[str, list[DemoJabatan]] = {}
    for j in jabatan:
        if j.jenis != "struktural":
            staff_jabatan.setdefault(j.unit, []).append(j)
    # Schools and hospitals employ the most people.
    weights = [4 if u.opd in (kode_of(12), kode_of(34), kode_of(35)) else 1 for u in units]
    chosen_units = rng.choices(units, weights=weights, k=max(0, n - len(rows)))
    for unit in chosen_units:
        j = rng.choice(staff_jabatan[unit.opd])
        leaver = rng.random() < 0.012
        person = make_person(
            rng,
            used_nips,
            eselon=None,
            jenis=j.jenis,
            jabatan_nama=j.nama,
            birth_years=(1960, 1966) if leaver else None,
        )
        status = rng.choice(LEAVER_STATUSES) if leaver else "Aktif"
        rows.append(
            _pegawai_row(
                person,
                person.tanggal_lahir,
                unit.kode,
                j,
                make_email(rng, person.nama, person.nip, used_emails),
                status,
            )
        )
    return rows


def generate(path: str | Path, n_pegawai: int = 10_000, seed: int = 2026) -> dict[str, Any]:
    """Write the demo SIMPEG database at ``path`` (replacing it) and return a summary."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    units = build_units()
    jabatan = build_jabatan(units)
    people = _people(rng, n_pegawai, units, jabatan)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(partial) as db:
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO unit_kerja VALUES (?, ?, ?, ?)",
            [(u.kode, u.nama, u.parent, unit_level(u.kode)) for u in units],
        )
        db.executemany(
            "INSERT INTO jabatan VALUES (?, ?, ?, ?, ?)",
            [(j.kode, j.nama, j.jenis, j.unit, j.eselon) for j in jabatan],
        )
        db.executemany(f"INSERT INTO pegawai VALUES ({', '.join('?' * len(PEGAWAI_COLUMNS))})", people)
    db.close()
    os.replace(partial, path)  # a reader never sees a half-written file
    statuses: dict[str, int] = {}
    for row in people:
        statuses[row[-1]] = statuses.get(row[-1], 0) + 1
    return {
        "path": str(path),
        "seed": seed,
        "units": len(units),
        "opd": sum(1 for u in units if u.parent is None),
        "max_level": max(unit_level(u.kode) for u in units),
        "jabatan": len(jabatan),
        "jabatan_by_jenis": {
            k: sum(1 for j in jabatan if j.jenis == k) for k in ("struktural", "fungsional", "pelaksana")
        },
        "pegawai": len(people),
        "statuses": statuses,
        "demo_people": {p.role: p.nip for p in DEMO_PEOPLE[:n_pegawai]},
        "reference_date": REFERENCE_DATE.isoformat(),
    }


RENAME_SUFFIXES = (" dan Inovasi", " dan Pelaporan", " dan Kemitraan", " dan Evaluasi")


def apply_changes(
    path: str | Path,
    *,
    movers: int = 0,
    leavers: int = 0,
    joiners: int = 0,
    renames: int = 0,
    reparents: int = 0,
    seed: int = 1,
) -> dict[str, list[dict[str, str]]]:
    """Play HR on the demo database: returns what changed, per kind. The well-known demo
    people are never picked. Movers change unit and jabatan (a staff jabatan of the new OPD);
    leavers get a leaver status; joiners are new active staff; renames rename units (and
    their head's jabatan) in place, keeping the code; reparents move a level-3 unit under
    another level-2 unit of the same OPD through ``kunker_induk`` (the code stays)."""
    rng = random.Random(seed)
    changes: dict[str, list[dict[str, str]]] = {
        "movers": [],
        "leavers": [],
        "joiners": [],
        "renames": [],
        "reparents": [],
    }
    with sqlite3.connect(Path(path)) as db:
        active = [
            r[0]
            for r in db.execute(
                "SELECT p.nip FROM pegawai p JOIN jabatan j ON j.kode_jabatan = p.kode_jabatan "
                "WHERE p.status_pegawai = 'Aktif' AND j.jenis_jabatan != 'struktural' ORDER BY p.nip"
            )
            if r[0] not in DEMO_NIPS
        ]
        picked = rng.sample(active, min(len(active), movers + leavers))
        units = [r[0] for r in db.execute("SELECT kunker FROM unit_kerja ORDER BY kunker")]
        staff: dict[str, list[tuple[str, str]]] = {}
        for kode, unit, jenis in db.execute(
            "SELECT kode_jabatan, kunker, jenis_jabatan FROM jabatan "
            "WHERE jenis_jabatan != 'struktural' ORDER BY kode_jabatan"
        ):
            staff.setdefault(unit, []).append((kode, jenis))

        def opd_of(kunker: str) -> str:
            return kunker[:4] + "0" * 11

        for nip in picked[:movers]:
            old_unit, old_jab = db.execute(
                "SELECT kunker, kode_jabatan FROM pegawai WHERE nip = ?", (nip,)
            ).fetchone()
            new_unit = rng.choice([u for u in units if u != old_unit and opd_of(u) in staff])
            new_jab = rng.choice([k for k, _ in staff[opd_of(new_unit)] if k != old_jab])
            db.execute(
                "UPDATE pegawai SET kunker = ?, kode_jabatan = ?, eselon = NULL WHERE nip = ?",
                (new_unit, new_jab, nip),
            )
            changes["movers"].append(
                {
                    "nip": nip,
                    "from_unit": old_unit,
                    "to_unit": new_unit,
                    "from_jabatan": old_jab,
                    "to_jabatan": new_jab,
                }
            )
        for nip in picked[movers : movers + leavers]:
            status = rng.choice(LEAVER_STATUSES)
            db.execute("UPDATE pegawai SET status_pegawai = ? WHERE nip = ?", (status, nip))
            changes["leavers"].append({"nip": nip, "status": status})
        used_nips = {r[0] for r in db.execute("SELECT nip FROM pegawai")}
        used_emails = {r[0] for r in db.execute("SELECT email FROM pegawai WHERE email IS NOT NULL")}
        for _ in range(joiners):
            unit = rng.choice([u for u in units if opd_of(u) in staff])
            kode, jenis = rng.choice(staff[opd_of(unit)])
            nama_jabatan = db.execute(
                "SELECT nama_jabatan FROM jabatan WHERE kode_jabatan = ?", (kode,)
            ).fetchone()[0]
            person = make_person(
                rng, used_nips, eselon=None, jenis=jenis, jabatan_nama=nama_jabatan, birth_years=(1994, 2002)
            )
            email = make_email(rng, person.nama, person.nip, used_emails)
            db.execute(
                f"INSERT INTO pegawai VALUES ({', '.join('?' * len(PEGAWAI_COLUMNS))})",
                (
                    person.nip,
                    person.nama,
                    person.gelar_depan,
                    person.gelar_belakang,
                    "L" if person.jenis_kelamin == 1 else "P",
                    person.tanggal_lahir.isoformat(),
                    unit,
                    kode,
                    person.golongan,
                    None,
                    email,
                    "Aktif",
                ),
            )
            changes["joiners"].append({"nip": person.nip, "unit": unit, "jabatan": kode})
        candidates = [u for u in units if unit_level(u) >= 2]
        for kunker in rng.sample(candidates, min(len(candidates), renames)):
            old = db.execute("SELECT nama_unit FROM unit_kerja WHERE kunker = ?", (kunker,)).fetchone()[0]
            base = old
            for suffix in RENAME_SUFFIXES:
                base = base.removesuffix(suffix)
            new = base + rng.choice([s for s in RENAME_SUFFIXES if base + s != old])
            db.execute("UPDATE unit_kerja SET nama_unit = ? WHERE kunker = ?", (new, kunker))
            db.execute(
                "UPDATE jabatan SET nama_jabatan = replace(nama_jabatan, ?, ?) WHERE kode_jabatan = ?",
                (old, new, f"S{kunker}"),
            )
            changes["renames"].append({"kunker": kunker, "old": old, "new": new})
        level3 = [u for u in units if unit_level(u) == 3]
        for kunker in rng.sample(level3, min(len(level3), reparents)):
            current = db.execute(
                "SELECT kunker_induk FROM unit_kerja WHERE kunker = ?", (kunker,)
            ).fetchone()[0]
            old_parent = current or unit_parent(kunker)
            choices = [u for u in units if unit_level(u) == 2 and u[:4] == kunker[:4] and u != old_parent]
            if not choices:
                continue
            new_parent = rng.choice(choices)
            db.execute("UPDATE unit_kerja SET kunker_induk = ? WHERE kunker = ?", (new_parent, kunker))
            changes["reparents"].append(
                {"kunker": kunker, "old_parent": str(old_parent), "new_parent": new_parent}
            )
    db.close()
    return changes
