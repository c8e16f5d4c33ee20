"""The Flask adapter end to end: a real browser, the real Keycloak, the sample app."""

from __future__ import annotations

import json
import time
from typing import Any

import requests

from tests.fixtures.oidc import SampleApp, keycloak_login


def login(page: Any, app: SampleApp, who: str, start: str = "/profil") -> None:
    user = app.realm.users[who]
    page.goto(f"{app.url}{start}")
    keycloak_login(page, user.username, user.password)
    page.wait_for_url(f"{app.url}{start}")


def session_info(page: Any, app: SampleApp) -> dict[str, Any]:
    page.goto(f"{app.url}/session-info")
    return dict(json.loads(page.inner_text("body")))


def test_login_journey_shows_nip_name_unit_and_roles(flask_sample_app: SampleApp, flask_page: Any) -> None:
    app, page = flask_sample_app, flask_page
    page.goto(f"{app.url}/profil")
    # not signed in: the app sends the browser to Keycloak's login page, with PKCE S256
    page.wait_for_selector("#username")
    assert "code_challenge_method=S256" in page.url and "nonce=" in page.url and "state=" in page.url
    user = app.realm.users["pimpinan"]
    keycloak_login(page, user.username, user.password)
    page.wait_for_url(f"{app.url}/profil")
    assert page.inner_text("#user-nip") == "198001012005011001"
    assert page.inner_text("#user-name") == "Ahmad Fauzi, S.E., M.Si."
    assert "Sekretariat Daerah" in page.inner_text("#user-unit")
    assert "000101000000000" in page.inner_text("#user-unit")
    assert page.inner_text("#user-jabatan") == "Asisten Pemerintahan dan Kesra"
    assert "pegawai" in page.inner_text("#user-realm-roles")
    assert page.inner_text("#user-client-roles") == "pimpinan"

    # the cookie holds a random session id only; the tokens stay on the server
    cookies = {c["name"]: c for c in page.context.cookies(app.url)}
    raw = cookies["session"]["value"]
    data = app.app.session_interface.get_signing_serializer(app.app).loads(raw)  # type: ignore[attr-defined]
    assert set(data) - {"_permanent"} == {"satulogin.session"}
    assert len(raw) < 200
    assert cookies["session"]["httpOnly"]
    assert app.state.store.get(data["satulogin.session"]).access_token.count(".") == 2


def test_role_allowed_for_pimpinan(flask_sample_app: SampleApp, flask_page: Any) -> None:
    login(flask_page, flask_sample_app, "pimpinan", start="/pimpinan")
    assert flask_page.inner_text("#pimpinan") == "Dasbor Pimpinan"


def test_role_refused_shows_a_page_a_person_understands(flask_sample_app: SampleApp, flask_page: Any) -> None:
    app, page = flask_sample_app, flask_page
    login(page, app, "staf")
    response = page.goto(f"{app.url}/pimpinan")
    assert response.status == 403
    assert page.inner_text("#error-title") == "Akses ditolak"
    body = page.inner_text("body")
    assert "Access denied" in body and "t-flask-sample:pimpinan" in body
    assert "Traceback" not in body
    # "any of" passes with the realm role pegawai alone
    assert page.goto(f"{app.url}/pegawai-atau-pimpinan").status == 200
    # an API path answers JSON, not HTML
    resp = page.request.get(f"{app.url}/api/me")
    assert resp.status == 401 and resp.json()["error"] == "invalid_token"


def test_silent_refresh_keeps_the_user_signed_in(flask_sample_app: SampleApp, flask_page: Any) -> None:
    app, page = flask_sample_app, flask_page
    login(page, app, "staf")
    first = session_info(page, app)
    # the client's access tokens live 10 s; the adapter refreshes 2 s before expiry
    time.sleep(max(0.0, first["access_expires_at"] - time.time()) + 1)
    second = session_info(page, app)
    assert second["refreshed_count"] >= 1
    assert second["access_expires_at"] > first["access_expires_at"]
    assert second["user"]["nip"] == "199203152019022003"
    assert page.url == f"{app.url}/session-info"  # never sent back to the login page


def test_rp_logout_ends_the_keycloak_session_too(flask_sample_app: SampleApp, flask_page: Any) -> None:
    app, page = flask_sample_app, flask_page
    login(page, app, "staf")
    page.click("#logout")
    # id_token_hint lets Keycloak log out without a confirmation page and come back to the app
    page.wait_for_url(f"{app.url}/")
    assert page.is_visible("#anonymous")
    # SSO session gone: the next protected page asks for the password again
    page.goto(f"{app.url}/profil")
    page.wait_for_selector("#username")
    assert page.url.startswith(app.realm.issuer)


