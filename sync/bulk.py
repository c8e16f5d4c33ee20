"""Client for our Keycloak extension's bulk endpoints (``/admin/realms/{realm}/satulogin-sync``).

The extension (``sync/keycloak_extension``) creates many groups, roles or users per request,
persisted as Keycloak's own JPA entities (``docs/operations.md`` says how and why), and changes
many existing accounts per request (``user-updates``: movers, renames, leavers, re-enables,
adoptions, through Keycloak's user model), in transactions of ``chunk`` objects. It answers
per object: ``CREATED`` or ``UPDATED`` (with its id), ``SKIPPED`` (it exists already: a
crashed run's work) or ``FAILED`` (with the reason, the rest of its transaction redone
without it).

A Keycloak without the extension answers 404 and the sync takes the plain API instead
(``partialImport`` for users, one request per group, role or account change): slower, same
result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from satulogin.errors import SatuLoginError
from satulogin.kc_admin import KeycloakAdmin

PATH = "/satulogin-sync"
VERSION = 1


@dataclass(frozen=True)
class BulkResult:
    name: str
    id: str | None
    action: str  # CREATED, UPDATED, SKIPPED, FAILED
    error: str | None = None
    logged_out: bool | None = None  # user-updates asked to log out: were the sessions ended?


def operations(kc: KeycloakAdmin) -> frozenset[str]:
    """The bulk operations this Keycloak's extension offers; empty without it (or at a version
    we do not speak). An extension built before ``user-updates`` existed lacks that one."""
    resp = kc.request("GET", PATH, ok=(404,))
    if resp.status_code != 200:
        return frozenset()
    try:
        info = resp.json()
        if int(info.get("version", 0)) < VERSION:
            return frozenset()
        return frozenset(str(op) for op in info.get("operations") or ())
    except (ValueError, AttributeError, TypeError):
        return frozenset()


CREATE_OPS = frozenset({"users", "groups", "roles"})
# ``user-updates`` items may carry ``logout``: a leaver's sessions are ended with their change.
LOGOUT_OP = "user-updates/logout"


def available(kc: KeycloakAdmin) -> bool:
    """Does this Keycloak carry the extension (at a version we speak)?"""
    return CREATE_OPS <= operations(kc)


def create(kc: KeycloakAdmin, kind: str, items: list[dict[str, Any]], *, chunk: int,
           timeout: float) -> list[BulkResult]:
    """POST ``items`` to ``/satulogin-sync/{kind}`` (kind: users, groups or roles); one result
    per item, in order. Safe to resend: what exists already comes back ``SKIPPED``."""
    return _post(kc, kind, kind, items, chunk=chunk, timeout=timeout)


def update_users(kc: KeycloakAdmin, items: list[dict[str, Any]], *, chunk: int,
                 timeout: float) -> list[BulkResult]:
    """POST account changes to ``/satulogin-sync/user-updates``; one result per item, in order.
    Each item names the account (``id`` and ``username``) and only what changes: fields,
    attributes (an empty list removes one), ``leaveGroupIds``/``joinGroupIds`` and
    ``revokeRealmRoleIds``/``grantRealmRoleIds``. Safe to resend: it sets values, it does not
    add to them."""
    return _post(kc, "user-updates", "users", items, chunk=chunk, timeout=timeout)


READ_OP = "users-read"
READ_BATCH = 500


@dataclass
class UsersRead:
    """What ``users-read`` answered: accounts as ``GET /users`` shows them, by username or id as asked;
    groups (ids) and realm roles (names) of those asked for; the usernames owning each e-mail."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # asked by username
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)  # asked by id
    group_ids: dict[str, set[str]] = field(default_factory=dict)  # user id -> group ids
    realm_roles: dict[str, set[str]] = field(default_factory=dict)  # user id -> role names
    email_owners: dict[str, list[str]] = field(default_factory=dict)


def read_users(kc: KeycloakAdmin, *, usernames: list[str], ids: list[str], membership_of: set[str],
               emails: list[str], timeout: float = 120.0) -> UsersRead:
    """Many accounts in a few requests (``READ_BATCH`` names, ids or e-mails each). Membership is
    asked for the ids in ``membership_of`` and for accounts found by username whose id is in
    it too, so the caller may name them either way."""
    out = UsersRead()
    asks: list[dict[str, Any]] = []
    for start in range(0, len(usernames), READ_BATCH):
        asks.append({"usernames": usernames[start:start + READ_BATCH]})
    for start in range(0, len(ids), READ_BATCH):
        asks.append({"ids": ids[start:start + READ_BATCH]})
    for start in range(0, len(emails), READ_BATCH):
        asks.append({"emails": emails[start:start + READ_BATCH]})
    for ask in asks:
        body = kc.request("POST", f"{PATH}/{READ_OP}", json={**ask, "membershipOf": sorted(membership_of)},
                          read_only=True, timeout=timeout).json()
        # Filed under what was asked: an account asked by id may carry a username changed by
        # hand (or one another account's answer already holds).
        for rep in body.get("users") or []:
            if "ids" in ask:
                out.by_id[str(rep["id"])] = rep
            else:
                out.users[str(rep["username"])] = rep
        for uid, groups in (body.get("groupIds") or {}).items():
            out.group_ids[uid] = set(groups)
        for uid, roles in (body.get("realmRoles") or {}).items():
            out.realm_roles[uid] = set(roles)
        out.email_owners.update(body.get("emailOwners") or {})
    return out


def _post(kc: KeycloakAdmin, path: str, key: str, items: list[dict[str, Any]], *, chunk: int,
          timeout: float) -> list[BulkResult]:
    if not items:
        return []
    resp = kc.post(f"{PATH}/{path}", {key: items, "chunk": chunk}, timeout=timeout)
    results = resp.json().get("results", [])
    if len(results) != len(items):
        raise SatuLoginError(
            f"{PATH}/{path}: {len(results)} jawaban untuk {len(items)} objek / answers for "
            f"{len(items)} objects (extension and sync versions differ?)"
        )
    return [
        BulkResult(
            name=str(r.get("name") or ""),
            id=r.get("id"),
            action=str(r.get("action") or "FAILED"),
            error=r.get("error"),
            logged_out=r.get("loggedOut"),
        )
        for r in results
    ]
