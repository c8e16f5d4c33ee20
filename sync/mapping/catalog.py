"""What exists, so a rule set can be checked against it: roles, apps, units, jabatan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from satulogin.kc_admin import KeycloakAdmin

from ..snapshot import HrSnapshot
from .subjects import Subject

JABATAN_ROLE_PREFIX = "jabatan-"


@dataclass
class Catalog:
    realm_roles: set[str] = field(default_factory=set)
    client_roles: dict[str, set[str]] = field(default_factory=dict)  # clientId -> role names
    client_uuids: dict[str, str] = field(default_factory=dict)  # clientId -> id
    units: dict[str, str] = field(default_factory=dict)  # kunker -> name ("" if unknown)
    jabatan: dict[str, str] = field(default_factory=dict)  # kode -> name

    def add_snapshot(self, snapshot: HrSnapshot) -> None:
        for unit in snapshot.units.values():
            self.units[unit.kode] = unit.nama
        for jab in snapshot.jabatan.values():
            self.jabatan[jab.kode] = jab.nama

    def add_subjects(self, subjects: Iterable[Subject]) -> None:
        for s in subjects:
            if s.unit_kode:
                self.units.setdefault(s.unit_kode, "")
            if s.jabatan_kode:
                self.jabatan.setdefault(s.jabatan_kode, "")


def _client_roles(admin: KeycloakAdmin, client_uuid: str) -> set[str]:
    return {r["name"] for r in admin.get(f"/clients/{client_uuid}/roles") or []}


def catalog_from_keycloak(
    admin: KeycloakAdmin, *, clients: Iterable[str] | None = None, unit_codes: Iterable[str] = ()
) -> Catalog:
    """Read realm roles, the clients (roles only for ``clients`` when given: each costs a
    request), jabatan from ``jabatan-<kode>`` roles, and each code in ``unit_codes`` looked up
    as a group keyed on attribute ``kunker`` (a handful of requests, not a tree walk)."""
    cat = Catalog()
    for role in admin.paged("/roles", params={"briefRepresentation": "true"}):
        cat.realm_roles.add(role["name"])
        if role["name"].startswith(JABATAN_ROLE_PREFIX):
            cat.jabatan.setdefault(role["name"][len(JABATAN_ROLE_PREFIX) :], role.get("description") or "")
    wanted = set(clients) if clients is not None else None
    for client in admin.paged("/clients", params={"briefRepresentation": "true"}):
        cid = client["clientId"]
        cat.client_uuids[cid] = client["id"]
        if wanted is None or cid in wanted:
            cat.client_roles[cid] = _client_roles(admin, client["id"])
    for code in unit_codes:
        if code in cat.units:
            continue
        groups = (
            admin.get(
                "/groups", params={"q": f"kunker:{code}", "briefRepresentation": "false", "exact": "true"}
            )
            or []
        )
        found = _find_group(groups, code)
        if found is not None:
            cat.units[code] = found
    return cat


def _find_group(groups: list[dict[str, object]], code: str) -> str | None:
    for group in groups:
        attrs = group.get("attributes") or {}
        if isinstance(attrs, dict) and code in (attrs.get("kunker") or []):
            return str(group.get("name", ""))
        sub = group.get("subGroups") or []
        if isinstance(sub, list):
            hit = _find_group(sub, code)
            if hit is not None:
                return hit
    return None
