"""Bearer-token protection of the sample app's JSON API, and the ID/logout token checks.

Forged tokens are built here with joserfc and cryptography. Tokens that must fail *only* on a
claim are signed with the realm's test key (published in the realm's JWKS), so a refusal proves
the claim check, not a signature failure."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc import jwt
from joserfc.jwk import RSAKey
from satulogin_oidc import BACKCHANNEL_LOGOUT_EVENT, InvalidToken, SessionRecord

from tests.fixtures.oidc import SAMPLE_CLIENT, SampleApp


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def kid_of(token: str) -> str:
    part = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))["kid"])


def payload_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def sign(app: SampleApp, claims: dict[str, Any], *, kid: str | None = None,
         key: rsa.RSAPrivateKey | None = None) -> str:
    pem = (key or app.realm.test_key).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return jwt.encode({"alg": "RS256", "kid": kid or app.realm.test_kid}, claims, RSAKey.import_key(pem))


def good_claims(app: SampleApp, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": app.realm.issuer, "aud": [SAMPLE_CLIENT], "sub": "6f1c0b8e-test", "typ": "Bearer",
              "azp": "t-flask-api-caller", "iat": now, "exp": now + 120, "jti": f"t-{now}",
              "preferred_username": "service-account-t-flask-api-caller",
              "resource_access": {SAMPLE_CLIENT: {"roles": ["api-read"]}}}
    claims.update(changes)
    return claims


def call(app: SampleApp, token: str, path: str = "/api/me") -> requests.Response:
    return requests.get(f"{app.url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def realm_rs256_kid_and_pem(app: SampleApp) -> tuple[str, bytes]:
    """The realm's active Keycloak-generated RS256 key (the one that signs real tokens)."""
    kid = kid_of(app.realm.api_caller_token()["access_token"])
    jwks = requests.get(f"{app.realm.issuer}/protocol/openid-connect/certs", timeout=10).json()
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    pem = RSAKey.import_key(jwk).public_key.public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return kid, pem


def test_keycloak_service_account_token_is_accepted(flask_sample_app: SampleApp) -> None:
    token = flask_sample_app.realm.api_caller_token()["access_token"]
    resp = call(flask_sample_app, token)
    assert resp.status_code == 200, resp.text
    assert resp.json()["username"] == "service-account-t-flask-api-caller"
    assert call(flask_sample_app, token, "/api/laporan").status_code == 200


def test_published_test_key_with_good_claims_is_accepted(flask_sample_app: SampleApp) -> None:
    # the control for the claim cases below: same key, valid claims → accepted
    assert call(flask_sample_app, sign(flask_sample_app, good_claims(flask_sample_app))).status_code == 200


def forge_alg_none(app: SampleApp) -> str:
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": app.realm.test_kid}).encode())
    return f"{header}.{b64(json.dumps(good_claims(app)).encode())}."


def forge_hs256_with_public_key(app: SampleApp) -> str:
    kid, pem = realm_rs256_kid_and_pem(app)
    signing_input = (b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode()) + "."
                     + b64(json.dumps(good_claims(app)).encode()))
    mac = hmac.HMAC(pem, hashes.SHA256())
    mac.update(signing_input.encode())
    return f"{signing_input}.{b64(mac.finalize())}"


def forge_wrong_key(app: SampleApp) -> str:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return sign(app, good_claims(app), key=stranger)  # claims the test key's kid


def forge_unknown_kid(app: SampleApp) -> str:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return sign(app, good_claims(app), key=stranger, kid="kid-nobody-published")


def forge_tampered(app: SampleApp) -> str:
    header, payload, signature = app.realm.api_caller_token()["access_token"].split(".")
    claims = payload_of(f"{header}.{payload}.{signature}")
    claims["resource_access"] = {SAMPLE_CLIENT: {"roles": ["api-read", "pimpinan"]}}
    return f"{header}.{b64(json.dumps(claims).encode())}.{signature}"


