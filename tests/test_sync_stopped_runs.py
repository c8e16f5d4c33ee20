"""A leaver's disable that Keycloak took but a stopped run never logged (sync.stopped_runs):
confirmed from Keycloak's admin events, so the person is enabled again when HR says they are
back; an administrator's lock after a stopped run that wrote nothing stays. Real Keycloak."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from satulogin.kc_admin import AdminConnection
from sync import bulk
from sync.apply import Applier, ApplyOptions
from sync.model import StatusPegawai
from sync.safety import SafetyLimits
from tests.fixtures.sync import SyncEnv, build_snapshot, operator_account, with_pegawai


@pytest.mark.parametrize("path", ["extension", "admin-api"])
def test_a_disable_a_stopped_run_never_logged_is_undone_when_they_return(
    sync_env_factory: Callable[[str], SyncEnv],
    admin_conn: AdminConnection,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    env = sync_env_factory(f"stopped-{path}")
    options = ApplyOptions(progress=False, use_extension=path == "extension")
    hr = build_snapshot(6, seed=12)
    assert env.sync(hr, options=options)[1].failed == 0
    leaver, locked = sorted(hr.pegawai)[:2]
    uid, locked_uid = env.user(leaver)["id"], env.user(locked)["id"]

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt("the run is stopped after Keycloak took the disable, before it is logged")

    if path == "extension":
        real = bulk.update_users

        def taken_then_stopped(*args: Any, **kwargs: Any) -> Any:
            real(*args, **kwargs)
            stop()

        monkeypatch.setattr(bulk, "update_users", taken_then_stopped)
    else:
        monkeypatch.setattr(Applier, "_logout", stop)  # the Admin REST path disables first
    with pytest.raises(KeyboardInterrupt):
        env.sync(with_pegawai(hr, leaver, status=StatusPegawai.PENSIUN), options=options,
                 limits=SafetyLimits(allow_mass_disable=True))
    monkeypatch.undo()
    assert env.user(leaver)["enabled"] is False, "Keycloak took the disable"
    assert not [e for e in env.runlog.events(key=leaver) if e.action == "disable"], "never logged"
    assert leaver not in env.runlog.disabled_by_sync(env.realm)

    # The control: a run that owed a logout to `locked` and stopped before writing anything,
    # after which an administrator locks that account by hand. Their lock is not the sync's.
    stopped = env.runlog.start_run(env.realm, "apply")
    env.runlog.record(stopped, "user", locked, "logout", "pending", fields={"id": locked_uid})
    other = operator_account(env, admin_conn)
    try:
        other.put(f"/users/{locked_uid}", {**env.user(locked), "enabled": False})
    finally:
        other.close()
    assert {u.nip for u in env.runlog.unlogged_disables(env.realm)} == {leaver, locked}

    # Both are back at work in HR.
    plan = env.plan(hr)
    assert plan.confirmed_disables == {leaver: uid}
    assert [c.key for c in plan.of("user", "enable")] == [leaver]
    _, result = env.sync(hr, options=options)
    assert result.failed == 0, result.errors
    assert env.user(leaver)["enabled"] is True and env.user(leaver)["id"] == uid
    assert env.user(locked)["enabled"] is False, "an administrator's lock is never undone"
    steps = [(e.action, e.result) for e in env.runlog.events(key=leaver)]
    assert steps[-4:] == [("logout", "pending"), ("disable", "ok"), ("logout", "ok"), ("enable", "ok")], steps
    [confirmed] = [e for e in env.runlog.events(key=leaver) if e.action == "disable"]
    assert confirmed.reason and "stopped before logging it" in confirmed.reason
    assert env.runlog.unlogged_disables(env.realm) == [], "settled: the events are not asked again"
    assert env.plan(hr).pending == []
