"""Checks over a whole declarations set: what one file's schema cannot see alone.

Returns a list of problems (sentences naming the file and field); the loader raises them all
at once. Nothing here talks to Keycloak.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from .schema import ClientDecl, Declarations

# Client scopes a stock Keycloak 26 realm already has; declarations may refer to them.
BUILTIN_CLIENT_SCOPES = frozenset(
    {
        "acr",
        "address",
        "basic",
        "email",
        "microprofile-jwt",
        "offline_access",
        "organization",
        "phone",
        "profile",
        "role_list",
        "roles",
        "saml_organization",
        "service_account",
        "web-origins",
    }
)
# User-profile groups a stock realm has.
BUILTIN_PROFILE_GROUPS = frozenset({"user-metadata"})
# Attributes Keycloak's default user profile owns; realm/ never redeclares them.
BUILTIN_PROFILE_ATTRIBUTES = frozenset({"username", "email", "firstName", "lastName"})


def _duplicates(names: list[str]) -> list[str]:
    return sorted(name for name, count in Counter(names).items() if count > 1)


def _check_url(value: str, where: str, problems: list[str], *, allow_query: bool = True) -> None:
    if "*" in value:
        problems.append(
            f"{where}: {value!r} memakai wildcard '*'; hanya URI persis yang diizinkan / "
            "wildcards are not allowed, list exact URIs"
        )
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(f"{where}: {value!r} bukan URL http(s) absolut / is not an absolute http(s) URL")
    elif parts.fragment:
        problems.append(f"{where}: {value!r} tidak boleh memuat fragmen '#' / must not contain a fragment")


def _check_client(client: ClientDecl, known_scopes: set[str] | None, problems: list[str]) -> None:
    rel = f"clients/{client.client_id}.yaml"
    for field in ("redirect_uris", "post_logout_redirect_uris"):
        for index, uri in enumerate(getattr(client, field)):
            _check_url(uri, f"{rel}: {field}.{index}", problems)
    for index, origin in enumerate(client.web_origins):
        if origin != "+":
            _check_url(origin, f"{rel}: web_origins.{index}", problems)
    for field in ("backchannel_logout_url", "root_url", "base_url"):
        value = getattr(client, field)
        if value and not (field == "base_url" and value.startswith("/")):
            _check_url(value, f"{rel}: {field}", problems)
    if client.standard_flow and not client.redirect_uris:
        problems.append(
            f"{rel}: redirect_uris: wajib diisi untuk standard flow / required when standard_flow is on"
        )
    if not client.public_client and client.secret is None:
        problems.append(
            f"{rel}: secret: klien confidential butuh rujukan rahasia / a confidential client "
            "needs secret: ${SATULOGIN_CLIENT_SECRET_...}"
        )
    if client.public_client and client.secret is not None:
        problems.append(f"{rel}: secret: klien publik tidak punya rahasia / a public client has no secret")
    for field in ("default_client_scopes", "optional_client_scopes"):
        for name in getattr(client, field):
            if known_scopes is not None and name not in known_scopes:
                problems.append(
                    f"{rel}: {field}: client scope {name!r} tidak dikenal / unknown client scope "
                    "(declare it in client-scopes/ or use a built-in one)"
                )
    both = set(client.default_client_scopes) & set(client.optional_client_scopes)
    if both:
        problems.append(
            f"{rel}: client scope {sorted(both)} tidak boleh default sekaligus optional / "
            "cannot be both default and optional"
        )
    for name in _duplicates([role.name for role in client.roles]):
        problems.append(f"{rel}: roles: peran ganda / duplicate client role {name!r}")


def check_declarations(
    decls: Declarations, *, complete: bool = True, scopes_complete: bool = True
) -> list[str]:
    """Problems across files. ``complete=False``: some file did not parse; skip the checks
    that would read it (they would only report noise)."""
    problems: list[str] = []

    for name in _duplicates([c.client_id for c in decls.clients]):
        problems.append(f"clients/: client_id ganda / duplicate client_id {name!r}")
    for name in _duplicates([r.name for r in decls.roles]):
        problems.append(f"roles.yaml: peran ganda / duplicate realm role {name!r}")
    for name in _duplicates([s.name for s in decls.client_scopes]):
        problems.append(f"client-scopes/: client scope ganda / duplicate client scope {name!r}")

    profile = decls.user_profile
    group_names = {g.name for g in profile.groups} | BUILTIN_PROFILE_GROUPS
    for name in _duplicates([a.name for a in profile.attributes]):
        problems.append(f"user-profile.yaml: atribut ganda / duplicate attribute {name!r}")
    for index, attr in enumerate(profile.attributes):
        where = f"user-profile.yaml: attributes.{index} ({attr.name})"
        if attr.name in BUILTIN_PROFILE_ATTRIBUTES:
            problems.append(
                f"{where}: atribut bawaan Keycloak, jangan dideklarasikan ulang / "
                "a Keycloak default attribute; realm/ leaves it alone"
            )
        if attr.group is not None and attr.group not in group_names:
            problems.append(f"{where}: group {attr.group!r} tidak dikenal / unknown user-profile group")
        pattern_cfg = attr.validations.get("pattern")
        if pattern_cfg is not None:
            pattern = pattern_cfg.get("pattern")
            if not isinstance(pattern, str):
                problems.append(f"{where}: validations.pattern.pattern wajib berupa teks / must be a string")
            else:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    problems.append(
                        f"{where}: validations.pattern.pattern {pattern!r} bukan regex yang "
                        f"valid / is not a valid regular expression: {exc}"
                    )

    for scope in decls.client_scopes:
        for name in _duplicates([m.name for m in scope.protocolMappers]):
            problems.append(f"client-scopes/{scope.name}.yaml: mapper ganda / duplicate mapper {name!r}")

    known_scopes = set(BUILTIN_CLIENT_SCOPES) | {s.name for s in decls.client_scopes}
    for client in decls.clients:
        _check_client(client, known_scopes if scopes_complete else None, problems)

    if not complete:
        return problems
    otp = decls.realm.admin_otp
    if otp is not None and otp.role not in {r.name for r in decls.roles}:
        problems.append(
            f"realm.yaml: admin_otp.role {otp.role!r} bukan peran yang dideklarasikan di roles.yaml / "
            "is not a realm role declared in roles.yaml"
        )
    settings = decls.realm.settings
    if (
        settings.defaultLocale
        and settings.supportedLocales
        and settings.defaultLocale not in settings.supportedLocales
    ):
        problems.append(
            "realm.yaml: settings.defaultLocale harus ada di supportedLocales / "
            "must be one of supportedLocales"
        )
    return problems
