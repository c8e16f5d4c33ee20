"""Changes to existing accounts through our extension's ``user-updates`` (``sync/bulk.py``).

Movers, renames, leavers, re-enables and adoptions go to Keycloak hundreds per request, each
account in one transaction. Here: the accounts end exactly as the plain Admin REST path leaves
them, hand-made grants and all; and a leaver loses access even where the Admin REST API would
refuse to write their account.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import requests

from satulogin.errors import SafetyStop
from satulogin.kc_admin import KeycloakAdmin
from sync import bulk
from sync.apply import Applier, ApplyOptions
from sync.model import JenisJabatan, StatusPegawai
from sync.safety import SafetyLimits
from sync.snapshot import HrSnapshot
from tests.fixtures.sync import SyncEnv, build_snapshot, with_pegawai, without_pegawai
from tests.test_sync_bulk import _accounts

PASSWORD = "Rahasia-Banten-2026!"


def _prepare(env: SyncEnv) -> None:
    env.kc.post("/clients", {"clientId": "t-direct", "publicClient": True,
                             "directAccessGrantsEnabled": True, "standardFlowEnabled": False})
    env.kc.post("/roles", {"name": "manual-role", "description": "granted by hand"})
    env.kc.post("/groups", {"name": "Tim Manual"})


def _login(env: SyncEnv, username: str, client_id: str = "t-direct") -> requests.Response:
    return requests.post(
        f"{env.kc.conn.server_url}/realms/{env.realm}/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": client_id, "username": username, "password": PASSWORD},
        timeout=30,
    )


def _with_password(env: SyncEnv, nip: str) -> str:
    uid = str(env.user(nip)["id"])
    env.kc.put(f"/users/{uid}/reset-password", {"type": "password", "value": PASSWORD, "temporary": False})
    env.kc.put(f"/users/{uid}", {**env.user(nip), "requiredActions": []})
    assert _login(env, nip).status_code == 200
    return uid


def _grant_by_hand(env: SyncEnv, nip: str) -> None:
    uid = env.user(nip)["id"]
    role = env.kc.get("/roles/manual-role")
    env.kc.post(f"/users/{uid}/role-mappings/realm", [{"id": role["id"], "name": "manual-role"}])
    group = env.kc.get("/groups", params={"search": "Tim Manual"})[0]
    env.kc.put(f"/users/{uid}/groups/{group['id']}")


def _month_of_changes(hr: HrSnapshot, adopted: str) -> HrSnapshot:
    """Movers, a jabatan without eselon, renames, a new e-mail, a lost e-mail, leavers by status
    and by absence, a new golongan, and the hand-made account's NIP back in the source."""
    nips = sorted(hr.pegawai)
    units = sorted(hr.units)
    p = hr.pegawai
    fungsional = next(j.kode for j in hr.jabatan.values() if j.jenis is JenisJabatan.FUNGSIONAL)
    out = hr
    mover = p[nips[0]]
    new_unit = next(u for u in units if u != mover.unit_kode)
    out = with_pegawai(out, mover.nip, unit_kode=new_unit, jabatan_kode=f"S{new_unit[2:8]}",
                       eselon=hr.jabatan[f"S{new_unit[2:8]}"].eselon)
    out = with_pegawai(out, nips[1], jabatan_kode=fungsional, eselon=None)
    out = with_pegawai(out, nips[2], nama="Ratna Sari Dewi", gelar_belakang="S.Sos.")
    out = with_pegawai(out, nips[3], email="pindah.alamat@bantenprov.go.id")
    out = with_pegawai(out, nips[4], email=None)
    out = with_pegawai(out, nips[5], status=StatusPegawai.PENSIUN)
    out = with_pegawai(out, nips[6], golongan="IV/b")
    out = without_pegawai(out, nips[7])
    pegawai = dict(out.pegawai)
    pegawai[adopted] = hr.pegawai[adopted]
    return replace(out, pegawai=pegawai, source_counts={**out.source_counts, "pegawai": len(pegawai)})


