"""The user half of the diff: joiners, movers, leavers, re-enables and adoptions.

Membership is derived from the ``unit_kode``/``jabatan_kode`` attributes the sync wrote,
unless the state carries listed membership (``--verify-membership``, adopted users); see
:mod:`sync.keycloak_state`. Only the unit groups and ``jabatan-*`` roles the sync made are
ever removed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .changes import Change, one_value
from .desired import (
    MANAGED_ATTR,
    MANAGED_VALUE,
    PEGAWAI_ROLE,
    ROLE_PREFIX,
    USER_ATTRS,
    DesiredState,
    DesiredUser,
    role_name,
)
from .keycloak_state import KcUser, KeycloakState, first

PLACEMENT_ATTRS = ("unit_kode", "unit_nama", "jabatan_kode", "jabatan_nama", "jenis_jabatan", "eselon")

# Actions that write; "conflict", "obsolete", "hold" and "info" are reported only.


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
            fields[key] = (one_value(old_v), one_value(new_v))
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
    if user.group_ids is not None and not user.membership_repair_only:
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
        elif user.group_ids is not None and target is not None and target.id not in user.group_ids:
            change.add_groups.append(d.unit_kode)  # taken out of their unit group by hand
    # Roles: only jabatan roles the sync made, plus ``pegawai``; manual grants stay.
    if user.realm_roles is not None and not user.membership_repair_only:
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
        elif user.realm_roles is not None:
            change.add_roles = sorted({d.role, PEGAWAI_ROLE} - user.realm_roles)  # removed by hand
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
        elif user.username in sync_disabled and not adopting:
            # (An adopted account was made by hand: whatever the sync disabled under this NIP
            # before was another account, and this one's lock is not the sync's.)
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
    desired: DesiredState,
    state: KeycloakState,
    *,
    adopt: bool = False,
    sync_disabled: set[str] | None = None,
    quarantined: set[str] | None = None,
    unplaceable: int = 0,
    leaving: set[str] | None = None,
) -> list[Change]:
    """``quarantined``: the NIPs of this run's quarantined pegawai rows; ``unplaceable``: how
    many quarantined rows carry no usable NIP at all (``1.98E+17``, empty, a shifted column).
    Neither is evidence that somebody left: a quarantined person's account is held as it is,
    and while some rows cannot be tied to a person, nobody is disabled for being absent.
    ``leaving``: quarantined NIPs whose every row says they left: disabled all the same."""
    sync_disabled = sync_disabled or set()
    quarantined = quarantined or set()
    leaving = leaving or set()
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
        if not (user.managed and username not in desired.users and user.enabled):
            continue
        if username not in leaving and (username in quarantined or unplaceable):
            out.append(
                Change(
                    "user",
                    username,
                    "hold",
                    (
                        "baris sumbernya dikarantina: akun dibiarkan apa adanya / their source row is "
                        "quarantined: account left as it is"
                        if username in quarantined
                        else f"{unplaceable} baris dikarantina tanpa NIP yang terbaca; tidak ada yang "
                        "dinonaktifkan karena hilang dari sumber sampai itu diperbaiki / "
                        f"{unplaceable} quarantined row(s) have no readable NIP; nobody is disabled for "
                        "being gone from the source until they are fixed"
                    ),
                    kc_id=user.id,
                )
            )
            continue
        out.append(
            Change(
                "user",
                username,
                "disable",
                "baris sumbernya dikarantina, tetapi statusnya keluar: akun dinonaktifkan / their source "
                "row is quarantined, but its status says they left: disabled"
                if username in leaving
                else "tidak ada lagi di sumber: akun dinonaktifkan / gone from the source: disabled",
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
