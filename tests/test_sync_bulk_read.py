"""The incremental run's reads through our extension's ``users-read`` (``sync/bulk.py``): one
request per 500 people instead of one to three each. They must find exactly what the Admin
REST reads find: here both read the same realm after a month of changes, some made by hand,
and the two plans and states are compared field by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from satulogin.errors import SatuLoginError
from sync import bulk
from sync.incremental import SyncCache
from sync.keycloak_state import KeycloakState
from sync.model import StatusPegawai
from sync.plan import SyncPlan, make_plan
from tests.fixtures.sync import SyncEnv, build_snapshot, with_pegawai, without_pegawai


def _plan(env: SyncEnv, snapshot: Any) -> tuple[SyncPlan, KeycloakState]:
    cache = SyncCache(env.runlog.path)
    try:
        return make_plan(env.kc, snapshot, runlog=env.runlog, cache=cache)
    finally:
        cache.close()


def _seen(plan: SyncPlan, state: KeycloakState) -> dict[str, Any]:
    return {
        "scope": plan.scope and (plan.scope.mode, sorted(plan.scope.considered), plan.scope.users_read),
        "changes": sorted((c.key, c.action, sorted(c.fields), sorted(c.add_groups), sorted(c.remove_groups),
                           sorted(c.add_roles), sorted(c.remove_roles), c.reason) for c in plan.changes),
        "users": {n: (u.id, u.enabled, u.email, u.attributes, u.required_actions, sorted(u.group_ids or ()),
                      sorted(u.realm_roles or ()), u.membership_repair_only, u.raw)
                  for n, u in state.users.items()},
        "known_emails": state.known_emails,
    }


def test_bulk_reads_find_what_the_admin_api_reads_find(
    sync_env_factory: Callable[[str], SyncEnv], monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = sync_env_factory("bulk-read")
    hr = build_snapshot(60, seed=31)
    plan, result = env.sync(hr, incremental=True)
    assert plan.scope is not None and plan.scope.mode == "full" and result.failed == 0
    nips = sorted(hr.pegawai)
    # Somebody renames one person and takes another out of their unit group and jabatan role.
    renamed, stripped = env.user(nips[10]), env.user(nips[11])
    env.kc.put(f"/users/{renamed['id']}", {**renamed, "firstName": "Diubah Manual"})
    for g in env.kc.get(f"/users/{stripped['id']}/groups"):
        env.kc.delete(f"/users/{stripped['id']}/groups/{g['id']}")
    jabatan = [r for r in env.kc.get(f"/users/{stripped['id']}/role-mappings/realm")
               if r["name"].startswith("jabatan-")]
    env.kc.delete(f"/users/{stripped['id']}/role-mappings/realm", jabatan)
    # An account made by hand holds the e-mail of a joiner.
    env.kc.post("/users", {"username": "akun.manual", "email": "baru.masuk@bantenprov.go.id",
                           "enabled": True})
    # Somebody deletes a person's account and gives their e-mail to an account of their own:
    # the sync knew that person, so only the answer shows they need creating again.
    deleted = env.user(nips[12])
    env.kc.delete(f"/users/{deleted['id']}")
    env.kc.post("/users", {"username": "akun.manual2", "email": deleted["email"], "enabled": True})
    joiner = build_snapshot(61, seed=31)
    new_nip = next(n for n in joiner.pegawai if n not in hr.pegawai)
    month = with_pegawai(hr, nips[0], golongan="IV/e")
    month = with_pegawai(month, nips[1], status=StatusPegawai.PENSIUN)
    month = without_pegawai(month, nips[2])
    pegawai = dict(month.pegawai)
    pegawai[new_nip] = with_pegawai(joiner, new_nip, email="baru.masuk@bantenprov.go.id").pegawai[new_nip]
    month = type(month)(**{**month.__dict__, "pegawai": pegawai,
                           "source_counts": {**month.source_counts, "pegawai": len(pegawai)}})

    requests_before = env.kc.counter.snapshot()[0]
    bulk_plan, bulk_state = _plan(env, month)
    bulk_reads = env.kc.counter.snapshot()[0] - requests_before
    assert bulk_plan.scope is not None and bulk_plan.scope.mode == "incremental", bulk_plan.scope.reason

    real_operations = bulk.operations
    monkeypatch.setattr(bulk, "operations", lambda kc: real_operations(kc) - {bulk.READ_OP})
    requests_before = env.kc.counter.snapshot()[0]
    rest_plan, rest_state = _plan(env, month)
    rest_reads = env.kc.counter.snapshot()[0] - requests_before

    assert _seen(bulk_plan, bulk_state) == _seen(rest_plan, rest_state)
    # An extension that answers users-read with an error: the Admin REST API reads them instead.
    monkeypatch.setattr(bulk, "operations", real_operations)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise SatuLoginError("users-read: HTTP 500")

    monkeypatch.setattr(bulk, "read_users", broken)
    assert _seen(*_plan(env, month)) == _seen(rest_plan, rest_state)
    assert bulk_state.known_emails == {"baru.masuk@bantenprov.go.id": "akun.manual",
                                       deleted["email"].lower(): "akun.manual2"}
    assert {nips[10], nips[11], nips[0], nips[1], nips[2], new_nip} <= bulk_plan.scope.considered
    assert bulk_reads < rest_reads, (bulk_reads, rest_reads)


def _admin_token(env: SyncEnv, username: str, roles: list[str]) -> dict[str, str]:
    """Headers for a realm user holding only these realm-management roles."""
    mgmt = env.kc.get("/clients", params={"clientId": "realm-management"})[0]["id"]
    password = {"type": "password", "value": "Rahasia-123!", "temporary": False}
    uid = env.kc.created_id(env.kc.post("/users", {
        "username": username, "enabled": True, "firstName": "Admin", "lastName": "Terbatas",
        "email": f"{username}@contoh.go.id", "credentials": [password]}))
    env.kc.post(f"/users/{uid}/role-mappings/clients/{mgmt}",
                [env.kc.get(f"/clients/{mgmt}/roles/{r}") for r in roles])
    token = requests.post(f"{env.kc.conn.server_url}/realms/{env.realm}/protocol/openid-connect/token",
                          data={"grant_type": "password", "client_id": "admin-cli", "username": username,
                                "password": "Rahasia-123!"}, timeout=30)
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_users_read_shows_what_the_admin_api_shows_to_the_same_admin(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    env = sync_env_factory("bulk-read-guard")
    hr = build_snapshot(4, seed=32)
    assert env.sync(hr)[1].failed == 0
    nip = sorted(hr.pegawai)[0]
    uid = env.user(nip)["id"]
    url = env.kc.url("")
    ask = {"usernames": [nip], "ids": [uid], "membershipOf": [uid], "emails": [hr.pegawai[nip].email]}
    for username, roles in (("pencari", ["query-users"]), ("pembaca", ["view-users"])):
        headers = _admin_token(env, username, roles)
        listed = requests.get(f"{url}/users", headers=headers, timeout=30,
                              params={"username": nip, "exact": "true", "briefRepresentation": "false"})
        answer = requests.post(f"{url}/satulogin-sync/users-read", json=ask, headers=headers, timeout=30)
        assert listed.status_code == answer.status_code == 200, (listed.text, answer.text)
        body = answer.json()
        # The same accounts, each exactly as the listing shows it (none to a mere searcher).
        assert body["users"] == listed.json()[:1], username
        if body["users"]:
            groups = requests.get(f"{url}/users/{uid}/groups", headers=headers, timeout=30).json()
            roles_of = requests.get(f"{url}/users/{uid}/role-mappings/realm", headers=headers,
                                    timeout=30).json()
            assert body["groupIds"] == {uid: [g["id"] for g in groups]}
            assert sorted(body["realmRoles"][uid]) == sorted(r["name"] for r in roles_of)
            assert body["emailOwners"] == {hr.pegawai[nip].email: [nip]}
        else:
            assert body["groupIds"] == {} and body["emailOwners"] == {hr.pegawai[nip].email: []}
    # Nobody without a token; a request too large is refused by name.
    assert requests.post(f"{url}/satulogin-sync/users-read", json=ask, timeout=30).status_code == 401
    too_many = env.kc.request("POST", "/satulogin-sync/users-read", json={"usernames": ["x"] * 2001},
                              ok=(400,))
    assert too_many.status_code == 400


def test_users_read_shows_only_the_groups_the_admin_may_view(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    """Fine-grained admin permissions (v2): an admin who may view a user but not their groups
    gets no group from GET /users/{id}/groups, and none from users-read either."""
    env = sync_env_factory("bulk-read-fgap")
    hr = build_snapshot(3, seed=33)
    assert env.sync(hr)[1].failed == 0
    nip = sorted(hr.pegawai)[0]
    uid = env.user(nip)["id"]
    env.kc.put("", {"adminPermissionsEnabled": True})
    headers = _admin_token(env, "pemeriksa", ["query-users"])
    checker = env.user("pemeriksa")["id"]
    [perms] = env.kc.get("/clients", params={"clientId": "admin-permissions"})
    base = f"/clients/{perms['id']}/authz/resource-server"
    env.kc.post(f"{base}/policy/user", {"name": "is-pemeriksa", "users": [checker], "logic": "POSITIVE"})
    [policy] = env.kc.get(f"{base}/policy", params={"name": "is-pemeriksa"})
    env.kc.post(f"{base}/permission/scope", {"name": "pemeriksa-views-one", "resourceType": "Users",
                                            "resources": [uid], "scopes": ["view"],
                                            "policies": [policy["id"]], "decisionStrategy": "UNANIMOUS"})
    url = env.kc.url("")
    rest_groups = requests.get(f"{url}/users/{uid}/groups", headers=headers, timeout=30)
    assert rest_groups.status_code == 200, rest_groups.text
    assert env.kc.get(f"/users/{uid}/groups"), "the person is in their unit group"
    assert rest_groups.json() == [], "the Admin REST API hides groups this admin may not view"
    answer = requests.post(f"{url}/satulogin-sync/users-read", headers=headers, timeout=30,
                           json={"usernames": [nip], "membershipOf": [uid]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [u["id"] for u in body["users"]] == [uid], "the one account this admin may view"
    assert body["groupIds"] == {uid: [g["id"] for g in rest_groups.json()]}
