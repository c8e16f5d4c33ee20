"""Login for the dashboard, through the Banten Satu Login Flask adapter (``flask_satulogin``).

This is the whole of what an app team writes: ``SatuLogin(app)``, ``@login_required`` on the
views, and ``current_user`` for who is signed in. The dashboard turns ``current_user.claims``
into its own :class:`~flask_demo_app.viewer.Viewer` so the scope rules stay framework-free.
"""

from __future__ import annotations

from flask import Flask, url_for

# The adapter lives in client_adapters/flask (installed as the flask-satulogin package).
from flask_satulogin import SatuLogin, current_user, login_required

from .viewer import Viewer, viewer_from_claims


def init_auth(app: Flask) -> None:
    SatuLogin(app)


def current_viewer() -> Viewer | None:
    if not getattr(current_user, "is_authenticated", False):
        return None
    return viewer_from_claims(current_user.claims)


def login_url() -> str:
    return url_for("satulogin.login")


def logout_url() -> str:
    return url_for("satulogin.logout")


__all__ = ["current_viewer", "init_auth", "login_required", "login_url", "logout_url"]
