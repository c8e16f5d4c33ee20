"""Employees' tokens carry the claims of client scope ``pegawai``; SSO admins must enrol TOTP."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from satulogin.kc_admin import KeycloakAdmin

REALM = "t-realm-tokens"
PASSWORD = "Kata-Sandi-Uji-Coba-2026"
ATTRIBUTES = {
    "nip": ["198503152010011002"],
    "unit_kode": ["000101010000000"],
    "unit_nama": ["Biro Pemerintahan"],
    "jabatan_kode": ["JPT-0101"],
    "jabatan_nama": ["Kepala Biro Pemerintahan"],
    "jenis_jabatan": ["struktural"],
    "eselon": ["II.a"],
    "golongan": ["IV/c"],
    "status_pegawai": ["aktif"],
    "lingkup_unit": ["000101", "000102"],
}


def _jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def _user(admin: KeycloakAdmin, username: str, attributes: dict[str, list[str]], roles: list[str]) -> str:
    for old in admin.get("/users", params={"username": username, "exact": "true"}) or []:
        admin.delete(f"/users/{old['id']}")
    resp = admin.post(
        "/users",
        json={
            "username": username,
            "enabled": True,
            "email": f"{username}@banten.test",
            "emailVerified": True,
            "firstName": "Budi",
            "lastName": "Santoso",
            "attributes": attributes,
            "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}],
        },
    )
    user_id = admin.created_id(resp)
    reps = [admin.get(f"/roles/{name}") for name in roles]
    admin.post(f"/users/{user_id}/role-mappings/realm", json=reps)
    return user_id


def test_tokens_carry_employee_claims(
    banten_realm_factory: Callable[[str], str], kc_admin_factory: Callable[[str], KeycloakAdmin]
) -> None:
    banten_realm_factory(REALM)
    admin = kc_admin_factory(REALM)
    # A test-only client with direct access grants, made by hand (realm/ leaves it alone).
    client_secret = secrets.token_urlsafe(16)
    if not admin.get("/clients", params={"clientId": "t-realm-token-probe"}):
        admin.post(
            "/clients",
            json={
                "clientId": "t-realm-token-probe",
                "secret": client_secret,
                "publicClient": False,
                "standardFlowEnabled": False,
                "directAccessGrantsEnabled": True,
                "defaultClientScopes": ["profile", "email", "roles", "basic", "pegawai"],
            },
        )
    else:
        probe = admin.get("/clients", params={"clientId": "t-realm-token-probe"})[0]
        admin.put(f"/clients/{probe['id']}", json={**probe, "secret": client_secret})
    _user(admin, "198503152010011002", ATTRIBUTES, ["pegawai"])

    base = f"{admin.conn.server_url}/realms/{REALM}/protocol/openid-connect"
    resp = requests.post(
        f"{base}/token",
        data={
            "grant_type": "password",
            "client_id": "t-realm-token-probe",
            "client_secret": client_secret,
            "username": "198503152010011002",
            "password": PASSWORD,
            "scope": "openid",
        },
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    tokens = resp.json()
    for kind in ("access_token", "id_token"):
        claims = _jwt_claims(tokens[kind])
        for name, values in ATTRIBUTES.items():
            if name == "status_pegawai":
                continue  # in the profile, deliberately not a claim
            expected: Any = values if name == "lingkup_unit" else values[0]
            assert claims.get(name) == expected, f"{kind} claim {name}: {claims.get(name)!r}"
        assert claims["preferred_username"] == "198503152010011002"
        assert claims["name"] == "Budi Santoso"
    access = _jwt_claims(tokens["access_token"])
    assert "pegawai" in access["realm_access"]["roles"]
    userinfo = requests.get(
        f"{base}/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=30
    ).json()
    assert userinfo["nip"] == "198503152010011002" and userinfo["lingkup_unit"] == ["000101", "000102"]


def _browser_login(server_url: str, username: str) -> tuple[requests.Session, requests.Response]:
    """Log in to ``dashboard-pimpinan`` through the realm's browser flow, like a browser."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    session = requests.Session()
    page = session.get(
        f"{server_url}/realms/{REALM}/protocol/openid-connect/auth",
        params={
            "client_id": "dashboard-pimpinan",
            "redirect_uri": "http://127.0.0.1:5100/auth/callback",
            "response_type": "code",
            "scope": "openid",
            "state": "s",
            "nonce": "n",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        timeout=30,
    )
    assert page.status_code == 200, page.text[:500]
    # Keycloak marks its cookies Secure; browsers still send them to http://127.0.0.1 (a secure
    # context), requests does not: do as the browser does.
    for cookie in session.cookies:
        cookie.secure = False
    match = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', page.text) or re.search(
        r'action="([^"]+login-actions/authenticate[^"]*)"', page.text
    )
    assert match, page.text[:2000]
    resp = session.post(
        html.unescape(match.group(1)),
        data={"username": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    return session, resp


def test_sso_admin_must_enrol_totp_and_employee_logs_straight_in(
    banten_realm_factory: Callable[[str], str], kc_admin_factory: Callable[[str], KeycloakAdmin]
) -> None:
    banten_realm_factory(REALM)
    admin = kc_admin_factory(REALM)
    _user(admin, "198001012005011001", {"nip": ["198001012005011001"]}, ["sso-admin", "pegawai"])
    _user(admin, "199002022015022002", {"nip": ["199002022015022002"]}, ["pegawai"])

    _, employee = _browser_login(admin.conn.server_url, "199002022015022002")
    assert employee.status_code == 302, employee.text[:1000]
    location = urlsplit(employee.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "http://127.0.0.1:5100/auth/callback"
    assert "code" in parse_qs(location.query)

    session, administrator = _browser_login(admin.conn.server_url, "198001012005011001")
    # No code for the app: Keycloak sends the administrator to enrol an authenticator app first.
    assert administrator.status_code == 302
    assert "/login-actions/required-action?execution=CONFIGURE_TOTP" in administrator.headers["Location"]
    page = session.get(administrator.headers["Location"], timeout=30)
    assert page.status_code == 200
    assert 'name="totp"' in page.text and 'name="totpSecret"' in page.text
