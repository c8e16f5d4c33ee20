"""TOTP required for SSO administrators: a browser flow realm/ builds and owns.

Why this shape (Keycloak 26): the stock ``browser`` flow asks for a second factor only from
users who already configured one ("Conditional 2FA"). We copy it to ``flow_alias`` and add, in
its ``forms`` subflow, a CONDITIONAL subflow [Condition - user role = <role>, OTP Form
REQUIRED] before "Conditional 2FA", and a negated role condition inside "Conditional 2FA"
so holders of the role are asked exactly once. A REQUIRED OTP Form for a user without TOTP
makes Keycloak add the CONFIGURE_TOTP required action, so a new administrator must set up an
authenticator app at first login; everyone else keeps optional TOTP/WebAuthn.

The flow is compared as one unit: its description stores the role and a fingerprint of the
execution tree taken right after building; any edit in the console changes the tree, the
plan shows it, and apply rebuilds the flow.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from satulogin.kc_admin import KeycloakAdmin

from ..plan import Action, ApplyContext, Change, FieldChange
from ..schema import MANAGED_VALUE, ROLE_MARKER, AdminOtpDecl

MARKER = f"{ROLE_MARKER}={MANAGED_VALUE}"
DESCRIPTION_RE = re.compile(r"otp-role=(?P<role>[^;]+); fp=(?P<fp>[0-9a-f]+)")


@dataclass
class FlowState:
    flow: dict[str, Any] | None
    executions: list[dict[str, Any]] = field(default_factory=list)
    configs: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> FlowState:
        return cls(flow=None)


def _path(alias: str) -> str:
    return quote(alias, safe="")


def fetch_flow_state(admin: KeycloakAdmin, decl: AdminOtpDecl | None) -> FlowState:
    if decl is None:
        return FlowState.empty()
    flow = next((f for f in admin.get("/authentication/flows") or [] if f["alias"] == decl.flow_alias), None)
    if flow is None:
        return FlowState.empty()
    executions = admin.get(f"/authentication/flows/{_path(decl.flow_alias)}/executions") or []
    configs = {}
    for ex in executions:
        if ex.get("authenticationConfig"):
            cfg = admin.get(f"/authentication/config/{ex['authenticationConfig']}") or {}
            configs[ex["authenticationConfig"]] = cfg.get("config") or {}
    return FlowState(flow, executions, configs)


def fingerprint(state: FlowState) -> str:
    rows = []
    for ex in state.executions:
        rows.append(
            [
                ex.get("level"),
                ex.get("index"),
                ex.get("providerId") or "flow",
                ex.get("displayName"),
                ex.get("requirement"),
                sorted((state.configs.get(ex.get("authenticationConfig") or "") or {}).items()),
            ]
        )
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:16]


def plan_admin_otp(
    decl: AdminOtpDecl | None, state: FlowState, current_realm: dict[str, Any], notes: list[str]
) -> list[Change]:
    if decl is None:
        return []
    fields: list[FieldChange] = []
    rebuild = False
    if state.flow is None:
        fields.append(FieldChange(f"flow {decl.flow_alias}", None, f"OTP wajib untuk peran {decl.role}"))
        rebuild = True
    else:
        description = state.flow.get("description") or ""
        if MARKER not in description:
            notes.append(
                f"flow {decl.flow_alias}: sudah ada tetapi dibuat manual, dibiarkan / "
                "exists but was made by hand; left alone"
            )
            return []
        match = DESCRIPTION_RE.search(description)
        if match is None or match.group("role") != decl.role:
            fields.append(FieldChange("otp-role", match.group("role") if match else None, decl.role))
            rebuild = True
        elif match.group("fp") != fingerprint(state):
            fields.append(
                FieldChange("executions", "diubah di konsol / edited by hand", "dibangun ulang / rebuilt")
            )
            rebuild = True
    if current_realm.get("browserFlow") != decl.flow_alias:
        fields.append(FieldChange("browserFlow", current_realm.get("browserFlow"), decl.flow_alias))
    if not fields:
        return []
    action: Action = "create" if state.flow is None else "update"
    old_id = state.flow["id"] if state.flow is not None else None

    def execute(ctx: ApplyContext) -> None:
        if rebuild:
            _build(ctx.admin, decl, old_id)
        ctx.admin.put("", json={"browserFlow": decl.flow_alias})

    return [Change("flow", decl.flow_alias, action, fields, execute)]


def _executions(admin: KeycloakAdmin, alias: str) -> list[dict[str, Any]]:
    return admin.get(f"/authentication/flows/{_path(alias)}/executions") or []


def _add_execution(
    admin: KeycloakAdmin,
    parent: str,
    provider: str,
    requirement: str,
    config: dict[str, str] | None = None,
    config_alias: str = "",
) -> str:
    resp = admin.post(
        f"/authentication/flows/{_path(parent)}/executions/execution", json={"provider": provider}
    )
    exec_id = admin.created_id(resp)
    admin.put(
        f"/authentication/flows/{_path(parent)}/executions", json={"id": exec_id, "requirement": requirement}
    )
    if config is not None:
        admin.post(
            f"/authentication/executions/{exec_id}/config", json={"alias": config_alias, "config": config}
        )
    return exec_id


def _children(executions: list[dict[str, Any]], parent_name: str) -> list[dict[str, Any]]:
    """Direct children of the subflow whose displayName is ``parent_name`` (the list is a
    depth-first walk with ``level``)."""
    out: list[dict[str, Any]] = []
    inside: int | None = None
    for ex in executions:
        if inside is not None:
            if ex["level"] <= inside:
                break
            if ex["level"] == inside + 1:
                out.append(ex)
        elif ex.get("authenticationFlow") and ex.get("displayName") == parent_name:
            inside = ex["level"]
    return out


def _build(admin: KeycloakAdmin, decl: AdminOtpDecl, old_id: str | None) -> None:
    alias, role = decl.flow_alias, decl.role
    if old_id is not None:
        # Keycloak refuses to delete the flow bound to the realm: unbind it first.
        admin.put("", json={"browserFlow": "browser"})
        admin.delete(f"/authentication/flows/{old_id}")
    admin.post("/authentication/flows/browser/copy", json={"newName": alias})
    forms = f"{alias} forms"
    otp_flow = f"{alias} {role} OTP"
    admin.post(
        f"/authentication/flows/{_path(forms)}/executions/flow",
        json={
            "alias": otp_flow,
            "type": "basic-flow",
            "provider": "registration-page-form",
            "description": f"OTP wajib untuk peran {role} / TOTP required for role {role}",
        },
    )
    new_sub = next(
        ex for ex in _children(_executions(admin, alias), forms) if ex.get("displayName") == otp_flow
    )
    admin.put(
        f"/authentication/flows/{_path(forms)}/executions",
        json={"id": new_sub["id"], "requirement": "CONDITIONAL"},
    )
    # Ask the administrator's OTP before the stock "Conditional 2FA" subflow.
    siblings = _children(_executions(admin, alias), forms)
    for _ in range(
        len(siblings) - 1 - next(i for i, ex in enumerate(siblings) if ex.get("authenticationFlow"))
    ):
        admin.post(f"/authentication/executions/{new_sub['id']}/raise-priority")
    _add_execution(
        admin,
        otp_flow,
        "conditional-user-role",
        "REQUIRED",
        {"condUserRole": role, "negate": "false"},
        f"{alias}-{role}-is-member",
    )
    _add_execution(admin, otp_flow, "auth-otp-form", "REQUIRED")
    executions = _executions(admin, alias)
    two_fa = next(
        ex
        for ex in _children(executions, forms)
        if ex.get("authenticationFlow") and ex.get("displayName") != otp_flow
    )
    _add_execution(
        admin,
        two_fa["displayName"],
        "conditional-user-role",
        "REQUIRED",
        {"condUserRole": role, "negate": "true"},
        f"{alias}-{role}-not-member",
    )
    state = fetch_flow_state(admin, decl)
    assert state.flow is not None
    description = f"Dikelola realm/ ({MARKER}); otp-role={role}; fp={fingerprint(state)}"
    admin.put(
        f"/authentication/flows/{state.flow['id']}",
        json={
            **{k: v for k, v in state.flow.items() if k != "authenticationExecutions"},
            "description": description,
        },
    )
