"""``@login_required``, ``@roles_required`` (all), ``@roles_accepted`` (any), ``@bearer_required``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from flask import g, redirect, request, url_for
from satulogin_oidc import OIDCError, ProviderError, RoleRef, SatuLoginUser

from .extension import _load_user, get_state
from .pages import error_response, wants_json

F = TypeVar("F", bound=Callable[..., Any])


def _login_redirect() -> Any:
    if wants_json():
        return error_response(401, "login_required")
    path = request.full_path if request.query_string else request.path
    return redirect(url_for("satulogin.login", next=path))


def login_required(view: F) -> F:
    """Send a visitor who is not signed in to Keycloak (JSON 401 for API paths)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _load_user().is_authenticated:
            return _login_redirect()
        return view(*args, **kwargs)

    return cast(F, wrapper)


def _roles_guard(roles: tuple[str, ...], client: str | None, *, need_all: bool) -> Callable[[F], F]:
    refs = [RoleRef.parse(r, client) for r in roles]
    if not refs:
        raise ValueError("give at least one role")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = _load_user()
            if not user.is_authenticated:
                return _login_redirect()
            ok = user.has_all_roles(refs) if need_all else user.has_any_role(refs)
            if not ok:
                word = "semua / all of" if need_all else "salah satu / one of"
                needed = ", ".join(map(str, refs))
                return error_response(403, "forbidden",
                                      f"Peran yang diperlukan / Required role ({word}): {needed}")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def roles_required(*roles: str, client: str | None = None) -> Callable[[F], F]:
    """The user must hold *every* role. ``"app:role"`` or ``client="app"`` names a client role."""
    return _roles_guard(roles, client, need_all=True)


def roles_accepted(*roles: str, client: str | None = None) -> Callable[[F], F]:
    """The user must hold *at least one* of the roles."""
    return _roles_guard(roles, client, need_all=False)


def bearer_required(view: F | None = None, *, roles: Iterable[str] = (), client: str | None = None,
                    audience: str | None = None, allowed_azp: Iterable[str] | None = None) -> Any:
    """Protect a JSON API with ``Authorization: Bearer <access token>``, validated locally
    (signature against the cached JWKS, iss/aud/exp/nbf/iat, algorithm allow-list).

    ``current_user`` is then the token's subject (a person or a service account)."""
    refs = [RoleRef.parse(r, client) for r in roles]
    azp = set(allowed_azp) if allowed_azp is not None else None

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return error_response(401, "invalid_token",
                                      "header Authorization: Bearer <token> wajib / is required", bearer=True)
            state = get_state()
            from flask import current_app

            aud = audience or current_app.config.get("SATULOGIN_BEARER_AUDIENCE") or None
            try:
                claims = state.client.validator.validate_access_token(token.strip(), audience=aud,
                                                                      allowed_azp=azp)
            except ProviderError as exc:
                return error_response(503, exc.code, str(exc), bearer=True)
            except OIDCError as exc:
                return error_response(401, exc.code, str(exc), bearer=True)
            user = SatuLoginUser.from_claims(claims)
            if refs and not user.has_all_roles(refs):
                return error_response(403, "insufficient_scope",
                                      f"peran yang diperlukan / required roles: {', '.join(map(str, refs))}",
                                      bearer=True)
            g.satulogin_bearer_user = user
            g.satulogin_user = user
            return fn(*args, **kwargs)

        return cast(F, wrapper)

    if view is not None:
        return decorate(view)
    return decorate
