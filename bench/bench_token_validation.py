"""Bearer-token validation: validations per second per core, in one run, of

1. ``satulogin_oidc.TokenValidator.validate_access_token`` (the Flask adapter's check) —
   *cold*: every token new to the validator (signature verified each time), and *warm*: an API
   client presenting the same token again (the common case; claims still checked every call);
2. a raw RSA-2048 PKCS#1 v1.5 / SHA-256 signature verification with ``cryptography`` alone;
3. Keycloak's token introspection endpoint, one HTTP request per validation.

Targets (issue 5): ours ≥ 0.5 × raw verify, ≥ 50 × introspection.

Rates for 1 and 2 are per CPU-second of the measuring thread (``time.thread_time``), which is
what "per core" means and keeps the figure honest on a busy shared machine; rounds are
interleaved and the median is reported. Introspection is wall-clock, sequential, keep-alive:
what one app worker would see.

    .venv/bin/python bench/bench_token_validation.py [--rounds 7] [--tokens 300] [--json out.json]

Keycloak: the local test instance (``SATULOGIN_TEST_KC_INSTANCE``/``_PORT``, default test/18080),
or ``KEYCLOAK_URL`` + ``KEYCLOAK_ADMIN_PASSWORD[_FILE]``. A throw-away realm ``t-flask-bench-*``
is created and deleted.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from satulogin_oidc import JWKSCache, TokenValidator, fetch_metadata  # noqa: E402

from satulogin.kc_admin import AdminConnection, KeycloakAdmin, server_connection  # noqa: E402


def admin_connection() -> AdminConnection:
    if os.environ.get("KEYCLOAK_URL"):
        return AdminConnection.from_env()
    from satulogin.keycloak_server import KeycloakServer, ServerConfig

    port = int(os.environ.get("SATULOGIN_TEST_KC_PORT", "18080"))
    server = KeycloakServer(ServerConfig(instance=os.environ.get("SATULOGIN_TEST_KC_INSTANCE", "test"),
                                         http_port=port, management_port=port + 1000))
    return server_connection(server)


def make_realm(admin: KeycloakAdmin) -> tuple[str, str, str]:
    """A realm with an API client and a caller whose tokens are addressed to it."""
    admin.request("POST", "/realms", realm_scoped=False, json={"realm": admin.realm, "enabled": True,
                                                                "accessTokenLifespan": 900})
    api_secret, caller_secret = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    admin.post("/clients", json={"clientId": "bench-api", "publicClient": False, "secret": api_secret,
                                 "standardFlowEnabled": False, "serviceAccountsEnabled": False})
    admin.post("/clients", json={
        "clientId": "bench-caller", "publicClient": False, "secret": caller_secret,
        "standardFlowEnabled": False, "serviceAccountsEnabled": True,
        "protocolMappers": [{"name": "aud", "protocol": "openid-connect",
                             "protocolMapper": "oidc-audience-mapper",
                             "config": {"included.client.audience": "bench-api",
                                        "access.token.claim": "true"}}],
    })
    return api_secret, caller_secret, "bench-api"


def cpu_rate(fn: Callable[[], Any], n: int) -> float:
    start = time.thread_time()
    for _ in range(n):
        fn()
    return n / max(time.thread_time() - start, 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tokens", type=int, default=300, help="distinct Keycloak tokens for the cold run")
    parser.add_argument("--introspections", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    conn = admin_connection()
    realm = f"t-flask-bench-{secrets.token_hex(3)}"
    admin = KeycloakAdmin(conn, realm)
    try:
        api_secret, caller_secret, audience = make_realm(admin)
        issuer = f"{conn.server_url}/realms/{realm}"
        http = requests.Session()
        meta = fetch_metadata(issuer, http)
        tokens = []
        for _ in range(args.tokens):
            resp = http.post(meta.token_endpoint, data={"grant_type": "client_credentials",
                                                        "client_id": "bench-caller",
                                                        "client_secret": caller_secret}, timeout=30)
            resp.raise_for_status()
            tokens.append(resp.json()["access_token"])
        token = tokens[0]

        jwks = JWKSCache(meta.jwks_uri, http)
        cold = TokenValidator(issuer, audience, jwks, cache_size=0)
        warm = TokenValidator(issuer, audience, jwks)
        assert cold.validate_access_token(token)["azp"] == "bench-caller"
        warm.validate_access_token(token)

        header_b64, payload_b64, sig_b64 = token.split(".")
        signing_input = f"{header_b64}.{payload_b64}".encode()
        signature = base64.urlsafe_b64decode(sig_b64 + "=" * (-len(sig_b64) % 4))
        kid = json.loads(base64.urlsafe_b64decode(header_b64 + "=" * (-len(header_b64) % 4)))["kid"]
        public_key = jwks.key_for(kid).public_key
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise SystemExit("the realm's signing key is not RSA; this benchmark compares RSA-2048")
        pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()

        def raw() -> None:
            public_key.verify(signature, signing_input, pkcs1, sha256)

        cursor = {"i": 0}

        def ours_cold() -> None:
            cursor["i"] = (cursor["i"] + 1) % len(tokens)
            cold.validate_access_token(tokens[cursor["i"]])

        def ours_warm() -> None:
            warm.validate_access_token(token)

        def introspect() -> None:
            resp = http.post(meta.introspection_endpoint or "", data={"token": token},
                             auth=("bench-api", api_secret), timeout=30)
            if not resp.json().get("active"):
                raise RuntimeError("introspection says inactive")

        results: dict[str, list[float]] = {"raw": [], "cold": [], "warm": [], "introspection": []}
        per_round = max(200, args.tokens)
        for _ in range(args.rounds):
            results["raw"].append(cpu_rate(raw, per_round))
            results["cold"].append(cpu_rate(ours_cold, per_round))
            results["warm"].append(cpu_rate(ours_warm, per_round * 10))
        n = args.introspections
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(n // 3):
                introspect()
            results["introspection"].append((n // 3) / (time.perf_counter() - start))
        med = {k: statistics.median(v) for k, v in results.items()}
        report = {
            "keycloak": conn.server_url, "cpu_count": os.cpu_count(), "rounds": args.rounds,
            "validations_per_s": {k: round(v, 1) for k, v in med.items()},
            "ratio_vs_raw": {"cold": round(med["cold"] / med["raw"], 3),
                             "warm": round(med["warm"] / med["raw"], 3)},
            "ratio_vs_introspection": {"cold": round(med["cold"] / med["introspection"], 1),
                                       "warm": round(med["warm"] / med["introspection"], 1)},
            "jwks_fetches": jwks.fetch_count,
        }
    finally:
        admin.request("DELETE", "", ok=(404,))
        admin.close()

    v = report["validations_per_s"]
    print(f"Keycloak {report['keycloak']}, {report['cpu_count']} CPUs, median of {args.rounds} rounds")
    print(f"{'method':<48}{'validations/s/core':>20}")
    print(f"{'raw RSA-2048 verify (cryptography)':<48}{v['raw']:>20,.0f}")
    print(f"{'satulogin_oidc, cold (new token, sig verified)':<48}{v['cold']:>20,.0f}")
    print(f"{'satulogin_oidc, warm (token seen before)':<48}{v['warm']:>20,.0f}")
    print(f"{'Keycloak introspection (HTTP per request)':<48}{v['introspection']:>20,.1f}")
    r, q = report["ratio_vs_raw"], report["ratio_vs_introspection"]
    print(f"ours / raw verify:     cold {r['cold']:.2f}x  warm {r['warm']:.2f}x   (target >= 0.5x)")
    print(f"ours / introspection:  cold {q['cold']:.0f}x  warm {q['warm']:.0f}x   (target >= 50x)")
    print(f"JWKS fetched {report['jwks_fetches']} time(s) for the whole run")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
