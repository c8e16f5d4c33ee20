"""Diff desired state against Keycloak: the :class:`SyncPlan`, and how it reads (text/json).

Ownership (docs/contracts.md): only objects carrying ``satulogin_managed=hr-sync`` are
changed. A user the sync did not create whose username is a NIP in the source is *not*
touched unless the run adopts (``adopt=True``): the plan lists it as a conflict.
"""

from __future__ import annotations

import json
import re
from typing import Any

from satulogin.kc_admin import KeycloakAdmin

from .changes import WRITE_ACTIONS, Change, SyncPlan, one_value
from .desired import ROLE_PREFIX, DesiredState, desired_state, role_name
from .incremental import (
    DEFAULT_FULL_EVERY_S,
    Scope,
    SyncCache,
    full_state,
    incremental_state,
    now_ms,
    restrict,
    token_subject,
)
from .keycloak_state import KeycloakState, list_membership, read_state
from .plan_users import plan_users
from .runlog import RunLog
from .snapshot import HrSnapshot
from .stopped_runs import UnloggedCheck, check_unlogged_disables

__all__ = ["WRITE_ACTIONS", "Change", "SyncPlan", "build_plan", "make_plan", "render_json", "render_text"]


# --- groups ------------------------------------------------------------------------------------
def plan_groups(
    desired: DesiredState, state: KeycloakState, quarantined: set[str] | None = None
) -> list[Change]:
    out: list[Change] = []
    for g in sorted(desired.groups.values(), key=lambda g: (g.level, g.kunker)):
        current = state.groups_by_kunker.get(g.kunker)
        if current is None:
            out.append(
                Change(
                    "group",
                    g.kunker,
                    "create",
                    "unit baru di sumber / new unit in the source",
                    {"name": (None, g.name), "parent": (None, g.parent_kunker)},
                    desired=g,
                )
            )
            continue
        parent = state.groups.get(current.parent_id or "")
        parent_kunker = parent.kunker if parent is not None and parent.managed else None
        fields: dict[str, tuple[Any, Any]] = {}
        if current.name != g.name:
            fields["name"] = (current.name, g.name)
        if parent_kunker != g.parent_kunker:
            fields["parent"] = (parent_kunker, g.parent_kunker)
        if fields:
            action = "move" if "parent" in fields else "update"
            reason = (
                "unit dipindah ke induk lain / unit moved to another parent"
                if action == "move"
                else "nama unit berubah / unit renamed"
            )
            out.append(Change("group", g.kunker, action, reason, fields, kc_id=current.id, desired=g))
    for kunker, current in sorted(state.groups_by_kunker.items()):
        if kunker in (quarantined or set()):
            out.append(Change("group", kunker, "hold", HELD_ROW, kc_id=current.id))
        elif kunker not in desired.groups:
            out.append(
                Change(
                    "group",
                    kunker,
                    "obsolete",
                    "unit tidak ada lagi di sumber; grup dibiarkan / unit gone from the source; "
                    "group kept (members and admin mappings stay)",
                    kc_id=current.id,
                )
            )
    return out


# --- roles -------------------------------------------------------------------------------------
def plan_roles(
    desired: DesiredState, state: KeycloakState, quarantined: set[str] | None = None
) -> list[Change]:
    out: list[Change] = []
    for name, r in sorted(desired.roles.items()):
        current = state.roles.get(name)
        if current is None:
            out.append(
                Change(
                    "role",
                    name,
                    "create",
                    "jabatan baru di sumber / new jabatan in the source",
                    {"description": (None, r.description)},
                    desired=r,
                )
            )
            continue
        if not current.managed:
            out.append(
                Change(
                    "role",
                    name,
                    "conflict",
                    "peran dengan nama ini dibuat manual; tidak diubah / a role of this name was made "
                    "by hand; left alone",
                    kc_id=current.id,
                )
            )
            continue
        fields: dict[str, tuple[Any, Any]] = {}
        if current.description != r.description:
            fields["description"] = (current.description, r.description)
        for key in sorted(set(r.attributes) | set(current.attributes)):
            old, new = current.attributes.get(key), r.attributes.get(key)
            if old != new:
                fields[key] = (one_value(old), one_value(new))
        if fields:
            out.append(
                Change(
                    "role",
                    name,
                    "update",
                    "data jabatan berubah / jabatan changed",
                    fields,
                    kc_id=current.id,
                    desired=r,
                )
            )
    for name, current in sorted(state.roles.items()):
        if not (current.managed and name.startswith(ROLE_PREFIX)):
            continue
        if name in (quarantined or set()):
            out.append(Change("role", name, "hold", HELD_ROW, kc_id=current.id))
        elif name not in desired.roles:
            out.append(
                Change(
                    "role",
                    name,
                    "obsolete",
                    "jabatan tidak ada lagi di sumber; peran dibiarkan / "
                    "jabatan gone from the source; role kept",
                    kc_id=current.id,
                )
            )
    return out


_NIP_SHAPE = re.compile(r"\d{18}")
HELD_ROW = (
    "baris sumbernya dikarantina: dibiarkan apa adanya / its source row is quarantined: left as it is"
)


