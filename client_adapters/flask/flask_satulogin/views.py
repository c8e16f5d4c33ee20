"""The ``satulogin`` blueprint: /login, /callback, /logout, /backchannel-logout."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from authlib.common.security import generate_token
from flask import Blueprint, Response, current_app, jsonify, redirect, request, session, url_for
from satulogin_oidc import InvalidToken, LoginFlowError, OIDCError, ProviderError

from .extension import SESSION_KEY, STATE_KEY, current_record, get_state
from .pages import error_response

log = logging.getLogger("flask_satulogin")
blueprint = Blueprint("satulogin", __name__)


def _safe_next(value: str | None) -> str:
    """Only a local path: an absolute URL here would make /auth/login an open redirect."""
    if not value:
        return "/"
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _redirect_uri() -> str:
    configured = current_app.config.get("SATULOGIN_REDIRECT_URI")
    return str(configured or url_for("satulogin.callback", _external=True))


@blueprint.route("/login")
def login() -> Response:
    state = get_state()
    try:
        url, tx = state.client.begin_login(_redirect_uri(), _safe_next(request.args.get("next")))
    except ProviderError as exc:
        return error_response(503, exc.code, str(exc))
    state.store.put_transaction(tx)
    # The state is also bound to this browser, so a login started elsewhere cannot be completed here.
    session[STATE_KEY] = tx.state
    return redirect(url, code=302)  # type: ignore[return-value]


@blueprint.route("/callback")
def callback() -> Response:
    state = get_state()
    returned_state = request.args.get("state", "")
    expected_state = session.pop(STATE_KEY, None)
    if request.args.get("error"):
        # Keycloak reports e.g. access_denied; the transaction is spent either way.
        state.store.take_transaction(returned_state, 0)
        return error_response(400, str(request.args["error"]), str(request.args.get("error_description", "")))
    max_age = state.client.settings.login_timeout
    tx = state.store.take_transaction(returned_state, max_age) if returned_state else None
    if tx is None or expected_state != returned_state:
        log.warning("login callback refused: unknown, replayed or foreign state")
        return error_response(400, "invalid_state",
                              "state tidak dikenal atau sudah dipakai / unknown or already used state")
    returned_iss = request.args.get("iss")
    if returned_iss is not None and returned_iss != state.client.settings.issuer:
        # RFC 9207: the response names its issuer; another one means a mix-up attack.
        return error_response(400, "invalid_issuer", "iss respons login salah / wrong iss in the response")
    code = request.args.get("code")
    if not code:
        return error_response(400, "missing_code", "kode login tidak ada / no authorization code")
    old = session.get(SESSION_KEY)
    if old:
        state.store.delete(old)
    try:
        record = state.client.finish_login(tx, code, generate_token(48))
    except (LoginFlowError, InvalidToken) as exc:
        log.warning("login refused: %s", exc)
        return error_response(400, exc.code, str(exc))
    except ProviderError as exc:
        return error_response(503, exc.code, str(exc))
    state.store.save(record)
    # A fresh cookie value at login defeats session fixation.
    session.clear()
    session[SESSION_KEY] = record.session_id
    session.permanent = True
    return redirect(tx.next_url, code=302)  # type: ignore[return-value]


@blueprint.route("/logout", methods=["GET", "POST"])
def logout() -> Response:
    """RP-Initiated Logout: end the local session, then Keycloak's (which tells every other app
    through back-channel logout)."""
    state = get_state()
    record = current_record()
    session.clear()
    if record is not None:
        state.store.delete(record.session_id)
    target = current_app.config.get("SATULOGIN_POST_LOGOUT_REDIRECT_URI") or request.host_url
    url = state.client.end_session_url(record.id_token if record else None, target)
    return redirect(url or target, code=302)  # type: ignore[return-value]


@blueprint.route("/backchannel-logout", methods=["POST"])
def backchannel_logout() -> Response:
    """OpenID Connect Back-Channel Logout 1.0 §2.5: Keycloak POSTs ``logout_token``."""
    token = request.form.get("logout_token")
    if not token:
        return _bcl_error("logout_token tidak ada / missing logout_token")
    state = get_state()
    try:
        claims = state.client.validator.validate_logout_token(token)
    except OIDCError as exc:
        log.warning("back-channel logout refused: %s", exc)
        return _bcl_error(str(exc))
    ended = state.end_sessions(sid=claims.get("sid"), sub=claims.get("sub"))
    log.info("back-channel logout: %d local session(s) ended", ended)
    resp = Response(status=200)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _bcl_error(description: str) -> Response:
    resp = jsonify({"error": "invalid_request", "error_description": description})
    resp.status_code = 400
    resp.headers["Cache-Control"] = "no-store"
    return resp
