"""A leaver's disable that a stopped run set out to write and never logged (sync.stopped_runs):
told apart with Keycloak's admin events. The sync's own is undone when HR says the person is
back; an administrator's lock, after a stopped run that wrote nothing, never is. Real Keycloak."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from satulogin.errors import SatuLoginError
from satulogin.kc_admin import AdminConnection, KeycloakAdmin
from sync import bulk
from sync.apply import Applier, ApplyOptions
from sync.changes import Change
from sync.desired import DesiredUser
from sync.keycloak_state import KcUser, KeycloakState
from sync.model import StatusPegawai
from sync.plan_users import plan_user
from sync.runlog import NOT_BY_SYNC, RunLog, UnloggedDisable
from sync.safety import SafetyLimits
from sync.snapshot import HrSnapshot
from sync.stopped_runs import _disabled_by, _Window
from tests.fixtures.sync import SyncEnv, build_snapshot, operator_account, with_pegawai

ALLOW = SafetyLimits(allow_mass_disable=True)


def _backdate(env: SyncEnv, run_id: str, minutes: int = 20) -> None:
    """Move a run's rows into the past, as if it had stopped that long ago: a disable not found
    in the events is decided only once a request of that run can no longer be in flight."""
    shift = dt.timedelta(minutes=minutes)

    def earlier(ts: str | None) -> str | None:
        if ts is None:
            return None
        return (dt.datetime.fromisoformat(ts) - shift).isoformat(timespec="milliseconds")

    with sqlite3.connect(env.runlog.path) as db:
        for row_id, ts in db.execute("SELECT id, ts FROM events WHERE run_id=?", (run_id,)).fetchall():
            db.execute("UPDATE events SET ts=? WHERE id=?", (earlier(ts), row_id))
        started, finished = db.execute("SELECT started, finished FROM runs WHERE id=?", (run_id,)).fetchone()
        db.execute("UPDATE runs SET started=?, finished=? WHERE id=?",
                   (earlier(started), earlier(finished), run_id))


def _last_run(env: SyncEnv) -> str:
    return str(env.runlog.runs(realm=env.realm)[0]["id"])


def _stop(*_: Any, **__: Any) -> None:
    raise KeyboardInterrupt("the run is stopped")


def _stopped_run(env: SyncEnv, hr: HrSnapshot, options: ApplyOptions, monkeypatch: pytest.MonkeyPatch,
                 where: str) -> None:
    """One apply, stopped at ``where``: after Keycloak took the disable (``extension``: its
    request answered; ``admin-api``: before the logout; ``admin-api-logged-out``: after the
    logout was logged) or before anything was sent (``before-write``)."""
    if where == "extension":
        real = bulk.update_users

        def taken_then_stopped(*args: Any, **kwargs: Any) -> Any:
            real(*args, **kwargs)
            _stop()

        monkeypatch.setattr(bulk, "update_users", taken_then_stopped)
    elif where == "before-write":
        monkeypatch.setattr(bulk, "update_users", _stop)
    elif where == "admin-api":
        monkeypatch.setattr(Applier, "_logout", _stop)  # the Admin REST path disables first
    else:
        real_ok = Applier._ok

        def stopped_at_disable(self: Applier, c: Change, **kwargs: Any) -> None:
            if c.action == "disable":
                _stop()
            real_ok(self, c, **kwargs)

        monkeypatch.setattr(Applier, "_ok", stopped_at_disable)
    with pytest.raises(KeyboardInterrupt):
        env.sync(hr, options=options, limits=ALLOW)
    monkeypatch.undo()


def _locked_after_a_stopped_run(
    env: SyncEnv, admin_conn: AdminConnection, monkeypatch: pytest.MonkeyPatch, *, backdate: bool
) -> tuple[HrSnapshot, HrSnapshot, str, str]:
    """The sync disables a leaver (logged); an operator enables them by hand; a run set out to
    disable them again stops before writing (``backdate``: long ago); the operator locks the
    account. Returns (HR with them active, HR with them gone, their NIP, their user id)."""
    options = ApplyOptions(progress=False)
    hr = build_snapshot(6, seed=12)
    assert env.sync(hr, options=options)[1].failed == 0
    leaver = sorted(hr.pegawai)[0]
    uid = env.user(leaver)["id"]
    gone = with_pegawai(hr, leaver, status=StatusPegawai.PENSIUN)
    assert env.sync(gone, options=options, limits=ALLOW)[1].failed == 0
    assert leaver in env.runlog.disabled_by_sync(env.realm), "the sync's own disable, logged"
    other = operator_account(env, admin_conn)
    try:
        other.put(f"/users/{uid}", {**env.user(leaver), "enabled": True})
        _stopped_run(env, gone, options, monkeypatch, "before-write")
        assert env.user(leaver)["enabled"] is True, "nothing was written"
        if backdate:
            _backdate(env, _last_run(env))
        other.put(f"/users/{uid}", {**env.user(leaver), "enabled": False})
    finally:
        other.close()
    return hr, gone, leaver, uid


@pytest.mark.parametrize("where", ["extension", "admin-api", "admin-api-logged-out"])
def test_a_disable_a_stopped_run_never_logged_is_undone_when_they_return(
    sync_env_factory: Callable[[str], SyncEnv],
    admin_conn: AdminConnection,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    env = sync_env_factory(f"stopped-{where}")
    options = ApplyOptions(progress=False, use_extension=where == "extension")
    hr = build_snapshot(6, seed=12)
    assert env.sync(hr, options=options)[1].failed == 0
    leaver, locked = sorted(hr.pegawai)[:2]
    uid, locked_uid = env.user(leaver)["id"], env.user(locked)["id"]

    _stopped_run(env, with_pegawai(hr, leaver, status=StatusPegawai.PENSIUN), options, monkeypatch, where)
    assert env.user(leaver)["enabled"] is False, "Keycloak took the disable"
    assert not [e for e in env.runlog.events(key=leaver) if e.action == "disable"], "never logged"
    assert leaver not in env.runlog.disabled_by_sync(env.realm)

    # The control: a run that set out to disable `locked` and stopped before writing anything,
    # after which an administrator locks that account by hand. Their lock is not the sync's.
    stopped = env.runlog.start_run(env.realm, "apply")
    env.runlog.record(stopped, "user", locked, "logout", "pending",
                      fields={"id": locked_uid, "disabling": True})
    _backdate(env, stopped)
    other = operator_account(env, admin_conn)
    try:
        other.put(f"/users/{locked_uid}", {**env.user(locked), "enabled": False})
    finally:
        other.close()
    assert {u.nip for u in env.runlog.unlogged_disables(env.realm)} == {leaver, locked}

    # Both are back at work in HR.
    plan = env.plan(hr)
    assert plan.confirmed_disables == {leaver: uid}
    assert {nip: uid for nip, (uid, _) in plan.unconfirmed_disables.items()} == {locked: locked_uid}
    assert plan.unlogged_problem is None
    assert [c.key for c in plan.of("user", "enable")] == [leaver]
    _, result = env.sync(hr, options=options)
    assert result.failed == 0, result.errors
    assert env.user(leaver)["enabled"] is True and env.user(leaver)["id"] == uid
    assert env.user(locked)["enabled"] is False, "an administrator's lock is never undone"
    [confirmed] = [e for e in env.runlog.events(key=leaver) if e.action == "disable"]
    assert confirmed.result == "ok" and confirmed.reason and "stopped before logging it" in confirmed.reason
    [refuted] = [e for e in env.runlog.events(key=locked) if e.action == "disable"]
    assert refuted.result == "skipped" and refuted.reason and "did not write it" in refuted.reason
    assert env.runlog.unlogged_disables(env.realm) == [], "settled: the events are not asked again"
    assert env.plan(hr).pending == []


def test_a_lock_after_a_run_stopped_before_writing_stays_through_later_runs(
    sync_env_factory: Callable[[str], SyncEnv], admin_conn: AdminConnection, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sync once disabled the person; an administrator enabled them by hand; a run that set
    out to disable them again stopped before writing; the administrator locks the account; the
    next run, while HR still says the person left, writes their account and is refused their
    owed logout; when HR says they are back, the lock stays: it is not the sync's."""
    env = sync_env_factory("stopped-nowrite")
    options = ApplyOptions(progress=False)
    hr, gone, leaver, uid = _locked_after_a_stopped_run(env, admin_conn, monkeypatch, backdate=True)

    # HR still says they left, and something else about them changed: the sync writes them.
    # Keycloak refuses the owed logout this time, so this run owes it again.
    real_post = KeycloakAdmin.post

    def no_logout(self: KeycloakAdmin, path: str, *args: Any, **kwargs: Any) -> Any:
        if path.endswith("/logout"):
            raise SatuLoginError("Keycloak: 503 (simulated)")
        return real_post(self, path, *args, **kwargs)

    monkeypatch.setattr(KeycloakAdmin, "post", no_logout)
    plan, result = env.sync(with_pegawai(gone, leaver, golongan="IV/a"), options=options, limits=ALLOW)
    monkeypatch.undo()
    assert [e[1] for e in result.errors] == [leaver] and "503" in result.errors[0][2], result.errors
    assert list(plan.unconfirmed_disables) == [leaver] and not plan.confirmed_disables
    assert [c.key for c in plan.pending] == [leaver], "an update of the locked account"
    assert env.runlog.pending_logouts(env.realm) == {leaver: uid}, "owed again, by this run"
    assert leaver not in env.runlog.disabled_by_sync(env.realm), "the lock is somebody else's now"

    plan = env.plan(hr)
    assert not plan.confirmed_disables and not plan.unconfirmed_disables, "settled by the last apply"
    assert plan.of("user", "enable") == []
    env.sync(hr, options=options)
    assert env.user(leaver)["enabled"] is False, "an administrator's lock is never undone"
    assert env.runlog.pending_logouts(env.realm) == {}, "the owed logout done (the account is disabled)"


