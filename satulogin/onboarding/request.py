"""What an SSO admin asks for when registering an app, validated before anything is sent.

Every problem is reported at once (oauth2-proxy style), naming the field, so an admin fixes the
command line in one go.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import ConfigError

ADAPTERS = ("flask", "codeigniter", "apache")
CLIENT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")
ROLE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class AppRequest:
    client_id: str
    name: str
    adapter: str
    redirect_uris: tuple[str, ...]
    post_logout_uris: tuple[str, ...] = ()
    backchannel_logout_url: str | None = None
    roles: tuple[str, ...] = ()
    # Apache only: which paths mod_auth_openidc protects and which app roles may pass.
    protected_paths: tuple[str, ...] = ("/",)
    required_roles: tuple[str, ...] = field(default_factory=tuple)

    def validate(self) -> None:
        """Raise :class:`ConfigError` listing every problem, or return quietly."""
        problems = list(self.problems())
        if problems:
            raise ConfigError(f"aplikasi / app {self.client_id!r}", problems)

    def problems(self) -> list[str]:
        out: list[str] = []
        if not CLIENT_ID_RE.match(self.client_id):
            out.append(f"client-id {self.client_id!r}: hanya huruf kecil, angka, '-' atau '_', 2-63 karakter "
                       "/ only lowercase letters, digits, '-' or '_', 2-63 characters")
        if not self.name.strip():
            out.append("--name: nama aplikasi wajib diisi / the app name is required")
        if self.adapter not in ADAPTERS:
            out.append(f"--adapter {self.adapter!r}: pilih / choose one of {', '.join(ADAPTERS)}")
        if not self.redirect_uris:
            out.append("--redirect-uri: minimal satu / at least one is required")
        for label, uris in (("--redirect-uri", self.redirect_uris),
                            ("--post-logout-uri", self.post_logout_uris)):
            seen: set[str] = set()
            for uri in uris:
                out.extend(f"{label} {uri!r}: {p}" for p in uri_problems(uri))
                if uri in seen:
                    out.append(f"{label} {uri!r}: ganda / listed twice")
                seen.add(uri)
        if self.backchannel_logout_url:
            out.extend(f"--backchannel-logout-url {self.backchannel_logout_url!r}: {p}"
                       for p in uri_problems(self.backchannel_logout_url, allow_query=True))
        for role in (*self.roles, *self.required_roles):
            if not ROLE_RE.match(role):
                out.append(f"--role {role!r}: nama peran tidak valid / invalid role name "
                           "(letters, digits, '.', '-', '_')")
        for role in self.required_roles:
            if role not in self.roles:
                out.append(f"--require-role {role!r}: bukan peran aplikasi ini "
                           "/ not one of this app's --role")
        for path, path_roles in self.protected_locations():
            out.extend(f"--protect {path!r}: peran {role!r} bukan --role aplikasi ini "
                       "/ not one of this app's roles" for role in path_roles if role not in self.roles)
            if not path.startswith("/") or any(c in path for c in ' "<>\n'):
                out.append(f"--protect {path!r}: harus path absolut seperti /admin "
                           "/ must be an absolute path")
        return out


    def protected_locations(self) -> list[tuple[str, tuple[str, ...]]]:
        """``--protect /admin=admin,operator`` -> ("/admin", ("admin", "operator")); a bare path
        takes ``--require-role`` (or any logged-in user when that is empty)."""
        out = []
        for spec in self.protected_paths:
            path, sep, roles = spec.partition("=")
            chosen = tuple(r for r in roles.split(",") if r) if sep else self.required_roles
            out.append((path, chosen))
        return out


def uri_problems(uri: str, *, allow_query: bool = True) -> list[str]:
    """Why ``uri`` is not an acceptable exact redirect/logout URI (empty list when it is)."""
    out: list[str] = []
    if "*" in uri:
        out.append("wildcard '*' tidak diizinkan, daftarkan URI persis "
                   "/ wildcards are refused: list exact URIs")
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        out.append("harus URL http(s) lengkap / must be an absolute http(s) URL")
        return out
    if parts.scheme == "http" and not _is_loopback(host):
        out.append("http biasa hanya untuk localhost/127.0.0.1, gunakan https "
                   "/ plain http only on localhost, use https")
    if parts.fragment:
        out.append("fragmen '#' tidak diizinkan / a fragment is not allowed")
    if parts.username or parts.password:
        out.append("user:password di URL tidak diizinkan / credentials in the URL are not allowed")
    if parts.query and not allow_query:
        out.append("query string tidak diizinkan / a query string is not allowed")
    return out


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
