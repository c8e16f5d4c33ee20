"""Ownership and drift: what realm/ made is converged, what people made by hand survives."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from realm import DEFAULT_DIR, apply_realm, plan_realm
from satulogin.kc_admin import KeycloakAdmin
from tests.fixtures.realm import delete_realm, ensure_test_secrets


def _client(admin: KeycloakAdmin, client_id: str) -> dict:
    found = admin.get("/clients", params={"clientId": client_id}) or []
    assert len(found) == 1, f"client {client_id} not found"
    return found[0]


def _fresh(admin: KeycloakAdmin, name: str, directory: Path = DEFAULT_DIR) -> None:
    ensure_test_secrets()
    delete_realm(admin, name)
    apply_realm(admin, directory, realm_name=name)


def test_manual_client_and_roles_survive_every_apply(
    kc_admin_factory: Callable[[str], KeycloakAdmin],
) -> None:
    name = "t-realm-own"
    admin = kc_admin_factory(name)
    _fresh(admin, name)
    # An admin adds, by hand in the console: a client, a realm role, and a role on our client.
    admin.post("/clients", json={"clientId": "dibuat-manual", "redirectUris": ["http://127.0.0.1:9/cb"]})
    admin.post("/roles", json={"name": "peran-manual"})
    ours = _client(admin, "dashboard-pimpinan")
    admin.post(f"/clients/{ours['id']}/roles", json={"name": "peran-manual-di-klien"})

    for verify_roles in (False, True):
        plan = plan_realm(admin, realm_name=name, verify_roles=verify_roles)
        assert plan.changes == [], plan.render_text()
        result = apply_realm(admin, realm_name=name, verify_roles=verify_roles)
        assert result.writes == 0

    assert _client(admin, "dibuat-manual")["clientId"] == "dibuat-manual"
    assert admin.get("/roles/peran-manual")["name"] == "peran-manual"
    names = {r["name"] for r in admin.get(f"/clients/{ours['id']}/roles") or []}
    assert "peran-manual-di-klien" in names


def test_declared_name_taken_by_hand_is_left_alone_and_noted(
    kc_admin_factory: Callable[[str], KeycloakAdmin], tmp_path: Path
) -> None:
    name = "t-realm-own2"
    admin = kc_admin_factory(name)
    ensure_test_secrets()
    delete_realm(admin, name)
    # The realm exists with a hand-made client that has the same clientId as a declared one.
    admin.request("POST", "/realms", realm_scoped=False, json={"realm": name, "enabled": True})
    admin.post("/clients", json={"clientId": "contoh-php", "redirectUris": ["http://127.0.0.1:9/manual"]})

    result = apply_realm(admin, realm_name=name)
    assert any("client contoh-php" in note for note in result.plan.notes)
    manual = _client(admin, "contoh-php")
    assert manual["redirectUris"] == ["http://127.0.0.1:9/manual"]
    assert "satulogin.managed" not in (manual.get("attributes") or {})


def test_managed_objects_removed_from_files_are_removed(
    kc_admin_factory: Callable[[str], KeycloakAdmin], tmp_path: Path
) -> None:
    name = "t-realm-remove"
    admin = kc_admin_factory(name)
    directory = tmp_path / "banten"
    shutil.copytree(DEFAULT_DIR, directory)
    # one more client with a client role, to remove afterwards
    extra = yaml.safe_load((directory / "clients" / "contoh-php.yaml").read_text())
    extra.update(client_id="sementara", name="Sementara", roles=[{"name": "lihat"}, {"name": "ubah"}])
    (directory / "clients" / "sementara.yaml").write_text(yaml.safe_dump(extra))
    _fresh(admin, name, directory)
    sementara = _client(admin, "sementara")
    assert {r["name"] for r in admin.get(f"/clients/{sementara['id']}/roles")} == {"lihat", "ubah"}

    # drop one client role, then the whole client
    extra["roles"] = [{"name": "lihat"}]
    (directory / "clients" / "sementara.yaml").write_text(yaml.safe_dump(extra))
    plan = plan_realm(admin, directory, realm_name=name)
    assert [(c.resource, c.name, c.action) for c in plan.changes] == [
        ("client-role", "sementara/ubah", "delete"),
        ("client", "sementara", "update"),  # records the new roles fingerprint
    ]
    assert [f.field for f in plan.changes[1].fields] == ["attributes.satulogin.roles"]
    apply_realm(admin, directory, realm_name=name)
    assert {r["name"] for r in admin.get(f"/clients/{sementara['id']}/roles")} == {"lihat"}

    (directory / "clients" / "sementara.yaml").unlink()
    plan = plan_realm(admin, directory, realm_name=name)
    assert [(c.resource, c.name, c.action) for c in plan.changes] == [("client", "sementara", "delete")]
    apply_realm(admin, directory, realm_name=name)
    assert admin.get("/clients", params={"clientId": "sementara"}) == []
    assert plan_realm(admin, directory, realm_name=name).changes == []


def test_drift_in_console_is_detected_by_plan_and_repaired_by_apply(
    kc_admin_factory: Callable[[str], KeycloakAdmin],
) -> None:
    name = "t-realm-drift"
    admin = kc_admin_factory(name)
    _fresh(admin, name)
    # Someone edits things in the admin console:
    client = _client(admin, "dashboard-pimpinan")
    client["redirectUris"] = ["http://127.0.0.1:5100/*"]
    client["attributes"]["pkce.code.challenge.method"] = ""
    admin.put(f"/clients/{client['id']}", json=client)
    admin.put("", json={"bruteForceProtected": False, "accessTokenLifespan": 3600})
    scope = next(s for s in admin.get("/client-scopes") if s["name"] == "pegawai")
    mapper = next(m for m in scope["protocolMappers"] if m["name"] == "nip")
    admin.delete(f"/client-scopes/{scope['id']}/protocol-mappers/models/{mapper['id']}")
    profile = admin.get("/users/profile")
    for attr in profile["attributes"]:
        if attr["name"] == "nip":
            attr["validations"]["pattern"]["pattern"] = "^.*$"
    admin.put("/users/profile", json=profile)

    plan = plan_realm(admin, realm_name=name)
    fields = {(c.resource, c.name): {f.field: (f.old, f.new) for f in c.fields} for c in plan.changes}
    assert fields[("client", "dashboard-pimpinan")]["redirectUris"] == (
        ["http://127.0.0.1:5100/*"],
        ["http://127.0.0.1:5100/auth/callback", "http://localhost:5100/auth/callback"],
    )
    assert fields[("client", "dashboard-pimpinan")]["attributes.pkce.code.challenge.method"][1] == "S256"
    assert fields[("realm", name)] == {
        "bruteForceProtected": (False, True),
        "accessTokenLifespan": (3600, 300),
    }
    assert fields[("client-scope", "pegawai")]["protocolMappers.nip"][0] is None
    assert "attributes.nip" in fields[("user-profile", name)]
    assert len(plan.changes) == 4, plan.render_text()

    apply_realm(admin, realm_name=name)
    repaired = _client(admin, "dashboard-pimpinan")
    assert sorted(repaired["redirectUris"]) == [
        "http://127.0.0.1:5100/auth/callback",
        "http://localhost:5100/auth/callback",
    ]
    assert repaired["attributes"]["pkce.code.challenge.method"] == "S256"
    realm = admin.get("")
    assert realm["bruteForceProtected"] is True and realm["accessTokenLifespan"] == 300
    again = apply_realm(admin, realm_name=name)
    assert again.writes == 0, again.plan.render_text()


def test_edited_admin_otp_flow_is_rebuilt(kc_admin_factory: Callable[[str], KeycloakAdmin]) -> None:
    name = "t-realm-flow"
    admin = kc_admin_factory(name)
    _fresh(admin, name)
    executions = admin.get("/authentication/flows/banten-browser/executions")
    otp = next(e for e in executions if e.get("displayName") == "banten-browser sso-admin OTP")
    admin.put(
        "/authentication/flows/banten-browser/executions", json={"id": otp["id"], "requirement": "DISABLED"}
    )
    admin.put("", json={"browserFlow": "browser"})

    plan = plan_realm(admin, realm_name=name)
    assert [(c.resource, c.action) for c in plan.changes] == [("flow", "update")]
    assert {f.field for f in plan.changes[0].fields} == {"executions", "browserFlow"}
    apply_realm(admin, realm_name=name)
    assert admin.get("")["browserFlow"] == "banten-browser"
    assert apply_realm(admin, realm_name=name).writes == 0


def test_client_role_deleted_by_hand_is_found_by_verify_roles_and_restored(
    kc_admin_factory: Callable[[str], KeycloakAdmin], tmp_path: Path
) -> None:
    name = "t-realm-roles"
    admin = kc_admin_factory(name)
    directory = tmp_path / "banten"
    shutil.copytree(DEFAULT_DIR, directory)
    decl_path = directory / "clients" / "contoh-php.yaml"
    decl = yaml.safe_load(decl_path.read_text())
    decl["roles"] = [{"name": "operator", "description": "Operator aplikasi"}, {"name": "pimpinan"}]
    decl_path.write_text(yaml.safe_dump(decl))
    _fresh(admin, name, directory)
    client = _client(admin, "contoh-php")
    admin.delete(f"/clients/{client['id']}/roles/operator")
    admin.put(f"/clients/{client['id']}/roles/pimpinan", json={"name": "pimpinan", "description": "diubah"})

    # The fast path trusts the fingerprint the last apply left on the client ...
    assert plan_realm(admin, directory, realm_name=name).changes == []
    # ... --verify-roles lists the roles and finds both hand edits.
    plan = plan_realm(admin, directory, realm_name=name, verify_roles=True)
    assert sorted((c.name, c.action) for c in plan.changes) == [
        ("contoh-php/operator", "create"),
        ("contoh-php/pimpinan", "update"),
    ]
    apply_realm(admin, directory, realm_name=name, verify_roles=True)
    roles = {r["name"]: r.get("description") for r in admin.get(f"/clients/{client['id']}/roles")}
    assert roles == {"operator": "Operator aplikasi", "pimpinan": ""}
    assert apply_realm(admin, directory, realm_name=name, verify_roles=True).writes == 0
