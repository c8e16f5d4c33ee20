"""App factory of the mapping admin page: login through Banten Satu Login (``flask_satulogin``,
client ``admin-pemetaan``), only realm role ``sso-admin`` admitted."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from satulogin.kc_admin import AdminConnection, KeycloakAdmin
from satulogin.secrets import read_secret

from ..audit import AuditLog, default_audit_path
from ..service import default_rules_path
from .csrf import init_csrf
from .state_cache import StateCache

DEFAULT_PORT = 5200


def default_config() -> dict[str, Any]:
    return {
        "SATULOGIN_ISSUER": os.environ.get("SATULOGIN_ISSUER", "http://127.0.0.1:8080/realms/banten"),
        "SATULOGIN_CLIENT_ID": os.environ.get("SATULOGIN_CLIENT_ID", "admin-pemetaan"),
        "SATULOGIN_CLIENT_SECRET": read_secret("SATULOGIN_CLIENT_SECRET_ADMIN_PEMETAAN", required=False)
        or read_secret("SATULOGIN_CLIENT_SECRET", required=False),
        "MAPPING_REALM": os.environ.get("SATULOGIN_REALM", "banten"),
        "MAPPING_RULES": str(default_rules_path()),
        "MAPPING_AUDIT": str(default_audit_path()),
        "MAPPING_ADMIN_ROLE": "sso-admin",
        "MAPPING_STATE_TTL": 30.0,
        "MAPPING_MAX_REVOKE_SHARE": 0.10,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A restart without a configured key signs everyone out: fine for an admin tool.
        "SECRET_KEY": read_secret("MAPPING_SECRET_KEY", required=False) or secrets.token_hex(32),
    }


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from flask_satulogin import SatuLogin

    from . import views

    app = Flask(__name__)
    app.config.update(default_config())
    app.config.update(config or {})
    SatuLogin(app)
    init_csrf(app)
    conn = app.config.get("MAPPING_ADMIN_CONNECTION") or AdminConnection.from_env()
    admin = KeycloakAdmin(conn, app.config["MAPPING_REALM"])
    app.extensions["mapping"] = {
        "admin": admin,
        "cache": StateCache(admin, float(app.config["MAPPING_STATE_TTL"])),
        "audit": AuditLog(Path(app.config["MAPPING_AUDIT"])),
        "previews": {},
    }
    views.register(app)
    return app


def main() -> None:
    create_app().run(host="127.0.0.1", port=DEFAULT_PORT, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
