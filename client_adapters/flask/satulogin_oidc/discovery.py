"""OpenID Provider metadata (OpenID Connect Discovery 1.0), fetched once and kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from .errors import ProviderError


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None
    introspection_endpoint: str | None = None
    userinfo_endpoint: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def fetch_metadata(issuer: str, http: requests.Session, *, timeout: float = 10.0) -> ProviderMetadata:
    """Fetch and check the metadata: its ``issuer`` must equal ours exactly (Discovery §4.3),
    otherwise a mix-up or a misconfigured reverse proxy would go unnoticed."""
    url = discovery_url(issuer)
    try:
        resp = http.get(url, timeout=timeout)
    except requests.RequestException as exc:
        raise ProviderError(
            f"Keycloak tidak bisa dihubungi / cannot reach Keycloak at {url}: {exc}"
        ) from exc
    if resp.status_code != 200:
        raise ProviderError(
            f"Keycloak menjawab HTTP {resp.status_code} untuk / answered HTTP {resp.status_code} for {url}; "
            "periksa SATULOGIN_ISSUER / check SATULOGIN_ISSUER"
        )
    try:
        data = resp.json()
    except ValueError as exc:
        raise ProviderError(f"metadata OIDC bukan JSON / OIDC metadata is not JSON: {url}") from exc
    if data.get("issuer") != issuer:
        raise ProviderError(
            f"issuer di metadata ({data.get('issuer')!r}) tidak sama dengan SATULOGIN_ISSUER ({issuer!r}) / "
            "the metadata issuer does not match SATULOGIN_ISSUER"
        )
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not data.get(k)]
    if missing:
        raise ProviderError(f"metadata OIDC tidak lengkap / OIDC metadata lacks: {', '.join(missing)}")
    return ProviderMetadata(
        issuer=data["issuer"],
        authorization_endpoint=data["authorization_endpoint"],
        token_endpoint=data["token_endpoint"],
        jwks_uri=data["jwks_uri"],
        end_session_endpoint=data.get("end_session_endpoint"),
        introspection_endpoint=data.get("introspection_endpoint"),
        userinfo_endpoint=data.get("userinfo_endpoint"),
        raw=data,
    )
