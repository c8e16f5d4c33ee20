"""Our Keycloak extension's bulk endpoints (``sync/keycloak_extension``, client ``sync/bulk.py``).

The test Keycloak is started by our own scripts, so it carries the extension: the sync uses it
by default and every other sync test exercises it. Here: it makes exactly the accounts the
plain Admin REST path makes, it answers per object and loses nothing, and Keycloak's own admin
checks guard it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from satulogin.kc_admin import KeycloakAdmin
from sync import bulk
from sync.apply import ApplyOptions
from tests.fixtures.sync import SyncEnv, build_snapshot

VOLATILE = {"id", "createdTimestamp", "access"}


def _b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def _accounts(env: SyncEnv) -> dict[str, dict[str, Any]]:
    """Every user as an operator sees it: representation, group paths, realm roles."""
    out = {}
    for u in env.kc.get("/users", params={"max": 1000, "briefRepresentation": "false"}):
        rep = {k: v for k, v in u.items() if k not in VOLATILE}
        rep["requiredActions"] = sorted(rep.get("requiredActions") or [])
        rep["groups"] = sorted(g["path"] for g in env.kc.get(f"/users/{u['id']}/groups"))
        roles = env.kc.get(f"/users/{u['id']}/role-mappings/realm")
        rep["realmRoles"] = sorted(r["name"].replace(env.realm, "REALM") for r in roles)
        out[u["username"]] = rep
    return out


def _tree(env: SyncEnv) -> tuple[list[Any], list[Any]]:
    def walk(groups: list[dict[str, Any]]) -> list[Any]:
        found = []
        for g in groups:
            found.append((g["path"], sorted(g.get("attributes", {}).items())))
            found.extend(walk(env.kc.get(f"/groups/{g['id']}/children",
                                         params={"max": 1000, "briefRepresentation": "false"})))
        return found

    groups = walk(env.kc.get("/groups", params={"max": 1000, "briefRepresentation": "false"}))
    roles = sorted(
        (r["name"], r.get("description"), sorted(r.get("attributes", {}).items()))
        for r in env.kc.get("/roles", params={"max": 5000, "briefRepresentation": "false"})
        if not r["name"].startswith("default-roles-")
    )
    return sorted(groups), roles


def test_extension_makes_the_same_accounts_as_the_admin_api(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    hr = build_snapshot(40, seed=5)
    fast, plain = sync_env_factory("bulk-ext"), sync_env_factory("bulk-plain")
    assert bulk.available(fast.kc), "the test Keycloak should carry our extension"
    _, r1 = fast.sync(hr, options=ApplyOptions(progress=False, use_extension=True, bulk_batch_size=7,
                                               bulk_chunk=3))
    _, r2 = plain.sync(hr, options=ApplyOptions(progress=False, use_extension=False))
    assert r1.failed == 0 and r2.failed == 0, (r1.errors, r2.errors)
    a, b = _accounts(fast), _accounts(plain)
    assert len(a) == 40
    assert a == b
    some = next(iter(a.values()))
    # Every account has the realm's default roles (the account console's), as POST /users gives.
    assert "default-roles-REALM" in some["realmRoles"]
    assert _tree(fast) == _tree(plain)
    # Both paths converge the same way: nothing left to do.
    assert not fast.plan(hr).pending and not plain.plan(hr).pending


def test_bulk_endpoint_answers_per_object_and_loses_nothing(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    env = sync_env_factory("bulk-api")
    kc = env.kc
    [top] = bulk.create(kc, "groups", [{"name": "Biro A", "attributes": {"kunker": ["1"]}}], chunk=10,
                        timeout=60)
    assert top.action == "CREATED" and top.id
    results = bulk.create(kc, "groups", [
        {"name": "Bagian 1", "parentId": top.id, "attributes": {"kunker": ["2"]}},
        {"name": "Bagian 1", "parentId": top.id, "attributes": {"kunker": ["2"]}},  # twice in one request
        {"name": "Bagian 2", "parentId": "no-such-group"},
        {"name": "", "parentId": top.id},
    ], chunk=10, timeout=60)
    assert [r.action for r in results] == ["CREATED", "FAILED", "FAILED", "FAILED"]
    assert "also group #0" in (results[1].error or "")
    assert "no-such-group does not exist" in (results[2].error or "")
    assert "name is missing" in (results[3].error or "")
    # Sent again (a lost answer): the same group is recognised; a stranger's is not taken over.
    [again] = bulk.create(kc, "groups", [{"name": "Biro A", "attributes": {"kunker": ["1"]}}], chunk=10,
                          timeout=60)
    assert (again.action, again.id) == ("SKIPPED", top.id)
    [other] = bulk.create(kc, "groups", [{"name": "Biro A", "attributes": {"kunker": ["9"]}}], chunk=10,
                          timeout=60)
    assert other.action == "FAILED" and "already exists" in (other.error or "")

    new_role = {"name": "jab-x", "description": "Kepala", "attributes": {"a": ["1"]}}
    [role] = bulk.create(kc, "roles", [new_role], chunk=10, timeout=60)
    # Sent again: found in the database (it was written past the realm cache), not made twice.
    [role_again] = bulk.create(kc, "roles", [new_role], chunk=10, timeout=60)
    assert (role_again.action, role_again.id) == ("SKIPPED", role.id)
    assert [r["name"] for r in kc.get("/roles", params={"search": "jab-x"})] == ["jab-x"]
    users: list[dict[str, Any]] = [
        {"username": f"19900101201501100{i}", "firstName": "A", "lastName": f"B{i}",
         "email": f"a{i}@contoh.go.id", "attributes": {"nip": [f"19900101201501100{i}"]},
         "requiredActions": ["UPDATE_PASSWORD"], "groupIds": [results[0].id], "realmRoleIds": [role.id]}
        for i in range(5)
    ]
    users[2] = {**users[2], "groupIds": ["no-such-group"]}
    users[3] = {**users[3], "email": users[0]["email"].upper()}
    users.append({**users[4], "email": "lain@contoh.go.id"})  # the same NIP twice
    out = bulk.create(kc, "users", users, chunk=2, timeout=60)
    assert [r.action for r in out] == ["CREATED", "CREATED", "FAILED", "FAILED", "CREATED", "FAILED"]
    assert "group no-such-group does not exist" in (out[2].error or "")
    assert "also given to user #0" in (out[3].error or "")
    assert f"username {users[4]['username']} is also user #4" in (out[5].error or "")
    # The chunk holding the bad user was redone without it: its neighbour exists, with its grants.
    u1 = kc.get(f"/users/{out[1].id}")
    assert u1["username"] == users[1]["username"] and u1["requiredActions"] == ["UPDATE_PASSWORD"]
    assert [g["path"] for g in kc.get(f"/users/{out[1].id}/groups")] == ["/Biro A/Bagian 1"]
    assert "jab-x" in {r["name"] for r in kc.get(f"/users/{out[1].id}/role-mappings/realm")}
    # A rerun after a crash: what exists is skipped, never changed; an e-mail already taken is named.
    kc.put(f"/users/{out[0].id}", {**kc.get(f"/users/{out[0].id}"), "firstName": "Diubah"})
    rerun = bulk.create(kc, "users", [users[0], {**users[2], "groupIds": [], "email": users[1]["email"]}],
                        chunk=2, timeout=60)
    assert (rerun[0].action, rerun[0].id) == ("SKIPPED", out[0].id)
    assert rerun[1].action == "FAILED" and users[1]["username"] in (rerun[1].error or "")
    assert kc.get(f"/users/{out[0].id}")["firstName"] == "Diubah"
    assert len(kc.get("/users", params={"max": 100})) == 3


def test_bulk_endpoint_is_guarded_by_keycloak_admin_roles(
    sync_env_factory: Callable[[str], SyncEnv], kc_admin_factory: Callable[[str], KeycloakAdmin],
) -> None:
    env = sync_env_factory("bulk-auth")
    kc = env.kc
    url = kc.url("/satulogin-sync/users")
    body = {"users": [{"username": "199001012015011001"}]}
    assert requests.post(url, json=body, timeout=30).status_code == 401
    # A token that names the master realm and admin-cli but carries a made-up signature.
    claims = {"iss": f"{kc.conn.server_url}/realms/master", "sub": "x", "azp": "admin-cli", "exp": 4102444800}
    forged = ".".join(_b64(part) for part in ({"alg": "RS256", "kid": "x"}, claims)) + ".c2lnbmF0dXJl"
    assert requests.post(url, json=body, headers={"Authorization": f"Bearer {forged}"},
                         timeout=30).status_code == 401

    # A realm user who may only view users: reads the version, may not create.
    mgmt = kc.get("/clients", params={"clientId": "realm-management"})[0]["id"]
    view = kc.get(f"/clients/{mgmt}/roles/view-users")
    password = {"type": "password", "value": "Rahasia-123!", "temporary": False}
    resp = kc.post("/users", {"username": "pembaca", "enabled": True, "firstName": "Pem", "lastName": "Baca",
                              "email": "pembaca@contoh.go.id", "credentials": [password]})
    uid = kc.created_id(resp)
    kc.post(f"/users/{uid}/role-mappings/clients/{mgmt}", [view])
    token = requests.post(
        f"{kc.conn.server_url}/realms/{env.realm}/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "admin-cli", "username": "pembaca",
              "password": "Rahasia-123!"},
        timeout=30,
    )
    if token.status_code != 200:
        pytest.fail(f"the realm's admin-cli should allow a password grant here: {token.text}")
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    info = requests.get(kc.url("/satulogin-sync"), headers=headers, timeout=30)
    assert info.status_code == 200 and info.json()["version"] == bulk.VERSION
    denied = requests.post(url, json=body, headers=headers, timeout=30)
    assert denied.status_code == 403
    assert not kc.get("/users", params={"username": "199001012015011001", "exact": "true"})


@pytest.mark.parametrize("use_extension", [True, False], ids=["extension", "admin-api"])
def test_a_synced_person_can_use_the_account_console(
    sync_env_factory: Callable[[str], SyncEnv], use_extension: bool
) -> None:
    """Every new account gets the realm's default roles, which the account console's API asks
    for (``view-profile``); without them an employee's own account page is refused (401)."""
    env = sync_env_factory(f"bulk-account-{'ext' if use_extension else 'api'}")
    hr = build_snapshot(3, seed=9)
    _, result = env.sync(hr, options=ApplyOptions(progress=False, use_extension=use_extension))
    assert result.failed == 0, result.errors
    nip = sorted(hr.pegawai)[0]
    user = env.user(nip)
    password = "Rahasia-Pegawai-1!"
    env.kc.put(f"/users/{user['id']}/reset-password",
               {"type": "password", "value": password, "temporary": False})
    env.kc.put(f"/users/{user['id']}", {**env.kc.get(f"/users/{user['id']}"), "requiredActions": []})
    base = f"{env.kc.conn.server_url}/realms/{env.realm}"
    grant = {"grant_type": "password", "client_id": "admin-cli", "username": nip, "password": password}
    token = requests.post(f"{base}/protocol/openid-connect/token", data=grant, timeout=30)
    assert token.status_code == 200, token.text
    me = requests.get(f"{base}/account/", timeout=30, headers={
        "Authorization": f"Bearer {token.json()['access_token']}", "Accept": "application/json"})
    assert me.status_code == 200, me.text
    assert me.json()["username"] == nip
