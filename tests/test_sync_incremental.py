"""Incremental runs (sync.incremental): after a full run, a re-sync reads only the people whose
source data changed or whom somebody else changed in Keycloak, and still repairs those edits.
Real Keycloak; the "somebody else" is a second admin account (a service-account client)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from satulogin.kc_admin import AdminConnection, KeycloakAdmin
from sync.incremental import event_stream
from sync.model import StatusPegawai
from tests.fixtures.sync import SyncEnv, build_snapshot, operator_account, with_pegawai, without_pegawai

SNAPSHOT = build_snapshot(60, seed=23)
NIPS = sorted(SNAPSHOT.pegawai)
MOVER, LEAVER, GONE = NIPS[0], NIPS[1], NIPS[2]
NEW_UNIT = next(k for k in sorted(SNAPSHOT.units) if k != SNAPSHOT.pegawai[MOVER].unit_kode)
CHANGED = without_pegawai(
    with_pegawai(
        with_pegawai(SNAPSHOT, MOVER, unit_kode=NEW_UNIT, jabatan_kode="F001"),
        LEAVER,
        status=StatusPegawai.PENSIUN,
    ),
    GONE,
)


@pytest.fixture(scope="module")
def env(sync_env_factory: Callable[[str], SyncEnv]) -> SyncEnv:
    env = sync_env_factory("incremental")
    plan, result = env.sync(SNAPSHOT, incremental=True)
    assert plan.scope is not None and plan.scope.mode == "full"
    assert result.failed == 0
    return env


@pytest.fixture(scope="module")
def other_admin(env: SyncEnv, admin_conn: AdminConnection) -> Iterator[KeycloakAdmin]:
    """An operator other than the sync: a service-account client with manage-users."""
    other = operator_account(env, admin_conn)
    yield other
    other.close()


def _unit_group_ids(env: SyncEnv, uid: str) -> set[str]:
    return {g["id"] for g in env.kc.get(f"/users/{uid}/groups") or []}


def test_noop_reads_nobody_and_writes_nothing(env: SyncEnv) -> None:
    plan, result = env.sync(SNAPSHOT, incremental=True)
    assert plan.scope is not None
    assert plan.scope.mode == "incremental", plan.scope.reason
    assert plan.scope.users_read == 0
    assert not plan.pending
    assert result.writes == 0


def test_source_changes_are_read_and_applied_alone(env: SyncEnv) -> None:
    plan, result = env.sync(CHANGED, incremental=True)
    assert plan.scope is not None and plan.scope.mode == "incremental", plan.scope.reason
    assert plan.scope.users_read == 3
    actions = {c.key: c.action for c in plan.changes if c.kind == "user"}
    assert actions == {MOVER: "move", LEAVER: "disable", GONE: "disable"}
    assert result.failed == 0
    assert env.user(MOVER)["attributes"]["unit_kode"] == [NEW_UNIT]
    mover_id = env.user(MOVER)["id"]
    roles = {r["name"] for r in env.kc.get(f"/users/{mover_id}/role-mappings/realm")}
    assert {"jabatan-F001", "pegawai"} <= roles and "jabatan-P001" not in roles
    assert not env.user(LEAVER)["enabled"] and not env.user(GONE)["enabled"]
    # ... and the next run is quiet again.
    again, _ = env.sync(CHANGED, incremental=True)
    assert again.scope is not None and again.scope.users_read == 0 and not again.pending


def test_edits_by_another_admin_are_found_and_repaired(env: SyncEnv, other_admin: KeycloakAdmin) -> None:
    nip = NIPS[10]
    user = env.user(nip)
    expected_first = user["firstName"]
    unit_groups = _unit_group_ids(env, user["id"])
    assert len(unit_groups) == 1
    # Somebody renames the person and takes them out of their unit group by hand.
    edited: dict[str, Any] = {**user, "firstName": "Diubah Manual"}
    other_admin.put(f"/users/{user['id']}", edited)
    other_admin.delete(f"/users/{user['id']}/groups/{next(iter(unit_groups))}")
    plan, result = env.sync(CHANGED, incremental=True)
    assert plan.scope is not None and plan.scope.mode == "incremental", plan.scope.reason
    assert plan.scope.users_read == 1
    change = next(c for c in plan.changes if c.key == nip)
    assert "firstName" in change.fields and change.add_groups
    assert result.failed == 0
    assert env.user(nip)["firstName"] == expected_first
    assert _unit_group_ids(env, user["id"]) == unit_groups
    # The edits were visible when that run started, so the next run does not read them again
    # although it looks back past that start for events that became visible late.
    again, _ = env.sync(CHANGED, incremental=True)
    assert again.scope is not None and again.scope.mode == "incremental", again.scope.reason
    assert again.scope.users_read == 0 and not again.pending


def _last_event_time(kc: KeycloakAdmin, **params: Any) -> int:
    events = kc.get("/admin-events", params={**params, "max": 1}) or []
    assert events, params
    return int(events[0]["time"])


def _pretend_last_run(env: SyncEnv, *, started_ms: int, finished_ms: int) -> None:
    """Rewrite the watermark as if the last run had read Keycloak's events at ``started_ms``
    and finished at ``finished_ms``."""
    with sqlite3.connect(env.runlog.path) as db:
        (realm_id, last) = db.execute(
            "SELECT realm_id, read_started_ms FROM sync_watermark WHERE realm=?", (env.realm,)
        ).fetchone()
        db.execute(
            "UPDATE sync_watermark SET read_started_ms=?, finished_ms=? WHERE realm_id=?",
            (started_ms, finished_ms, realm_id),
        )
        db.execute(
            "UPDATE sync_windows SET read_started_ms=?, finished_ms=? WHERE realm_id=? AND read_started_ms=?",
            (started_ms, finished_ms, realm_id, last),
        )


def test_an_edit_that_became_visible_after_the_last_run_read_events_is_found(
    env: SyncEnv, other_admin: KeycloakAdmin
) -> None:
    """Keycloak stamps an event before its transaction commits: an edit stamped before the
    last run started reading may have become visible only after that read."""
    nip = NIPS[11]
    user = env.user(nip)
    other_admin.put(f"/users/{user['id']}", {**user, "lastName": "Terlambat"})
    stamped = _last_event_time(env.kc, operationTypes="UPDATE", resourcePath=f"users/{user['id']}")
    # The last run started reading 1 ms after the edit's stamp, and did not see it.
    _pretend_last_run(env, started_ms=stamped + 1, finished_ms=stamped + 2)
    plan, result = env.sync(CHANGED, incremental=True)
    assert plan.scope is not None and plan.scope.mode == "incremental", plan.scope.reason
    assert plan.scope.users_read == 1
    assert "lastName" in next(c for c in plan.changes if c.key == nip).fields
    assert result.failed == 0
    assert env.user(nip)["lastName"] == user["lastName"]


def test_a_realm_update_by_someone_else_makes_one_full_run_not_two(env: SyncEnv) -> None:
    realm = env.kc.get("")
    env.kc.put("", {"displayName": realm.get("displayName") or "Banten"})  # not the sync's run
    plan, _ = env.sync(CHANGED, incremental=True)
    assert plan.scope is not None and plan.scope.mode == "full", plan.scope.reason
    assert "realm" in plan.scope.reason
    again, _ = env.sync(CHANGED, incremental=True)
    assert again.scope is not None and again.scope.mode == "incremental", again.scope.reason
    assert again.scope.users_read == 0


def test_a_dissolved_unit_still_lets_its_people_move_out(env: SyncEnv) -> None:
    counts: dict[str, list[str]] = {}
    for nip, p in CHANGED.pegawai.items():
        if not p.status.is_leaver:
            counts.setdefault(p.unit_kode, []).append(nip)
    leaves = [u for u in CHANGED.units if not any(x.parent_kode == u for x in CHANGED.units.values())]
    unit = next(u for u in sorted(leaves) if counts.get(u) and u != NEW_UNIT)
    people = counts[unit]
    before = {nip: {g["id"] for g in env.kc.get(f"/users/{env.user(nip)['id']}/groups")} for nip in people}
    units = {k: v for k, v in CHANGED.units.items() if k != unit}
    snapshot = replace(CHANGED, units=units)
    for nip in people:
        snapshot = with_pegawai(snapshot, nip, unit_kode=NEW_UNIT)
    plan, result = env.sync(snapshot, incremental=True)
    assert plan.scope is not None and plan.scope.mode == "incremental", plan.scope.reason
    assert result.failed == 0, result.errors
    for nip in people:
        groups = {g["id"] for g in env.kc.get(f"/users/{env.user(nip)['id']}/groups")}
        assert len(before[nip]) == 1 and not groups & before[nip], (before[nip], groups)
        assert env.user(nip)["attributes"]["unit_kode"] == [NEW_UNIT]
    again, _ = env.sync(snapshot, incremental=True)
    assert again.scope is not None and again.scope.users_read == 0 and not again.pending


def test_a_unit_group_deleted_by_hand_is_rebuilt_with_its_members(
    env: SyncEnv, other_admin: KeycloakAdmin
) -> None:
    user = env.user(NIPS[20])
    unit = user["attributes"]["unit_kode"][0]
    group = next(g for g in env.kc.get(f"/users/{user['id']}/groups") or [])
    other_admin.delete(f"/groups/{group['id']}")
    plan, result = env.sync(CHANGED, incremental=True)
    assert plan.scope is not None and plan.scope.mode == "full", plan.scope.reason
    assert "deleted" in plan.scope.reason
    assert result.failed == 0, result.errors
    groups = env.kc.get(f"/users/{user['id']}/groups") or []
    assert any(g["name"] == group["name"] for g in groups), (unit, groups)


def test_without_admin_events_the_run_is_full_and_says_why(env: SyncEnv) -> None:
    realm = env.kc.get("")
    env.kc.put("", {"adminEventsEnabled": False})
    try:
        plan = env.plan(CHANGED)  # no cache: a plain full plan
        assert plan.scope is None
        from sync.incremental import SyncCache
        from sync.plan import make_plan

        cache = SyncCache(env.runlog.path)
        try:
            plan, _ = make_plan(env.kc, CHANGED, cache=cache)
        finally:
            cache.close()
        assert plan.scope is not None and plan.scope.mode == "full"
        assert "admin events" in plan.scope.reason
    finally:
        env.kc.put("", {"adminEventsEnabled": realm["adminEventsEnabled"]})


def test_periodic_full_reconciliation(env: SyncEnv) -> None:
    time.sleep(1.1)
    plan, _ = env.sync(CHANGED, incremental=True, full_every_s=1)
    assert plan.scope is not None and plan.scope.mode == "full"
    assert "periodic" in plan.scope.reason


@pytest.mark.parametrize("page_size", [4, 7, 1000])
def test_event_pages_miss_nothing_where_a_millisecond_holds_a_crowd(env: SyncEnv, page_size: int) -> None:
    """A partial import records dozens of admin events in one millisecond; page boundaries
    falling among them must neither miss nor repeat one (Keycloak does not order within a
    millisecond)."""
    start = int(time.time() * 1000)
    env.kc.post("/partialImport", {"ifResourceExists": "SKIP", "users": [
        {"username": f"serentak-{page_size}-{i}", "enabled": True} for i in range(30)]})
    env.kc.put(f"/users/{env.user(NIPS[20])['id']}", env.user(NIPS[20]))
    everything = env.kc.get("/admin-events", params={"dateFrom": str(start), "max": 10000})
    times = [int(e["time"]) for e in everything]
    assert max(times.count(t) for t in times) > 4, "the import put more than a page in one millisecond"
    streamed = list(event_stream(env.kc, "/admin-events", {"dateFrom": str(start)}, page_size=page_size))
    assert sorted(e["id"] for e in streamed) == sorted(e["id"] for e in everything)
    assert [int(e["time"]) for e in streamed] == sorted(int(e["time"]) for e in streamed), "oldest first"


def test_a_run_log_from_before_the_look_back_does_not_make_the_sync_own_runs_foreign(env: SyncEnv) -> None:
    """The run log of an older version knows only the last run's window. Looking back past it,
    the run before (here a partial import through the Admin REST API, one REALM event per new
    account) would be taken for somebody else's import and make the run full."""
    from sync.apply import ApplyOptions

    grown_from = build_snapshot(61, seed=23)
    new_nip = next(n for n in grown_from.pegawai if n not in SNAPSHOT.pegawai)
    pegawai = {**CHANGED.pegawai, new_nip: grown_from.pegawai[new_nip]}
    grown = replace(CHANGED, pegawai=pegawai,
                    source_counts={**CHANGED.source_counts, "pegawai": len(pegawai)})
    imported_from = int(time.time() * 1000)
    rest_only = ApplyOptions(progress=False, use_extension=False)
    plan, result = env.sync(grown, incremental=True, options=rest_only)
    imported_to = int(time.time() * 1000)
    assert result.via == "admin-api" and result.failed == 0 and plan.counts()["user"]["create"] == 1
    # The next run knows that import for the sync's own: it never even pages through it.
    fetched: list[dict[str, Any]] = []
    real_get = env.kc.get

    def get(path: str, *args: Any, **kwargs: Any) -> Any:
        answer = real_get(path, *args, **kwargs)
        if path == "/admin-events":
            fetched.extend(answer or [])
        return answer

    env.kc.get = get  # type: ignore[method-assign]
    try:
        for _ in range(2):  # the run after it, and the one after that
            again, _ = env.sync(grown, incremental=True)
            assert again.scope is not None and again.scope.mode == "incremental", again.scope.reason
            assert again.scope.users_read == 0 and not again.pending
    finally:
        env.kc.get = real_get  # type: ignore[method-assign]
    own = [e for e in fetched if imported_from <= int(e["time"]) <= imported_to]
    assert not [e for e in own if e.get("operationType") == "CREATE"], own
    with sqlite3.connect(env.runlog.path) as db:  # as an older version leaves the run log
        db.execute("DELETE FROM sync_windows")
        db.execute("DELETE FROM sync_seen_events")
    upgraded, _ = env.sync(grown, incremental=True)
    assert upgraded.scope is not None and upgraded.scope.mode == "incremental", upgraded.scope.reason
    assert upgraded.scope.users_read == 0
    # ... and it recorded what it saw, so the run after it looks back again.
    with sqlite3.connect(env.runlog.path) as db:
        (seen_ok,) = db.execute("SELECT seen_ok FROM sync_windows ORDER BY read_started_ms DESC").fetchone()
    assert seen_ok == 1


