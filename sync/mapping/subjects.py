"""The facts rules are evaluated on: one :class:`Subject` per pegawai.

We evaluate on what the sync wrote to Keycloak users (read once, paged) rather than on the
HR snapshot: the token carries those same attributes, so ``explain`` and the token never
disagree, and the mapping can run without access to the HR systems. ``from_snapshot`` builds
the same facts from an :class:`~sync.snapshot.HrSnapshot` (tests, benchmark, validation).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import StatusPegawai
from ..snapshot import HrSnapshot
from .roles import RoleRef

GRANTS_ATTR = "satulogin_grants"
LINGKUP_ATTR = "lingkup_unit"


@dataclass(frozen=True, slots=True)
class Subject:
    nip: str
    unit_kode: str = ""
    jabatan_kode: str = ""
    jenis: str = ""
    eselon: str = ""
    golongan: str = ""
    status: str = StatusPegawai.AKTIF.value
    nama: str = ""
    user_id: str | None = None
    # What our last apply recorded (satulogin_grants) and the scope written (lingkup_unit).
    recorded_grants: frozenset[RoleRef] = field(default_factory=frozenset)
    lingkup: tuple[str, ...] = ()


def _first(attrs: Mapping[str, Any], name: str) -> str:
    value = attrs.get(name)
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value) if value is not None else ""


def subject_from_user(user: Mapping[str, Any]) -> Subject | None:
    """A Keycloak user representation (with attributes) → Subject; None if it is no pegawai."""
    attrs: Mapping[str, Any] = user.get("attributes") or {}
    nip = _first(attrs, "nip") or str(user.get("username", ""))
    if len(nip) != 18 or not nip.isdigit():
        return None
    status = _first(attrs, "status_pegawai") or StatusPegawai.AKTIF.value
    name = " ".join(p for p in (user.get("firstName"), user.get("lastName")) if p)
    return Subject(
        nip=nip,
        unit_kode=_first(attrs, "unit_kode"),
        jabatan_kode=_first(attrs, "jabatan_kode"),
        jenis=_first(attrs, "jenis_jabatan"),
        eselon=_first(attrs, "eselon"),
        golongan=_first(attrs, "golongan"),
        status=status,
        nama=name,
        user_id=user.get("id"),
        recorded_grants=frozenset(RoleRef.parse(v) for v in attrs.get(GRANTS_ATTR) or [] if v),
        lingkup=tuple(sorted(attrs.get(LINGKUP_ATTR) or [])),
    )


def subjects_from_users(users: Iterable[Mapping[str, Any]]) -> dict[str, Subject]:
    out: dict[str, Subject] = {}
    for user in users:
        subject = subject_from_user(user)
        if subject is not None:
            out[subject.nip] = subject
    return out


def subjects_from_snapshot(snapshot: HrSnapshot) -> dict[str, Subject]:
    out: dict[str, Subject] = {}
    for p in snapshot.pegawai.values():
        jab = snapshot.jabatan.get(p.jabatan_kode)
        out[p.nip] = Subject(
            nip=p.nip,
            unit_kode=p.unit_kode,
            jabatan_kode=p.jabatan_kode,
            jenis=jab.jenis.value if jab else "",
            eselon=p.eselon or (jab.eselon if jab and jab.eselon else ""),
            golongan=p.golongan or "",
            status=p.status.value,
            nama=p.full_name,
        )
    return out
