"""The full login journey through the PHP sample app (php -S + the CodeIgniter library)."""

from __future__ import annotations

from typing import Any

from tests.fixtures.oidc import keycloak_login
from tests.fixtures.php_apache import SampleApp


def login(page: Any, app: SampleApp) -> None:
    page.goto(app.url + "/")
    page.click("#masuk")
    p = app.realm.pegawai
    keycloak_login(page, p.username, p.password)
    page.wait_for_selector("#nip")


def test_login_shows_the_employee_and_roles_decide_access(php_sample_app: SampleApp, page: Any,
                                                          save_screenshot: Any) -> None:
    app = php_sample_app
    login(page, app)
    assert page.text_content("#nip") == "198503152010012003"
    assert page.text_content("#unit_nama") == "Biro Pemerintahan"
    assert page.text_content("#jabatan_nama") == "Pranata Komputer Ahli Muda"
    assert "pegawai" in (page.text_content("#realm_roles") or "")
    save_screenshot(page, "beranda")

    refused = page.goto(app.url + "/admin")
    assert refused is not None and refused.status == 403
    assert "Akses ditolak" in page.content() and "Traceback" not in page.content()

    # Granted the role, the next login carries it.
    app.realm.grant_client_role(app.realm.pegawai.user_id, app.client_id, "admin")
    page.goto(app.url + "/auth/logout")
    page.wait_for_url(app.url + "/")
    login(page, app)
    allowed = page.goto(app.url + "/admin")
    assert allowed is not None and allowed.status == 200
    assert page.is_visible("#admin-ok")


def test_a_replayed_callback_is_refused(php_sample_app: SampleApp, page: Any) -> None:
    app = php_sample_app
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "/auth/callback?" in r.url else None)
    login(page, app)
    assert len(callbacks) == 1
    replay = page.goto(callbacks[0])
    assert replay is not None and replay.status == 400
    assert "sudah dipakai" in page.content()


def test_rp_logout_ends_the_keycloak_session(php_sample_app: SampleApp, page: Any) -> None:
    app = php_sample_app
    login(page, app)
    page.click("#keluar")
    page.wait_for_url(app.url + "/")
    assert page.is_visible("#masuk")
    page.click("#masuk")
    page.wait_for_selector("#username")  # the SSO session is gone: the password is asked again


def test_backchannel_logout_ends_the_php_session(php_sample_app: SampleApp, page: Any) -> None:
    app = php_sample_app
    login(page, app)
    # An administrator ends the user's sessions; Keycloak tells the app through back-channel logout.
    app.realm.admin.post(f"/users/{app.realm.pegawai.user_id}/logout")
    page.goto(app.url + "/")
    assert page.is_visible("#masuk"), "the PHP session survived the back-channel logout"


def test_an_expired_access_token_is_refreshed_silently(php_sample_app: SampleApp, page: Any) -> None:
    app = php_sample_app
    client = app.realm.admin.get("/clients", params={"clientId": app.client_id})[0]
    attrs = dict(client.get("attributes") or {})
    # Access tokens for this app live 15 s; the adapter refreshes 10 s before expiry.
    app.realm.admin.put(f"/clients/{client['id']}", json={**client, "attributes": {
        **attrs, "access.token.lifespan": "15"}})
    try:
        login(page, app)
        first_exp = int(page.text_content("#token_exp") or 0)
        page.wait_for_timeout(7000)
        page.goto(app.url + "/")
        assert page.is_visible("#nip"), "logged out instead of refreshed"
        assert int(page.text_content("#token_exp") or 0) > first_exp
    finally:
        app.realm.admin.put(f"/clients/{client['id']}", json={**client, "attributes": attrs})


def test_backchannel_endpoint_verifies_the_logout_token(php_sample_app: SampleApp) -> None:
    import time

    import requests

    from tests.fixtures.php_apache import import_rsa_key, sign_rs256
    app = php_sample_app
    key, kid = import_rsa_key(app.realm, priority=10)
    now = int(time.time())
    claims = {"iss": app.realm.issuer, "aud": app.client_id, "iat": now, "exp": now + 60, "jti": f"j-{now}",
              "sid": "tidak-ada", "events": {"http://schemas.openid.net/event/backchannel-logout": {}}}
    token = sign_rs256({"alg": "RS256", "kid": kid}, claims, key)
    url = app.url + "/auth/backchannel_logout"
    first = requests.post(url, data={"logout_token": token}, timeout=30)
    assert first.status_code == 200 and first.json() == {"ended_sessions": 0}
    replayed = requests.post(url, data={"logout_token": token}, timeout=30)
    assert replayed.status_code == 400 and replayed.json()["error"] == "replayed_logout_token"
    forged = requests.post(url, data={"logout_token": token[:-6] + "AAAAAA"}, timeout=30)
    assert forged.status_code == 400 and forged.json()["error"] == "bad_signature"
    assert requests.get(url, timeout=30).status_code == 405
