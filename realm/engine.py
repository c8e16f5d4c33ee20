"""``plan_realm`` reads Keycloak and compares; ``apply_realm`` plans, then executes the plan.

A plan costs a handful of list calls (realm, roles, client scopes, user profile, required
actions, clients, the browser flow) plus one role listing per managed client; a no-op apply is
exactly that and sends no write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satulogin.kc_admin import KeycloakAdmin

from .errors import DeclarationError
from .loader import load_declarations
from .plan import ApplyContext, Change, RealmPlan
from .resources import clients as clients_res
from .resources import flows as flows_res
from .resources import profile as profile_res
from .resources import roles as roles_res
from .resources import scopes as scopes_res
from .resources import settings as settings_res
from .schema import Declarations


@dataclass
class ApplyResult:
    plan: RealmPlan
    applied: int  # changes executed
    writes: int  # write requests sent (POST/PUT/DELETE)
    reads: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "realm": self.plan.realm,
            "applied": self.applied,
            "writes": self.writes,
            "reads": self.reads,
            "seconds": round(self.seconds, 3),
            "plan": self.plan.to_json(),
        }


def _declarations(declarations: Declarations | Path | str | None) -> Declarations:
    if isinstance(declarations, Declarations):
        return declarations
    return load_declarations(declarations)


def plan_realm(
    admin: KeycloakAdmin,
    declarations_dir: Declarations | Path | str | None = None,
    realm_name: str | None = None,
    *,
    verify_roles: bool = False,
) -> RealmPlan:
    """What it would take to make Keycloak match the declarations. Sends no write.

    ``realm_name`` overrides the realm named in ``realm.yaml`` (tests apply the same
    declarations under their own realm names); ``admin.realm`` is set to it.
    ``verify_roles`` lists the roles of every managed client instead of trusting the roles
    fingerprint the last apply left on each client (see README, "Plan")."""
    decls = _declarations(declarations_dir)
    name = realm_name or decls.realm.realm
    admin.realm = name
    reads_before, _ = admin.counter.snapshot()
    exists = admin.realm_exists()
    plan = RealmPlan(realm=name, realm_exists=exists)
    notes = plan.notes
    changes: list[Change] = []

    if not exists:
        changes.append(settings_res.create_realm_change(name, decls.realm))
        current_realm: dict[str, Any] = {}
        required: dict[str, dict[str, Any]] = {}
        roles: list[dict[str, Any]] = []
        full_realm_role = None
        scopes: list[dict[str, Any]] = []
        profile: dict[str, Any] = {}
        clients: list[dict[str, Any]] = []
        client_roles: dict[str, list[dict[str, Any]]] = {}
        flow_state = flows_res.FlowState.empty()
    else:
        current_realm = admin.get("") or {}
        required = settings_res.fetch_required_actions(admin)
        roles, full_realm_role = roles_res.fetch_realm_roles(admin, current_realm, decls.roles)
        scopes = admin.get("/client-scopes") or []
        profile = admin.get("/users/profile") or {}
        clients = clients_res.fetch_clients(admin)
        client_roles = clients_res.fetch_client_roles(
            admin, clients, decls.clients, verify_roles=verify_roles
        )
        flow_state = flows_res.fetch_flow_state(admin, decls.realm.admin_otp)
        changes += settings_res.plan_settings(name, decls.realm, current_realm)
        unknown = [alias for alias in decls.realm.required_actions if alias not in required]
        if unknown:
            raise DeclarationError(
                "realm.yaml",
                [
                    f"required_actions: {alias!r} tidak dikenal Keycloak / is not a "
                    "required action this Keycloak knows"
                    for alias in unknown
                ],
            )

    changes += settings_res.plan_required_actions(decls.realm, required)
    role_changes = roles_res.plan_roles(decls.roles, roles, base="/roles", resource="role", notes=notes,
                                        full=full_realm_role)
    changes += [c for c in role_changes if c.action != "delete"]
    scope_upserts, scope_deletes = scopes_res.plan_client_scopes(decls.client_scopes, scopes, notes)
    changes += scope_upserts
    changes += profile_res.plan_user_profile(name, decls.user_profile, profile)
    client_upserts, client_deletes = clients_res.plan_clients(
        decls.clients, clients, client_roles, notes, full=clients_res.full_role(admin)
    )
    changes += client_upserts
    changes += flows_res.plan_admin_otp(decls.realm.admin_otp, flow_state, current_realm, notes)
    # Removals last: a client goes before the scope it used, roles after both.
    changes += client_deletes + scope_deletes + [c for c in role_changes if c.action == "delete"]
    changes += roles_res.plan_role_record(name, current_realm, decls.roles)
    plan.changes = changes
    plan.reads = admin.counter.snapshot()[0] - reads_before
    return plan


def execute_plan(admin: KeycloakAdmin, plan: RealmPlan) -> int:
    admin.realm = plan.realm
    ctx = ApplyContext(admin)
    for change in plan.changes:
        if change.execute is not None:
            change.execute(ctx)
    return len(plan.changes)


def apply_realm(
    admin: KeycloakAdmin,
    declarations_dir: Declarations | Path | str | None = None,
    realm_name: str | None = None,
    *,
    verify_roles: bool = False,
) -> ApplyResult:
    """Plan, then execute the plan. A converged realm costs reads only, no write."""
    started = time.perf_counter()
    reads0, writes0 = admin.counter.snapshot()
    plan = plan_realm(admin, declarations_dir, realm_name, verify_roles=verify_roles)
    applied = execute_plan(admin, plan)
    reads1, writes1 = admin.counter.snapshot()
    return ApplyResult(
        plan=plan,
        applied=applied,
        writes=writes1 - writes0,
        reads=reads1 - reads0,
        seconds=time.perf_counter() - started,
    )