def build_plan(
    desired: DesiredState,
    state: KeycloakState,
    *,
    quarantine: list[dict[str, Any]] | None = None,
    adopt: bool = False,
    sync_disabled: set[str] | None = None,
) -> SyncPlan:
    def keys_of(kind: str) -> list[str]:
        return [str(q["key"]).strip() for q in quarantine or [] if q["kind"] == kind]

    # A quarantined unit or jabatan is still in the source: its group or role is held, not
    # reported obsolete; a quarantined person's account is held, not disabled.
    changes = plan_groups(desired, state, set(keys_of("unit")))
    changes += plan_roles(desired, state, {role_name(k) for k in keys_of("jabatan")})
    people = [
        (str(q["key"]).strip(), bool(q.get("leaver"))) for q in quarantine or [] if q["kind"] == "pegawai"
    ]
    # A key that is not 18 digits cannot be any account's username: whose row it is, is unknown.
    unplaceable = sum(1 for key, _ in people if not _NIP_SHAPE.fullmatch(key))
    # Held unless every row of that NIP says they left: then they lose access all the same.
    held = {key for key, leaver in people if not leaver}
    changes += plan_users(
        desired,
        state,
        adopt=adopt,
        sync_disabled=sync_disabled,
        quarantined=held,
        unplaceable=unplaceable,
        leaving={key for key, _ in people} - held,
    )
    return SyncPlan(
        changes=changes,
        quarantine=quarantine or [],
        managed_users=len(state.managed_users),
        source_total=desired.source_total,
        otp_for_joiners=state.otp_default,
    )


# --- rendering ---------------------------------------------------------------------------------
_SIGN = {
    "create": "+",
    "update": "~",
    "move": ">",
    "disable": "-",
    "enable": "^",
    "adopt": "*",
    "conflict": "!",
    "obsolete": "?",
    "hold": "=",
    "info": " ",
}


def render_text(plan: SyncPlan, *, limit: int | None = None) -> str:
    lines: list[str] = []
    for q in plan.quarantine:
        lines.append(
            f"! karantina / quarantined {q['kind']} {q['key']} ({q['origin']}): {'; '.join(q['reasons'])}"
        )
    shown = 0
    for c in plan.changes:
        if limit is not None and shown >= limit:
            lines.append(f"  ... {len(plan.changes) - shown} lagi / more (use -o json for all)")
            break
        shown += 1
        lines.append(f"{_SIGN.get(c.action, ' ')} {c.kind} {c.key}: {c.action} — {c.reason}")
        for name, (old, new) in c.fields.items():
            lines.append(f"      {name}: {old!r} → {new!r}")
    lines.append("")
    lines.append("Ringkasan / summary:")
    for kind, actions in plan.counts().items():
        lines.append(f"  {kind:6} " + ", ".join(f"{a} {n}" for a, n in actions.items()))
    lines.append(f"  karantina / quarantined: {len(plan.quarantine)}")
    lines.append(f"  perubahan tertunda / changes pending: {len(plan.pending)}")
    return "\n".join(lines)


def render_json(plan: SyncPlan) -> str:
    return json.dumps(plan.as_dict(), indent=2, ensure_ascii=False, default=str)


def quarantine_rows(snapshot: HrSnapshot) -> list[dict[str, Any]]:
    return [
        {
            "kind": q.kind,
            "key": q.key,
            "origin": str(q.origin),
            "reasons": list(q.reasons),
            "leaver": q.leaver,
        }
        for q in snapshot.quarantine
    ]


def make_plan(
    kc: KeycloakAdmin,
    snapshot: HrSnapshot,
    *,
    adopt: bool = False,
    verify: bool = False,
    runlog: RunLog | None = None,
    cache: SyncCache | None = None,
    full: bool = False,
    full_every_s: int = DEFAULT_FULL_EVERY_S,
) -> tuple[SyncPlan, KeycloakState]:
    """Read Keycloak (no writes) and diff it against the snapshot.

    With a ``cache`` the read is incremental when it can be (:mod:`sync.incremental`): only
    people whose source data changed, or whom somebody changed in Keycloak, are read and
    planned. ``full``, ``verify`` and ``adopt`` always read everything. The ``runlog`` says
    which disabled accounts the sync disabled itself (only those are enabled again when HR
    says the person is back); without one, none is."""
    desired = desired_state(snapshot)
    unlogged, sync_disabled = UnloggedCheck(), set[str]()
    if runlog is not None:
        unlogged = check_unlogged_disables(kc, runlog)
        # A person with a disable a stopped run never logged was enabled when that run planned
        # it: an older disable by the sync no longer owns their disabled state. Only a
        # confirmed one does; the rest (not the sync's, or not decided yet) are not re-enabled.
        sync_disabled = (runlog.disabled_by_sync(kc.realm) - unlogged.asked) | set(unlogged.confirmed)
    scope: Scope | None = None
    if cache is not None and not (full or verify or adopt):
        state, scope = incremental_state(kc, cache, desired, full_every_s=full_every_s)
    else:
        started = now_ms()  # the watermark: before the read, so edits made during it are seen next time
        if cache is not None:
            realm_id = kc.get("")["id"]
            state, scope = full_state(
                kc, cache.load(realm_id), desired, "--full" if full else "--verify-membership/--adopt",
                started=started, realm_id=realm_id, actor=token_subject(kc), verify=verify,
            )
        else:
            state = read_state(kc, verify=verify)
    if adopt:
        # Adopted users' real membership is listed (a few reads each), so nothing is assumed.
        for nip in snapshot.pegawai:
            user = state.users.get(nip)
            if user is not None and not user.managed:
                list_membership(kc, user)
    planned = desired if scope is None or scope.mode == "full" else restrict(desired, scope.considered)
    plan = build_plan(
        planned,
        state,
        quarantine=quarantine_rows(snapshot),
        adopt=adopt,
        sync_disabled=sync_disabled,
    )
    plan.empty_sources = [kind for kind in ("units", "jabatan") if not snapshot.source_counts.get(kind, 1)]
    plan.confirmed_disables = unlogged.confirmed
    plan.unconfirmed_disables = unlogged.not_found
    plan.unlogged_problem = unlogged.problem
    if scope is not None:
        plan.scope = scope
        if scope.mode == "incremental":
            plan.managed_users = scope.managed_users
    return plan, state
