"""Keycloak rotates its signing key while the PHP app runs: new tokens are still accepted."""

from __future__ import annotations

import base64
import json
import time

import requests

from satulogin.onboarding.registry import AppRegistry
from tests.fixtures.php_apache import SampleApp


def kid_of(token: str) -> str:
    header = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"])


def test_bearer_api_accepts_tokens_after_key_rotation_without_restart(php_sample_app: SampleApp) -> None:
    app, realm = php_sample_app, php_sample_app.realm
    registry = AppRegistry(realm.admin)
    secret = registry.create_service_account("t-php-rot-sa", "Rotasi", [f"{app.client_id}:operator"])

    def token() -> str:
        resp = requests.post(f"{realm.issuer}/protocol/openid-connect/token", data={
            "grant_type": "client_credentials", "client_id": "t-php-rot-sa", "client_secret": secret},
            timeout=30)
        resp.raise_for_status()
        return str(resp.json()["access_token"])

    def call(bearer: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        return requests.get(app.url + "/api/pegawai", headers=headers, timeout=30)

    missing = call(None)
    assert missing.status_code == 401 and missing.json()["error"] == "missing_token"
    old_token = token()
    first = call(old_token)
    assert first.status_code == 200, first.text
    assert first.json()["roles"][app.client_id]["roles"] == ["operator"]
    pid = app.server.proc.pid

    # A new key provider with the highest priority: Keycloak signs new tokens with it.
    realm_id = realm.admin.get("")["id"]
    realm.admin.post("/components", json={
        "name": "t-rotated", "providerId": "rsa-generated", "providerType": "org.keycloak.keys.KeyProvider",
        "parentId": realm_id, "config": {"priority": ["5000"], "keySize": ["2048"], "algorithm": ["RS256"]}})
    new_token = token()
    assert kid_of(new_token) != kid_of(old_token)
    time.sleep(6)  # past the adapter's 5 s guard between JWKS refetches

    rotated = call(new_token)
    assert rotated.status_code == 200, rotated.text
    assert call(old_token).status_code == 200, "the old key is still published, its tokens still valid"
    assert app.server.proc.pid == pid and app.server.proc.poll() is None, "no restart"
    assert call(new_token[:-4] + "AAAA").status_code == 401