def test_a_sync_account_that_may_not_read_events_runs_full_and_says_why(
    env: SyncEnv, admin_conn: AdminConnection, tmp_path: Any
) -> None:
    from sync.runlog import RunLog

    kc = env.kc
    cid = kc.created_id(kc.post("/clients", {
        "clientId": "sync-tanpa-event", "publicClient": False, "serviceAccountsEnabled": True,
        "standardFlowEnabled": False, "secret": "sync-tanpa-event-test-secret"}))
    sa = kc.get(f"/clients/{cid}/service-account-user")
    rm = kc.get("/clients", params={"clientId": "realm-management"})[0]
    roles = [r for r in kc.get(f"/clients/{rm['id']}/roles")
             if r["name"] in ("manage-users", "view-users", "query-groups", "manage-realm")]
    kc.post(f"/users/{sa['id']}/role-mappings/clients/{rm['id']}", roles)
    conn = AdminConnection(server_url=admin_conn.server_url, client_id="sync-tanpa-event",
                           client_secret="sync-tanpa-event-test-secret", auth_realm=env.realm)
    limited = KeycloakAdmin(conn, env.realm)
    log = RunLog(tmp_path / "runlog.sqlite")
    try:
        own = SyncEnv(limited, log)
        first, result = own.sync(CHANGED, incremental=True)
        assert first.scope is not None and first.scope.mode == "full" and result.failed == 0
        second, result = own.sync(CHANGED, incremental=True)
        assert second.scope is not None and second.scope.mode == "full"
        assert "view-events" in second.scope.reason and result.failed == 0
    finally:
        log.close()
        limited.close()


