"""The staff figures read from what the HR sync reads and writes: the SIMPEG stand-in made by
``sync.demo_data`` (read-only) and the sync's run log (joiners and leavers of the last apply)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask_demo_app.hr_data import simpeg_staff_data
from flask_demo_app.staff import figures_for
from sync.demo_data import apply_changes, generate
from sync.runlog import RunLog


def test_figures_come_from_simpeg_and_the_last_sync_run(tmp_path: Path) -> None:
    db = tmp_path / "simpeg.sqlite"
    generate(db, n_pegawai=300)
    changed = apply_changes(db, joiners=2, leavers=2)
    log = RunLog(tmp_path / "runlog.sqlite")
    old = log.start_run("banten", "apply")
    log.record(old, "user", "199001012015011001", "create", "ok")    # an earlier run: not shown
    log.finish_run(old, status="ok")
    run = log.start_run("banten", "apply")
    for joiner in changed["joiners"]:
        log.record(run, "user", joiner["nip"], "create", "ok")
    for leaver in changed["leavers"]:
        log.record(run, "user", leaver["nip"], "disable", "ok", reason=leaver["status"])
    log.record(run, "user", "198001012005011001", "create", "failed", error="HTTP 500")
    log.finish_run(run, status="ok")
    log.close()
    before = db.read_bytes()

    data = simpeg_staff_data(db, tmp_path / "runlog.sqlite", "banten")

    assert db.read_bytes() == before, "the dashboard never writes to SIMPEG"
    with sqlite3.connect(db) as con:
        active = con.execute("SELECT COUNT(*) FROM pegawai WHERE status_pegawai = 'Aktif'").fetchone()[0]
    province = figures_for(data, "00")
    assert province.total == active
    assert sum(u.jumlah for u in province.by_unit) == active
    assert sorted(c.nip for c in province.joiners) == sorted(j["nip"] for j in changed["joiners"])
    assert sorted(c.nip for c in province.leavers) == sorted(x["nip"] for x in changed["leavers"])
    assert all(c.unit_kode and c.nama != c.nip for c in province.joiners + province.leavers)
    # A joiner shows up only in the figures of the OPD they joined.
    first = province.joiners[0]
    opd = first.unit_kode[:4]
    assert first in figures_for(data, opd).joiners
    other = next(u.kode[:4] for u in province.by_unit if u.kode[:4] != opd)
    assert first not in figures_for(data, other).joiners
    assert data.last_sync


def test_no_simpeg_database_means_no_figures_rather_than_an_error(tmp_path: Path) -> None:
    data = simpeg_staff_data(tmp_path / "absent.sqlite", tmp_path / "absent-log.sqlite", "banten")
    assert data.members == [] and data.changes == []
