"""Dashboard Pimpinan: the demo app of Banten Satu Login and the reference for app teams.

    from flask_demo_app import create_app
    app = create_app()              # config from SATULOGIN_* / DASHBOARD_* environment variables
    python -m flask_demo_app        # serve on 127.0.0.1:5100
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Flask

from satulogin.secrets import read_secret

from .catalogue import DEFAULT_CATALOGUE

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5100
ENV_KEYS = ("SATULOGIN_ISSUER", "SATULOGIN_CLIENT_ID", "SATULOGIN_CLIENT_SECRET",
            "SATULOGIN_CLIENT_SECRET_FILE", "SATULOGIN_REDIRECT_URI", "DASHBOARD_APPS_FILE",
            "DASHBOARD_SIMPEG_DB", "DASHBOARD_SYNC_LOG", "DASHBOARD_SYNC_REALM", "DASHBOARD_STAFF_TTL",
            "DASHBOARD_MAPPING_RULES")


def default_config() -> dict[str, Any]:
    config: dict[str, Any] = {
        "SATULOGIN_ISSUER": "http://127.0.0.1:8080/realms/banten",
        "SATULOGIN_CLIENT_ID": "dashboard-pimpinan",
        "DASHBOARD_APPS_FILE": str(DEFAULT_CATALOGUE),
        "DASHBOARD_STAFF_TTL": 60,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }
    config.update({key: os.environ[key] for key in ENV_KEYS if os.environ.get(key)})
    if "SATULOGIN_CLIENT_SECRET" not in config and "SATULOGIN_CLIENT_SECRET_FILE" not in config:
        # The name realm/banten's declaration uses for this client's secret (satulogin up sets it).
        declared = read_secret("SATULOGIN_CLIENT_SECRET_DASHBOARD_PIMPINAN", required=False)
        if declared:
            config["SATULOGIN_CLIENT_SECRET"] = declared
    # A restart without a configured key logs everyone out: acceptable for the demo only.
    config["SECRET_KEY"] = os.environ.get("DASHBOARD_SECRET_KEY") or secrets.token_hex(32)
    return config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The app factory. ``config`` overrides the environment (tests and ``satulogin up``)."""
    from . import auth, views
    from .hr_data import staff_data_from_config

    app = Flask(__name__)
    app.config.update(default_config())
    app.config.update(config or {})
    auth.init_auth(app)
    app.extensions["dashboard_staff"] = staff_data_from_config(app.config)
    views.register(app)
    return app


def run(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, config: dict[str, Any] | None = None) -> None:
    """Serve the dashboard with Werkzeug's threaded server (the demo; use a WSGI server in production)."""
    create_app(config).run(host=host, port=port, threaded=True, use_reloader=False)
