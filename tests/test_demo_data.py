"""The demo data generator: deterministic, valid, and shaped like a province."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from sync.config import default_config
from sync.demo_data import DEMO_PEOPLE, apply_changes, demo_people, generate
from sync.loader import load_snapshot
from sync.model import ESELON_ORDER, JenisJabatan, StatusPegawai, unit_parent
from sync.nip import nip_problems, parse_nip
from sync.snapshot import HrSnapshot

N = 400
Generated = tuple[Path, dict[str, object], HrSnapshot]


def dump(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        rows = [row for table in ("unit_kerja", "jabatan", "pegawai")
                for row in db.execute(f"SELECT * FROM {table} ORDER BY 1")]
    db.close()
    return rows


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    path = tmp_path_factory.mktemp("demo") / "simpeg.sqlite"
    summary = generate(path, n_pegawai=N, seed=2026)
    return path, summary, load_snapshot(default_config(path))


def test_same_seed_same_data_other_seed_other_people(tmp_path: Path) -> None:
    generate(tmp_path / "a.sqlite", n_pegawai=80, seed=5)
    generate(tmp_path / "b.sqlite", n_pegawai=80, seed=5)
    generate(tmp_path / "c.sqlite", n_pegawai=80, seed=6)
    assert dump(tmp_path / "a.sqlite") == dump(tmp_path / "b.sqlite")
    assert dump(tmp_path / "a.sqlite") != dump(tmp_path / "c.sqlite")


def test_everything_generated_passes_validation(generated: Generated) -> None:
    _, summary, snap = generated
    assert snap.quarantine == []
    assert len(snap.pegawai) == N == summary["pegawai"]
    assert all(nip_problems(nip, today=date(2026, 1, 1)) == [] for nip in snap.pegawai)


def test_unit_tree_is_a_province(generated: Generated) -> None:
    _, summary, snap = generated
    opds = [u for u in snap.units.values() if u.parent_kode is None]
    assert 30 <= len(opds) <= 40 and summary["opd"] == len(opds)
    assert 1000 <= len(snap.units) <= 1400
    assert max(u.level for u in snap.units.values()) == 5
    for unit in snap.units.values():
        assert unit.parent_kode == unit_parent(unit.kode)
        assert unit.parent_kode is None or unit.parent_kode in snap.units
    names = {u.kode: u.nama for u in snap.units.values()}
    assert names["000100000000000"] == "Sekretariat Daerah"
    assert names["000101010000000"] == "Biro Pemerintahan"
    assert {"Dinas Pendidikan dan Kebudayaan", "Badan Kepegawaian Daerah"} <= set(names.values())


def test_jabatan_per_unit_with_eselon_by_level(generated: Generated) -> None:
    _, _, snap = generated
    kinds = Counter(j.jenis for j in snap.jabatan.values())
    assert 1800 <= len(snap.jabatan) <= 2300
    assert kinds[JenisJabatan.STRUKTURAL] == len(snap.units)
    assert kinds[JenisJabatan.FUNGSIONAL] > 300 and kinds[JenisJabatan.PELAKSANA] > 300
    heads = {j.unit_kode: j for j in snap.jabatan.values() if j.jenis is JenisJabatan.STRUKTURAL}
    assert heads["000100000000000"].eselon == "I.b" and heads["000100000000000"].nama == "Sekretaris Daerah"
    assert heads["000101010000000"].eselon == "II.a"
    for kode, head in heads.items():
        parent = snap.units[kode].parent_kode
        if parent is not None:   # a head never outranks the head above
            assert ESELON_ORDER.index(head.eselon or "") >= ESELON_ORDER.index(heads[parent].eselon or "")


def test_people_look_like_asn(generated: Generated) -> None:
    path, _, snap = generated
    people = list(snap.pegawai.values())
    emails = [p.email for p in people if p.email]
    assert len(emails) == len(set(emails)) and all(e.endswith("@bantenprov.go.id") for e in emails)
    assert any(p.gelar_depan for p in people) and any(p.gelar_belakang for p in people)
    assert {"aktif"} < {p.status.value for p in people}           # a few leavers too
    assert sum(p.status.is_leaver for p in people) < N * 0.05
    assert all(p.golongan for p in people)
    with sqlite3.connect(path) as db:
        for nip, jk, lahir in db.execute("SELECT nip, jenis_kelamin, tanggal_lahir FROM pegawai"):
            parts = parse_nip(nip)
            assert parts.tanggal_lahir.isoformat() == lahir
            assert {1: "L", 2: "P"}[parts.jenis_kelamin] == jk
    db.close()
    for p in people:   # golongan consistent with eselon
        if p.eselon and p.eselon.startswith("II."):
            assert p.golongan and p.golongan.startswith("IV")


def test_well_known_demo_people(generated: Generated) -> None:
    path, _, snap = generated
    people = demo_people(path)
    assert set(people) == {"sekda", "kepala_biro", "staf", "admin"}
    assert people["sekda"]["jabatan_nama"] == "Sekretaris Daerah"
    assert people["kepala_biro"]["jabatan_nama"] == "Kepala Biro Pemerintahan"
    assert people["admin"]["unit_nama"] == "Bidang Aplikasi Informatika"
    for p in DEMO_PEOPLE:
        assert snap.pegawai[p.nip].status is StatusPegawai.AKTIF
        assert snap.pegawai[p.nip].email == people[p.role]["email"]


def test_apply_changes_moves_retires_hires_and_renames(tmp_path: Path) -> None:
    path = tmp_path / "simpeg.sqlite"
    generate(path, n_pegawai=120, seed=3)
    before = load_snapshot(default_config(path))
    changed = apply_changes(path, movers=3, leavers=2, joiners=4, renames=2, reparents=2, seed=9)
    after = load_snapshot(default_config(path))
    assert after.quarantine == []
    for m in changed["movers"]:
        assert before.pegawai[m["nip"]].unit_kode == m["from_unit"]
        assert (after.pegawai[m["nip"]].unit_kode, after.pegawai[m["nip"]].jabatan_kode) == (
            m["to_unit"], m["to_jabatan"])
    for leaver in changed["leavers"]:
        assert after.pegawai[leaver["nip"]].status.is_leaver
    assert {j["nip"] for j in changed["joiners"]} == set(after.pegawai) - set(before.pegawai)
    for r in changed["renames"]:
        assert after.units[r["kunker"]].nama == r["new"] != before.units[r["kunker"]].nama
        assert after.jabatan[f"S{r['kunker']}"].nama == f"Kepala {r['new']}"
    for r in changed["reparents"]:
        assert before.units[r["kunker"]].parent_kode == r["old_parent"]
        assert after.units[r["kunker"]].parent_kode == r["new_parent"] != r["old_parent"]
    assert len(changed["reparents"]) == 2
    assert set(after.units) == set(before.units)                     # renamed and moved in place
    assert len(changed["movers"]) == 3 and len(changed["leavers"]) == 2 and len(changed["renames"]) == 2
    assert not {p.nip for p in DEMO_PEOPLE} & {m["nip"] for m in changed["movers"] + changed["leavers"]}
    path_copy = tmp_path / "again.sqlite"
    generate(path_copy, n_pegawai=120, seed=3)
    assert apply_changes(path_copy, movers=3, leavers=2, joiners=4, renames=2, reparents=2, seed=9) == changed


def test_ten_thousand_pegawai_generate_fast_and_all_validate(tmp_path: Path) -> None:
    import time

    started = time.perf_counter()
    summary = generate(tmp_path / "simpeg.sqlite", n_pegawai=10_000, seed=2026)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"generation took {elapsed:.1f}s"
    snap = load_snapshot(default_config(tmp_path / "simpeg.sqlite"))
    assert snap.quarantine == [] and len(snap.pegawai) == 10_000
    heads = sum(1 for p in snap.pegawai.values() if p.jabatan_kode.startswith("S"))
    assert heads > 0.9 * summary["jabatan_by_jenis"]["struktural"]
    assert 0.005 < sum(p.status.is_leaver for p in snap.pegawai.values()) / 10_000 < 0.03
