"""CSRF protection: a per-session random token in a hidden field, checked on every POST.

The session cookie is signed by Flask and ``SameSite=Lax``; the token makes a forged form from
another site fail even where SameSite does not hold (old browsers, top-level POST quirks)."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session

KEY = "mapping.csrf"


def csrf_token() -> str:
    token = session.get(KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[KEY] = token
    return str(token)


def init_csrf(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def _check() -> None:
        if request.method != "POST" or request.path.startswith(app.config["SATULOGIN_URL_PREFIX"]):
            return  # the adapter's own endpoints (back-channel logout) carry no form token
        sent = request.form.get("csrf_token", "")
        expected = session.get(KEY, "")
        if not expected or not hmac.compare_digest(str(sent), str(expected)):
            abort(400, description="csrf")
