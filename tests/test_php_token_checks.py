"""The PHP adapter's token checks refuse forged and broken tokens (driven through its CLI tool).

Tokens are forged with an RSA key imported into the test realm, so a refusal is always for the
reason under test: the signature of every other case is genuine.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from satulogin.onboarding.request import AppRequest
from satulogin.onboarding.writers import AdapterSettings, render_codeigniter, write_private
from tests.fixtures.php_apache import PhpRealm, b64url, import_rsa_key, run_validator, sign_rs256

CLIENT = "t-php-tokens"
NONCE = "n0nce-4f9a"


@pytest.fixture(scope="module")
def setup(php_realm: PhpRealm, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    admin = php_realm.admin
    # A test-only client with the password grant, to get real tokens without a browser.
    admin.post("/clients", json={"clientId": CLIENT, "publicClient": False, "secret": "t-secret-tokens",
                                 "standardFlowEnabled": True, "directAccessGrantsEnabled": True,
                                 "redirectUris": ["http://127.0.0.1/cb"]})
    key, kid = import_rsa_key(php_realm)
    tmp = tmp_path_factory.mktemp("php-tokens")
    config = tmp / "satulogin.php"
    req = AppRequest(CLIENT, "Token tests", "codeigniter", ("http://127.0.0.1/cb",))
    write_private(config, render_codeigniter(req, AdapterSettings(php_realm.issuer, "t-secret-tokens")))
    config.write_text(config.read_text() + f"$config['satulogin_state_dir'] = '{tmp / 'state'}';\n")
    return {"key": key, "kid": kid, "config": config}


def base_claims(realm: PhpRealm, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": realm.issuer, "aud": CLIENT, "azp": CLIENT, "sub": "3b1f-user", "typ": "ID",
              "iat": now, "exp": now + 300, "nonce": NONCE, "nip": "198503152010012003"}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def forge(setup: dict[str, Any], claims: dict[str, Any], **header: Any) -> str:
    return sign_rs256({"alg": "RS256", "typ": "JWT", "kid": setup["kid"], **header}, claims, setup["key"])


def refusal(setup: dict[str, Any], token: str, kind: str = "id") -> str:
    out = run_validator(setup["config"], kind, token, NONCE) if kind == "id" else \
        run_validator(setup["config"], kind, token)
    assert not out["ok"], f"token accepted: {out}"
    return str(out["error"])


def test_a_genuine_token_is_accepted(php_realm: PhpRealm, setup: dict[str, Any]) -> None:
    out = run_validator(setup["config"], "id", forge(setup, base_claims(php_realm)), NONCE)
    assert out["ok"] and out["claims"]["nip"] == "198503152010012003"
    p = php_realm.pegawai
    real = php_realm.password_token(CLIENT, "t-secret-tokens", p.username, p.password)
    accepted = run_validator(setup["config"], "access", real["access_token"])
    assert accepted["ok"] and accepted["claims"]["preferred_username"] == p.username


def test_alg_none_is_refused(php_realm: PhpRealm, setup: dict[str, Any]) -> None:
    header = b64url(json.dumps({"alg": "none", "kid": setup["kid"]}).encode())
    payload = b64url(json.dumps(base_claims(php_realm)).encode())
    assert refusal(setup, f"{header}.{payload}.") == "unsupported_algorithm"


def test_hs256_with_the_public_key_as_secret_is_refused(php_realm: PhpRealm, setup: dict[str, Any]) -> None:
    import hashlib
    import hmac
    public_pem = setup["key"].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = (b64url(json.dumps({"alg": "HS256", "kid": setup["kid"]}).encode()) + "."
                     + b64url(json.dumps(base_claims(php_realm)).encode()))
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    assert refusal(setup, f"{signing_input}.{b64url(mac)}") == "unsupported_algorithm"


def test_a_token_signed_with_another_key_is_refused(php_realm: PhpRealm, setup: dict[str, Any]) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = sign_rs256({"alg": "RS256", "kid": setup["kid"]}, base_claims(php_realm), other)
    assert refusal(setup, token) == "bad_signature"
    assert refusal(setup, forge(setup, base_claims(php_realm), kid="not-a-realm-key")) == "unknown_key"


@pytest.mark.parametrize(("overrides", "error"), [
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3900}, "token_expired"),
    ({"nbf": int(time.time()) + 3600}, "token_not_yet_valid"),
    ({"iss": "http://127.0.0.1:18080/realms/lain"}, "invalid_issuer"),
    ({"aud": "aplikasi-lain", "azp": "aplikasi-lain"}, "invalid_audience"),
    ({"aud": [CLIENT, "aplikasi-lain"], "azp": "aplikasi-lain"}, "invalid_azp"),
    ({"nonce": None}, "invalid_nonce"),
    ({"nonce": "nonce-dari-login-lain"}, "invalid_nonce"),
])
def test_bad_claims_are_refused(php_realm: PhpRealm, setup: dict[str, Any], overrides: dict[str, Any],
                                error: str) -> None:
    assert refusal(setup, forge(setup, base_claims(php_realm, **overrides))) == error


def test_a_tampered_payload_is_refused(php_realm: PhpRealm, setup: dict[str, Any]) -> None:
    header, _, signature = forge(setup, base_claims(php_realm)).split(".")
    evil = b64url(json.dumps(base_claims(php_realm, nip="196001011985031001")).encode())
    assert refusal(setup, f"{header}.{evil}.{signature}") == "bad_signature"


def test_logout_tokens_are_checked(php_realm: PhpRealm, setup: dict[str, Any]) -> None:
    now = int(time.time())
    good = {"iss": php_realm.issuer, "aud": CLIENT, "iat": now, "exp": now + 60, "jti": "j1",
            "sid": "sid-1", "sub": "user-1",
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}}}
    assert run_validator(setup["config"], "logout", forge(setup, good))["ok"]
    assert refusal(setup, forge(setup, {**good, "nonce": "x"}), "logout") == "invalid_logout_token"
    no_event = {k: v for k, v in good.items() if k != "events"}
    assert refusal(setup, forge(setup, no_event), "logout") == "invalid_logout_token"
    assert refusal(setup, forge(setup, {**good, "aud": "lain"}), "logout") == "invalid_audience"


def test_validator_runs_on_the_oldest_supported_php_syntax(tmp_path: Path) -> None:
    # Guard against syntax newer than PHP 7.0 (nullable/void types, [..] = destructuring, ?->).
    import re
    root = Path(__file__).resolve().parents[1] / "client_adapters" / "codeigniter"
    newer = re.compile(r"\)\s*:\s*\??void|\(\s*\?[A-Za-z]|\?->|\bfn\s*\("
                       r"|^\s*\[[^\]]*\]\s*=[^=>]|\bmatch\s*\(", re.MULTILINE)
    offenders = [str(p) for p in root.rglob("*.php") if newer.search(p.read_text())]
    assert offenders == []
