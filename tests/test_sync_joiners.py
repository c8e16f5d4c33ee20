"""Joiners: a fresh realm synced from HR, then a rerun that must not write anything."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sync.desired import MANAGED_VALUE
from tests.fixtures.sync import SyncEnv, build_snapshot


@pytest.fixture(scope="module")
def env(sync_env_factory: Callable[[str], SyncEnv]) -> SyncEnv:
    return sync_env_factory("joiners")


SNAPSHOT = build_snapshot(60, seed=11)


def test_initial_sync_creates_units_jabatan_and_joiners(env: SyncEnv) -> None:
    plan, result = env.sync(SNAPSHOT)
    assert result.failed == 0, result.errors
    counts = plan.counts()
    assert counts["group"]["create"] == len(SNAPSHOT.units)
    assert counts["role"]["create"] == len(SNAPSHOT.jabatan)
    assert counts["user"]["create"] == 60

    nip, p = next(iter(SNAPSHOT.pegawai.items()))
    user = env.user(nip)
    assert user["enabled"] is True
    assert user["requiredActions"] == ["UPDATE_PASSWORD"]
    assert user["attributes"]["satulogin_managed"] == [MANAGED_VALUE]
    assert user["attributes"]["unit_kode"] == [p.unit_kode]
    assert user["attributes"]["nip"] == [nip]
    assert env.kc.get(f"/users/{user['id']}/credentials") == [], "no password typed by anyone"
    groups = env.kc.get(f"/users/{user['id']}/groups", params={"briefRepresentation": "false"})
    assert [g["attributes"]["kunker"] for g in groups] == [[p.unit_kode]]
    roles = {r["name"] for r in env.kc.get(f"/users/{user['id']}/role-mappings/realm")}
    assert {f"jabatan-{p.jabatan_kode}", "pegawai"} <= roles
    role = env.kc.get(f"/roles/jabatan-{p.jabatan_kode}")
    assert role["attributes"]["jabatan_kode"] == [p.jabatan_kode]
    assert role["attributes"]["satulogin_managed"] == [MANAGED_VALUE]


def test_the_unit_tree_follows_the_kunker_codes(env: SyncEnv) -> None:
    top = env.kc.get("/groups", params={"search": "Sekretariat Daerah", "briefRepresentation": "false"})
    assert top[0]["attributes"]["kunker"] == ["000100000000000"]
    children = env.kc.get(f"/groups/{top[0]['id']}/children", params={"briefRepresentation": "false"})
    assert sorted(c["attributes"]["kunker"][0] for c in children) == ["000101000000000", "000102000000000"]


def test_rerun_with_nothing_changed_makes_zero_writes(env: SyncEnv) -> None:
    reads0, writes0 = env.kc.counter.snapshot()
    plan, result = env.sync(SNAPSHOT)
    reads1, writes1 = env.kc.counter.snapshot()
    assert plan.pending == []
    assert writes1 - writes0 == 0
    # Reads: the group tree level by level, roles, one user page, required actions.
    assert reads1 - reads0 < 15
