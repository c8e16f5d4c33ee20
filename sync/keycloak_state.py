"""What Keycloak holds now: groups, realm roles and users, read with paging.

Reads only. Membership is *derived*, not listed: a managed user's unit group and jabatan
role are the ones named by the ``unit_kode`` / ``jabatan_kode`` attributes the sync wrote
(the sync writes those attributes *after* switching group and role, so an interrupted mover
still shows its old values and is redone). That keeps a no-op run at one paged user listing
plus the group tree and role list, whatever the realm size. ``verify_membership`` instead
lists every managed group's members and every jabatan role's users (cost grows with the
realm; for an occasional audit after hand edits in the admin console).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from satulogin.kc_admin import KeycloakAdmin

from .desired import KUNKER_ATTR, MANAGED_ATTR, MANAGED_VALUE, PEGAWAI_ROLE, ROLE_PREFIX


def first(attrs: dict[str, list[str]] | None, key: str) -> str | None:
    values = (attrs or {}).get(key) or []
    return values[0] if values else None


def is_managed(attrs: dict[str, Any] | None) -> bool:
    return MANAGED_VALUE in ((attrs or {}).get(MANAGED_ATTR) or [])


@dataclass
class KcGroup:
    id: str
    name: str
    parent_id: str | None
    attributes: dict[str, list[str]]
    path: str = ""

    @property
    def kunker(self) -> str | None:
        return first(self.attributes, KUNKER_ATTR)

    @property
    def managed(self) -> bool:
        return is_managed(self.attributes)


@dataclass
class KcRole:
    id: str
    name: str
    description: str
    attributes: dict[str, list[str]]

    @property
    def managed(self) -> bool:
        return is_managed(self.attributes)


@dataclass
class KcUser:
    id: str
    username: str
    first_name: str
    last_name: str
    email: str | None
    enabled: bool
    attributes: dict[str, list[str]]
    required_actions: list[str]
    raw: dict[str, Any] = field(repr=False)
    # Filled only when membership is listed (verify mode or an adopted user).
    group_ids: set[str] | None = None
    realm_roles: set[str] | None = None
    # Listed only to put back what is missing (incremental runs, users somebody else touched):
    # removals still follow the attributes, as in a full run.
    membership_repair_only: bool = False

    @property
    def managed(self) -> bool:
        return is_managed(self.attributes)


@dataclass
class KeycloakState:
    groups: dict[str, KcGroup]  # id -> group
    groups_by_kunker: dict[str, KcGroup]  # managed groups only
    roles: dict[str, KcRole]  # name -> role
    users: dict[str, KcUser]  # username -> user
    otp_default: bool = False
    reads: int = 0
    # e-mail -> username of accounts not read in full (incremental runs ask per joiner).
    known_emails: dict[str, str] = field(default_factory=dict)

    @property
    def managed_users(self) -> list[KcUser]:
        return [u for u in self.users.values() if u.managed]


def _group(rep: dict[str, Any], parent_id: str | None) -> KcGroup:
    return KcGroup(
        id=rep["id"],
        name=rep["name"],
        parent_id=rep.get("parentId", parent_id),
        attributes=rep.get("attributes") or {},
        path=rep.get("path", ""),
    )


def read_groups(kc: KeycloakAdmin, page_size: int = 500, workers: int = 8) -> dict[str, KcGroup]:
    """The whole group tree, breadth first: one listing per group that has children, the
    listings of one level in parallel (a province has ~330 parent units over five levels).
    ``GET /groups?q=...`` returns the tree in one call but costs Keycloak far more (measured
    ~30 s for 1,100 groups against ~3 s this way)."""
    params = {"briefRepresentation": "false", "subGroupsCount": "true"}
    out: dict[str, KcGroup] = {}
    level: list[str] = []
    for rep in kc.paged("/groups", page_size=page_size, params=params):
        out[rep["id"]] = _group(rep, None)
        if rep.get("subGroupCount", 1):
            level.append(rep["id"])

    def children(gid: str) -> list[tuple[str, dict[str, Any]]]:
        return [(gid, rep) for rep in kc.paged(f"/groups/{gid}/children", page_size=page_size, params=params)]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        while level:
            nxt: list[str] = []
            for found in pool.map(children, level):
                for gid, rep in found:
                    out[rep["id"]] = _group(rep, gid)
                    if rep.get("subGroupCount", 1):
                        nxt.append(rep["id"])
            level = nxt
    return out


def read_roles(kc: KeycloakAdmin, page_size: int = 500) -> dict[str, KcRole]:
    return {
        r["name"]: KcRole(
            id=r["id"],
            name=r["name"],
            description=r.get("description") or "",
            attributes=r.get("attributes") or {},
        )
        for r in kc.paged("/roles", page_size=page_size, params={"briefRepresentation": "false"})
    }


def kc_user(rep: dict[str, Any]) -> KcUser:
    return KcUser(
        id=rep["id"],
        username=rep["username"],
        first_name=rep.get("firstName") or "",
        last_name=rep.get("lastName") or "",
        email=rep.get("email"),
        enabled=bool(rep.get("enabled", True)),
        attributes=rep.get("attributes") or {},
        required_actions=list(rep.get("requiredActions") or []),
        raw=rep,
    )


def read_users(kc: KeycloakAdmin, page_size: int = 500) -> dict[str, KcUser]:
    return {
        rep["username"]: kc_user(rep)
        for rep in kc.paged("/users", page_size=page_size, params={"briefRepresentation": "false"})
    }


def list_membership(kc: KeycloakAdmin, user: KcUser) -> None:
    """Read one user's groups and realm roles (adoption, verify mode)."""
    user.group_ids = {
        g["id"] for g in kc.paged(f"/users/{user.id}/groups", params={"briefRepresentation": "true"})
    }
    user.realm_roles = {r["name"] for r in kc.get(f"/users/{user.id}/role-mappings/realm") or []}


