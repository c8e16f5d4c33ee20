"""Write a plan to Keycloak: direct role mappings on the user, plus ``satulogin_grants``
(our record of what we granted) and ``lingkup_unit`` (the scope tokens carry).

Direct user role mappings, not composites or group mappings: rules combine jabatan with
eselon, golongan, unit subtree and per-NIP exceptions, and deny must beat grant — Keycloak
has no negative roles, and a composite on ``jabatan-<kode>`` or a group mapping cannot express
"this person but not that one". A direct mapping is exactly the result, and Keycloak puts it
in the token at login with no call to us.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from satulogin.errors import KeycloakApiError
from satulogin.kc_admin import KeycloakAdmin

from .plan import MappingPlan
from .roles import RoleRef
from .state import KeycloakState
from .subjects import GRANTS_ATTR, LINGKUP_ATTR

# The fields we send back on PUT /users/{id}: with the declarative user profile a PUT replaces
# the attributes wholesale, so we send every attribute we read, changed or not.
USER_FIELDS = ("id", "username", "firstName", "lastName", "email", "emailVerified", "enabled")


@dataclass
class ApplyReport:
    granted: int = 0
    revoked: int = 0
    attributes_written: int = 0
    failures: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "granted": self.granted,
            "revoked": self.revoked,
            "attributes_written": self.attributes_written,
            "failures": self.failures,
        }


class _RoleReps:
    def __init__(self, admin: KeycloakAdmin, state: KeycloakState) -> None:
        self.admin = admin
        self.state = state
        self._cache: dict[RoleRef, dict[str, Any]] = {}

    def get(self, ref: RoleRef) -> dict[str, Any]:
        if ref not in self._cache:
            if ref.client is None:
                rep = self.admin.get(f"/roles/{quote(ref.name, safe='')}")
            else:
                uuid = self.state.catalog.client_uuids[ref.client]
                rep = self.admin.get(f"/clients/{uuid}/roles/{quote(ref.name, safe='')}")
            self._cache[ref] = {"id": rep["id"], "name": rep["name"]}
        return self._cache[ref]


def _mapping_path(ref: RoleRef, state: KeycloakState, user_id: str) -> str:
    if ref.client is None:
        return f"/users/{user_id}/role-mappings/realm"
    return f"/users/{user_id}/role-mappings/clients/{state.catalog.client_uuids[ref.client]}"


@dataclass
class _UserResult:
    log: list[str] = field(default_factory=list)
    granted: int = 0
    revoked: int = 0
    attributes_written: int = 0
    failure: str | None = None


def _apply_user(
    admin: KeycloakAdmin,
    plan: MappingPlan,
    state: KeycloakState,
    reps: _RoleReps,
    nip: str,
    adds: list[RoleRef],
    removes: list[RoleRef],
) -> _UserResult:
    out = _UserResult()
    user = state.users[nip]
    try:
        for method, refs, verb in (("POST", adds, "+"), ("DELETE", removes, "-")):
            by_path: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for ref in refs:
                by_path[_mapping_path(ref, state, user["id"])].append(reps.get(ref))
            for path, body in by_path.items():
                admin.request(method, path, json=body)
            out.log += [f"{verb} {nip} {ref.key}" for ref in refs]
            if method == "POST":
                out.granted += len(refs)
            else:
                out.revoked += len(refs)
        if nip in plan.grants_attr or nip in plan.lingkup_attr:
            attrs = dict(user.get("attributes") or {})
            if nip in plan.grants_attr:
                attrs[GRANTS_ATTR] = sorted(r.key for r in plan.grants_attr[nip])
            if nip in plan.lingkup_attr:
                attrs[LINGKUP_ATTR] = list(plan.lingkup_attr[nip])
            for key in (GRANTS_ATTR, LINGKUP_ATTR):
                if not attrs.get(key):
                    attrs.pop(key, None)
            user_rep = {k: user[k] for k in USER_FIELDS if k in user}
            user_rep["attributes"] = attrs
            admin.put(f"/users/{user['id']}", json=user_rep)
            user["attributes"] = attrs
            out.attributes_written += 1
    except KeycloakApiError as exc:
        out.failure = f"{nip}: {exc}"
    return out


def apply_plan(
    admin: KeycloakAdmin, plan: MappingPlan, state: KeycloakState, *, workers: int = 4
) -> ApplyReport:
    """Apply per user, ``workers`` users at a time (the admin client's pool is thread-safe).
    A user whose requests fail is reported and the others go on; the next run retries it."""
    report = ApplyReport()
    reps = _RoleReps(admin, state)
    adds: dict[str, list[RoleRef]] = defaultdict(list)
    removes: dict[str, list[RoleRef]] = defaultdict(list)
    for change in plan.changes.values():
        for nip in change.gains:
            adds[nip].append(change.role)
        for nip in change.losses:
            removes[nip].append(change.role)
    for ref in {r for refs in (*adds.values(), *removes.values()) for r in refs}:
        reps.get(ref)  # fill the cache before the threads share it
    nips = sorted(plan.touched_users())
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = pool.map(
            lambda n: _apply_user(admin, plan, state, reps, n, adds.get(n, []), removes.get(n, [])), nips
        )
        for result in results:
            report.log += result.log
            report.granted += result.granted
            report.revoked += result.revoked
            report.attributes_written += result.attributes_written
            if result.failure:
                report.failures.append(result.failure)
    return report
