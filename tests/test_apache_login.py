"""A legacy app behind real Apache + mod_auth_openidc, configured by ``satulogin app register``."""

from __future__ import annotations

from typing import Any

from tests.fixtures.oidc import keycloak_login
from tests.fixtures.php_apache import ApacheApp, SampleApp


def test_apache_logs_in_and_passes_claims_and_roles(apache_app: ApacheApp, page: Any,
                                                     save_screenshot: Any) -> None:
    app, p = apache_app, apache_app.realm.pegawai
    page.goto(app.url + "/")
    keycloak_login(page, p.username, p.password)
    page.wait_for_selector("#nip")
    assert page.text_content("#nip") == p.username
    assert page.text_content("#unit_nama") == "Biro Pemerintahan"
    assert page.text_content("#jabatan_nama") == "Pranata Komputer Ahli Muda"
    assert page.text_content("#remote-user") == p.username
    save_screenshot(page, "aplikasi-lama")

    refused = page.goto(app.url + "/admin")
    assert refused is not None and refused.status == 403
    assert "Akses ditolak" in page.content()

    app.realm.grant_client_role(p.user_id, app.client_id, "admin")
    page.goto(app.logout_url(app.url + "/"))
    keycloak_login(page, p.username, p.password)  # logged out: the password is asked again
    page.wait_for_selector("#nip")
    allowed = page.goto(app.url + "/admin")
    assert allowed is not None and allowed.status == 200
    assert page.is_visible("#admin-ok")
    assert "admin" in (page.text_content("#roles") or "").split(",")


def test_single_sign_on_php_to_apache_and_single_logout(php_sample_app: SampleApp, apache_app: ApacheApp,
                                                         page: Any) -> None:
    p = php_sample_app.realm.pegawai
    page.goto(php_sample_app.url + "/")
    page.click("#masuk")
    keycloak_login(page, p.username, p.password)
    page.wait_for_selector("#nip")

    # Same browser, second app: Keycloak's SSO cookie logs us in without a password prompt.
    prompts: list[str] = []
    page.on("framenavigated", lambda f: prompts.append(f.url) if "login-actions" in f.url else None)
    page.goto(apache_app.url + "/")
    page.wait_for_selector("#nip")
    assert page.text_content("#nip") == p.username
    assert not page.is_visible("#username") and prompts == []

    # Log out in the Apache app: Keycloak ends the SSO session and tells the PHP app (back-channel).
    page.goto(apache_app.logout_url(apache_app.url + "/"))
    page.wait_for_selector("#username")
    page.goto(php_sample_app.url + "/")
    assert page.is_visible("#masuk"), "the PHP app's session survived single logout"


def test_logout_in_php_ends_the_apache_session(php_sample_app: SampleApp, apache_app: ApacheApp,
                                               page: Any) -> None:
    p = php_sample_app.realm.pegawai
    page.goto(apache_app.url + "/")
    keycloak_login(page, p.username, p.password)
    page.wait_for_selector("#nip")
    page.goto(php_sample_app.url + "/")
    page.click("#masuk")
    page.wait_for_selector("#nip")  # single sign-on the other way round

    page.goto(php_sample_app.url + "/auth/logout")
    page.wait_for_url(php_sample_app.url + "/")
    # mod_auth_openidc got Keycloak's back-channel logout: its session is gone, login is asked again.
    page.goto(apache_app.url + "/")
    page.wait_for_selector("#username")
