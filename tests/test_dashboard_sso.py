"""'Aplikasi saya' opens another app without a second login: single sign-on through Keycloak.

The second app is a minimal Flask app on the same adapter, registered as client ``contoh-php``
in the dashboard's test realm (the real PHP sample is the adapters' and the lead's stack test)."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from flask_demo_app.catalogue import DEFAULT_CATALOGUE
from satulogin.kc_admin import KeycloakAdmin
from tests.fixtures.dashboard import PASSWORD, SEKDA, DashboardRealm, free_port, hr_picture


@pytest.fixture(scope="module")
def sso_pair(dashboard_realm: DashboardRealm, kc_admin_factory: Any, tmp_path_factory: Any
             ) -> Iterator[tuple[str, str]]:
    from flask_satulogin import SatuLogin, current_user, login_required

    from flask_demo_app import create_app

    admin: KeycloakAdmin = kc_admin_factory(dashboard_realm.name)
    other_port, dash_port = free_port(), free_port()
    secret = secrets.token_urlsafe(24)
    other_id = admin.created_id(admin.post("/clients", json={
        "clientId": "contoh-php", "enabled": True, "publicClient": False, "secret": secret,
        "standardFlowEnabled": True, "redirectUris": [f"http://127.0.0.1:{other_port}/auth/callback"],
        "attributes": {"pkce.code.challenge.method": "S256"}}))
    admin.post(f"/clients/{other_id}/roles", json={"name": "pengguna"})
    sekda_id = admin.get("/users", params={"username": SEKDA.nip, "exact": "true"})[0]["id"]
    admin.post(f"/users/{sekda_id}/role-mappings/clients/{other_id}",
               json=[admin.get(f"/clients/{other_id}/roles/pengguna")])
    dash_client = admin.get("/clients", params={"clientId": "dashboard-pimpinan"})[0]
    dash_client["redirectUris"].append(f"http://127.0.0.1:{dash_port}/auth/callback")
    admin.put(f"/clients/{dash_client['id']}", json=dash_client)

    other = Flask("contoh")
    other.config.update(SECRET_KEY=secrets.token_hex(16), SATULOGIN_ISSUER=dashboard_realm.issuer,
                        SATULOGIN_CLIENT_ID="contoh-php", SATULOGIN_CLIENT_SECRET=secret)
    SatuLogin(other)

    @other.route("/")
    @login_required
    def home() -> str:
        return f"<h1 id='who'>{current_user.nip}</h1>"

    catalogue = json.loads(DEFAULT_CATALOGUE.read_text())
    for app in catalogue["apps"]:
        if app["client_id"] == "contoh-php":
            app["url"] = f"http://127.0.0.1:{other_port}/"
    apps_file = tmp_path_factory.mktemp("apps") / "apps.json"
    apps_file.write_text(json.dumps(catalogue))
    dashboard = create_app({"SATULOGIN_ISSUER": dashboard_realm.issuer,
                            "SATULOGIN_CLIENT_ID": "dashboard-pimpinan",
                            "SATULOGIN_CLIENT_SECRET": dashboard_realm.client_secret,
                            "DASHBOARD_APPS_FILE": str(apps_file), "DASHBOARD_STAFF_DATA": hr_picture()})
    servers = [make_server("127.0.0.1", port, app, threaded=True)
               for port, app in ((other_port, other), (dash_port, dashboard))]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    yield f"http://127.0.0.1:{dash_port}", f"http://127.0.0.1:{other_port}"
    for s in servers:
        s.shutdown()
    admin.delete(f"/clients/{other_id}")


def test_my_apps_open_without_a_second_login(sso_pair: tuple[str, str], page_factory: Any,
                                             save_screenshot: Any) -> None:
    dashboard, other = sso_pair
    page = page_factory()
    page.goto(dashboard + "/aplikasi")
    page.fill("input[name=username]", SEKDA.nip)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(dashboard + "/aplikasi")
    assert page.locator("[data-client]").evaluate_all("els => els.map(e => e.dataset.client)") == [
        "dashboard-pimpinan", "contoh-php"]
    save_screenshot(page, "aplikasi-sekda")
    page.click("[data-client=contoh-php] a.button")
    page.wait_for_url(other + "/")
    assert page.locator("#who").inner_text() == SEKDA.nip      # no password asked the second time
