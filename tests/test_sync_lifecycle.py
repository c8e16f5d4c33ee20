"""Movers, leavers, renames and re-parents against a real Keycloak, one realm for the module.

The tests run in order on one evolving realm, as a month of HR changes would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import requests

from sync.model import StatusPegawai, Unit
from sync.snapshot import HrSnapshot
from tests.fixtures.sync import SyncEnv, build_snapshot, kunker, with_pegawai, without_pegawai

PASSWORD = "Rahasia-Banten-2026!"


@pytest.fixture(scope="module")
def env(sync_env_factory: Callable[[str], SyncEnv]) -> SyncEnv:
    env = sync_env_factory("lifecycle")
    env.kc.post(
        "/clients",
        {
            "clientId": "t-direct",
            "publicClient": True,
            "directAccessGrantsEnabled": True,
            "standardFlowEnabled": False,
        },
    )
    env.kc.post("/roles", {"name": "manual-role", "description": "granted by hand"})
    env.kc.post("/groups", {"name": "Tim Manual"})
    return env


STATE: dict[str, HrSnapshot] = {"hr": build_snapshot(60, seed=23)}


def login(env: SyncEnv, nip: str, password: str) -> requests.Response:
    return requests.post(
        f"{env.kc.conn.server_url}/realms/{env.realm}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "t-direct",
            "username": nip,
            "password": password,
            "scope": "openid",
        },
        timeout=30,
    )


def nips(env: SyncEnv) -> list[str]:
    return sorted(STATE["hr"].pegawai)


def groups_of(env: SyncEnv, uid: str) -> dict[str, str]:
    return {g["name"]: g["id"] for g in env.kc.get(f"/users/{uid}/groups")}


def roles_of(env: SyncEnv, uid: str) -> set[str]:
    return {r["name"] for r in env.kc.get(f"/users/{uid}/role-mappings/realm")}


def test_initial_sync(env: SyncEnv) -> None:
    _, result = env.sync(STATE["hr"])
    assert result.failed == 0, result.errors


def test_mover_keeps_password_and_user_id(env: SyncEnv) -> None:
    hr = STATE["hr"]
    nip = nips(env)[0]
    before = env.user(nip)
    uid = before["id"]
    env.kc.put(f"/users/{uid}/reset-password", {"type": "password", "value": PASSWORD, "temporary": False})
    env.kc.put(f"/users/{uid}", {**before, "requiredActions": []})
    # Hand-made grants: the sync must leave them alone.
    manual_role = env.kc.get("/roles/manual-role")
    env.kc.post(f"/users/{uid}/role-mappings/realm", [{"id": manual_role["id"], "name": "manual-role"}])
    manual_group = env.kc.get("/groups", params={"search": "Tim Manual"})[0]
    env.kc.put(f"/users/{uid}/groups/{manual_group['id']}")
    assert login(env, nip, PASSWORD).status_code == 200

    old = hr.pegawai[nip]
    new_unit = next(k for k in sorted(hr.units) if k != old.unit_kode and k[4:6] != "00")
    new_jab = "F001" if old.jabatan_kode != "F001" else "P001"
    STATE["hr"] = hr = with_pegawai(hr, nip, unit_kode=new_unit, jabatan_kode=new_jab)

    plan = env.plan(hr)
    [change] = plan.pending
    assert (change.action, change.key) == ("move", nip)
    assert change.fields["unit_kode"] == (old.unit_kode, new_unit)
    assert change.fields["jabatan_kode"] == (old.jabatan_kode, new_jab)
    _, result = env.sync(hr)
    assert result.failed == 0, result.errors

    after = env.user(nip)
    assert after["id"] == uid
    assert after["attributes"]["unit_kode"] == [new_unit]
    assert login(env, nip, PASSWORD).status_code == 200, "password survives the move"
    groups = groups_of(env, uid)
    assert "Tim Manual" in groups
    unit_groups = [
        g
        for g in env.kc.get(f"/users/{uid}/groups", params={"briefRepresentation": "false"})
        if "kunker" in (g.get("attributes") or {})
    ]
    assert [g["attributes"]["kunker"] for g in unit_groups] == [[new_unit]]
    roles = roles_of(env, uid)
    assert f"jabatan-{new_jab}" in roles and f"jabatan-{old.jabatan_kode}" not in roles
    assert {"manual-role", "pegawai"} <= roles


def test_leaver_is_disabled_and_sessions_end(env: SyncEnv) -> None:
    nip = nips(env)[0]  # has a password from the mover test
    uid = env.user(nip)["id"]
    assert login(env, nip, PASSWORD).status_code == 200
    assert env.kc.get(f"/users/{uid}/sessions"), "a session exists before the sync"
    STATE["hr"] = hr = with_pegawai(STATE["hr"], nip, status=StatusPegawai.PENSIUN)
    plan, result = env.sync(hr)
    assert [c.action for c in plan.pending] == ["disable"]
    assert result.failed == 0
    user = env.user(nip)
    assert user["enabled"] is False and user["id"] == uid
    assert user["attributes"]["status_pegawai"] == ["pensiun"]
    assert env.kc.get(f"/users/{uid}/sessions") == []
    assert login(env, nip, PASSWORD).status_code != 200


def test_leaver_returning_is_enabled_but_an_admin_lock_stays(env: SyncEnv) -> None:
    nip, other = nips(env)[0], nips(env)[1]
    locked = env.user(other)
    env.kc.put(f"/users/{locked['id']}", {**locked, "enabled": False})  # an admin locks someone
    STATE["hr"] = hr = with_pegawai(STATE["hr"], nip, status=StatusPegawai.AKTIF)
    plan, result = env.sync(hr)
    assert [(c.action, c.key) for c in plan.pending] == [("enable", nip)]
    assert env.user(nip)["enabled"] is True
    assert env.user(other)["enabled"] is False, "the sync never undoes an administrator's lock"
    env.kc.put(f"/users/{locked['id']}", {**locked, "enabled": True})


def test_gone_from_the_source_is_disabled_never_deleted(env: SyncEnv) -> None:
    nip = nips(env)[-1]
    uid = env.user(nip)["id"]
    STATE["hr"] = hr = without_pegawai(STATE["hr"], nip)
    plan, _ = env.sync(hr)
    [change] = plan.pending
    assert change.action == "disable" and "gone from the source" in change.reason
    user = env.user(nip)
    assert user["id"] == uid and user["enabled"] is False


def test_rename_unit_updates_group_in_place(env: SyncEnv) -> None:
    hr = STATE["hr"]
    code = kunker(2, 1)
    group = env.kc.get("/groups", params={"q": f"kunker:{code}", "briefRepresentation": "false"})
    gid = next(g["id"] for g in _flatten(group) if g.get("attributes", {}).get("kunker") == [code])
    members = {m["id"] for m in env.kc.get(f"/groups/{gid}/members")}
    units = {**hr.units, code: replace(hr.units[code], nama="Bidang Baru Hasil Penataan")}
    STATE["hr"] = hr = replace(hr, units=units)
    plan, result = env.sync(hr)
    assert [(c.kind, c.action) for c in plan.of("group")] == [("group", "update")]
    # Members carry the unit name in their token claims: only that field changes for them.
    in_unit = {n for n, p in hr.pegawai.items() if p.unit_kode == code}
    assert {c.key for c in plan.of("user")} <= in_unit
    assert all(set(c.fields) == {"unit_nama"} and c.action == "update" for c in plan.of("user"))
    assert result.failed == 0
    renamed = env.kc.get(f"/groups/{gid}")
    assert renamed["name"] == "Bidang Baru Hasil Penataan"
    assert {m["id"] for m in env.kc.get(f"/groups/{gid}/members")} == members


def test_reparent_moves_group_keeping_id_and_members(env: SyncEnv) -> None:
    hr = STATE["hr"]
    code, new_parent = kunker(1, 1, 2), kunker(3, 2)
    flat = _flatten(env.kc.get("/groups", params={"q": f"kunker:{code}", "briefRepresentation": "false"}))
    gid = next(g["id"] for g in flat if g.get("attributes", {}).get("kunker") == [code])
    members = {m["id"] for m in env.kc.get(f"/groups/{gid}/members")}
    units = {**hr.units, code: Unit(code, hr.units[code].nama, new_parent)}
    STATE["hr"] = hr = replace(hr, units=units)
    plan, result = env.sync(hr)
    assert [(c.kind, c.action) for c in plan.pending] == [("group", "move")]
    assert result.failed == 0
    moved = env.kc.get(f"/groups/{gid}", params={"briefRepresentation": "false"})
    parent = env.kc.get(f"/groups/{moved['parentId']}", params={"briefRepresentation": "false"})
    assert parent["attributes"]["kunker"] == [new_parent]
    assert {m["id"] for m in env.kc.get(f"/groups/{gid}/members")} == members
    # Users in the moved unit are not touched: their group id did not change.
    assert env.plan(hr).pending == []


def test_manual_user_with_a_nip_is_left_alone_unless_adopted(env: SyncEnv) -> None:
    hr = STATE["hr"]
    base = next(iter(hr.pegawai.values()))
    joiner_nip = "199001012015031001"
    resp = env.kc.post(
        "/users", {"username": joiner_nip, "firstName": "Dibuat", "lastName": "Manual", "enabled": True}
    )
    uid = env.kc.created_id(resp)
    STATE["hr"] = hr = replace(
        hr, pegawai={**hr.pegawai, joiner_nip: replace(base, nip=joiner_nip, email=None)}
    )
    plan, _ = env.sync(hr)
    assert [(c.action, c.key) for c in plan.changes if c.kind == "user"] == [("conflict", joiner_nip)]
    user = env.user(joiner_nip)
    assert user["firstName"] == "Dibuat" and "satulogin_managed" not in user.get("attributes", {})

    plan, result = env.sync(hr, adopt=True)
    assert [(c.action, c.key) for c in plan.pending] == [("adopt", joiner_nip)]
    assert result.failed == 0
    user = env.user(joiner_nip)
    assert user["id"] == uid and user["attributes"]["satulogin_managed"] == ["hr-sync"]
    assert f"jabatan-{base.jabatan_kode}" in roles_of(env, uid)
    assert env.plan(hr).pending == []


def test_verify_membership_repairs_a_hand_removed_group(env: SyncEnv) -> None:
    hr = STATE["hr"]
    nip = nips(env)[3]
    uid = env.user(nip)["id"]
    [(name, gid)] = groups_of(env, uid).items()
    env.kc.delete(f"/users/{uid}/groups/{gid}")
    assert env.plan(hr).pending == [], "the cheap plan trusts the attributes"
    plan, _ = env.sync(hr, verify=True)
    assert [(c.action, c.key) for c in plan.pending] == [("update", nip)]
    assert groups_of(env, uid) == {name: gid}


def test_quarantined_rows_are_logged_and_the_run_goes_on(env: SyncEnv) -> None:
    from sync.model import Quarantined, SourceRow

    hr = STATE["hr"]
    bad = Quarantined(
        "pegawai", "1980", SourceRow("pegawai.csv", 7), ("NIP harus 18 digit / must be 18 digits",)
    )
    plan, result = env.sync(replace(hr, quarantine=[bad]))
    assert plan.quarantine[0]["key"] == "1980"
    [event] = env.runlog.events(key="1980")
    assert (event.action, event.result) == ("quarantine", "skipped")
    assert "18 digit" in (event.reason or "")
    assert result.failed == 0


def _flatten(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for g in groups or []:
        out.append(g)
        out.extend(_flatten(g.get("subGroups") or []))
    return out
