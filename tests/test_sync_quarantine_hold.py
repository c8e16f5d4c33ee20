"""A quarantined row is not evidence that somebody left: against a real Keycloak, from real CSV
exports, a person whose row fails validation keeps their account as it is, and while some rows
carry no readable NIP nobody is disabled for being absent."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sync.config import load_config
from sync.loader import load_snapshot
from sync.safety import SafetyLimits
from sync.snapshot import HrSnapshot
from tests.fixtures.hr_sources_rest import SMALL_JABATAN, SMALL_PEGAWAI, SMALL_UNITS
from tests.fixtures.sync import SyncEnv

ACTIVE = [p["nip"] for p in SMALL_PEGAWAI if p["status_pegawai"] == "Aktif"]
# Four people: one row more or less, or one leaver, is past the rails (tested elsewhere).
SMALL = SafetyLimits(allow_shrink=True, allow_mass_disable=True)


@pytest.fixture(scope="module")
def env(sync_env_factory: Callable[[str], SyncEnv]) -> SyncEnv:
    return sync_env_factory("hold")


def export(
    folder: Path, pegawai: list[dict[str, Any]], units: list[dict[str, Any]] = SMALL_UNITS
) -> HrSnapshot:
    """Write the three CSV exports as SIMPEG would and load them the way `sync plan` does."""
    for name, rows in (("unit_kerja", units), ("jabatan", SMALL_JABATAN), ("pegawai", pegawai)):
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
    config = folder / "sync.yaml"
    config.write_text(
        "units: {type: csv, path: unit_kerja.csv}\n"
        "jabatan: {type: csv, path: jabatan.csv}\n"
        "pegawai: {type: csv, path: pegawai.csv}\n",
        encoding="utf-8",
    )
    return load_snapshot(load_config(config))


def user_actions(plan: Any) -> dict[str, str]:
    return {c.key: c.action for c in plan.changes if c.kind == "user"}


def test_quarantined_people_are_held_not_disabled(env: SyncEnv, tmp_path: Path) -> None:
    assert len(ACTIVE) >= 3, "the small export needs three active people"
    _, result = env.sync(export(tmp_path, SMALL_PEGAWAI), incremental=True)
    assert result.failed == 0, result.errors
    assert all(env.user(nip)["enabled"] for nip in ACTIVE)

    # The same person twice (a copy-paste in the export): both rows are quarantined.
    twice = export(tmp_path, [*SMALL_PEGAWAI, dict(next(p for p in SMALL_PEGAWAI if p["nip"] == ACTIVE[0]))])
    assert {q.key for q in twice.quarantine} == {ACTIVE[0]}
    plan, result = env.sync(twice, incremental=True, limits=SMALL)
    assert user_actions(plan).get(ACTIVE[0]) == "hold", plan.changes
    assert not plan.of("user", "disable")
    assert result.failed == 0 and env.user(ACTIVE[0])["enabled"]

    # One NIP saved by Excel as a number, and somebody really gone: whose the unreadable row
    # is cannot be known, so the absent person is held too.
    rows = [dict(p) for p in SMALL_PEGAWAI if p["nip"] != ACTIVE[2]]
    for row in rows:
        if row["nip"] == ACTIVE[1]:
            row["nip"] = "1,99108E+17"
    unreadable = export(tmp_path, rows)
    plan, result = env.sync(unreadable, incremental=True, limits=SMALL)
    actions = user_actions(plan)
    assert actions.get(ACTIVE[1]) == "hold" and actions.get(ACTIVE[2]) == "hold", plan.changes
    held = next(c for c in plan.changes if c.key == ACTIVE[2])
    assert "no readable NIP" in held.reason
    assert not plan.of("user", "disable")
    assert result.failed == 0
    assert env.user(ACTIVE[1])["enabled"] and env.user(ACTIVE[2])["enabled"]

    # The export fixed: the one really gone is disabled now (read again, not forgotten).
    fixed = export(tmp_path, [p for p in SMALL_PEGAWAI if p["nip"] != ACTIVE[2]])
    assert fixed.quarantine == []
    plan, result = env.sync(fixed, incremental=True, limits=SMALL)
    assert user_actions(plan) == {ACTIVE[2]: "disable"}, plan.changes
    assert result.failed == 0
    assert not env.user(ACTIVE[2])["enabled"]
    assert env.user(ACTIVE[0])["enabled"] and env.user(ACTIVE[1])["enabled"]


def test_a_unit_with_a_mistyped_parent_is_held_with_its_people(env: SyncEnv, tmp_path: Path) -> None:
    units = [dict(u) for u in SMALL_UNITS]
    biro = next(u for u in units if u["nama_unit"] == "Biro Pemerintahan")
    biro["kunker_induk"] = "000199000000000"  # one typo in the unit export
    rows = [p for p in SMALL_PEGAWAI if p["nip"] != ACTIVE[2]]
    head = next(p for p in rows if p["kunker"] == biro["kunker"] and p["status_pegawai"] == "Aktif")
    snapshot = export(tmp_path, rows, units=units)
    assert biro["kunker"] in {q.key for q in snapshot.quarantine if q.kind == "unit"}
    plan = env.plan(snapshot)
    held = {(c.kind, c.key) for c in plan.changes if c.action == "hold"}
    assert ("group", biro["kunker"]) in held and ("user", head["nip"]) in held, plan.changes
    assert not [c for c in plan.changes if c.action in ("disable", "obsolete")], plan.changes


def test_a_quarantined_row_that_says_they_left_still_disables(env: SyncEnv, tmp_path: Path) -> None:
    rows = [dict(p) for p in SMALL_PEGAWAI if p["nip"] != ACTIVE[2]]
    leaver = next(r for r in rows if r["nip"] == ACTIVE[0])
    leaver.update(status_pegawai="Pensiun", email="x..y@bantenprov.go.id")  # retired, and a bad e-mail
    stray = {**leaver, "nip": "1,99108E+17", "status_pegawai": "Aktif", "email": ""}  # an unreadable row too
    snapshot = export(tmp_path, [*rows, stray])
    assert {q.key for q in snapshot.quarantine} == {ACTIVE[0], "1,99108E+17"}
    plan, result = env.sync(snapshot, incremental=True, limits=SMALL)
    change = next(c for c in plan.changes if c.key == ACTIVE[0])
    assert change.action == "disable" and "status says they left" in change.reason, plan.changes
    assert result.failed == 0
    assert not env.user(ACTIVE[0])["enabled"] and env.user(ACTIVE[1])["enabled"]
