"""Token claims → the person an app works with, and the role checks apps ask about.

Claim names follow docs/contracts.md (client scope ``pegawai``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RoleRef:
    """A realm role (``client`` None) or a client role of ``client``."""

    name: str
    client: str | None = None

    @classmethod
    def parse(cls, spec: str, client: str | None = None) -> RoleRef:
        """``"pegawai"`` is a realm role, ``"dashboard-pimpinan:pimpinan"`` a client role;
        ``client=`` makes a bare name a client role of that client."""
        if client is not None:
            return cls(spec, client)
        if ":" in spec:
            app, _, name = spec.partition(":")
            return cls(name, app)
        return cls(spec, None)

    def __str__(self) -> str:
        return f"{self.client}:{self.name}" if self.client else self.name


@dataclass(frozen=True)
class SatuLoginUser:
    """A signed-in ASN (or a calling service account, for bearer APIs)."""

    sub: str
    nip: str | None = None
    username: str | None = None
    name: str | None = None
    email: str | None = None
    unit_kode: str | None = None
    unit_nama: str | None = None
    jabatan_kode: str | None = None
    jabatan_nama: str | None = None
    jenis_jabatan: str | None = None
    eselon: str | None = None
    golongan: str | None = None
    lingkup_unit: tuple[str, ...] = ()
    realm_roles: frozenset[str] = frozenset()
    client_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    sid: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    is_authenticated = True
    is_anonymous = False

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> SatuLoginUser:
        realm_access = claims.get("realm_access") or {}
        resource_access = claims.get("resource_access") or {}
        client_roles = {
            str(client): frozenset(str(r) for r in (entry or {}).get("roles", []))
            for client, entry in resource_access.items() if isinstance(entry, Mapping)
        }
        lingkup = claims.get("lingkup_unit") or ()
        if isinstance(lingkup, str):
            lingkup = (lingkup,)
        username = _text(claims.get("preferred_username"))
        return cls(
            sub=str(claims.get("sub", "")),
            # The NIP is the username of every ASN; the explicit claim wins when present.
            nip=_text(claims.get("nip")) or (username if username and username.isdigit() else None),
            username=username,
            name=_text(claims.get("name")),
            email=_text(claims.get("email")),
            unit_kode=_text(claims.get("unit_kode")),
            unit_nama=_text(claims.get("unit_nama")),
            jabatan_kode=_text(claims.get("jabatan_kode")),
            jabatan_nama=_text(claims.get("jabatan_nama")),
            jenis_jabatan=_text(claims.get("jenis_jabatan")),
            eselon=_text(claims.get("eselon")),
            golongan=_text(claims.get("golongan")),
            lingkup_unit=tuple(str(x) for x in lingkup),
            realm_roles=frozenset(str(r) for r in realm_access.get("roles", [])),
            client_roles=client_roles,
            sid=_text(claims.get("sid")),
            claims=dict(claims),
        )

    @property
    def id(self) -> str:
        return self.sub

    @property
    def unit(self) -> str | None:
        return self.unit_nama or self.unit_kode

    @property
    def jabatan(self) -> str | None:
        return self.jabatan_nama or self.jabatan_kode

    def has_role(self, role: str | RoleRef, client: str | None = None) -> bool:
        ref = role if isinstance(role, RoleRef) else RoleRef.parse(role, client)
        if ref.client is None:
            return ref.name in self.realm_roles
        return ref.name in self.client_roles.get(ref.client, frozenset())

    def has_all_roles(self, roles: Iterable[str | RoleRef], client: str | None = None) -> bool:
        return all(self.has_role(r, client) for r in roles)

    def has_any_role(self, roles: Iterable[str | RoleRef], client: str | None = None) -> bool:
        return any(self.has_role(r, client) for r in roles)

    def in_unit_scope(self, kunker: str) -> bool:
        """May this person see unit ``kunker``? (``lingkup_unit`` holds kunker prefixes.)"""
        return any(kunker.startswith(prefix) for prefix in self.lingkup_unit)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sub": self.sub, "nip": self.nip, "username": self.username, "name": self.name,
            "email": self.email, "unit_kode": self.unit_kode, "unit_nama": self.unit_nama,
            "jabatan_kode": self.jabatan_kode, "jabatan_nama": self.jabatan_nama,
            "jenis_jabatan": self.jenis_jabatan, "eselon": self.eselon, "golongan": self.golongan,
            "lingkup_unit": list(self.lingkup_unit), "realm_roles": sorted(self.realm_roles),
            "client_roles": {k: sorted(v) for k, v in sorted(self.client_roles.items())},
        }


class AnonymousUser:
    """Nobody is signed in; has no roles."""

    is_authenticated = False
    is_anonymous = True
    sub = nip = name = unit = jabatan = None
    realm_roles: frozenset[str] = frozenset()

    def has_role(self, role: str | RoleRef, client: str | None = None) -> bool:
        return False

    def has_all_roles(self, roles: Iterable[str | RoleRef], client: str | None = None) -> bool:
        return False

    def has_any_role(self, roles: Iterable[str | RoleRef], client: str | None = None) -> bool:
        return False


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value)
