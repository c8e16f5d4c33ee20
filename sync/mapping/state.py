"""What Keycloak holds now, read once: pegawai users (paged) and the direct holders of every
role the mapping manages. Cost grows with the number of managed roles, not with users."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from satulogin.kc_admin import KeycloakAdmin

from .catalog import Catalog, catalog_from_keycloak
from .engine import roles_of
from .roles import RoleRef
from .rules import RuleSet
from .subjects import Subject, subjects_from_users
from .validate import referenced_clients, referenced_units


@dataclass
class KeycloakState:
    users: dict[str, dict[str, Any]]  # nip -> user representation
    subjects: dict[str, Subject]
    held: dict[RoleRef, set[str]]  # role -> NIPs with a direct mapping
    catalog: Catalog
    names: dict[str, str] = field(default_factory=dict)


def role_users_path(ref: RoleRef, catalog: Catalog) -> str | None:
    if ref.client is None:
        return f"/roles/{quote(ref.name, safe='')}/users" if ref.name in catalog.realm_roles else None
    uuid = catalog.client_uuids.get(ref.client)
    if uuid is None or ref.name not in catalog.client_roles.get(ref.client, set()):
        return None
    return f"/clients/{uuid}/roles/{quote(ref.name, safe='')}/users"


def read_holders(
    admin: KeycloakAdmin, roles: Iterable[RoleRef], catalog: Catalog, id_to_nip: dict[str, str]
) -> dict[RoleRef, set[str]]:
    held: dict[RoleRef, set[str]] = {}
    for ref in roles:
        path = role_users_path(ref, catalog)
        members: set[str] = set()
        if path is not None:
            for user in admin.paged(path, params={"briefRepresentation": "true"}):
                nip = id_to_nip.get(user["id"])
                if nip is not None:
                    members.add(nip)
        held[ref] = members
    return held


def read_state(admin: KeycloakAdmin, ruleset: RuleSet) -> KeycloakState:
    users_by_nip: dict[str, dict[str, Any]] = {}
    raw = list(admin.paged("/users", params={"briefRepresentation": "false"}, page_size=500))
    subjects = subjects_from_users(raw)
    by_id = {user.get("id"): user for user in raw}
    for nip, s in subjects.items():
        users_by_nip[nip] = by_id[s.user_id]
    recorded = {ref for s in subjects.values() for ref in s.recorded_grants}
    managed = roles_of(ruleset.all_rules()) | recorded
    clients = referenced_clients(ruleset) | {r.client for r in recorded if r.client}
    catalog = catalog_from_keycloak(admin, clients=clients, unit_codes=referenced_units(ruleset))
    catalog.add_subjects(subjects.values())
    id_to_nip = {s.user_id: nip for nip, s in subjects.items() if s.user_id}
    held = read_holders(admin, managed, catalog, id_to_nip)
    names = {nip: s.nama for nip, s in subjects.items()}
    return KeycloakState(users_by_nip, subjects, held, catalog, names)
