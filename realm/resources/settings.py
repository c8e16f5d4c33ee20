"""Realm settings and required actions: managed field by field, never removed."""

from __future__ import annotations

from typing import Any

from satulogin.kc_admin import KeycloakAdmin

from ..errors import DeclarationError
from ..plan import ApplyContext, Change, FieldChange, field_changes, same
from ..schema import RealmFile


def desired_settings(realm_file: RealmFile) -> dict[str, Any]:
    return realm_file.settings.model_dump(exclude_none=True)


def create_realm_change(name: str, realm_file: RealmFile) -> Change:
    body = {"realm": name, "enabled": True, **desired_settings(realm_file)}

    def execute(ctx: ApplyContext) -> None:
        ctx.admin.request("POST", "/realms", realm_scoped=False, json=body)

    fields = [FieldChange(key, None, value) for key, value in desired_settings(realm_file).items()]
    return Change("realm", name, "create", fields, execute)


def plan_settings(name: str, realm_file: RealmFile, current: dict[str, Any]) -> list[Change]:
    desired = desired_settings(realm_file)
    attrs = desired.pop("attributes", None) or {}
    fields = field_changes(desired, current)
    fields += field_changes(attrs, current.get("attributes") or {}, prefix="attributes.")
    if not fields:
        return []
    body: dict[str, Any] = {fc.field: fc.new for fc in fields if not fc.field.startswith("attributes.")}
    if any(fc.field.startswith("attributes.") for fc in fields):
        # Keycloak merges realm attributes on PUT; send only ours.
        body["attributes"] = attrs

    def execute(ctx: ApplyContext) -> None:
        ctx.admin.put("", json=body)

    return [Change("realm", name, "update", fields, execute)]


def fetch_required_actions(admin: KeycloakAdmin) -> dict[str, dict[str, Any]]:
    return {ra["alias"]: ra for ra in admin.get("/authentication/required-actions") or []}


def plan_required_actions(realm_file: RealmFile, current: dict[str, dict[str, Any]]) -> list[Change]:
    changes: list[Change] = []
    for alias, decl in realm_file.required_actions.items():
        desired = decl.model_dump()
        have = current.get(alias)
        if have is not None and same(desired, have):
            continue
        fields = field_changes(desired, have or {}, prefix="")

        def execute(ctx: ApplyContext, alias: str = alias, desired: dict[str, Any] = desired) -> None:
            # Re-read: the realm may have been created in this same apply.
            fresh = ctx.admin.get(f"/authentication/required-actions/{alias}")
            if fresh is None:
                raise_unknown_action(alias)
            if not same(desired, fresh):
                ctx.admin.put(f"/authentication/required-actions/{alias}", json={**fresh, **desired})

        changes.append(Change("required-action", alias, "update", fields, execute))
    return changes


def raise_unknown_action(alias: str) -> None:
    raise DeclarationError(
        "realm.yaml",
        [
            f"required_actions: {alias!r} tidak dikenal Keycloak / "
            "is not a required action this Keycloak knows"
        ],
    )
