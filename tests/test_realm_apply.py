"""plan/apply of realm/banten against the real test Keycloak: converge, then no-op."""

from __future__ import annotations

from collections.abc import Callable

from realm import apply_realm, plan_realm
from satulogin.kc_admin import KeycloakAdmin
from tests.fixtures.realm import delete_realm, ensure_test_secrets


def test_plan_on_empty_realm_apply_then_replan_is_noop_without_writes(
    kc_admin_factory: Callable[[str], KeycloakAdmin],
) -> None:
    ensure_test_secrets()
    admin = kc_admin_factory("t-realm-apply")
    delete_realm(admin, "t-realm-apply")

    writes_before = admin.counter.snapshot()[1]
    first = plan_realm(admin, realm_name="t-realm-apply")
    assert not first.realm_exists
    planned = {(c.resource, c.name, c.action) for c in first.changes}
    assert ("realm", "t-realm-apply", "create") in planned
    for client_id in ("dashboard-pimpinan", "admin-pemetaan", "contoh-php", "contoh-apache"):
        assert ("client", client_id, "create") in planned
    assert ("client-scope", "pegawai", "create") in planned
    assert ("role", "sso-admin", "create") in planned
    assert ("flow", "banten-browser", "create") in planned
    assert admin.counter.snapshot()[1] == writes_before, "plan must not write"

    result = apply_realm(admin, realm_name="t-realm-apply")
    assert result.writes > 10

    again = plan_realm(admin, realm_name="t-realm-apply")
    assert again.changes == [], again.render_text()
    assert not again.has_changes
    second = apply_realm(admin, realm_name="t-realm-apply")
    assert second.writes == 0
    assert second.applied == 0
