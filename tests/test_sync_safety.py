"""Safety rails: a suspicious run stops before its first write and says why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from satulogin.errors import SafetyStop
from sync.safety import SafetyLimits
from tests.fixtures.sync import SyncEnv, build_snapshot, without_pegawai

HR = build_snapshot(60, seed=31)


@pytest.fixture(scope="module")
def env(sync_env_factory: Callable[[str], SyncEnv]) -> SyncEnv:
    env = sync_env_factory("safety")
    _, result = env.sync(HR)
    assert result.failed == 0
    return env


def test_mass_disable_and_shrink_stop_before_any_write(env: SyncEnv) -> None:
    shrunk = without_pegawai(HR, *sorted(HR.pegawai)[:10])  # 10 of 60: 17 % > 5 %, and > 10 % shrink
    _, writes0 = env.kc.counter.snapshot()
    with pytest.raises(SafetyStop) as stop:
        env.sync(shrunk)
    assert env.kc.counter.snapshot()[1] == writes0, "nothing was written"
    message = str(stop.value)
    assert "10 dari 60" in message and "--allow-mass-disable" in message
    assert "60 → 50" in message and "--allow-shrink" in message
    assert stop.value.exit_code == 3
    [last] = env.runlog.runs(realm=env.realm, limit=1)
    assert last["status"] == "refused" and "--allow-mass-disable" in last["message"]
    assert all(u["enabled"] for u in env.kc.get("/users", params={"max": 100}))


def test_one_override_is_not_enough_for_two_rails(env: SyncEnv) -> None:
    shrunk = without_pegawai(HR, *sorted(HR.pegawai)[:10])
    with pytest.raises(SafetyStop) as stop:
        env.sync(shrunk, limits=SafetyLimits(allow_mass_disable=True))
    assert "--allow-shrink" in str(stop.value) and "--allow-mass-disable" not in str(stop.value)


def test_an_empty_source_is_refused(env: SyncEnv) -> None:
    empty = replace(HR, pegawai={}, source_counts={"pegawai": 0})
    with pytest.raises(SafetyStop, match="kosong / the pegawai source is empty"):
        env.sync(empty, limits=SafetyLimits(allow_mass_disable=True, allow_shrink=True))


def test_an_empty_units_or_jabatan_source_is_refused_naming_it(env: SyncEnv) -> None:
    for kind in ("units", "jabatan"):
        empty = replace(HR, **{kind: {}}, source_counts={**HR.source_counts, kind: 0})
        with pytest.raises(SafetyStop, match=f"sumber {kind} kosong / the {kind} source is empty"):
            env.sync(empty, limits=SafetyLimits(allow_mass_disable=True, allow_shrink=True))


def test_explicit_overrides_let_the_run_go(env: SyncEnv) -> None:
    shrunk = without_pegawai(HR, *sorted(HR.pegawai)[:10])
    plan, result = env.sync(shrunk, limits=SafetyLimits(allow_mass_disable=True, allow_shrink=True))
    assert len(plan.of("user", "disable")) == 10 and result.failed == 0
    disabled = [u for u in env.kc.get("/users", params={"max": 100}) if not u["enabled"]]
    assert len(disabled) == 10


def test_a_small_change_passes_the_rails(env: SyncEnv) -> None:
    shrunk = without_pegawai(HR, *sorted(HR.pegawai)[:12])  # 2 more of 50 managed: 4 %
    plan, result = env.sync(shrunk)
    assert len(plan.of("user", "disable")) == 2 and result.failed == 0