def sign_raw(app: SampleApp, header: Any, payload: bytes) -> str:
    """Signed with the published test key, whatever the header and payload say."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(payload)}"
    signature = app.realm.test_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def forge_critical_header(app: SampleApp) -> str:
    # An extension the validator does not understand, marked critical (RFC 7515 §4.1.11).
    header = {"alg": "RS256", "kid": app.realm.test_kid, "crit": ["exp"], "exp": 1}
    return sign_raw(app, header, json.dumps(good_claims(app)).encode())


def forge_unencoded_payload(app: SampleApp) -> str:
    # RFC 7797: the payload travels as is; Keycloak never issues it.
    header = {"alg": "RS256", "kid": app.realm.test_kid, "b64": False, "crit": ["b64"]}
    return sign_raw(app, header, json.dumps(good_claims(app)).encode())


def forge_padded_signature(app: SampleApp) -> str:
    token = sign(app, good_claims(app))
    return token + "=" * (-len(token.split(".")[2]) % 4 or 4)


NOW = int(time.time())
CASES: dict[str, tuple[Any, str]] = {
    "critical_header": (forge_critical_header, "malformed"),
    "exp_beyond_any_date": (lambda app: sign(app, good_claims(app, exp=10**400)), "invalid_exp"),
    "claims_nested_past_the_parser": (
        lambda app: sign_raw(app, {"alg": "RS256", "kid": app.realm.test_kid}, b"[" * 3000 + b"]" * 3000),
        "malformed"),
    "unencoded_payload": (forge_unencoded_payload, "malformed"),
    "padded_signature": (forge_padded_signature, "malformed"),
    "header_not_an_object": (lambda app: sign_raw(app, ["RS256", app.realm.test_kid],
                                                   json.dumps(good_claims(app)).encode()), "malformed"),
    "claims_not_an_object": (lambda app: sign_raw(app, {"alg": "RS256", "kid": app.realm.test_kid},
                                                   json.dumps([good_claims(app)]).encode()), "malformed"),
    "claims_in_utf16": (lambda app: sign_raw(app, {"alg": "RS256", "kid": app.realm.test_kid},
                                              json.dumps(good_claims(app)).encode("utf-16")), "malformed"),
    "signature_outside_base64url": (lambda app: sign(app, good_claims(app))[:-2] + "+A", "malformed"),
    "claims_not_json": (lambda app: sign_raw(app, {"alg": "RS256", "kid": app.realm.test_kid}, b"\xff{"),
                        "malformed"),
    "alg_none": (forge_alg_none, "alg_not_allowed"),
    "hs256_public_key_as_secret": (forge_hs256_with_public_key, "alg_not_allowed"),
    "wrong_key": (forge_wrong_key, "bad_signature"),
    "unknown_kid": (forge_unknown_kid, "unknown_kid"),
    "tampered_payload": (forge_tampered, "bad_signature"),
    "expired": (lambda app: sign(app, good_claims(app, iat=NOW - 600, exp=NOW - 300)), "expired"),
    "not_yet_valid": (lambda app: sign(app, good_claims(app, nbf=int(time.time()) + 600)), "invalid_nbf"),
    "issued_in_future": (lambda app: sign(app, good_claims(app, iat=int(time.time()) + 600)), "invalid_iat"),
    "wrong_iss": (lambda app: sign(app, good_claims(app, iss="http://127.0.0.1:18080/realms/master")),
                  "invalid_iss"),
    "wrong_aud": (lambda app: sign(app, good_claims(app, aud=["account", "another-app"])), "invalid_aud"),
    "no_exp": (lambda app: sign(app, {k: v for k, v in good_claims(app).items() if k != "exp"}),
               "missing_claim"),
    "refresh_or_id_token_type": (lambda app: sign(app, good_claims(app, typ="ID")), "wrong_token_type"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_forged_or_broken_bearer_token_is_refused(flask_sample_app: SampleApp, case: str) -> None:
    forge, code = CASES[case]
    resp = call(flask_sample_app, forge(flask_sample_app))
    assert resp.status_code == 401, resp.text
    assert resp.json()["error"] == code
    assert resp.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_missing_or_malformed_authorization_header_is_refused(flask_sample_app: SampleApp) -> None:
    assert requests.get(f"{flask_sample_app.url}/api/me", timeout=10).status_code == 401
    assert call(flask_sample_app, "not-a-jwt").json()["error"] == "malformed"


def test_token_without_the_required_client_role_gets_403(flask_sample_app: SampleApp) -> None:
    token = sign(flask_sample_app, good_claims(flask_sample_app, resource_access={}))
    resp = call(flask_sample_app, token, "/api/laporan")
    assert resp.status_code == 403 and resp.json()["error"] == "insufficient_scope"


def test_id_token_nonce_is_required_and_must_match(flask_sample_app: SampleApp) -> None:
    validator = flask_sample_app.state.client.validator
    claims = good_claims(flask_sample_app, typ="ID", aud=SAMPLE_CLIENT, azp=SAMPLE_CLIENT)
    with pytest.raises(InvalidToken) as missing:
        validator.validate_id_token(sign(flask_sample_app, claims), nonce="n-0S6_WzA2Mj")
    assert missing.value.code == "missing_nonce"
    with pytest.raises(InvalidToken) as wrong:
        validator.validate_id_token(sign(flask_sample_app, {**claims, "nonce": "other"}),
                                    nonce="n-0S6_WzA2Mj")
    assert wrong.value.code == "invalid_nonce"
    ok = validator.validate_id_token(sign(flask_sample_app, {**claims, "nonce": "n-0S6_WzA2Mj"}),
                                     nonce="n-0S6_WzA2Mj")
    assert ok["sub"] == "6f1c0b8e-test"
    with pytest.raises(InvalidToken) as other_azp:
        validator.validate_id_token(sign(flask_sample_app, {**claims, "azp": "someone-else", "nonce": "x"}),
                                    nonce="x")
    assert other_azp.value.code == "invalid_azp"


def _record(session_id: str, sub: str, sid: str | None) -> SessionRecord:
    return SessionRecord(session_id=session_id, sub=sub, sid=sid, id_token="x", access_token="x",
                         refresh_token=None, access_expires_at=time.time() + 600, refresh_expires_at=None,
                         claims={"sub": sub})


def _logout_token(app: SampleApp, **claims: Any) -> str:
    now = int(time.time())
    base = {"iss": app.realm.issuer, "aud": SAMPLE_CLIENT, "iat": now, "exp": now + 60, "jti": f"lt-{now}",
            "typ": "Logout", "events": {BACKCHANNEL_LOGOUT_EVENT: {}}}
    base.update(claims)
    return sign(app, {k: v for k, v in base.items() if v is not None})


def test_backchannel_logout_token_ends_sessions_by_sid_else_by_sub(flask_sample_app: SampleApp) -> None:
    app = flask_sample_app
    store = app.state.store
    url = f"{app.url}/auth/backchannel-logout"
    store.save(_record("s-1", "user-a", "sid-1"))
    store.save(_record("s-2", "user-a", "sid-2"))
    store.save(_record("s-3", "user-b", "sid-3"))
    assert requests.post(url, data={"logout_token": _logout_token(app, sid="sid-1", sub="user-a")},
                         timeout=10).status_code == 200
    assert store.get("s-1") is None and store.get("s-2") is not None
    resp = requests.post(url, data={"logout_token": _logout_token(app, sub="user-a")}, timeout=10)
    assert resp.status_code == 200
    assert store.get("s-2") is None and store.get("s-3") is not None
    refused = {
        "nonce": _logout_token(app, sub="user-b", nonce="abc"),
        "no events": _logout_token(app, sub="user-b", events=None),
        "no sid/sub": _logout_token(app),
        "wrong aud": _logout_token(app, sub="user-b", aud="another-app"),
    }
    for why, token in refused.items():
        resp = requests.post(url, data={"logout_token": token}, timeout=10)
        assert resp.status_code == 400, why
    assert store.get("s-3") is not None
    store.delete("s-3")


def test_key_rotation_in_keycloak_is_followed_without_restart(flask_sample_app: SampleApp) -> None:
    app = flask_sample_app
    before = app.realm.api_caller_token()["access_token"]
    assert call(app, before).status_code == 200
    old_kid = kid_of(before)
    fetches = app.state.client.jwks.fetch_count
    realm_id = app.realm.admin.get("")["id"]
    app.realm.admin.post("/components", json={
        "name": f"t-flask-rotated-{int(time.time())}", "providerId": "rsa-generated",
        "providerType": "org.keycloak.keys.KeyProvider", "parentId": realm_id,
        "config": {"priority": ["1000"], "keySize": ["2048"], "algorithm": ["RS256"],
                   "active": ["true"], "enabled": ["true"]},
    })
    time.sleep(0.6)  # past the app's minimum JWKS refetch interval (0.5 s in the fixture)
    after = app.realm.api_caller_token()["access_token"]
    new_kid = kid_of(after)
    assert new_kid != old_kid
    resp = call(app, after)
    assert resp.status_code == 200, resp.text
    assert app.state.client.jwks.fetch_count > fetches
    assert call(app, before).status_code == 200  # the old key is still published: its tokens stay valid
