"""OpenID Connect client scopes and their protocol mappers. A scope is ours when its attribute
``satulogin.managed`` is ``realm``; its mappers are then fully managed (undeclared ones go)."""

from __future__ import annotations

from typing import Any

from ..plan import ApplyContext, Change, FieldChange, same
from ..schema import CLIENT_MARKER, MANAGED_VALUE, ClientScopeDecl, ProtocolMapperDecl


def is_managed_scope(scope: dict[str, Any]) -> bool:
    return (scope.get("attributes") or {}).get(CLIENT_MARKER) == MANAGED_VALUE


def _attributes(decl: ClientScopeDecl) -> dict[str, str]:
    return {
        "include.in.token.scope": str(decl.include_in_token_scope).lower(),
        "display.on.consent.screen": "false",
        CLIENT_MARKER: MANAGED_VALUE,
    }


def _mapper_body(decl: ProtocolMapperDecl) -> dict[str, Any]:
    return {
        "name": decl.name,
        "protocol": "openid-connect",
        "protocolMapper": decl.protocolMapper,
        "config": dict(decl.config),
    }


def plan_client_scopes(
    decls: list[ClientScopeDecl], current: list[dict[str, Any]], notes: list[str]
) -> tuple[list[Change], list[Change]]:
    """Returns (creates and updates, deletes): deletes run after clients stop using the scope."""
    by_name = {scope["name"]: scope for scope in current}
    upserts: list[Change] = []
    deletes: list[Change] = []
    for decl in decls:
        have = by_name.get(decl.name)
        if have is None:
            body = {
                "name": decl.name,
                "description": decl.description,
                "protocol": "openid-connect",
                "attributes": _attributes(decl),
                "protocolMappers": [_mapper_body(m) for m in decl.protocolMappers],
            }

            def create(ctx: ApplyContext, body: dict[str, Any] = body) -> None:
                resp = ctx.admin.post("/client-scopes", json=body)
                ctx.scope_ids[body["name"]] = ctx.admin.created_id(resp)

            fields = [
                FieldChange(f"protocolMappers.{m.name}", None, m.protocolMapper) for m in decl.protocolMappers
            ]
            upserts.append(Change("client-scope", decl.name, "create", fields, create))
            continue
        if not is_managed_scope(have):
            notes.append(
                f"client-scope {decl.name}: sudah ada tetapi dibuat manual, dibiarkan / "
                "exists but was made by hand; left alone"
            )
            continue
        change = _plan_scope_update(decl, have)
        if change is not None:
            upserts.append(change)
    declared = {d.name for d in decls}
    for scope in current:
        if scope["name"] in declared or not is_managed_scope(scope):
            continue

        def delete(ctx: ApplyContext, scope_id: str = scope["id"]) -> None:
            ctx.admin.delete(f"/client-scopes/{scope_id}")

        deletes.append(Change("client-scope", scope["name"], "delete", [], delete))
    return upserts, deletes


def _plan_scope_update(decl: ClientScopeDecl, have: dict[str, Any]) -> Change | None:
    scope_id = have["id"]
    fields: list[FieldChange] = []
    actions: list[tuple[str, str, Any]] = []  # (method, path, body)
    top = {"description": decl.description}
    attrs = _attributes(decl)
    if not same(top, have) or not same(attrs, have.get("attributes") or {}):
        for key, value in top.items():
            if not same(value, have.get(key)):
                fields.append(FieldChange(key, have.get(key), value))
        for key, value in attrs.items():
            old = (have.get("attributes") or {}).get(key)
            if not same(value, old):
                fields.append(FieldChange(f"attributes.{key}", old, value))
        body = {k: v for k, v in have.items() if k != "protocolMappers"}
        body.update(top)
        body["attributes"] = {**(have.get("attributes") or {}), **attrs}
        actions.append(("PUT", f"/client-scopes/{scope_id}", body))
    mappers = {m["name"]: m for m in have.get("protocolMappers") or []}
    for mdecl in decl.protocolMappers:
        want = _mapper_body(mdecl)
        cur = mappers.get(mdecl.name)
        if cur is None:
            fields.append(FieldChange(f"protocolMappers.{mdecl.name}", None, mdecl.protocolMapper))
            actions.append(("POST", f"/client-scopes/{scope_id}/protocol-mappers/models", want))
        elif not same({"protocolMapper": want["protocolMapper"], "config": want["config"]}, cur):
            fields.append(
                FieldChange(
                    f"protocolMappers.{mdecl.name}",
                    {"protocolMapper": cur.get("protocolMapper"), "config": cur.get("config")},
                    {"protocolMapper": want["protocolMapper"], "config": want["config"]},
                )
            )
            actions.append(
                (
                    "PUT",
                    f"/client-scopes/{scope_id}/protocol-mappers/models/{cur['id']}",
                    {**cur, **want, "config": {**(cur.get("config") or {}), **want["config"]}},
                )
            )
    declared = {m.name for m in decl.protocolMappers}
    for name, cur in mappers.items():
        if name not in declared:
            fields.append(FieldChange(f"protocolMappers.{name}", cur.get("protocolMapper"), None))
            actions.append(("DELETE", f"/client-scopes/{scope_id}/protocol-mappers/models/{cur['id']}", None))
    if not actions:
        return None

    def execute(ctx: ApplyContext) -> None:
        for method, path, body in actions:
            ctx.admin.request(method, path, json=body)

    return Change("client-scope", decl.name, "update", fields, execute)
