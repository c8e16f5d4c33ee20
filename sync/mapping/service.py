"""The mapping's use cases, shared by the CLI and the admin page: validate, preview, apply,
explain. Each reads Keycloak once and works on the in-memory index."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satulogin.errors import SatuLoginError
from satulogin.kc_admin import KeycloakAdmin
from satulogin.paths import REPO_ROOT

from .apply import ApplyReport, apply_plan
from .explain import Explanation, explain
from .index import PopulationIndex
from .plan import MappingPlan, SafetyPolicy, build_plan
from .roles import RoleRef
from .rules import RuleSet, load_ruleset
from .state import KeycloakState, read_state  # noqa: F401  (re-exported for the CLI)
from .validate import ruleset_problems, validate_ruleset


def default_rules_path() -> Path:
    return Path(os.environ.get("SATULOGIN_MAPPING_RULES", REPO_ROOT / "mapping" / "rules.yaml"))


@dataclass
class Prepared:
    ruleset: RuleSet
    state: KeycloakState
    index: PopulationIndex
    plan: MappingPlan


def problems(admin: KeycloakAdmin, ruleset: RuleSet) -> list[str]:
    state = read_state(admin, ruleset)
    return ruleset_problems(ruleset, state.catalog)


def prepare(
    admin: KeycloakAdmin, ruleset: RuleSet, *, source: str = "rules", today: dt.date | None = None
) -> Prepared:
    state = read_state(admin, ruleset)
    validate_ruleset(ruleset, state.catalog, source)
    index = PopulationIndex(state.subjects)
    return Prepared(ruleset, state, index, build_plan(index, ruleset, state.held, today))


def apply(
    admin: KeycloakAdmin,
    prepared: Prepared,
    *,
    policy: SafetyPolicy | None = None,
    allow_mass_revoke: bool = False,
) -> ApplyReport:
    prepared.plan.check_safety(policy or SafetyPolicy(), allow_mass_revoke=allow_mass_revoke)
    return apply_plan(admin, prepared.plan, prepared.state)


def find_user(admin: KeycloakAdmin, nip: str) -> dict[str, Any]:
    params = {"username": nip, "exact": "true", "briefRepresentation": "false"}
    users = admin.get("/users", params=params) or []
    if not users:
        users = admin.get("/users", params={"q": f"nip:{nip}", "briefRepresentation": "false"}) or []
    if not users:
        raise SatuLoginError(f"pegawai dengan NIP {nip} tidak ditemukan di Keycloak / no user with NIP {nip}")
    user: dict[str, Any] = users[0]
    return user


def _role_ref(rep: dict[str, Any], client_ids: dict[str, str]) -> RoleRef:
    if rep.get("clientRole"):
        return RoleRef(client_ids.get(str(rep.get("containerId")), str(rep.get("containerId"))), rep["name"])
    return RoleRef(None, rep["name"])


def user_roles(admin: KeycloakAdmin, user_id: str) -> tuple[set[RoleRef], dict[RoleRef, str]]:
    """Direct role mappings, and roles that come only through composites (role → via)."""
    mappings = admin.get(f"/users/{user_id}/role-mappings") or {}
    client_ids: dict[str, str] = {}
    direct_reps: list[dict[str, Any]] = list(mappings.get("realmMappings") or [])
    for client_id, entry in (mappings.get("clientMappings") or {}).items():
        client_ids[entry["id"]] = client_id
        for rep in entry.get("mappings") or []:
            direct_reps.append({**rep, "clientRole": True, "containerId": entry["id"]})
    direct = {_role_ref(r, client_ids) for r in direct_reps}
    inherited: dict[RoleRef, str] = {}
    todo = [(r, _role_ref(r, client_ids).key) for r in direct_reps if r.get("composite")]
    seen: set[str] = set()
    while todo:
        rep, via = todo.pop()
        if rep["id"] in seen:
            continue
        seen.add(rep["id"])
        for child in admin.get(f"/roles-by-id/{rep['id']}/composites") or []:
            if child.get("clientRole") and child.get("containerId") not in client_ids:
                client = admin.get(f"/clients/{child['containerId']}") or {}
                client_ids[child["containerId"]] = client.get("clientId", child["containerId"])
            ref = _role_ref(child, client_ids)
            if ref not in direct:
                inherited.setdefault(ref, via)
            if child.get("composite"):
                todo.append((child, via))
    return direct, inherited


def explain_nip(
    admin: KeycloakAdmin, ruleset: RuleSet, nip: str, today: dt.date | None = None
) -> Explanation:
    """One person: two or three reads, no population scan (the explain path is per person)."""
    from .subjects import subject_from_user

    user = find_user(admin, nip)
    subject = subject_from_user(user)
    if subject is None:
        raise SatuLoginError(f"pengguna {nip} bukan pegawai (tanpa NIP) / user {nip} carries no NIP")
    direct, inherited = user_roles(admin, user["id"])
    return explain(subject, ruleset, direct, inherited, today)


def load(path: Path | None = None) -> RuleSet:
    return load_ruleset(path or default_rules_path())


__all__ = [
    "Prepared",
    "apply",
    "default_rules_path",
    "explain_nip",
    "load",
    "prepare",
    "problems",
    "validate_ruleset",
]
