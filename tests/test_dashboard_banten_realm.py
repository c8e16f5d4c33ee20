"""The dashboard against the real realm declarations (realm/banten applied as ``t-dash-banten-*``):
the ``pegawai`` client scope and user profile that realm/ ships must give the dashboard every
claim it reads, with a user written the way the HR sync and the jabatan mapping write them."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable, Iterator

import pytest
from werkzeug.serving import make_server

from satulogin.kc_admin import KeycloakAdmin
from tests.fixtures.dashboard import (
    BIRO_KESRA,
    KEPALA_BIRO,
    PASSWORD,
    RunningDashboard,
    free_port,
    hr_picture,
    journey_session,
    login_journey,
)
from tests.fixtures.realm import delete_realm


@pytest.fixture(scope="module")
def banten_dashboard(banten_realm_factory: Callable[[str], str],
                     kc_admin_factory: Callable[[str], KeycloakAdmin]) -> Iterator[RunningDashboard]:
    from flask_demo_app import create_app

    name = f"t-dash-banten-{secrets.token_hex(3)}"
    admin = kc_admin_factory(name)
    try:
        banten_realm_factory(name)
        port = free_port()
        client = admin.get("/clients", params={"clientId": "dashboard-pimpinan"})[0]
        # The declared redirect is port 5100 (the demo); this test's app runs on a free port.
        client["redirectUris"] = [f"http://127.0.0.1:{port}/auth/callback"]
        admin.put(f"/clients/{client['id']}", json=client)
        user = KEPALA_BIRO
        attrs = user.attributes() | {"status_pegawai": ["aktif"], "satulogin_managed": ["hr-sync"]}
        user_id = admin.created_id(admin.post("/users", json={
            "username": user.nip, "enabled": True, "emailVerified": True, "email": f"{user.nip}@banten.test",
            "firstName": "Ahmad", "lastName": "Fauzi", "attributes": attrs,
            "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}]}))
        # realm/ does not declare the role; the jabatan mapping's apply creates what its rules grant.
        admin.post(f"/clients/{client['id']}/roles", json={"name": "pimpinan"}, ok=(409,))
        pimpinan = admin.get(f"/clients/{client['id']}/roles/pimpinan")
        admin.post(f"/users/{user_id}/role-mappings/clients/{client['id']}", json=[pimpinan])
        app = create_app({
            "SATULOGIN_ISSUER": f"{admin.conn.server_url}/realms/{name}",
            "SATULOGIN_CLIENT_ID": "dashboard-pimpinan",
            "SATULOGIN_CLIENT_SECRET": os.environ["SATULOGIN_CLIENT_SECRET_DASHBOARD_PIMPINAN"],
            "DASHBOARD_STAFF_DATA": hr_picture(),
        })
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield RunningDashboard(f"http://127.0.0.1:{port}", None, app)  # type: ignore[arg-type]
        server.shutdown()
        thread.join(timeout=10)
    finally:
        delete_realm(admin, name)


def test_banten_realm_tokens_carry_what_the_dashboard_needs(banten_dashboard: RunningDashboard) -> None:
    session = journey_session()
    page = login_journey(session, banten_dashboard.url + "/profil", KEPALA_BIRO.nip, PASSWORD)
    assert page.status_code == 200
    for value in (KEPALA_BIRO.nip, "Kepala Biro Pemerintahan", "II.a", "IV/c", "000101010000000"):
        assert value in page.text
    unit = session.get(f"{banten_dashboard.url}/api/unit/{KEPALA_BIRO.unit_kode}")
    assert unit.status_code == 200 and unit.json()["nama"] == "Biro Pemerintahan"
    assert session.get(f"{banten_dashboard.url}/api/unit/{BIRO_KESRA}").status_code == 403
