"""``SATULOGIN_*`` keys of ``app.config`` → :class:`ClientSettings`. Every problem is reported
at once (oauth2-proxy's way), so an app team fixes its config in one go."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from satulogin_oidc import ClientSettings, ConfigurationError, MemorySessionStore, SessionStore
from satulogin_oidc.sqlite_store import SqliteSessionStore

DEFAULTS: dict[str, Any] = {
    "SATULOGIN_SCOPES": "openid profile email",
    "SATULOGIN_SESSION_STORE": "memory",
    "SATULOGIN_URL_PREFIX": "/auth",
    "SATULOGIN_POST_LOGOUT_REDIRECT_URI": None,
    "SATULOGIN_LEEWAY": 30,
    "SATULOGIN_JWKS_MIN_REFRESH_INTERVAL": 5.0,
    "SATULOGIN_HTTP_TIMEOUT": 10.0,
    "SATULOGIN_REFRESH_MARGIN": 10.0,
    # Paths under this prefix answer JSON errors instead of HTML pages.
    "SATULOGIN_API_PREFIX": "/api/",
    # Audience a bearer token must carry; default: the client id.
    "SATULOGIN_BEARER_AUDIENCE": None,
}


def _secret(config: Mapping[str, Any], problems: list[str]) -> str:
    secret = config.get("SATULOGIN_CLIENT_SECRET")
    path = config.get("SATULOGIN_CLIENT_SECRET_FILE")
    if secret:
        return str(secret)
    if path:
        try:
            return Path(str(path)).read_text(encoding="utf-8").strip()
        except OSError as exc:
            problems.append(f"SATULOGIN_CLIENT_SECRET_FILE {path} tidak bisa dibaca / cannot be read: "
                            f"{exc.strerror}")
            return ""
    problems.append("SATULOGIN_CLIENT_SECRET atau / or SATULOGIN_CLIENT_SECRET_FILE "
                    "wajib diisi / is required")
    return ""


def load_settings(config: Mapping[str, Any]) -> ClientSettings:
    problems: list[str] = []
    issuer = str(config.get("SATULOGIN_ISSUER") or "")
    client_id = str(config.get("SATULOGIN_CLIENT_ID") or "")
    if not issuer:
        problems.append("SATULOGIN_ISSUER wajib diisi / is required (e.g. https://sso.bantenprov.go.id/realms/banten)")
    else:
        parsed = urlparse(issuer)
        local = parsed.hostname in ("localhost", "127.0.0.1", "::1")
        if parsed.scheme != "https" and not (parsed.scheme == "http" and local):
            problems.append(f"SATULOGIN_ISSUER harus https / must be https outside localhost: {issuer}")
    if not client_id:
        problems.append("SATULOGIN_CLIENT_ID wajib diisi / is required")
    secret = _secret(config, problems)
    scopes_raw = config.get("SATULOGIN_SCOPES") or DEFAULTS["SATULOGIN_SCOPES"]
    scopes = tuple(scopes_raw.split() if isinstance(scopes_raw, str) else scopes_raw)
    if "openid" not in scopes:
        problems.append(f"SATULOGIN_SCOPES harus memuat 'openid' / must include 'openid': {' '.join(scopes)}")
    numbers: dict[str, float] = {}
    for key in ("SATULOGIN_LEEWAY", "SATULOGIN_JWKS_MIN_REFRESH_INTERVAL", "SATULOGIN_HTTP_TIMEOUT",
                "SATULOGIN_REFRESH_MARGIN"):
        raw = config.get(key, DEFAULTS[key])
        try:
            numbers[key] = float(raw)
        except (TypeError, ValueError):
            problems.append(f"{key} harus angka / must be a number: {raw!r}")
            numbers[key] = float(DEFAULTS[key])
    if problems:
        raise ConfigurationError(problems)
    return ClientSettings(
        issuer=issuer, client_id=client_id, client_secret=secret, scopes=scopes,
        leeway=int(numbers["SATULOGIN_LEEWAY"]),
        jwks_min_refresh_interval=numbers["SATULOGIN_JWKS_MIN_REFRESH_INTERVAL"],
        http_timeout=numbers["SATULOGIN_HTTP_TIMEOUT"],
        refresh_margin=numbers["SATULOGIN_REFRESH_MARGIN"],
    )


def make_store(spec: Any) -> SessionStore:
    """``memory``, ``sqlite:///path/to/file.db``, a path ending in .db/.sqlite, or a store object."""
    if isinstance(spec, SessionStore):
        return spec
    text = str(spec or "memory")
    if text == "memory":
        return MemorySessionStore()
    if text.startswith("sqlite:///"):
        return SqliteSessionStore(text[len("sqlite:///"):])
    if text.endswith((".db", ".sqlite", ".sqlite3")):
        return SqliteSessionStore(text)
    raise ConfigurationError([
        f"SATULOGIN_SESSION_STORE tidak dikenal / unknown: {text!r} "
        "(pakai / use 'memory' atau / or 'sqlite:///path/sessions.db')"
    ])
