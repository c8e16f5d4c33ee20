"""Where each of my roles comes from, told from my token and the jabatan-mapping rules
(``sync.mapping.explain``), without an admin call on the page's path.

The token says which roles I hold; the rule set (``mapping/rules.yaml`` or
``DASHBOARD_MAPPING_RULES``) says which rule grants each one to someone with my jabatan, eselon
and unit. A role no rule grants was given by hand (or is a Keycloak default role).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from satulogin.errors import SatuLoginError

from .viewer import RoleGrant, Viewer

KEYCLOAK_DEFAULTS = ("offline_access", "uma_authorization")
# Clients whose roles come with Keycloak's default-roles composite (account console etc.).
KEYCLOAK_CLIENTS = ("account", "broker", "realm-management")
_CACHE: dict[str, tuple[float, Any]] = {}
_LOCK = threading.Lock()


def _ruleset(path: Path) -> Any:
    """The parsed rule set, reloaded only when the file changes."""
    from sync.mapping.rules import load_ruleset

    mtime = path.stat().st_mtime
    with _LOCK:
        cached = _CACHE.get(str(path))
        if cached is None or cached[0] != mtime:
            cached = (mtime, load_ruleset(path))
            _CACHE[str(path)] = cached
        return cached[1]


def explain_roles(viewer: Viewer, rules_path: Path | None) -> tuple[list[RoleGrant], str]:
    """The viewer's roles with an origin each, and a note when the rules could not be read."""
    from sync.mapping.explain import explain
    from sync.mapping.roles import RoleRef
    from sync.mapping.service import default_rules_path
    from sync.mapping.subjects import Subject

    path = rules_path or default_rules_path()
    grants = viewer.roles
    try:
        ruleset = _ruleset(path)
    except (OSError, SatuLoginError) as exc:
        return grants, f"aturan pemetaan tidak terbaca / mapping rules unreadable: {exc}"
    held = {RoleRef(None if g.source == "realm" else g.source, g.name) for g in grants}
    subject = Subject(nip=viewer.nip, unit_kode=viewer.unit_kode, jabatan_kode=viewer.jabatan_kode,
                      jenis=viewer.jenis_jabatan, eselon=viewer.eselon, golongan=viewer.golongan,
                      nama=viewer.name)
    by_key = {r.role: r for r in explain(subject, ruleset, held).roles}
    out = []
    for grant in grants:
        key = grant.name if grant.source == "realm" else f"{grant.source}/{grant.name}"
        found = by_key.get(key)
        if found is not None and found.granted_by:
            origin = "aturan / rule: " + ", ".join(found.granted_by)
        elif grant.name.startswith("jabatan-"):
            origin = "sinkronisasi SIMPEG: peran jabatan / HR sync: the jabatan role"
        elif (grant.name in KEYCLOAK_DEFAULTS or grant.name.startswith("default-roles-")
              or grant.source in KEYCLOAK_CLIENTS):
            origin = "bawaan Keycloak / Keycloak default role"
        else:
            origin = "diberikan manual / granted by hand"
        out.append(replace(grant, origin=origin))
    return out, ""
