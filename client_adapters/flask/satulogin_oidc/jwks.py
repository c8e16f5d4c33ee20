"""The provider's signing keys, cached; refetched when a token names a ``kid`` we do not know
(that is how a key rotation in Keycloak reaches a running app without a restart)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey, import_key

from .errors import InvalidToken, ProviderError

SigningKey = RSAKey | ECKey


class JWKSCache:
    """Keys by ``kid``. An unknown ``kid`` triggers at most one refetch per
    ``min_refresh_interval`` seconds, so a stream of forged ``kid`` values cannot turn the app
    into a load generator against Keycloak."""

    def __init__(self, jwks_uri: str | Callable[[], str], http: requests.Session, *,
                 min_refresh_interval: float = 5.0, max_age: float = 3600.0, timeout: float = 10.0) -> None:
        self._jwks_uri = jwks_uri
        self._http = http
        self.min_refresh_interval = min_refresh_interval
        self.max_age = max_age
        self.timeout = timeout
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()
        self.fetch_count = 0
        #: Bumped whenever the published key set changes; caches of verified tokens key on it.
        self.generation = 0
        self._fingerprint = ""

    @property
    def jwks_uri(self) -> str:
        return self._jwks_uri() if callable(self._jwks_uri) else self._jwks_uri

    def key_for(self, kid: str) -> SigningKey:
        key = self._keys.get(kid)
        if key is not None and time.monotonic() - self._fetched_at < self.max_age:
            return key
        with self._lock:
            key = self._keys.get(kid)
            age = time.monotonic() - self._fetched_at
            if (key is None and age >= self.min_refresh_interval) or age >= self.max_age:
                self._refresh()
                key = self._keys.get(kid)
        if key is None:
            raise InvalidToken(
                f"kunci penandatangan token tidak dikenal / unknown signing key (kid {kid!r})",
                code="unknown_kid",
            )
        return key

    def _refresh(self) -> None:
        uri = self.jwks_uri
        try:
            resp = self._http.get(uri, timeout=self.timeout)
            resp.raise_for_status()
            data: dict[str, Any] = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderError(f"JWKS tidak bisa diambil / cannot fetch the JWKS at {uri}: {exc}") from exc
        keys: dict[str, SigningKey] = {}
        published = []
        for jwk in data.get("keys", []):
            # Keycloak also publishes encryption keys (use=enc); only signing keys verify tokens.
            if jwk.get("use", "sig") != "sig" or not jwk.get("kid") or jwk.get("kty") not in ("RSA", "EC"):
                continue
            try:
                key = import_key(jwk)
            except (JoseError, ValueError):
                continue
            if isinstance(key, RSAKey | ECKey):
                keys[jwk["kid"]] = key
                published.append(json.dumps(jwk, sort_keys=True))
        fingerprint = "\n".join(sorted(published))
        if fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            self.generation += 1
        self._keys = keys
        self._fetched_at = time.monotonic()
        self.fetch_count += 1
