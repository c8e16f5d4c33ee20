"""Who is looking: the signed-in person as the dashboard needs them, built from token claims.

Framework-free on purpose: the views, the scope checks and the tests all use this one shape,
whatever the adapter's ``current_user`` looks like.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DASHBOARD_CLIENT_ID = "dashboard-pimpinan"


@dataclass(frozen=True)
class RoleGrant:
    """One role in the token and where it came from (``realm`` or a client id)."""

    name: str
    source: str            # "realm" or the client id that owns the role
    origin: str = ""       # why the person has it (mapping rule, manual grant), when known


@dataclass(frozen=True)
class Viewer:
    nip: str
    name: str
    unit_kode: str = ""
    unit_nama: str = ""
    jabatan_kode: str = ""
    jabatan_nama: str = ""
    jenis_jabatan: str = ""
    eselon: str = ""
    golongan: str = ""
    email: str = ""
    lingkup_unit: tuple[str, ...] = ()
    realm_roles: tuple[str, ...] = ()
    client_roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def roles(self) -> list[RoleGrant]:
        grants = [RoleGrant(r, "realm") for r in sorted(self.realm_roles)]
        for client in sorted(self.client_roles):
            grants.extend(RoleGrant(r, client) for r in sorted(self.client_roles[client]))
        return grants

    def has_client(self, client_id: str) -> bool:
        return bool(self.client_roles.get(client_id))


def _text(claims: Mapping[str, Any], key: str) -> str:
    value = claims.get(key)
    if isinstance(value, list):  # a multivalued attribute mapped without "aggregate" off
        value = value[0] if value else ""
    return "" if value is None else str(value)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        # Keycloak sends a one-element multivalued attribute as a plain string unless the
        # mapper is marked multivalued; accept both, and comma-joined lists too.
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(str(v) for v in value if str(v).strip())


def viewer_from_claims(claims: Mapping[str, Any]) -> Viewer:
    """Build a :class:`Viewer` from ID/access-token claims (contract: docs/contracts.md)."""
    realm_access = claims.get("realm_access") or {}
    resource_access = claims.get("resource_access") or {}
    client_roles = {
        client: tuple(sorted(_strings((entry or {}).get("roles"))))
        for client, entry in resource_access.items()
    }
    nip = _text(claims, "nip") or _text(claims, "preferred_username")
    return Viewer(
        nip=nip,
        name=_text(claims, "name") or nip,
        unit_kode=_text(claims, "unit_kode"),
        unit_nama=_text(claims, "unit_nama"),
        jabatan_kode=_text(claims, "jabatan_kode"),
        jabatan_nama=_text(claims, "jabatan_nama"),
        jenis_jabatan=_text(claims, "jenis_jabatan"),
        eselon=_text(claims, "eselon"),
        golongan=_text(claims, "golongan"),
        email=_text(claims, "email"),
        lingkup_unit=_strings(claims.get("lingkup_unit")),
        realm_roles=tuple(sorted(_strings(realm_access.get("roles")))),
        client_roles=client_roles,
    )