def test_a_group_taken_away_just_before_a_full_run_is_put_back(
    env: SyncEnv, other_admin: KeycloakAdmin
) -> None:
    """A full run does not list membership (the unit attribute says it) and counts the events
    it saw as seen: it must still put back a unit group somebody took away just before it."""
    user = env.user(NIPS[13])
    groups = _unit_group_ids(env, user["id"])
    other_admin.delete(f"/users/{user['id']}/groups/{next(iter(groups))}")
    time.sleep(1.1)
    plan, result = env.sync(CHANGED, incremental=True, full_every_s=1)
    assert plan.scope is not None and plan.scope.mode == "full", plan.scope.reason
    assert result.failed == 0
    assert _unit_group_ids(env, user["id"]) == groups
    again, _ = env.sync(CHANGED, incremental=True)
    assert again.scope is not None and again.scope.mode == "incremental", again.scope.reason
    assert again.scope.users_read == 0 and not again.pending


def test_a_run_that_crashed_after_writing_keeps_its_writes_its_own(
    env: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window of a run that stopped half-way is remembered: the next run does not take the
    partial import it had made (one REALM event per account) for somebody else's."""
    from sync.apply import Applier, ApplyOptions

    grown_from = build_snapshot(62, seed=23)
    extra = [n for n in grown_from.pegawai if n not in SNAPSHOT.pegawai][-1]
    pegawai = {**CHANGED.pegawai, extra: grown_from.pegawai[extra]}
    grown = replace(CHANGED, pegawai=pegawai,
                    source_counts={**CHANGED.source_counts, "pegawai": len(pegawai)})

    def crash(self: Applier) -> None:
        raise KeyboardInterrupt  # after the joiners were written

    monkeypatch.setattr(Applier, "users", crash)
    with pytest.raises(KeyboardInterrupt):
        env.sync(grown, incremental=True, options=ApplyOptions(progress=False, use_extension=False))
    monkeypatch.undo()
    assert env.user(extra)["enabled"]
    plan, result = env.sync(grown, incremental=True)
    assert plan.scope is not None and plan.scope.mode == "incremental", plan.scope.reason
    assert result.failed == 0
