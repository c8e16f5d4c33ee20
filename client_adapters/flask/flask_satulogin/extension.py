"""The Flask extension object: ``SatuLogin(app)`` or ``SatuLogin()`` + ``init_app(app)``."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, current_app, g, session
from satulogin_oidc import (
    AnonymousUser,
    LoginFlowError,
    OIDCClient,
    ProviderError,
    SatuLoginUser,
    SessionRecord,
    SessionStore,
)
from werkzeug.local import LocalProxy

from .config import DEFAULTS, load_settings, make_store

log = logging.getLogger("flask_satulogin")

#: The only thing the Flask session cookie holds: a random id of the server-side session.
SESSION_KEY = "satulogin.session"
STATE_KEY = "satulogin.state"


@dataclass
class SatuLoginState:
    """What ``app.extensions["satulogin"]`` holds."""

    client: OIDCClient
    store: SessionStore

    def end_sessions(self, *, sid: str | None, sub: str | None) -> int:
        """Back-channel logout: by ``sid`` when the token names one, else every session of ``sub``."""
        if sid:
            return self.store.delete_by_sid(sid)
        if sub:
            return self.store.delete_by_sub(sub)
        return 0


class SatuLogin:
    def __init__(self, app: Flask | None = None, *, store: SessionStore | None = None) -> None:
        self._store = store
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        # Lax keeps the cookie on Keycloak's top-level redirect back to /callback, and off
        # cross-site subrequests.
        if app.config.get("SESSION_COOKIE_SAMESITE") is None:
            app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
        if not app.secret_key:
            from satulogin_oidc import ConfigurationError

            raise ConfigurationError(["SECRET_KEY Flask wajib diisi / Flask SECRET_KEY is required "
                                      "(it signs the session-id cookie)"])
        settings = load_settings(app.config)
        store = self._store or make_store(app.config["SATULOGIN_SESSION_STORE"])
        app.extensions["satulogin"] = SatuLoginState(client=OIDCClient(settings), store=store)
        from .views import blueprint

        app.register_blueprint(blueprint, url_prefix=app.config["SATULOGIN_URL_PREFIX"])
        app.context_processor(lambda: {"current_user": _load_user()})

    @staticmethod
    def state(app: Flask | None = None) -> SatuLoginState:
        return get_state(app)


def get_state(app: Flask | None = None) -> SatuLoginState:
    app = app or current_app
    try:
        return cast(SatuLoginState, app.extensions["satulogin"])
    except KeyError:
        raise RuntimeError("SatuLogin is not initialised on this app: "
                           "call SatuLogin(app) or init_app") from None


def current_record() -> SessionRecord | None:
    """The server-side session of this request, refreshed when its access token is due."""
    if "satulogin_record" in g:
        return cast(SessionRecord | None, g.satulogin_record)
    record: SessionRecord | None = None
    session_id = session.get(SESSION_KEY)
    if session_id:
        state = get_state()
        record = state.store.get(session_id)
        if record is None:
            # Ended by logout, back-channel logout or expiry: forget the stale id.
            session.pop(SESSION_KEY, None)
        elif state.client.needs_refresh(record):
            record = _refresh(state, record)
    g.satulogin_record = record
    return record


def _refresh(state: SatuLoginState, record: SessionRecord) -> SessionRecord | None:
    try:
        fresh = state.client.refresh(record)
    except LoginFlowError as exc:
        log.info("silent refresh failed, session %s ends: %s", record.session_id[:8], exc.code)
        state.store.delete(record.session_id)
        session.pop(SESSION_KEY, None)
        return None
    except ProviderError as exc:
        # Keycloak briefly unreachable: keep the session while the access token still lives.
        log.warning("silent refresh postponed: %s", exc)
        return record if record.access_expires_at > time.time() else None
    # A back-channel logout may have ended the session while we refreshed: do not revive it.
    if state.store.get(record.session_id) is None:
        session.pop(SESSION_KEY, None)
        return None
    state.store.save(fresh)
    return fresh


def _load_user() -> SatuLoginUser | AnonymousUser:
    if "satulogin_user" in g:
        return cast(SatuLoginUser | AnonymousUser, g.satulogin_user)
    user: SatuLoginUser | AnonymousUser
    bearer = g.get("satulogin_bearer_user")
    if bearer is not None:
        user = bearer
    else:
        record = current_record()
        user = SatuLoginUser.from_claims(record.claims) if record else AnonymousUser()
    g.satulogin_user = user
    return user


def _current_user() -> Any:
    return _load_user()


#: The signed-in person of this request (or :class:`AnonymousUser`), as flask-login's.
current_user: SatuLoginUser = cast(SatuLoginUser, LocalProxy(_current_user))
