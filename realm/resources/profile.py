"""The declarative user profile (Keycloak 24+ drops user attributes it does not declare).

Managed attribute by attribute: ours carry the annotation ``satulogin_managed: realm``, so
Keycloak's defaults (username, email, firstName, lastName) and attributes an admin added by
hand stay as they are. All changes go out in one ``PUT /users/profile``.
"""

from __future__ import annotations

from typing import Any

from ..plan import ApplyContext, Change, FieldChange, same
from ..schema import MANAGED_VALUE, PROFILE_MARKER, UserProfileFile


def desired_attribute(decl_attr: Any) -> dict[str, Any]:
    body: dict[str, Any] = decl_attr.model_dump(exclude_none=True)
    body["annotations"] = {**body.get("annotations", {}), PROFILE_MARKER: MANAGED_VALUE}
    return body


def is_managed_attribute(attr: dict[str, Any]) -> bool:
    return (attr.get("annotations") or {}).get(PROFILE_MARKER) == MANAGED_VALUE


def _merge(profile: UserProfileFile, config: dict[str, Any]) -> dict[str, Any]:
    """The user-profile config with our declarations laid over ``config``."""
    merged = dict(config)
    attrs: list[dict[str, Any]] = [dict(a) for a in config.get("attributes") or []]
    declared = {a.name: desired_attribute(a) for a in profile.attributes}
    out: list[dict[str, Any]] = []
    for attr in attrs:
        name = attr.get("name")
        if name in declared:
            out.append(declared.pop(name))
        elif not is_managed_attribute(attr):
            out.append(attr)  # Keycloak's or an admin's: untouched
    out.extend(declared.values())
    merged["attributes"] = out
    groups = [dict(g) for g in config.get("groups") or []]
    by_name = {g.get("name"): i for i, g in enumerate(groups)}
    for gdecl in profile.groups:
        body = gdecl.model_dump(exclude_none=True)
        if gdecl.name in by_name:
            groups[by_name[gdecl.name]] = {**groups[by_name[gdecl.name]], **body}
        else:
            groups.append(body)
    merged["groups"] = groups
    if profile.unmanagedAttributePolicy is not None:
        merged["unmanagedAttributePolicy"] = profile.unmanagedAttributePolicy
    return merged


def plan_user_profile(realm: str, profile: UserProfileFile, config: dict[str, Any]) -> list[Change]:
    fields: list[FieldChange] = []
    current = {a.get("name"): a for a in config.get("attributes") or []}
    declared_names = set()
    for decl_attr in profile.attributes:
        declared_names.add(decl_attr.name)
        want = desired_attribute(decl_attr)
        have = current.get(decl_attr.name)
        if have is None:
            fields.append(FieldChange(f"attributes.{decl_attr.name}", None, want))
        elif not same(want, have):
            diff = {k: v for k, v in want.items() if not same(v, have.get(k))}
            fields.append(FieldChange(f"attributes.{decl_attr.name}", {k: have.get(k) for k in diff}, diff))
    for name, have in current.items():
        if name not in declared_names and is_managed_attribute(have):
            fields.append(FieldChange(f"attributes.{name}", have, None))
    groups = {g.get("name"): g for g in config.get("groups") or []}
    for gdecl in profile.groups:
        body = gdecl.model_dump(exclude_none=True)
        if not same(body, groups.get(gdecl.name)):
            fields.append(FieldChange(f"groups.{gdecl.name}", groups.get(gdecl.name), body))
    policy = profile.unmanagedAttributePolicy
    if policy is not None and config.get("unmanagedAttributePolicy") != policy:
        fields.append(FieldChange("unmanagedAttributePolicy", config.get("unmanagedAttributePolicy"), policy))
    if not fields:
        return []

    def execute(ctx: ApplyContext) -> None:
        # Re-read right before writing: one PUT replaces the whole document.
        fresh = ctx.admin.get("/users/profile") or {}
        ctx.admin.put("/users/profile", json=_merge(profile, fresh))

    return [Change("user-profile", realm, "update", fields, execute)]