def test_extension_changes_accounts_as_the_admin_api_does(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    full = build_snapshot(40, seed=11)
    adopted = sorted(full.pegawai)[-1]
    before = without_pegawai(full, adopted)
    month = _month_of_changes(full, adopted)
    back = with_pegawai(month, sorted(full.pegawai)[5], status=StatusPegawai.AKTIF)  # re-enabled
    fast, plain = sync_env_factory("upd-ext"), sync_env_factory("upd-plain")
    for env, use_extension in ((fast, True), (plain, False)):
        _prepare(env)
        # A hand-made account whose username is a NIP: adopted below (--adopt).
        p = full.pegawai[adopted]
        env.kc.post("/users", {"username": adopted, "firstName": "Manual", "lastName": "Account",
                               "email": p.email, "enabled": True})
        options = ApplyOptions(progress=False, use_extension=use_extension, bulk_batch_size=3, bulk_chunk=2)
        _, r0 = env.sync(before, options=options)
        assert r0.failed == 0, r0.errors
        for nip in sorted(full.pegawai)[:8]:
            _grant_by_hand(env, nip)
        _with_password(env, sorted(full.pegawai)[5])
        plan, r1 = env.sync(month, adopt=True, options=options, limits=SafetyLimits(allow_mass_disable=True))
        assert r1.failed == 0, r1.errors
        assert {c.action for c in plan.pending} == {"move", "update", "disable", "adopt"}
        assert env.kc.get(f"/users/{env.user(sorted(full.pegawai)[5])['id']}/sessions") == []
        plan, r2 = env.sync(back, options=options)
        assert r2.failed == 0, r2.errors
        assert [c.action for c in plan.pending] == ["enable"]
        assert not env.plan(back).pending, "converged"
    a, b = _accounts(fast), _accounts(plain)
    assert len(a) == 40
    # Keycloak's logout stamps the time sessions were ended: the same leavers on both sides.
    logged_out = {k for k, u in a.items() if u.pop("notBefore", 0)}
    assert logged_out == {k for k, u in b.items() if u.pop("notBefore", 0)}
    assert sorted(full.pegawai)[5] in logged_out
    assert a == b
    moved = a[sorted(full.pegawai)[0]]
    assert {"manual-role", "pegawai"} <= set(moved["realmRoles"])
    assert "/Tim Manual" in moved["groups"], "a hand-made membership survives the move"
    assert "eselon" not in a[sorted(full.pegawai)[1]]["attributes"], "an emptied attribute is removed"
    assert a[sorted(full.pegawai)[7]]["enabled"] is False, "gone from the source: disabled"
    assert a[adopted]["attributes"]["satulogin_managed"] == ["hr-sync"]


def test_a_leaver_is_disabled_even_where_the_admin_api_refuses_their_account(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    env = sync_env_factory("upd-refused")
    _prepare(env)
    hr = build_snapshot(6, seed=12)
    _, r0 = env.sync(hr)
    assert r0.failed == 0, r0.errors
    first, second = sorted(hr.pegawai)[:2]
    uid = _with_password(env, first)
    uid2 = _with_password(env, second)
    # Data Keycloak's user-profile validators refuse today (written before a rule existed, or
    # past the validators): the Admin REST API now refuses any full write of these accounts.
    env.kc.post("/satulogin-sync/user-updates", {"users": [
        {"id": uid, "username": first, "attributes": {"eselon": ["bukan eselon"]}},
        {"id": uid2, "username": second, "attributes": {"eselon": ["bukan eselon"]}},
    ]})
    refused = env.kc.request("PUT", f"/users/{uid}", json={**env.user(first), "enabled": False}, ok=(400,))
    assert refused.status_code == 400, "the Admin REST API refuses to write this account"
    # One leaves by status; the other leaves too, with an e-mail in the source that another
    # account already holds, so the rest of their change cannot be written.
    env.kc.post("/users", {"username": "manual.owner", "email": "dipakai@bantenprov.go.id", "enabled": True})
    gone = with_pegawai(hr, first, status=StatusPegawai.PENSIUN)
    gone = with_pegawai(gone, second, status=StatusPegawai.BERHENTI, email="dipakai@bantenprov.go.id")
    _, result = env.sync(gone, limits=SafetyLimits(allow_mass_disable=True))
    for nip, user_id in ((first, uid), (second, uid2)):
        user = env.user(nip)
        assert user["enabled"] is False and user["id"] == user_id, nip
        assert env.kc.get(f"/users/{user_id}/sessions") == [], nip
        assert _login(env, nip).status_code != 200, nip
    assert env.user(first)["attributes"]["status_pegawai"] == ["pensiun"]
    [(kind, key, error)] = result.errors
    assert (kind, key) == ("user", second)
    assert "disabled and logged out" in error and "manual.owner" in error, error
    # The sync disabled that account, so it is the sync's to enable again when they return.
    plan, back = env.sync(with_pegawai(gone, second, status=StatusPegawai.AKTIF,
                                       email=hr.pegawai[second].email))
    assert back.failed == 0, back.errors
    assert [(c.key, c.action) for c in plan.pending] == [(second, "enable")]
    assert env.user(second)["enabled"] is True


def test_a_run_stopped_after_a_batch_has_already_logged_its_leavers_out(
    sync_env_factory: Callable[[str], SyncEnv], monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = sync_env_factory("upd-stopped")
    _prepare(env)
    hr = build_snapshot(6, seed=12)
    assert env.sync(hr)[1].failed == 0
    leaver, other = sorted(hr.pegawai)[:2]
    uid = _with_password(env, leaver)
    month = with_pegawai(with_pegawai(hr, leaver, status=StatusPegawai.PENSIUN), other, golongan="IV/e")
    real = bulk.update_users

    def stopped_after_the_leavers_batch(kc: KeycloakAdmin, items: list[dict[str, Any]], **kw: Any) -> Any:
        if any(i["username"] == leaver for i in items):
            return real(kc, items, **kw)
        raise KeyboardInterrupt("the run is stopped (SIGTERM, a cron timeout) with the next batch in flight")

    monkeypatch.setattr(bulk, "update_users", stopped_after_the_leavers_batch)
    with pytest.raises(KeyboardInterrupt):
        env.sync(month, options=ApplyOptions(progress=False, bulk_batch_size=1, import_workers=1),
                 limits=SafetyLimits(allow_mass_disable=True))
    assert env.user(leaver)["enabled"] is False
    assert env.kc.get(f"/users/{uid}/sessions") == [], "the leaver's batch ended their sessions at once"


def test_account_changes_are_checked_as_the_admin_api_checks_them(
    sync_env_factory: Callable[[str], SyncEnv], kc_admin_factory: Callable[[str], KeycloakAdmin],
) -> None:
    env = sync_env_factory("upd-fgap")
    env.kc.put("", {"adminPermissionsEnabled": True})  # fine-grained admin permissions (v2)
    env.kc.post("/roles", {"name": "privileged"})
    role = env.kc.get("/roles/privileged")
    env.kc.post("/users", {"username": "helpdesk", "enabled": True, "firstName": "Help", "lastName": "Desk",
                           "email": "helpdesk@bantenprov.go.id",
                           "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}]})
    env.kc.post("/users", {"username": "target", "enabled": True, "firstName": "T", "lastName": "T",
                           "email": "target@bantenprov.go.id"})
    helpdesk, target = env.user("helpdesk")["id"], env.user("target")["id"]
    # The helpdesk may manage and view users, and nothing else (no map-roles).
    [perms] = env.kc.get("/clients", params={"clientId": "admin-permissions"})
    base = f"/clients/{perms['id']}/authz/resource-server"
    env.kc.post(f"{base}/policy/user", {"name": "is-helpdesk", "users": [helpdesk], "logic": "POSITIVE"})
    [policy] = env.kc.get(f"{base}/policy", params={"name": "is-helpdesk"})
    env.kc.post(f"{base}/permission/scope", {"name": "helpdesk-manages-users", "resourceType": "Users",
                                            "scopes": ["manage", "view"], "policies": [policy["id"]],
                                            "decisionStrategy": "UNANIMOUS"})
    token = _login(env, "helpdesk", "admin-cli").json()["access_token"]
    url = f"{env.kc.conn.server_url}/admin/realms/{env.realm}"
    as_helpdesk = {"Authorization": f"Bearer {token}"}
    grant = [{"id": role["id"], "name": "privileged"}]
    rest = requests.post(f"{url}/users/{target}/role-mappings/realm", json=grant, headers=as_helpdesk,
                         timeout=30)
    assert rest.status_code == 403, "the Admin REST API refuses the grant"
    for uid, name in ((target, "target"), (helpdesk, "helpdesk")):
        item = {"id": uid, "username": name, "grantRealmRoleIds": [role["id"]]}
        answer = requests.post(f"{url}/satulogin-sync/user-updates", headers=as_helpdesk, timeout=30,
                               json={"users": [item]})
        assert answer.status_code == 200, answer.text
        [result] = answer.json()["results"]
        assert result["action"] == "FAILED" and "not allowed" in result["error"], result
        assert "privileged" not in {r["name"] for r in env.kc.get(f"/users/{uid}/role-mappings/realm")}
    # A field the helpdesk may change goes through.
    answer = requests.post(f"{url}/satulogin-sync/user-updates", headers=as_helpdesk, timeout=30,
                           json={"users": [{"id": target, "username": "target", "firstName": "Tanti"}]})
    assert answer.json()["results"][0]["action"] == "UPDATED", answer.text
    assert env.user("target")["firstName"] == "Tanti"
    # Keycloak's own admin realm is never written: there a realm role makes a server admin.
    master = kc_admin_factory("master")
    refused = master.request("POST", "/satulogin-sync/user-updates", json={"users": []}, ok=(400,))
    assert refused.status_code == 400


def test_a_user_admin_may_grant_in_bulk_what_the_admin_api_lets_them_grant(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    """Without fine-grained permissions the extension asks Keycloak only about client and
    composite roles (a plain realm role is mappable by any manage-users admin): for every kind
    of role its answer is the one the Admin REST API gives the same admin."""
    env = sync_env_factory("upd-admin-role")
    [rm] = env.kc.get("/clients", params={"clientId": "realm-management"})
    manage = {r["name"]: r for r in env.kc.get(f"/clients/{rm['id']}/roles")}
    for name in ("plain", "super-helpdesk", "admin", "manage-realm"):
        env.kc.post("/roles", {"name": name})
    helpdesk = env.kc.get("/roles/super-helpdesk")["id"]
    env.kc.post(f"/roles-by-id/{helpdesk}/composites", [manage["manage-realm"]])
    env.kc.post("/users", {"username": "hr-admin", "enabled": True, "firstName": "Hr", "lastName": "Admin",
                           "email": "hr-admin@bantenprov.go.id",
                           "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}]})
    admin_id = env.user("hr-admin")["id"]
    env.kc.post(f"/users/{admin_id}/role-mappings/clients/{rm['id']}",
                [manage["manage-users"], manage["view-users"]])
    token = _login(env, "hr-admin", "admin-cli").json()["access_token"]
    url = f"{env.kc.conn.server_url}/admin/realms/{env.realm}"
    headers = {"Authorization": f"Bearer {token}"}
    answers = {}
    for name in ("plain", "super-helpdesk", "admin", "manage-realm"):
        role = env.kc.get(f"/roles/{name}")
        env.kc.post("/users", {"username": f"via-rest-{name}", "enabled": True})
        env.kc.post("/users", {"username": f"via-bulk-{name}", "enabled": True})
        rest = requests.post(f"{url}/users/{env.user(f'via-rest-{name}')['id']}/role-mappings/realm",
                             headers=headers, timeout=30, json=[{"id": role["id"], "name": name}])
        item = {"id": env.user(f"via-bulk-{name}")["id"], "username": f"via-bulk-{name}",
                "grantRealmRoleIds": [role["id"]]}
        bulk_answer = requests.post(f"{url}/satulogin-sync/user-updates", headers=headers, timeout=30,
                                    json={"users": [item]}).json()["results"][0]["action"]
        answers[name] = (rest.status_code, bulk_answer)
    assert {n: b for n, (r, b) in answers.items()} == {
        n: "UPDATED" if r == 204 else "FAILED" for n, (r, b) in answers.items()
    }, answers
    assert answers["plain"] == (204, "UPDATED")


def test_a_leavers_change_ends_their_sessions_in_the_same_request(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    env = sync_env_factory("upd-logout")
    _prepare(env)
    hr = build_snapshot(6, seed=12)
    assert env.sync(hr)[1].failed == 0
    leaver = sorted(hr.pegawai)[0]
    uid = _with_password(env, leaver)
    refresh = _login(env, leaver).json()["refresh_token"]
    assert env.kc.get(f"/users/{uid}/sessions")
    _, result = env.sync(with_pegawai(hr, leaver, status=StatusPegawai.PENSIUN),
                         limits=SafetyLimits(allow_mass_disable=True))
    assert result.failed == 0, result.errors
    assert result.writes == 1, "the disable and the logout are one user-updates request"
    assert env.kc.get(f"/users/{uid}/sessions") == []
    assert env.user(leaver)["enabled"] is False
    # As Keycloak's own logout: a not-before time, so no token issued earlier is honoured.
    assert env.kc.get(f"/users/{uid}")["notBefore"] > 0
    renewed = requests.post(
        f"{env.kc.conn.server_url}/realms/{env.realm}/protocol/openid-connect/token",
        data={"grant_type": "refresh_token", "client_id": "t-direct", "refresh_token": refresh}, timeout=30)
    assert renewed.status_code == 400, renewed.text
    [event] = [e for e in env.kc.get("/admin-events", params={"max": 20})
               if e.get("resourcePath") == "satulogin-sync/user-updates"]
    assert json.loads(event["representation"])["loggedOut"] == [uid], "the admin event names them"


@pytest.mark.parametrize("path", ["older-extension", "admin-api"])
def test_a_leaver_whose_logout_a_stopped_run_left_undone_is_logged_out_by_the_next(
    sync_env_factory: Callable[[str], SyncEnv], monkeypatch: pytest.MonkeyPatch, path: str,
) -> None:
    use_extension = path == "older-extension"
    if use_extension:
        # An extension that cannot end sessions with the change: the sync logs out after it,
        # and the run can be stopped in between. (Ours does both in one request; that window
        # is then Keycloak's own, between its commit and the sessions' end.)
        real_operations = bulk.operations
        monkeypatch.setattr(bulk, "operations", lambda kc: real_operations(kc) - {bulk.LOGOUT_OP})
    env = sync_env_factory(f"upd-owed-{'ext' if use_extension else 'rest'}")
    _prepare(env)
    hr = build_snapshot(6, seed=12)
    options = ApplyOptions(progress=False, use_extension=use_extension)
    assert env.sync(hr, options=options)[1].failed == 0
    leaver, returner = sorted(hr.pegawai)[:2]
    uid, uid2 = _with_password(env, leaver), _with_password(env, returner)
    real_logout = Applier._logout

    def stopped_before_the_logout(self: Applier, c: Any) -> None:
        raise KeyboardInterrupt("the run is stopped between the leaver's disable and their logout")

    # Two leavers, left disabled but still logged in by a run stopped at that moment.
    gone = with_pegawai(with_pegawai(hr, leaver, status=StatusPegawai.PENSIUN), returner,
                        status=StatusPegawai.PENSIUN)
    monkeypatch.setattr(Applier, "_logout", stopped_before_the_logout)
    with pytest.raises(KeyboardInterrupt):
        env.sync(gone, options=options, limits=SafetyLimits(allow_mass_disable=True))
    monkeypatch.setattr(Applier, "_logout", real_logout)
    assert env.user(leaver)["enabled"] is False and env.user(returner)["enabled"] is False
    assert len(env.kc.get(f"/users/{uid}/sessions")) == 1, "the stopped run left the session"
    assert set(env.runlog.pending_logouts(env.realm)) == {leaver, returner}
    # Meanwhile the second person is back at work: an admin enables their account by hand
    # before HR records it, and they log in.
    env.kc.put(f"/users/{uid2}", {**env.user(returner), "enabled": True})
    assert _login(env, returner).status_code == 200
    sessions_of_returner = len(env.kc.get(f"/users/{uid2}/sessions"))
    gone = with_pegawai(gone, returner, status=StatusPegawai.AKTIF)

    # The next run is refused by a safety rail (one more leaver is past the 5% share): the owed
    # logout is done all the same, as it touches only an account already disabled.
    another = sorted(hr.pegawai)[2]
    with pytest.raises(SafetyStop):
        env.sync(with_pegawai(gone, another, status=StatusPegawai.PENSIUN), options=options)
    assert env.user(another)["enabled"] is True, "the refused plan wrote nothing"
    assert env.kc.get(f"/users/{uid}/sessions") == [], "the next run ended the leaver's sessions"
    assert len(env.kc.get(f"/users/{uid2}/sessions")) == sessions_of_returner, "enabled again: left alone"
    assert env.runlog.pending_logouts(env.realm) == {}

    plan, result = env.sync(gone, options=options, limits=SafetyLimits(allow_mass_disable=True))
    assert result.failed == 0, result.errors
    assert not [c for c in plan.pending if c.key == leaver], "the account itself needs no change"
    assert result.logouts_retried == 0
    owed = [e for e in env.runlog.events(key=leaver) if e.action == "logout"]
    assert [e.result for e in owed] == ["pending", "ok"]
    # Owed once, ended once.
    assert env.sync(gone, options=options)[1].logouts_retried == 0
