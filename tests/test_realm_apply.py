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


def test_applied_realm_has_the_declared_login_security(
    banten_realm_factory: Callable[[str], str], kc_admin_factory: Callable[[str], KeycloakAdmin]
) -> None:
    admin = kc_admin_factory(banten_realm_factory("t-realm-settings"))
    realm = admin.get("")
    assert realm["defaultLocale"] == "id" and set(realm["supportedLocales"]) == {"id", "en"}
    assert realm["internationalizationEnabled"] and realm["loginTheme"] == "banten-satu-login"
    assert realm["bruteForceProtected"] and realm["failureFactor"] == 5
    assert "length(12)" in realm["passwordPolicy"] and "passwordHistory(5)" in realm["passwordPolicy"]
    assert (
        realm["eventsEnabled"]
        and realm["eventsExpiration"] == 2592000
        and "LOGIN_ERROR" in realm["enabledEventTypes"]
    )
    assert realm["adminEventsEnabled"] and realm["attributes"]["adminEventsExpiration"] == "7776000"
    assert realm["accessTokenLifespan"] == 300 and realm["ssoSessionMaxLifespan"] == 36000
    assert realm["browserFlow"] == "banten-browser"
    totp = admin.get("/authentication/required-actions/CONFIGURE_TOTP")
    assert totp["enabled"] is True
    # A password the policy refuses is refused by Keycloak itself.
    resp = admin.post(
        "/users",
        json={"username": "199001012020011001", "credentials": [{"type": "password", "value": "pendek"}]},
        ok=(400,),
    )
    assert resp.status_code == 400 and "invalidPasswordMinLength" in resp.text

    profile = {a["name"]: a for a in admin.get("/users/profile")["attributes"]}
    assert {"username", "email", "firstName", "lastName"} <= set(profile)
    nip = profile["nip"]
    assert nip["validations"]["pattern"]["pattern"] == "^[0-9]{18}$"
    assert nip["permissions"] == {"view": ["admin", "user"], "edit": ["admin"]}
    assert profile["lingkup_unit"]["multivalued"] is True
    assert profile["satulogin_managed"]["permissions"] == {"view": ["admin"], "edit": ["admin"]}
    clients = {c["clientId"]: c for c in admin.get("/clients")}
    apache = clients["contoh-apache"]
    assert sorted(apache["redirectUris"]) == [
        "http://127.0.0.1:5400/redirect_uri",
        "http://localhost:5400/redirect_uri",
    ]
    assert (
        apache["attributes"]["backchannel.logout.url"]
        == "http://127.0.0.1:5400/redirect_uri?logout=backchannel"
    )
    assert apache["attributes"]["pkce.code.challenge.method"] == "S256"
    assert apache["publicClient"] is False and apache["frontchannelLogout"] is False
    assert apache["standardFlowEnabled"] and not apache["directAccessGrantsEnabled"]
    assert "pegawai" in apache["defaultClientScopes"]