def test_backchannel_logout_from_keycloak_ends_the_app_session(flask_sample_app: SampleApp,
                                                                flask_page: Any) -> None:
    app, page = flask_sample_app, flask_page
    login(page, app, "pimpinan")
    info = session_info(page, app)
    assert app.state.store.delete_by_sid("no-such-sid") == 0
    # an SSO admin ends the user's sessions in Keycloak: Keycloak POSTs a logout token to the app
    user_id = app.realm.user_id(app.realm.users["pimpinan"].username)
    app.realm.admin.post(f"/users/{user_id}/logout")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _live_sessions_of(app, info["sub"]):
        time.sleep(0.2)
    assert not _live_sessions_of(app, info["sub"])
    page.goto(f"{app.url}/profil")
    page.wait_for_selector("#username")


def _live_sessions_of(app: SampleApp, sub: str) -> int:
    conn = app.state.store._conn()
    return int(conn.execute("SELECT count(*) FROM satulogin_session WHERE sub = ?", (sub,)).fetchone()[0])


def test_replayed_state_is_refused(flask_sample_app: SampleApp, flask_page: Any) -> None:
    app, page = flask_sample_app, flask_page
    callbacks: list[str] = []
    page.on("request", lambda req: callbacks.append(req.url) if "/auth/callback" in req.url else None)
    login(page, app, "staf")
    assert callbacks
    # the same code + state a second time (an attacker replaying a captured redirect)
    response = page.goto(callbacks[0])
    assert response.status == 400
    assert page.inner_text("#error-title") == "Login tidak dapat diselesaikan"
    # and the same URL from a browser that never started this login
    assert requests.get(callbacks[0], timeout=10, allow_redirects=False).status_code == 400


def test_login_next_parameter_cannot_leave_the_app(flask_sample_app: SampleApp) -> None:
    app = flask_sample_app
    client = app.app.test_client()
    client.get("/auth/login?next=https://evil.example/")
    tx_state = None
    with client.session_transaction() as sess:
        tx_state = sess["satulogin.state"]
    tx = app.state.store.take_transaction(tx_state, 600)
    assert tx is not None and tx.next_url == "/"


def test_backchannel_endpoint_refuses_tokens_that_are_not_logout_tokens(flask_sample_app: SampleApp) -> None:
    app = flask_sample_app
    url = f"{app.url}/auth/backchannel-logout"
    access_token = app.realm.api_caller_token()["access_token"]
    resp = requests.post(url, data={"logout_token": access_token}, timeout=10)
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"
    assert requests.post(url, data={}, timeout=10).status_code == 400


def test_a_leaver_disabled_by_the_sync_is_logged_out_of_the_app_too(flask_sample_app: SampleApp,
                                                                     flask_page: Any) -> None:
    """The sync's bulk account change for a leaver (disable + logout in one request, as
    sync/apply.py sends it) reaches the app through Keycloak's back-channel logout."""
    app, page = flask_sample_app, flask_page
    login(page, app, "staf")
    info = session_info(page, app)
    assert _live_sessions_with_sid(app, info["sid"]) == 1
    username = app.realm.users["staf"].username
    user_id = app.realm.user_id(username)
    try:
        answer = app.realm.admin.post("/satulogin-sync/user-updates", {"users": [
            {"id": user_id, "username": username, "enabled": False, "logout": True}]}).json()
        [result] = answer["results"]
        assert result["action"] == "UPDATED" and result["loggedOut"] is True, result
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _live_sessions_with_sid(app, info["sid"]):
            time.sleep(0.2)
        assert not _live_sessions_with_sid(app, info["sid"]), "the app was told by the back-channel logout"
        page.goto(f"{app.url}/profil")
        page.wait_for_selector("#username")
    finally:
        app.realm.admin.post("/satulogin-sync/user-updates", {"users": [
            {"id": user_id, "username": username, "enabled": True}]})


def _live_sessions_with_sid(app: SampleApp, sid: str) -> int:
    conn = app.state.store._conn()
    return int(conn.execute("SELECT count(*) FROM satulogin_session WHERE sid = ?", (sid,)).fetchone()[0])
