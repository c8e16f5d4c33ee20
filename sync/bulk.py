"""Client for our Keycloak extension's bulk endpoints (``/admin/realms/{realm}/satulogin-sync``).

The extension (``sync/keycloak_extension``) creates many groups, roles or users per request,
persisted as Keycloak's own JPA entities (``docs/operations.md`` says how and why), in
transactions of ``chunk`` objects, and answers per object:
``CREATED`` (with its id), ``SKIPPED`` (it exists already: a crashed run's work) or ``FAILED``
(with the reason, the rest of its transaction redone without it). It only creates; updates,
moves and leavers stay on the plain Admin REST API.

A Keycloak without the extension answers 404 and the sync takes the plain API instead
(``partialImport`` for users, one request per group or role): slower, same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from satulogin.errors import SatuLoginError
from satulogin.kc_admin import KeycloakAdmin

PATH = "/satulogin-sync"
VERSION = 1


@dataclass(frozen=True)
class BulkResult:
    name: str
    id: str | None
    action: str  # CREATED, SKIPPED, FAILED
    error: str | None = None


def available(kc: KeycloakAdmin) -> bool:
    """Does this Keycloak carry the extension (at a version we speak)?"""
    resp = kc.request("GET", PATH, ok=(404,))
    if resp.status_code != 200:
        return False
    try:
        return int(resp.json().get("version", 0)) >= VERSION
    except (ValueError, AttributeError):
        return False


def create(kc: KeycloakAdmin, kind: str, items: list[dict[str, Any]], *, chunk: int,
           timeout: float) -> list[BulkResult]:
    """POST ``items`` to ``/satulogin-sync/{kind}`` (kind: users, groups or roles); one result
    per item, in order. Safe to resend: what exists already comes back ``SKIPPED``."""
    if not items:
        return []
    resp = kc.post(f"{PATH}/{kind}", {kind: items, "chunk": chunk}, timeout=timeout)
    results = resp.json().get("results", [])
    if len(results) != len(items):
        raise SatuLoginError(
            f"{PATH}/{kind}: {len(results)} jawaban untuk {len(items)} objek / answers for "
            f"{len(items)} objects (extension and sync versions differ?)"
        )
    return [
        BulkResult(
            name=str(r.get("name") or ""),
            id=r.get("id"),
            action=str(r.get("action") or "FAILED"),
            error=r.get("error"),
        )
        for r in results
    ]