def verify_membership(kc: KeycloakAdmin, state: KeycloakState, workers: int = 8) -> None:
    """Fill every managed user's real groups and roles from per-group / per-role listings."""
    groups: dict[str, set[str]] = defaultdict(set)
    roles: dict[str, set[str]] = defaultdict(set)
    managed_groups = [g for g in state.groups.values() if g.managed]
    role_names = [
        n for n, r in state.roles.items() if (r.managed and n.startswith(ROLE_PREFIX)) or n == PEGAWAI_ROLE
    ]

    def members(g: KcGroup) -> None:
        for m in kc.paged(f"/groups/{g.id}/members", params={"briefRepresentation": "true"}):
            groups[m["username"]].add(g.id)

    def holders(name: str) -> None:
        for m in kc.paged(f"/roles/{quote(name, safe='')}/users", params={"briefRepresentation": "true"}):
            roles[m["username"]].add(name)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(members, managed_groups))
        list(pool.map(holders, role_names))
    for user in state.users.values():
        if user.managed:
            user.group_ids = groups.get(user.username, set())
            user.realm_roles = roles.get(user.username, set())


def read_otp_default(kc: KeycloakAdmin) -> bool:
    """Does the realm want OTP for new accounts? (CONFIGURE_TOTP enabled as a default action.)"""
    for action in kc.get("/authentication/required-actions") or []:
        if action.get("alias") == "CONFIGURE_TOTP":
            return bool(action.get("enabled") and action.get("defaultAction"))
    return False


def read_state(kc: KeycloakAdmin, *, verify: bool = False, page_size: int = 500) -> KeycloakState:
    before, _ = kc.counter.snapshot()
    groups = read_groups(kc, page_size)
    by_kunker: dict[str, KcGroup] = {}
    for g in groups.values():
        if g.managed and g.kunker:
            by_kunker[g.kunker] = g
    _fill_paths(groups)
    state = KeycloakState(
        groups=groups,
        groups_by_kunker=by_kunker,
        roles=read_roles(kc, page_size),
        users=read_users(kc, page_size),
        otp_default=read_otp_default(kc),
    )
    if verify:
        verify_membership(kc, state)
    state.reads = kc.counter.snapshot()[0] - before
    return state


def _fill_paths(groups: dict[str, KcGroup]) -> None:
    def path(g: KcGroup, seen: Iterable[str] = ()) -> str:
        if g.path:
            return g.path
        parent = groups.get(g.parent_id or "")
        base = path(parent, (*seen, g.id)) if parent and parent.id not in seen else ""
        g.path = f"{base}/{g.name}"
        return g.path

    for g in groups.values():
        g.path = ""
    for g in groups.values():
        path(g)
