"""OpenID Connect clients (one per application) and their client roles.

A client is ours when its attribute ``satulogin.managed`` is ``realm`` (docs/contracts.md).
Only the fields :func:`desired_client` produces are compared; Keycloak's defaults and any
other field stay as they are. Current state costs one ``GET /clients`` plus one role listing
per managed client (fetched in parallel).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from satulogin.kc_admin import KeycloakAdmin

from ..plan import ApplyContext, Change, FieldChange, field_changes
from ..schema import CLIENT_MARKER, MANAGED_VALUE, ClientDecl
from .roles import plan_roles

SCOPE_FIELDS = {
    "defaultClientScopes": "default-client-scopes",
    "optionalClientScopes": "optional-client-scopes",
}


ROLES_FINGERPRINT = "satulogin.roles"  # client attribute: fingerprint of the declared client roles


def roles_fingerprint(decl: ClientDecl) -> str:
    """Changes whenever the declared client roles (names, descriptions) change."""
    rows = sorted((role.name, role.description) for role in decl.roles)
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:16]


def is_managed_client(client: dict[str, Any]) -> bool:
    return (client.get("attributes") or {}).get(CLIENT_MARKER) == MANAGED_VALUE


def desired_client(decl: ClientDecl) -> dict[str, Any]:
    """The Keycloak ``ClientRepresentation`` fields a declaration manages (secret excluded)."""
    attributes = {
        "pkce.code.challenge.method": decl.pkce or "",
        "post.logout.redirect.uris": "##".join(decl.post_logout_redirect_uris),
        "backchannel.logout.url": decl.backchannel_logout_url or "",
        "backchannel.logout.session.required": str(decl.backchannel_logout_session_required).lower(),
        **decl.attributes,
        ROLES_FINGERPRINT: roles_fingerprint(decl),
        CLIENT_MARKER: MANAGED_VALUE,
    }
    rep: dict[str, Any] = {
        "clientId": decl.client_id,
        "enabled": decl.enabled,
        "protocol": "openid-connect",
        "publicClient": decl.public_client,
        "bearerOnly": False,
        "standardFlowEnabled": decl.standard_flow,
        "implicitFlowEnabled": decl.implicit_flow,
        "directAccessGrantsEnabled": decl.direct_access_grants,
        "serviceAccountsEnabled": decl.service_accounts,
        "frontchannelLogout": decl.frontchannel_logout,
        "redirectUris": list(decl.redirect_uris),
        "webOrigins": list(decl.web_origins),
        "attributes": attributes,
        "defaultClientScopes": list(decl.default_client_scopes),
        "optionalClientScopes": list(decl.optional_client_scopes),
    }
    if not decl.public_client:
        rep["clientAuthenticatorType"] = "client-secret"
    # Optional descriptive fields are managed only when the file states them.
    for key, value in (
        ("name", decl.name),
        ("description", decl.description),
        ("rootUrl", decl.root_url),
        ("baseUrl", decl.base_url),
    ):
        if value is not None:
            rep[key] = value
    return rep


def fetch_clients(admin: KeycloakAdmin) -> list[dict[str, Any]]:
    return list(admin.paged("/clients", page_size=1000))


def fetch_client_roles(
    admin: KeycloakAdmin,
    clients: list[dict[str, Any]],
    decls: list[ClientDecl],
    *,
    verify_roles: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """Roles of managed, still declared clients, keyed by clientId.

    Fast path (default): a client whose ``satulogin.roles`` attribute equals the fingerprint of
    its declared roles was converged by the last apply and its roles are not listed, so a no-op
    costs no call per client. ``verify_roles=True`` lists every managed client's roles, which
    also catches client roles someone deleted or edited by hand.

    Listings are brief representations (no attributes, cheaper for Keycloak); :func:`full_role`
    fetches one role's marker when the planner needs it."""
    declared = {d.client_id: d for d in decls}
    managed = [
        c
        for c in clients
        if is_managed_client(c)
        and c["clientId"] in declared
        and (
            verify_roles
            or (c.get("attributes") or {}).get(ROLES_FINGERPRINT)
            != roles_fingerprint(declared[c["clientId"]])
        )
    ]
    if not managed:
        return {}

    def one(client: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        roles = admin.get(f"/clients/{client['id']}/roles", params={"briefRepresentation": "true"}) or []
        return client["clientId"], roles

    with ThreadPoolExecutor(max_workers=min(8, len(managed))) as pool:
        return dict(pool.map(one, managed))


def full_role(admin: KeycloakAdmin) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def fetch(role: dict[str, Any]) -> dict[str, Any]:
        return admin.get(f"/roles-by-id/{role['id']}") or role

    return fetch


def _secret_value(decl: ClientDecl) -> str | None:
    return decl.secret_value.get_secret_value() if decl.secret_value is not None else None


def plan_clients(
    decls: list[ClientDecl],
    current: list[dict[str, Any]],
    roles: dict[str, list[dict[str, Any]]],
    notes: list[str],
    full: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> tuple[list[Change], list[Change]]:
    """Returns (creates/updates incl. client roles, deletes of clients we own and no longer declare)."""
    by_client_id = {c["clientId"]: c for c in current}
    upserts: list[Change] = []
    for decl in decls:
        have = by_client_id.get(decl.client_id)
        if have is None:
            upserts.append(_create(decl))
            upserts.extend(
                plan_roles(
                    decl.roles,
                    [],
                    base="",
                    resource="client-role",
                    owner=decl.client_id,
                    client_id=decl.client_id,
                    notes=notes,
                )
            )
            continue
        if not is_managed_client(have):
            notes.append(
                f"client {decl.client_id}: sudah ada tetapi dibuat manual, dibiarkan / "
                "exists but was made by hand; left alone"
            )
            continue
        if decl.client_id in roles:
            upserts.extend(
                plan_roles(
                    decl.roles,
                    roles[decl.client_id],
                    base=f"/clients/{have['id']}/roles",
                    resource="client-role",
                    owner=decl.client_id,
                    notes=notes,
                    full=full,
                )
            )
        # After the roles: the client update records the new roles fingerprint, so a run
        # that fails half-way lists this client's roles again next time.
        change = _update(decl, have)
        if change is not None:
            upserts.append(change)
    declared = {d.client_id for d in decls}
    deletes: list[Change] = []
    for client in current:
        if client["clientId"] in declared or not is_managed_client(client):
            continue

        def delete(ctx: ApplyContext, client_uuid: str = client["id"]) -> None:
            ctx.admin.delete(f"/clients/{client_uuid}")

        deletes.append(Change("client", client["clientId"], "delete", [], delete))
    return upserts, deletes


def _create(decl: ClientDecl) -> Change:
    body = desired_client(decl)
    secret = _secret_value(decl)
    fields = [FieldChange(key, None, value) for key, value in body.items() if key != "clientId"]
    if secret is not None:
        fields.append(FieldChange("secret", None, secret, secret=True))

    def execute(ctx: ApplyContext) -> None:
        payload = dict(body)
        if secret is not None:
            payload["secret"] = secret
        resp = ctx.admin.post("/clients", json=payload)
        ctx.client_uuids[decl.client_id] = ctx.admin.created_id(resp)

    return Change("client", decl.client_id, "create", fields, execute)


def _update(decl: ClientDecl, have: dict[str, Any]) -> Change | None:
    desired = desired_client(decl)
    scopes = {key: desired.pop(key) for key in SCOPE_FIELDS}
    attrs = desired.pop("attributes")
    fields = field_changes(desired, have)
    fields += field_changes(attrs, have.get("attributes") or {}, prefix="attributes.")
    scope_fields = field_changes(scopes, have)
    secret = _secret_value(decl)
    if secret is not None and have.get("secret") != secret:
        fields.append(FieldChange("secret", have.get("secret"), secret, secret=True))
    if not fields and not scope_fields:
        return None
    client_uuid = have["id"]

    def execute(ctx: ApplyContext) -> None:
        ctx.client_uuids[decl.client_id] = client_uuid
        if fields:
            body = {k: v for k, v in have.items() if k not in ("access", "protocolMappers", *SCOPE_FIELDS)}
            body.update(desired)
            body["attributes"] = {**(have.get("attributes") or {}), **attrs}
            if secret is not None:
                body["secret"] = secret
            ctx.admin.put(f"/clients/{client_uuid}", json=body)
        for key, segment in SCOPE_FIELDS.items():
            want, cur = set(scopes[key]), set(have.get(key) or [])
            for name in sorted(cur - want):
                ctx.admin.delete(f"/clients/{client_uuid}/{segment}/{_scope_id(ctx, name)}")
            for name in sorted(want - cur):
                ctx.admin.put(f"/clients/{client_uuid}/{segment}/{_scope_id(ctx, name)}")

    fields.extend(scope_fields)
    return Change("client", decl.client_id, "update", fields, execute)


def _scope_id(ctx: ApplyContext, name: str) -> str:
    if name not in ctx.scope_ids:
        for scope in ctx.admin.get("/client-scopes") or []:
            ctx.scope_ids.setdefault(scope["name"], scope["id"])
    return ctx.scope_ids[name]