def test_a_lock_after_a_stopped_run_stays_when_hr_says_they_are_back_at_once(
    sync_env_factory: Callable[[str], SyncEnv], admin_conn: AdminConnection, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As above, but HR says the person is back in the very run that asks about the stopped
    run's disable: first while that run may still have a request in flight (nothing decided),
    then after. An older disable by the sync no longer owns the account's disabled state."""
    env = sync_env_factory("stopped-back")
    options = ApplyOptions(progress=False)
    hr, _, leaver, _ = _locked_after_a_stopped_run(env, admin_conn, monkeypatch, backdate=False)

    plan, _ = env.sync(hr, options=options)
    assert plan.of("user", "enable") == [], "not decided yet, and not the sync's to undo"
    assert plan.unlogged_problem and "moments ago" in plan.unlogged_problem
    assert not plan.confirmed_disables and not plan.unconfirmed_disables
    assert env.user(leaver)["enabled"] is False

    _backdate(env, [r["id"] for r in env.runlog.runs(realm=env.realm) if r["status"] != "ok"][0])
    plan, result = env.sync(hr, options=options)
    assert result.failed == 0, result.errors
    assert list(plan.unconfirmed_disables) == [leaver] and plan.of("user", "enable") == []
    assert env.user(leaver)["enabled"] is False, "an administrator's lock is never undone"
    assert env.plan(hr).pending == []


def test_a_put_counts_only_inside_its_own_run() -> None:
    """Any PUT of an account kept disabled carries enabled false; only a user-updates request's
    ``disabled`` list says a write turned it off. So a PUT counts for a stopped run only until
    the next run started; the list, for as long as a request of that run may be in flight."""
    u = UnloggedDisable("199001012015011001", "u1", "r1", started_ms=90_000, since_ms=100_000,
                        ended_ms=101_000, next_started_ms=105_000)
    w = _Window.of(u)
    assert w.lo == 90_000, "not before the run's start, where the previous run's writes end"
    assert w.hi_put == 105_000 and w.hi >= 101_000 + 11 * 60 * 1000
    assert _Window.of(replace(u, next_started_ms=None)).hi_put == 101_000 + 5 * 60 * 1000 + 30_000
    put = {"resourcePath": "users/u1", "representation": '{"enabled": false}'}
    path = "satulogin-sync/user-updates"
    bulk_old = {"resourcePath": path, "representation": '{"ids": ["u1"]}'}
    bulk_new = {"resourcePath": path, "representation": '{"ids": ["u1"], "disabled": []}'}
    assert _disabled_by(put) == ("put", ["u1"], [])
    assert _disabled_by(bulk_old) == ("bulk", [], ["u1"]), "an older extension cannot say"
    assert _disabled_by(bulk_new) == ("bulk", [], []), "written, but not turned off"
    assert _disabled_by({"resourcePath": "users/u1", "representation": "{not json"}) is None


def test_an_old_accounts_disable_does_not_own_the_lock_of_one_made_since(tmp_path: Path) -> None:
    """The sync disabled a person's account; it was deleted by hand and the sync made them a new
    one (or adopted a hand-made one), which an administrator then locked: not the sync's."""
    log = RunLog(tmp_path / "log.sqlite")
    run = log.start_run("banten", "apply")
    for nip in ("199001012015011001", "199001012015011002", "199001012015011003"):
        log.record(run, "user", nip, "create", "ok")
        log.record(run, "user", nip, "disable", "ok")
    later = log.start_run("banten", "apply")
    log.record(later, "user", "199001012015011002", "create", "ok")
    log.record(later, "user", "199001012015011003", "adopt", "ok")
    assert log.disabled_by_sync("banten") == {"199001012015011001"}
    log.record(later, "user", "199001012015011001", "disable", "skipped", fields={NOT_BY_SYNC: False})
    assert log.disabled_by_sync("banten") == set(), "found not to be the sync's"
    log.close()


def test_adopting_a_locked_account_never_enables_it() -> None:
    """The sync once disabled an account under this NIP (logged), which was deleted since; an
    administrator made one by hand and keeps it disabled; `--adopt` with HR saying the person is
    active takes it over, still disabled: that lock is not the sync's."""
    nip = "199001012015011001"
    hand_made = KcUser(id="Y", username=nip, first_name="A", last_name="B", email=None, enabled=False,
                       attributes={}, required_actions=[],
                       raw={"id": "Y", "username": nip, "enabled": False, "attributes": {}})
    d = DesiredUser(username=nip, first_name="A", last_name="B", email=None, enabled=True,
                    attributes={}, unit_kode="U1", role="jabatan-1", status="aktif")
    state = KeycloakState(groups={}, groups_by_kunker={}, roles={}, users={nip: hand_made})
    change = plan_user(hand_made, d, state, {nip}, adopting=True)
    assert change.action == "adopt" and "enabled" not in change.fields
    assert (change.representation or {}).get("enabled") is False
