"""The realm keeps a record of the realm roles realm/ manages, so a realm that also holds the
HR sync's ~2,000 jabatan roles is planned without reading every role's attributes."""

from __future__ import annotations

from collections.abc import Callable

from realm import DEFAULT_DIR, apply_realm, plan_realm
from realm.resources.roles import RECORD_ATTR
from satulogin.kc_admin import KeycloakAdmin
from tests.fixtures.realm import delete_realm, ensure_test_secrets


def test_many_foreign_roles_cost_no_extra_reads_and_survive(
    kc_admin_factory: Callable[[str], KeycloakAdmin],
) -> None:
    name = "t-realm-record"
    admin = kc_admin_factory(name)
    ensure_test_secrets()
    delete_realm(admin, name)
    try:
        apply_realm(admin, DEFAULT_DIR, realm_name=name)
        realm = admin.get("")
        assert realm["attributes"][RECORD_ATTR] == "pegawai,sso-admin"
        baseline = plan_realm(admin, DEFAULT_DIR, realm_name=name)
        assert baseline.changes == []
        # Roles someone else made (the sync's jabatan roles, a hand-made one) in bulk.
        for i in range(40):
            admin.post("/roles", json={"name": f"jabatan-X{i:03d}",
                                      "attributes": {"satulogin_managed": ["hr-sync"]}})
        calls: list[tuple[str, object]] = []
        send = admin.request

        def spy(method: str, path: str, **kwargs: object) -> object:
            calls.append((path, kwargs.get("params")))
            return send(method, path, **kwargs)

        admin.request = spy  # type: ignore[method-assign]
        try:
            again = plan_realm(admin, DEFAULT_DIR, realm_name=name)
        finally:
            admin.request = send  # type: ignore[method-assign]
        assert again.changes == []
        assert again.reads == baseline.reads, "foreign roles must not be read one by one"
        # Their attributes are never loaded: the listing is brief (Keycloak loads attributes
        # role by role for a full listing, which is what made a no-op slow with 2,000 roles).
        role_listings = [params for path, params in calls if path == "/roles"]
        assert role_listings == [{"briefRepresentation": "true"}]
        result = apply_realm(admin, DEFAULT_DIR, realm_name=name)
        assert result.writes == 0
        assert admin.request("GET", "/roles/jabatan-X000", ok=(404,)).status_code == 200
    finally:
        delete_realm(admin, name)


def test_a_realm_without_the_record_is_read_in_full_once_then_recorded(
    kc_admin_factory: Callable[[str], KeycloakAdmin],
) -> None:
    name = "t-realm-record-old"
    admin = kc_admin_factory(name)
    ensure_test_secrets()
    delete_realm(admin, name)
    try:
        apply_realm(admin, DEFAULT_DIR, realm_name=name)
        realm = admin.get("")
        attributes = dict(realm["attributes"])
        attributes.pop(RECORD_ATTR)
        admin.put("", json={**realm, "attributes": attributes})
        assert RECORD_ATTR not in (admin.get("")["attributes"] or {})
        plan = plan_realm(admin, DEFAULT_DIR, realm_name=name)
        assert [c.name for c in plan.changes] == [f"{name} ({RECORD_ATTR})"]
        apply_realm(admin, DEFAULT_DIR, realm_name=name)
        assert plan_realm(admin, DEFAULT_DIR, realm_name=name).changes == []
    finally:
        delete_realm(admin, name)
