"""Diff desired state against Keycloak: the :class:`SyncPlan`, and how it reads (text/json).

Ownership (docs/contracts.md): only objects carrying ``satulogin_managed=hr-sync`` are
changed. A user the sync did not create whose username is a NIP in the source is *not*
touched unless the run adopts (``adopt=True``): the plan lists it as a conflict.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from satulogin.kc_admin import KeycloakAdmin

from .desired import (
    MANAGED_ATTR,
    MANAGED_VALUE,
    PEGAWAI_ROLE,
    ROLE_PREFIX,
    USER_ATTRS,
    DesiredGroup,
    DesiredRole,
    DesiredState,
    DesiredUser,
    desired_state,
    role_name,
)
from .keycloak_state import KcUser, KeycloakState, first, list_membership, read_state
from .snapshot import HrSnapshot

# Where a person sits: written with their group and role switch, kept as is for leavers.
PLACEMENT_ATTRS = ("unit_kode", "unit_nama", "jabatan_kode", "jabatan_nama", "jenis_jabatan", "eselon")

# Actions that write; "conflict", "obsolete" and "info" are reported only.
WRITE_ACTIONS = ("create", "update", "move", "disable", "enable", "adopt")


@dataclass
class Change:
    kind: str  # group | role | user
    key: str  # kunker | role name | NIP
    action: str  # create update move disable enable adopt conflict obsolete info
    reason: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # Execution details (not shown): ids and membership switches.
    kc_id: str | None = None
    desired: DesiredGroup | DesiredRole | DesiredUser | None = None
    add_groups: list[str] = field(default_factory=list)  # kunker codes
    remove_groups: list[str] = field(default_factory=list)  # group ids
    add_roles: list[str] = field(default_factory=list)
    remove_roles: list[str] = field(default_factory=list)
    logout: bool = False
    representation: dict[str, Any] | None = None  # user PUT body

    @property
    def writes(self) -> bool:
        return self.action in WRITE_ACTIONS

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "key": self.key,
            "action": self.action,
            "reason": self.reason,
        }
        if self.fields:
            out["fields"] = {k: {"old": o, "new": n} for k, (o, n) in self.fields.items()}
        return out


@dataclass
class SyncPlan:
    changes: list[Change]
    quarantine: list[dict[str, Any]]
    managed_users: int
    source_total: int
    otp_for_joiners: bool = False

    def of(self, kind: str, *actions: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind and (not actions or c.action in actions)]

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.writes]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (kind, action), n in sorted(Counter((c.kind, c.action) for c in self.changes).items()):
            out.setdefault(kind, {})[action] = n
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "changes": [c.as_dict() for c in self.changes],
            "quarantine": self.quarantine,
            "counts": self.counts(),
            "pending": len(self.pending),
            "managed_users": self.managed_users,
            "source_total": self.source_total,
        }


# --- groups ------------------------------------------------------------------------------------
def plan_groups(desired: DesiredState, state: KeycloakState) -> list[Change]:
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
        if kunker not in desired.groups:
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
def plan_roles(desired: DesiredState, state: KeycloakState) -> list[Change]:
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
                fields[key] = (_one(old), _one(new))
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
        if current.managed and name.startswith(ROLE_PREFIX) and name not in desired.roles:
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


def _one(values: list[str] | None) -> Any:
    if not values:
        return None
    return values[0] if len(values) == 1 else values


# --- users -------------------------------------------------------------------------------------
def user_representation(user: KcUser, d: DesiredUser, *, adopt: bool = False) -> dict[str, Any]:
    """The PUT body: Keycloak's own representation with our fields set. All existing
    attributes are sent back, because a PUT with ``attributes`` replaces the whole map
    (Keycloak 24+), and ``lingkup_unit``/``satulogin_grants`` belong to the mapping engine."""
    attrs = {k: list(v) for k, v in user.attributes.items() if k not in USER_ATTRS}
    attrs.update({k: list(v) for k, v in d.attributes.items()})
    if adopt:
        attrs[MANAGED_ATTR] = [MANAGED_VALUE]
    rep = {k: v for k, v in user.raw.items() if k in ("username", "emailVerified", "requiredActions")}
    rep.update(
        {
            "firstName": d.first_name,
            "lastName": d.last_name,
            "email": d.email or "",
            "enabled": d.enabled,
            "attributes": attrs,
        }
    )
    if (d.email or None) != (user.email or None):
        rep["emailVerified"] = False
    return rep


def _user_fields(user: KcUser, d: DesiredUser) -> dict[str, tuple[Any, Any]]:
    fields: dict[str, tuple[Any, Any]] = {}
    for name, old, new in (
        ("firstName", user.first_name, d.first_name),
        ("lastName", user.last_name, d.last_name),
        ("email", user.email or None, d.email),
    ):
        if old != new:
            fields[name] = (old, new)
    for key in USER_ATTRS:
        old_v, new_v = user.attributes.get(key) or None, d.attributes.get(key) or None
        if old_v != new_v:
            fields[key] = (_one(old_v), _one(new_v))
    return fields


def plan_user(
    user: KcUser, d: DesiredUser, state: KeycloakState, sync_disabled: set[str], adopting: bool = False
) -> Change | None:
    if not d.enabled:
        # A leaver keeps the unit and jabatan Keycloak has (their unit may be dissolved and
        # gone from the source); only status, names and the like are written.
        kept = {k: v for k, v in user.attributes.items() if k in PLACEMENT_ATTRS}
        attrs = {k: v for k, v in d.attributes.items() if k not in PLACEMENT_ATTRS}
        old_unit, old_jab = first(user.attributes, "unit_kode"), first(user.attributes, "jabatan_kode")
        d = replace(
            d,
            attributes={**attrs, **kept},
            unit_kode=old_unit or d.unit_kode,
            role=role_name(old_jab) if old_jab else d.role,
        )
    fields = _user_fields(user, d)
    change = Change(
        "user", d.username, "update", "data pegawai berubah / employee data changed", kc_id=user.id, desired=d
    )
    # Group: what we wrote (the unit_kode attribute), or the listed membership when known.
    target = state.groups_by_kunker.get(d.unit_kode)
    if user.group_ids is not None:
        managed_in = {gid for gid in user.group_ids if state.groups.get(gid) and state.groups[gid].managed}
        if target is None or target.id not in user.group_ids:
            change.add_groups.append(d.unit_kode)
        change.remove_groups = sorted(managed_in - ({target.id} if target else set()))
    else:
        old_unit = first(user.attributes, "unit_kode")
        if old_unit != d.unit_kode or target is None:
            change.add_groups.append(d.unit_kode)
            old = state.groups_by_kunker.get(old_unit or "")
            if old is not None and old_unit != d.unit_kode:
                change.remove_groups.append(old.id)
    # Roles: only jabatan roles the sync made, plus ``pegawai``; manual grants stay.
    if user.realm_roles is not None:
        owned = {
            r
            for r in user.realm_roles
            if r.startswith(ROLE_PREFIX) and state.roles.get(r) and state.roles[r].managed
        }
        change.add_roles = sorted({d.role, PEGAWAI_ROLE} - user.realm_roles)
        change.remove_roles = sorted(owned - {d.role})
    else:
        old_jab = first(user.attributes, "jabatan_kode")
        if old_jab != first(d.attributes, "jabatan_kode"):
            change.add_roles = [d.role, PEGAWAI_ROLE]
            old_role = role_name(old_jab) if old_jab else None
            if (
                old_role
                and old_role != d.role
                and state.roles.get(old_role)
                and state.roles[old_role].managed
            ):
                change.remove_roles = [old_role]
    moved = bool(change.remove_groups or change.remove_roles) or any(
        fields.get(k, (None, None))[0] is not None for k in ("unit_kode", "jabatan_kode")
    )
    if d.enabled != user.enabled:
        if not d.enabled:
            change.action, change.logout = "disable", True
            change.reason = (
                f"status pegawai {d.status}: akun dinonaktifkan / employee status {d.status}: disabled"
            )
            fields["enabled"] = (True, False)
        elif user.username in sync_disabled:
            change.action = "enable"
            change.reason = "aktif lagi di sumber / active again in the source"
            fields["enabled"] = (False, True)
        else:
            # Disabled by an administrator, not by us: we never undo that.
            d = _keep_disabled(d)
            change.desired = d
    if adopting:
        change.action = "adopt"
        change.reason = (
            "akun manual dengan username NIP diambil alih (--adopt) / hand-made account with the NIP "
            "as username adopted (--adopt)"
        )
        fields[MANAGED_ATTR] = (None, MANAGED_VALUE)
    elif change.action == "update" and moved:
        change.action = "move"
        change.reason = "pindah unit atau jabatan / moved to another unit or jabatan"
    if (
        not fields
        and not change.add_groups
        and not change.add_roles
        and not change.remove_groups
        and not change.remove_roles
    ):
        return None
    change.fields = fields
    change.representation = user_representation(user, change.desired, adopt=adopting)  # type: ignore[arg-type]
    return change


def _keep_disabled(d: DesiredUser) -> DesiredUser:
    return replace(d, enabled=False)


def plan_users(
    desired: DesiredState, state: KeycloakState, *, adopt: bool = False, sync_disabled: set[str] | None = None
) -> list[Change]:
    sync_disabled = sync_disabled or set()
    out: list[Change] = []
    for nip, d in sorted(desired.users.items()):
        user = state.users.get(nip)
        if user is None:
            if not d.enabled:
                continue  # a leaver we never had: nothing to create
            out.append(
                Change(
                    "user",
                    nip,
                    "create",
                    "pegawai baru / joiner",
                    {
                        "firstName": (None, d.first_name),
                        "lastName": (None, d.last_name),
                        "unit_kode": (None, d.unit_kode),
                        "jabatan": (None, d.role),
                    },
                    desired=d,
                )
            )
            continue
        if not user.managed:
            if not adopt:
                out.append(
                    Change(
                        "user",
                        nip,
                        "conflict",
                        "akun manual dengan username NIP ini sudah ada; tidak diubah (pakai --adopt untuk "
                        "mengambil alih) / a hand-made account with this NIP exists; left alone (use "
                        "--adopt to take it over)",
                        kc_id=user.id,
                    )
                )
                continue
            change = plan_user(user, d, state, sync_disabled, adopting=True)
        else:
            change = plan_user(user, d, state, sync_disabled)
        if change is not None:
            out.append(change)
    for username, user in sorted(state.users.items()):
        if user.managed and username not in desired.users and user.enabled:
            out.append(
                Change(
                    "user",
                    username,
                    "disable",
                    "tidak ada lagi di sumber: akun dinonaktifkan / gone from the source: disabled",
                    {"enabled": (True, False)},
                    kc_id=user.id,
                    logout=True,
                    representation={
                        **{
                            k: v
                            for k, v in user.raw.items()
                            if k
                            in (
                                "username",
                                "firstName",
                                "lastName",
                                "email",
                                "emailVerified",
                                "requiredActions",
                            )
                        },
                        "enabled": False,
                        "attributes": user.attributes,
                    },
                )
            )
    return out


def build_plan(
    desired: DesiredState,
    state: KeycloakState,
    *,
    quarantine: list[dict[str, Any]] | None = None,
    adopt: bool = False,
    sync_disabled: set[str] | None = None,
) -> SyncPlan:
    changes = plan_groups(desired, state) + plan_roles(desired, state)
    changes += plan_users(desired, state, adopt=adopt, sync_disabled=sync_disabled)
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
        {"kind": q.kind, "key": q.key, "origin": str(q.origin), "reasons": list(q.reasons)}
        for q in snapshot.quarantine
    ]


def make_plan(
    kc: KeycloakAdmin,
    snapshot: HrSnapshot,
    *,
    adopt: bool = False,
    verify: bool = False,
    sync_disabled: set[str] | None = None,
) -> tuple[SyncPlan, KeycloakState]:
    """Read Keycloak (no writes) and diff it against the snapshot."""
    state = read_state(kc, verify=verify)
    if adopt:
        # Adopted users' real membership is listed (a few reads each), so nothing is assumed.
        for nip in snapshot.pegawai:
            user = state.users.get(nip)
            if user is not None and not user.managed:
                list_membership(kc, user)
    plan = build_plan(
        desired_state(snapshot),
        state,
        quarantine=quarantine_rows(snapshot),
        adopt=adopt,
        sync_disabled=sync_disabled,
    )
    return plan, state
