"""Realm roles and client roles. Ours carry role attribute ``satulogin_managed = [realm]``;
roles without it (made by hand, or Keycloak's own) are never changed or removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ..plan import ApplyContext, Change, FieldChange, field_changes
from ..schema import MANAGED_VALUE, ROLE_MARKER, ClientRoleDecl, RoleDecl

MARKER_ATTRS = {ROLE_MARKER: [MANAGED_VALUE]}


def is_managed_role(role: dict[str, Any]) -> bool:
    return MANAGED_VALUE in ((role.get("attributes") or {}).get(ROLE_MARKER) or [])


def _role_body(decl: RoleDecl | ClientRoleDecl, current: dict[str, Any] | None = None) -> dict[str, Any]:
    attributes = dict((current or {}).get("attributes") or {})
    attributes.update(MARKER_ATTRS)
    return {"name": decl.name, "description": decl.description, "attributes": attributes}


def plan_roles(
    decls: list[RoleDecl],
    current: list[dict[str, Any]],
    *,
    base: str,
    resource: str,
    owner: str = "",
    client_id: str | None = None,
    notes: list[str],
    full: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> list[Change]:
    """Changes that make the roles under ``base`` (``/roles`` or ``/clients/{id}/roles``) match.

    ``client_id`` set means the base path is only known at apply time (a client created in the
    same run), looked up in :class:`ApplyContext`.

    ``current`` may hold brief representations (no attributes, so no marker): ``full`` then
    fetches one role's full representation, only when the marker decides something (a
    description differs, or a role is not declared). A converged client costs no extra call."""

    fetched: dict[str, dict[str, Any]] = {}

    def complete(role: dict[str, Any]) -> dict[str, Any]:
        if "attributes" in role or full is None:
            return role
        if role["name"] not in fetched:
            fetched[role["name"]] = full(role)
        return fetched[role["name"]]

    def managed(role: dict[str, Any]) -> bool:
        return is_managed_role(complete(role))

    by_name = {role["name"]: role for role in current}
    declared = {d.name for d in decls}
    prefix = f"{owner}/" if owner else ""
    changes: list[Change] = []

    def path(ctx: ApplyContext) -> str:
        if client_id is None:
            return base
        return f"/clients/{ctx.client_uuids[client_id]}/roles"

    for decl in decls:
        have = by_name.get(decl.name)
        if have is None:
            body = _role_body(decl)

            def create(ctx: ApplyContext, body: dict[str, Any] = body) -> None:
                ctx.admin.post(path(ctx), json=body)

            fields = [FieldChange("description", None, decl.description)] if decl.description else []
            changes.append(Change(resource, prefix + decl.name, "create", fields, create))
            continue
        fields = field_changes({"description": decl.description}, have)
        if not fields:
            continue
        if not managed(have):
            notes.append(
                f"{resource} {prefix}{decl.name}: sudah ada tetapi dibuat manual, dibiarkan / "
                "exists but was made by hand; left alone"
            )
            continue
        body = _role_body(decl, complete(have))

        def update(ctx: ApplyContext, body: dict[str, Any] = body) -> None:
            ctx.admin.put(f"{path(ctx)}/{quote(body['name'], safe='')}", json=body)

        changes.append(Change(resource, prefix + decl.name, "update", fields, update))

    for role in current:
        if role["name"] in declared or not managed(role):
            continue

        def delete(ctx: ApplyContext, name: str = role["name"]) -> None:
            ctx.admin.delete(f"{path(ctx)}/{quote(name, safe='')}")

        changes.append(Change(resource, prefix + role["name"], "delete", [], delete))
    return changes


# Realm attribute listing the realm roles realm/ manages. The HR sync puts ~2,000 jabatan roles
# in the same realm; with this list a plan reads the roles briefly and fetches full
# representations only for ours, instead of every role's attributes on every run.
RECORD_ATTR = "satulogin.realm.roles"


def recorded_role_names(current_realm: dict[str, Any]) -> set[str] | None:
    """Names recorded by the last apply, or None when this realm has no record yet."""
    value = (current_realm.get("attributes") or {}).get(RECORD_ATTR)
    if value is None:
        return None
    return {name for name in str(value).split(",") if name}


def fetch_realm_roles(
    admin: Any, current_realm: dict[str, Any], decls: list[RoleDecl]
) -> tuple[list[dict[str, Any]], Callable[[dict[str, Any]], dict[str, Any]] | None]:
    """The realm roles a plan must look at, and how to complete a brief one.

    With a record: the declared and recorded roles only, brief (one listing call); without
    (a realm applied before the record existed): every role in full, once."""
    recorded = recorded_role_names(current_realm)
    if recorded is None:
        return admin.get("/roles", params={"briefRepresentation": "false"}) or [], None
    wanted = recorded | {d.name for d in decls}
    brief = admin.get("/roles", params={"briefRepresentation": "true"}) or []

    def full(role: dict[str, Any]) -> dict[str, Any]:
        return admin.get(f"/roles-by-id/{role['id']}") or role

    return [role for role in brief if role["name"] in wanted], full


def plan_role_record(realm: str, current_realm: dict[str, Any], decls: list[RoleDecl]) -> list[Change]:
    """Keep the record of our realm roles equal to the declarations (no write when it is)."""
    names = sorted(d.name for d in decls)
    recorded = recorded_role_names(current_realm)
    if recorded is not None and sorted(recorded) == names:
        return []
    value = ",".join(names)

    def record(ctx: ApplyContext) -> None:
        # PUT the whole attribute map: only the record changes, other attributes stay.
        attributes = dict((ctx.admin.get("") or {}).get("attributes") or {})
        attributes[RECORD_ATTR] = value
        ctx.admin.put("", json={"attributes": attributes})

    old = None if recorded is None else ",".join(sorted(recorded))
    field = FieldChange(RECORD_ATTR, old, value)
    return [Change("realm", f"{realm} ({RECORD_ATTR})", "update", [field], record)]
