"""Adapter configuration files written by ``satulogin app register``.

The client secret goes only into the file written here (mode 0600) or into a separate secret
file the config references (``*_FILE``); it is never printed.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import SatuLoginError
from .client_repr import ROLES_CLAIM
from .request import AppRequest

DEFAULT_SCOPES = "openid profile email"
# Claims passed to a legacy app as OIDC_CLAIM_<name> headers (contracts: client scope pegawai).
HEADER_CLAIMS = ("nip", "name", "unit_kode", "unit_nama", "jabatan_kode", "jabatan_nama",
                 "eselon", "golongan", ROLES_CLAIM)


@dataclass(frozen=True)
class AdapterSettings:
    """Everything a config file needs besides the request itself."""

    issuer: str
    client_secret: str
    secret_file: Path | None = None  # when set, the config names this file instead of the secret


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only, also when the file existed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def render(req: AppRequest, settings: AdapterSettings) -> str:
    if req.adapter == "flask":
        return render_flask(req, settings)
    if req.adapter == "codeigniter":
        return render_codeigniter(req, settings)
    if req.adapter == "apache":
        return render_apache(req, settings)
    raise SatuLoginError(f"adapter {req.adapter!r} tidak dikenal / unknown")


def _py(value: str) -> str:
    return repr(value)


def render_flask(req: AppRequest, s: AdapterSettings) -> str:
    lines = [
        f"# Banten Satu Login: konfigurasi Flask untuk {req.client_id} (app.config.from_pyfile)",
        "# Berkas ini rahasia / this file is secret: jangan di-commit / never commit it.",
        f"SATULOGIN_ISSUER = {_py(s.issuer)}",
        f"SATULOGIN_CLIENT_ID = {_py(req.client_id)}",
    ]
    if s.secret_file:
        lines.append(f"SATULOGIN_CLIENT_SECRET_FILE = {_py(str(s.secret_file))}")
    else:
        lines.append(f"SATULOGIN_CLIENT_SECRET = {_py(s.client_secret)}")
    lines.append(f"SATULOGIN_SCOPES = {_py(DEFAULT_SCOPES)}")
    if req.post_logout_uris:
        lines.append(f"SATULOGIN_POST_LOGOUT_REDIRECT_URI = {_py(req.post_logout_uris[0])}")
    return "\n".join(lines) + "\n"


def _php(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def render_codeigniter(req: AppRequest, s: AdapterSettings) -> str:
    lines = [
        "<?php",
        "defined('BASEPATH') OR exit('No direct script access allowed');",
        f"// Banten Satu Login: konfigurasi CodeIgniter untuk {req.client_id}",
        "// Salin ke application/config/satulogin.php. Berkas ini rahasia: jangan di-commit.",
        f"$config['satulogin_issuer'] = {_php(s.issuer)};",
        f"$config['satulogin_client_id'] = {_php(req.client_id)};",
    ]
    if s.secret_file:
        lines.append(f"$config['satulogin_client_secret_file'] = {_php(str(s.secret_file))};")
    else:
        lines.append(f"$config['satulogin_client_secret'] = {_php(s.client_secret)};")
    lines += [
        f"$config['satulogin_redirect_uri'] = {_php(req.redirect_uris[0])};",
        f"$config['satulogin_post_logout_redirect_uri'] = "
        f"{_php(req.post_logout_uris[0] if req.post_logout_uris else '')};",
        f"$config['satulogin_scopes'] = {_php(DEFAULT_SCOPES)};",
        "// Folder for the JWKS cache and the sid -> session index (writable by the web server).",
        f"$config['satulogin_state_dir'] = sys_get_temp_dir() . '/satulogin-{req.client_id}';",
    ]
    return "\n".join(lines) + "\n"


def crypto_passphrase() -> str:
    return secrets.token_urlsafe(32)


def render_apache(req: AppRequest, s: AdapterSettings, passphrase: str | None = None) -> str:
    redirect = urlsplit(req.redirect_uris[0])
    redirect_path = redirect.path or "/redirect_uri"
    post_logout = req.post_logout_uris[0] if req.post_logout_uris else ""
    lines = [
        f"# Banten Satu Login: mod_auth_openidc untuk {req.client_id} ({req.name})",
        "# Berkas ini rahasia (client secret, passphrase) / secret file: mode 0600, never commit.",
        "# Include it inside the <VirtualHost> of the app (or at server level).",
        f'OIDCProviderMetadataURL "{s.issuer}/.well-known/openid-configuration"',
        f'OIDCClientID "{req.client_id}"',
        f'OIDCClientSecret "{s.client_secret}"',
        f'OIDCRedirectURI "{req.redirect_uris[0]}"',
        f'OIDCCryptoPassphrase "{passphrase or crypto_passphrase()}"',
        "OIDCProviderTokenEndpointAuth client_secret_basic",
        "OIDCResponseType code",
        "OIDCPKCEMethod S256",
        f'OIDCScope "{DEFAULT_SCOPES}"',
        "OIDCRemoteUserClaim preferred_username",
        "# Claims reach the app as OIDC_CLAIM_nip, OIDC_CLAIM_roles (comma-separated), ... (headers and env)",
        "# mod_auth_openidc removes such headers when a browser sends them itself.",
        # both: headers for a proxied app, environment variables for CGI/PHP on this server (Apache drops
        # header names with '_' from a CGI environment).
        "OIDCPassClaimsAs both",
        'OIDCClaimDelimiter ","',
        "OIDCPassIDTokenAs claims",
        "OIDCProviderBackChannelLogoutSupported On",
        "OIDCSessionInactivityTimeout 3600",
        "OIDCStateTimeout 300",
        "OIDCUnAutzAction 403",
    ]
    if post_logout:
        lines.append(f'OIDCDefaultLoggedOutURL "{post_logout}"')
    lines += [
        "",
        "# The vanity redirect URI (callback, logout, back-channel logout) must itself be protected.",
        f"<Location \"{redirect_path}\">",
        "    AuthType openid-connect",
        "    Require valid-user",
        "</Location>",
    ]
    # Longer paths last: Apache merges <Location> sections in order, so /admin overrides /.
    for path, roles in sorted(req.protected_locations(), key=lambda item: len(item[0])):
        lines += ["", f'<Location "{path}">', "    AuthType openid-connect",
                  "    AuthzSendForbiddenOnFailure On"]
        if roles:
            lines.append("    <RequireAny>")
            lines += [f"        Require claim {ROLES_CLAIM}:{role}" for role in roles]
            lines.append("    </RequireAny>")
        else:
            lines.append("    Require valid-user")
        lines.append(
            '    ErrorDocument 403 "<html><body><h1>Akses ditolak / Access denied</h1>'
            "<p>Akun Anda belum memiliki peran untuk halaman ini. Hubungi admin SSO OPD Anda. "
            "/ Your account has no role for this page; ask your SSO admin.</p>"
            f'<p><a href={redirect_path}?logout={post_logout or "/"}>Keluar / Log out</a></p></body></html>"'
        )
        lines.append("</Location>")
    lines += ["", f"# Logout link for the app: {redirect_path}?logout={post_logout or '/'}"]
    return "\n".join(lines) + "\n"
