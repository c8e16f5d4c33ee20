"""Incremental reconciliation: read only what can have changed since the last run.

A full run reads every user, group and role in the realm, so its cost follows the realm's size
even when nothing changed. Like Entra ID's provisioning cycles, the sync therefore remembers,
per object, the Keycloak id and a fingerprint of the source data it last brought Keycloak to
(``sync_cache`` in the run-log database), and a watermark: when its last run started reading.
The next run then reads only:

- objects whose source data changed (fingerprint differs) or that it does not know yet;
- objects somebody else changed in Keycloak since the watermark, found in Keycloak's own
  change records: admin events (admin console, Admin API) and the user events of the
  account console (``UPDATE_PROFILE``, ``UPDATE_EMAIL``, ``DELETE_ACCOUNT``).

The sync's own writes are recognised by the account it logs in with and the time window of
its run, so they do not count as somebody else's change (give the sync an account of its
own: an edit by the same account *during* a run is taken for the sync's own).

It falls back to a full run, and says why, whenever that evidence cannot be trusted: no cache
for this realm (a new or re-created realm has a new id), admin or user events not recorded,
the watermark older than the events' expiry, a bulk import by somebody else, or the last full
run older than ``full_every`` (a periodic full reconciliation catches what no event records,
e.g. an edit made straight in the database).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from satulogin.errors import KeycloakApiError, SatuLoginError
from satulogin.kc_admin import KeycloakAdmin

from . import bulk
from .desired import (
    KUNKER_ATTR,
    MANAGED_ATTR,
    MANAGED_VALUE,
    PEGAWAI_ROLE,
    ROLE_PREFIX,
    DesiredGroup,
    DesiredRole,
    DesiredState,
    DesiredUser,
    no_cycle_collection,
)
from .keycloak_state import (
    KcGroup,
    KcRole,
    KcUser,
    KeycloakState,
    _fill_paths,
    _group,
    kc_user,
    list_membership,
    read_groups,
    read_otp_default,
    read_roles,
)

GONE = "gone-from-source"
OBSOLETE = "obsolete"  # a unit or jabatan gone from the source; its group/role stays in Keycloak
FAILED = "failed"  # the last write failed: read again next run
HELD = "held"  # gone from the source, but not disabled (quarantined row): read again next run
PEGAWAI_FP = "realm-role"
# User events that change what the sync owns (names, e-mail) or remove the account.
USER_EVENT_TYPES = ("UPDATE_PROFILE", "UPDATE_EMAIL", "DELETE_ACCOUNT")
REQUIRED_USER_EVENTS = USER_EVENT_TYPES
ADMIN_RESOURCE_TYPES = (
    "USER",
    "GROUP_MEMBERSHIP",
    "REALM_ROLE_MAPPING",
    "GROUP",
    "REALM_ROLE",
    "REALM",
)
# Keycloak stamps an event when the request records it and makes it visible when its
# transaction commits: about 0.3 s later for a 3,000-user partial import, longer for larger
# ones. A run therefore reads this far before the last run's start, and skips by id what was
# visible when that run started (``sync_seen_events``: what it read already reflects them),
# so an event that became visible only after the last run read its events is still found.
LATE_EVENTS_MS = 5 * 60 * 1000
# Admin events the sync's own runs record (``sync_windows``): inside a run's window only these
# operations can be somebody else's edit that matters (updates, removals, actions; a grant
# added by hand is kept anyway), so a big run's own creations are never paged through.
WINDOW_OPERATIONS = ("UPDATE", "DELETE", "ACTION")
DEFAULT_FULL_EVERY_S = 24 * 3600
# Above this share of users to read one by one, one paged listing is cheaper.
TARGETED_READ_SHARE = 0.2

SCHEMA = """
CREATE TABLE IF NOT EXISTS sync_cache (
    realm_id TEXT NOT NULL,
    kind TEXT NOT NULL,              -- user | group | role
    key TEXT NOT NULL,               -- NIP | kunker | role name
    kc_id TEXT NOT NULL,
    fp TEXT NOT NULL,                -- fingerprint of the source data Keycloak was brought to
    PRIMARY KEY (realm_id, kind, key)
);
CREATE TABLE IF NOT EXISTS sync_watermark (
    realm_id TEXT PRIMARY KEY,
    realm TEXT NOT NULL,
    actor TEXT NOT NULL,             -- the account the sync logged in with (token subject)
    read_started_ms INTEGER NOT NULL,
    finished_ms INTEGER NOT NULL,
    last_full_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sync_seen_events (
    realm_id TEXT NOT NULL,
    event_id TEXT NOT NULL,          -- somebody else's event visible when the last run started
    PRIMARY KEY (realm_id, event_id)
);
CREATE TABLE IF NOT EXISTS sync_windows (
    realm_id TEXT NOT NULL,
    read_started_ms INTEGER NOT NULL,  -- a recent run of the sync: its events are its own
    finished_ms INTEGER NOT NULL,
    seen_ok INTEGER NOT NULL,          -- 1: sync_seen_events holds what it saw LATE_EVENTS_MS back
    PRIMARY KEY (realm_id, read_started_ms)
);
"""


def now_ms() -> int:
    return int(time.time() * 1000)


# One encoder for every fingerprint: json.dumps with these options builds a new one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(value: Any) -> str:
    return hashlib.sha256(_CANONICAL.encode(value).encode()).hexdigest()[:32]


def fp_user(d: DesiredUser) -> str:
    return _digest([d.first_name, d.last_name, d.email, d.enabled, d.attributes, d.unit_kode, d.role])


def fp_group(g: DesiredGroup) -> str:
    return _digest([g.name, g.parent_kunker])


def fp_role(r: DesiredRole) -> str:
    return _digest([r.description, r.attributes])


def token_subject(kc: KeycloakAdmin) -> str:
    """The id of the account we log in with: who Keycloak records as the author of our writes.

    The token's ``sub`` when it has one (Keycloak 26 leaves it out of ``admin-cli`` tokens
    unless the ``basic`` scope is granted), else looked up: the service-account user of our
    client, or the admin user by name. Empty when neither can be read."""
    payload = kc.token().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if claims.get("sub"):
        return str(claims["sub"])
    conn, base = kc.conn, f"/realms/{quote(kc.conn.auth_realm, safe='')}"
    try:
        if conn.client_secret:
            found = kc.get(f"{base}/clients", params={"clientId": conn.client_id}, realm_scoped=False) or []
            if found:
                user = kc.get(f"{base}/clients/{found[0]['id']}/service-account-user", realm_scoped=False)
                return str((user or {}).get("id") or "")
        elif conn.username:
            params = {"username": conn.username, "exact": "true", "briefRepresentation": "true"}
            for user in kc.get(f"{base}/users", params=params, realm_scoped=False) or []:
                if user.get("username") == conn.username.lower():
                    return str(user["id"])
    except SatuLoginError:
        pass  # no right to read our own account: every run is full, and says why
    return ""


@dataclass
class Watermark:
    actor: str
    read_started_ms: int
    finished_ms: int
    last_full_ms: int


@dataclass
class CacheView:
    users: dict[str, tuple[str, str]]  # NIP -> (kc id, fp)
    groups: dict[str, tuple[str, str]]  # kunker -> (kc id, fp)
    roles: dict[str, tuple[str, str]]  # name -> (kc id, fp)
    watermark: Watermark | None
    seen_events: set[str] = field(default_factory=set)  # visible when the last run started
    # The sync's recent runs (read started, finished), the last run's included, and whether
    # the last run recorded what was visible as far back as ``LATE_EVENTS_MS`` before its start.
    windows: list[tuple[int, int]] = field(default_factory=list)
    seen_ok: bool = False


class SyncCache:
    """What the sync last brought Keycloak to, per realm id, next to the run log."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def load(self, realm_id: str) -> CacheView:
        view = CacheView({}, {}, {}, None)
        by_kind = {"user": view.users, "group": view.groups, "role": view.roles}
        with self._lock, no_cycle_collection():
            self._db.execute("BEGIN")  # one snapshot of the tables, whoever saves meanwhile
            try:
                for kind, key, kc_id, fp in self._db.execute(
                    "SELECT kind, key, kc_id, fp FROM sync_cache WHERE realm_id=?", (realm_id,)
                ):
                    by_kind[kind][key] = (kc_id, fp)
                row = self._db.execute(
                    "SELECT actor, read_started_ms, finished_ms, last_full_ms FROM sync_watermark"
                    " WHERE realm_id=?",
                    (realm_id,),
                ).fetchone()
                view.seen_events = {
                    event_id
                    for (event_id,) in self._db.execute(
                        "SELECT event_id FROM sync_seen_events WHERE realm_id=?", (realm_id,)
                    )
                }
                windows = self._db.execute(
                    "SELECT read_started_ms, finished_ms, seen_ok FROM sync_windows WHERE realm_id=?"
                    " ORDER BY read_started_ms",
                    (realm_id,),
                ).fetchall()
            finally:
                self._db.execute("COMMIT")
        if row:
            view.watermark = Watermark(*row)
            view.windows = [(lo, hi) for lo, hi, _ in windows]
            last = [ok for lo, _, ok in windows if lo == view.watermark.read_started_ms]
            if last:
                view.seen_ok = bool(last[0])
            else:
                # A run log from before sync_windows: the last run's window is all we know.
                view.windows.append((view.watermark.read_started_ms, view.watermark.finished_ms))
        return view

    def save_window(self, realm_id: str, read_started_ms: int, finished_ms: int) -> None:
        """A run that stopped before it could remember anything (refused, crashed): its own
        writes are still its own to the next run, which otherwise reads as before."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO sync_windows VALUES (?, ?, ?, 0)",
                (realm_id, read_started_ms, finished_ms),
            )

    def save(
        self,
        realm_id: str,
        realm: str,
        *,
        upserts: Iterable[tuple[str, str, str, str]],
        deletes: Iterable[tuple[str, str]],
        watermark: Watermark,
        seen_events: Iterable[str] = (),
        seen_ok: bool = False,
        replace_all: bool = False,
        replace_kinds: tuple[str, ...] = (),
    ) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                if replace_all:
                    self._db.execute("DELETE FROM sync_cache WHERE realm_id=?", (realm_id,))
                for kind in replace_kinds:
                    self._db.execute("DELETE FROM sync_cache WHERE realm_id=? AND kind=?", (realm_id, kind))
                self._db.executemany(
                    "INSERT OR REPLACE INTO sync_cache (realm_id, kind, key, kc_id, fp)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [(realm_id, *u) for u in upserts],
                )
                self._db.executemany(
                    "DELETE FROM sync_cache WHERE realm_id=? AND kind=? AND key=?",
                    [(realm_id, *d) for d in deletes],
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO sync_watermark VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        realm_id,
                        realm,
                        watermark.actor,
                        watermark.read_started_ms,
                        watermark.finished_ms,
                        watermark.last_full_ms,
                    ),
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO sync_windows VALUES (?, ?, ?, ?)",
                    (realm_id, watermark.read_started_ms, watermark.finished_ms, int(seen_ok)),
                )
                self._db.execute(  # older than any later run looks back
                    "DELETE FROM sync_windows WHERE realm_id=? AND finished_ms < ?",
                    (realm_id, watermark.read_started_ms - 2 * LATE_EVENTS_MS),
                )
                self._db.execute("DELETE FROM sync_seen_events WHERE realm_id=?", (realm_id,))
                self._db.executemany(
                    "INSERT OR IGNORE INTO sync_seen_events VALUES (?, ?)",
                    [(realm_id, event_id) for event_id in seen_events],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise


@dataclass
class Scope:
    """How a plan was made, and what the run may remember afterwards."""

    mode: str  # full | incremental
    reason: str
    realm_id: str
    actor: str
    started_ms: int
    desired: DesiredState  # the whole desired state (not only what was read)
    considered: set[str] = field(default_factory=set)  # NIPs whose state was read and planned
    users_read: int = 0
    last_full_ms: int = 0
    managed_users: int = 0  # in the realm, as far as the cache knows (for the safety rails)
    seen_events: set[str] = field(default_factory=set)  # see _full_run_events
    seen_ok: bool = False


@dataclass
class Changed:
    user_ids: set[str] = field(default_factory=set)
    groups: bool = False
    roles: bool = False
    seen: set[str] = field(default_factory=set)  # for the next run: see _full_run_events
    seen_ok: bool = False


def event_stream(
    kc: KeycloakAdmin, path: str, params: dict[str, Any], *, page_size: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every event ``params`` select (``dateFrom`` required), oldest first, none missed.

    Paged by time, not by offset: each page starts at the last millisecond the previous one
    reached, and the events already seen there are skipped by id. An offset into a listing
    sorted by time alone misses or repeats events when the listing changes while it is read
    (new events, expired ones) or when a page boundary falls among events of one millisecond,
    whose order Keycloak does not define (a partial import records dozens in one millisecond).
    A millisecond holding a whole page is read whole."""
    since = int(params["dateFrom"])
    seen: set[str] = set()  # ids of the events at ``since`` already given
    while True:
        query = {**params, "dateFrom": str(since), "direction": "asc", "first": 0, "max": page_size}
        page = kc.get(path, params=query) or []
        for ev in page:
            if ev.get("id") is None or str(ev["id"]) not in seen or int(ev.get("time") or 0) != since:
                yield ev
        if len(page) < page_size:
            return
        last = max(int(ev.get("time") or 0) for ev in page)
        if last > since:
            seen = {str(ev.get("id")) for ev in page if int(ev.get("time") or 0) == last}
            since = last
            continue
        # A whole page in one millisecond: that millisecond read whole, in one page large
        # enough (a past millisecond no longer changes), skipping what was given, then on from
        # the next one. Not by offset: Keycloak's databases pick which of a millisecond's events
        # fill a limited page differently for each limit and offset.
        size = page_size
        while True:
            size *= 2
            query = {**params, "dateFrom": str(since), "dateTo": str(since), "direction": "asc",
                     "first": 0, "max": size}
            crowd = kc.get(path, params=query) or []
            if len(crowd) < size:
                break
        seen |= {str(ev.get("id")) for ev in page}
        for ev in crowd:
            if ev.get("id") is None or str(ev["id"]) not in seen:
                yield ev
        since, seen = since + 1, set()
        if "dateTo" in params and since > int(params["dateTo"]):
            return


def _admin_event_queries(
    since: int, own: list[tuple[int, int]], until: int | None = None
) -> list[dict[str, Any]]:
    """What to ask of the admin events from ``since`` (to ``until``): updates, deletions and
    actions throughout; creations only outside the sync's own recent windows ``own``, where a
    big run's thousands of them would otherwise be paged through."""

    def span(lo: int, hi: int | None) -> dict[str, Any]:
        if until is not None:
            hi = until if hi is None else min(hi, until)
        return {"dateFrom": lo, **({} if hi is None else {"dateTo": hi})}

    creations: list[dict[str, Any]] = []
    cursor = since
    for lo, hi in sorted(own):
        if hi < cursor:
            continue
        if lo > cursor:
            creations.append(span(cursor, lo - 1))
        cursor = hi + 1
    creations.append(span(cursor, None))
    every = list(ADMIN_RESOURCE_TYPES)
    queries = [{**span(since, None), "operationTypes": list(WINDOW_OPERATIONS), "resourceTypes": every}]
    queries += [{**q, "operationTypes": ["CREATE"], "resourceTypes": every} for q in creations]
    return [q for q in queries if "dateTo" not in q or q["dateFrom"] <= q["dateTo"]]


def _event_user(ev: dict[str, Any]) -> str | None:
    """The account an admin event is about (``users/{id}/...``), if any."""
    parts = (ev.get("resourcePath") or "").split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "users" else None


def _for_next_run(ev: dict[str, Any], keep_from: int, seen: set[str]) -> None:
    """Note an event visible now that the next run's look-back reaches (see ``LATE_EVENTS_MS``)."""
    if ev.get("id") is not None and int(ev.get("time") or 0) >= keep_from:
        seen.add(str(ev["id"]))


def _foreign_events(
    kc: KeycloakAdmin, since: int, own: list[tuple[int, int]], actor: str, until: int | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """("admin" | "user", event) for each event from ``since`` (to ``until``) that is not the
    sync's own write (its account, inside one of its windows ``own``), oldest first per query."""
    for params in _admin_event_queries(since, own, until):
        for ev in event_stream(kc, "/admin-events", params):
            who = (ev.get("authDetails") or {}).get("userId")
            when = int(ev.get("time") or 0)
            if who == actor and any(lo <= when <= hi for lo, hi in own):
                continue  # the sync's own write
            yield "admin", ev
    bounded = {} if until is None else {"dateTo": until}
    for ev in event_stream(kc, "/events", {"dateFrom": since, **bounded, "type": list(USER_EVENT_TYPES)}):
        yield "user", ev


def _look_back(mark: Watermark, seen_ok: bool) -> int:
    """Where a run reads events from: ``LATE_EVENTS_MS`` before the last run's start when that
    run recorded what was visible then, else (a run log from before, or a run that could not
    read its events) from its start, as nothing could be told apart there."""
    return mark.read_started_ms - (LATE_EVENTS_MS if seen_ok else 0)


def admin_events_expiry_s(realm: dict[str, Any]) -> int:
    """How long the realm keeps its admin events, in seconds; 0: for ever."""
    return int((realm.get("attributes") or {}).get("adminEventsExpiration") or 0)


def _since_events(
    kc: KeycloakAdmin, realm: dict[str, Any], mark: Watermark, actor: str, view: CacheView, started: int
) -> Changed | str:
    """Objects somebody other than the sync changed since the last run; a string says why the
    events cannot be trusted (then the run is full). ``Changed.seen`` holds the events this
    run saw for the next one to skip (see ``_full_run_events``)."""
    if not actor:
        return (
            "akun sync tidak bisa dikenali di event / the sync's own account cannot be told apart "
            "in the events (grant it view-users on its realm)"
        )
    if not realm.get("adminEventsEnabled"):
        return "event admin tidak dicatat / admin events are not recorded in this realm"
    if not realm.get("eventsEnabled"):
        return "event pengguna tidak dicatat / user events are not recorded in this realm"
    enabled = set(realm.get("enabledEventTypes") or [])
    missing = [t for t in REQUIRED_USER_EVENTS if enabled and t not in enabled]
    if missing:
        return f"event {', '.join(missing)} tidak dicatat / not recorded (realm enabledEventTypes)"
    # Event times are Keycloak's clock, the windows ours: keep both hosts on NTP.
    since = _look_back(mark, view.seen_ok)
    age_s = (now_ms() - since) / 1000
    admin_expiry = admin_events_expiry_s(realm)
    user_expiry = int(realm.get("eventsExpiration") or 0)
    for expiry in (admin_expiry, user_expiry):
        if expiry and age_s > expiry:
            return (
                "run terakhir lebih tua dari masa simpan event / the last run is older than the "
                "events' expiry"
            )
    out = Changed()
    keep_from = started - LATE_EVENTS_MS
    out.seen_ok = since <= keep_from
    try:
        for source, ev in _foreign_events(kc, since, view.windows, actor):
            _for_next_run(ev, keep_from, out.seen)
            if ev.get("id") is not None and str(ev["id"]) in view.seen_events:
                continue  # visible when the last run started: what it read reflects it
            if source == "user":
                if ev.get("userId"):
                    out.user_ids.add(ev["userId"])
                continue
            kind = ev.get("resourceType")
            if kind == "REALM":
                # A partial import (recorded as REALM events) may recreate users, groups and
                # roles under new ids; a realm update may have switched events off and on.
                return "realm diubah/diimpor pihak lain / the realm was updated or imported by somebody else"
            if kind == "GROUP":
                out.groups = True
            elif kind == "REALM_ROLE":
                out.roles = True
            elif (user_id := _event_user(ev)) is not None:
                out.user_ids.add(user_id)
        if since > keep_from:
            # The last run could not tell what it saw (an older run log, events unreadable):
            # what lies before it is taken as seen, so the next run may look back again.
            for _, ev in _foreign_events(kc, keep_from, view.windows, actor, until=since - 1):
                _for_next_run(ev, keep_from, out.seen)
            out.seen_ok = True
    except SatuLoginError as exc:
        return _unreadable(exc)
    return out


def _unreadable(exc: SatuLoginError) -> str:
    if isinstance(exc, KeycloakApiError) and exc.status == 403:
        return (
            "event tidak boleh dibaca akun sync / the sync's account may not read the events: beri "
            "peran view-events / grant it view-events"
        )
    return f"event tidak bisa dibaca sekarang / the events cannot be read now ({exc})"


def _groups_from_cache(desired: DesiredState, cached: dict[str, tuple[str, str]]) -> dict[str, KcGroup]:
    """The managed group tree as the last run left it: the desired units, plus units gone from
    the source (their groups stay in Keycloak; leavers and movers still need their ids)."""
    groups: dict[str, KcGroup] = {}
    for k, (gid, fp) in cached.items():
        g = desired.groups.get(k)
        if g is not None:
            parent = cached.get(g.parent_kunker, ("", ""))[0] or None if g.parent_kunker else None
            groups[gid] = KcGroup(id=gid, name=g.name, parent_id=parent, attributes=g.attributes)
        elif fp == OBSOLETE:
            attrs = {KUNKER_ATTR: [k], MANAGED_ATTR: [MANAGED_VALUE]}
            groups[gid] = KcGroup(id=gid, name=k, parent_id=None, attributes=attrs)
    _fill_paths(groups)
    return groups


def _roles_from_cache(desired: DesiredState, cached: dict[str, tuple[str, str]]) -> dict[str, KcRole]:
    roles: dict[str, KcRole] = {}
    for n, (rid, fp) in cached.items():
        r = desired.roles.get(n)
        if r is not None:
            roles[n] = KcRole(id=rid, name=n, description=r.description, attributes=r.attributes)
        elif fp == OBSOLETE:
            roles[n] = KcRole(id=rid, name=n, description="", attributes={MANAGED_ATTR: [MANAGED_VALUE]})
        elif fp == PEGAWAI_FP:
            roles[n] = KcRole(id=rid, name=n, description="", attributes={})
    return roles


def _cache_matches(
    desired: dict[str, Any], cached: dict[str, tuple[str, str]], extra: tuple[str, ...] = ()
) -> bool:
    """Every desired unit/jabatan remembered (as it is, or to be read again one by one), and
    nothing remembered but those and obsolete ones. A new one means a full listing: it may
    exist already (an earlier run created it, then failed to record it)."""
    return all(k in cached for k in desired) and all(
        k in desired or f in (OBSOLETE, *extra) for k, (_, f) in cached.items()
    )


def _user_by_username(kc: KeycloakAdmin, username: str) -> KcUser | None:
    params = {"username": username, "exact": "true", "briefRepresentation": "false"}
    for rep in kc.get("/users", params=params) or []:
        if rep.get("username") == username:
            return kc_user(rep)
    return None


def _email_owner(kc: KeycloakAdmin, email: str) -> str | None:
    for rep in (
        kc.get("/users", params={"email": email, "exact": "true", "briefRepresentation": "true"}) or []
    ):
        if (rep.get("email") or "").lower() == email.lower():
            return str(rep["username"])
    return None


def full_scope(
    kc: KeycloakAdmin,
    desired: DesiredState,
    state: KeycloakState,
    reason: str,
    *,
    realm_id: str | None = None,
    actor: str | None = None,
    started_ms: int | None = None,
) -> Scope:
    """The scope of a run that read everything: every person is planned and remembered."""
    started = started_ms or now_ms()
    scope = Scope(
        "full",
        reason,
        realm_id or kc.get("")["id"],
        actor if actor is not None else token_subject(kc),
        started,
        desired,
        last_full_ms=started,
    )
    scope.considered = set(desired.users) | {u.username for u in state.users.values() if u.managed}
    scope.users_read = len(state.users)
    scope.managed_users = len(state.managed_users)
    return scope


def full_state(
    kc: KeycloakAdmin,
    view: CacheView,
    desired: DesiredState,
    reason: str,
    *,
    started: int,
    realm_id: str,
    actor: str,
    verify: bool = False,
) -> tuple[KeycloakState, Scope]:
    """Everything read, for a run that is full (``reason``); what was visible of the events
    first, so the next run can skip what this one's reads reflect."""
    from .keycloak_state import read_state

    since = started - LATE_EVENTS_MS
    if view.watermark is not None:
        since = min(since, _look_back(view.watermark, view.seen_ok))
    seen, seen_ok, grants_changed = _full_run_events(kc, view, actor, started, since)
    state = read_state(kc, verify=verify)
    if not verify:
        # Membership is not listed in a full read (the unit attribute says it), so a group or
        # role somebody took away since the last run would stay away once these events count
        # as seen: those people's membership is listed, to put back what is missing.
        for user in state.users.values():
            if user.id in grants_changed and user.managed and user.group_ids is None:
                list_membership(kc, user)
                user.membership_repair_only = True
    scope = full_scope(kc, desired, state, reason, realm_id=realm_id, actor=actor, started_ms=started)
    scope.seen_events, scope.seen_ok = seen, seen_ok
    return state, scope


def _full_run_events(
    kc: KeycloakAdmin, view: CacheView, actor: str, started: int, since: int
) -> tuple[set[str], bool, set[str]]:
    """For a run that reads everything: the ids of somebody else's events visible now, as far
    back as the next run will look (``LATE_EVENTS_MS``), which the next run skips since this
    run's reads reflect them; whether they could be read; and the users whose group
    membership or realm roles somebody changed since ``since`` (and no run saw before)."""
    seen: set[str] = set()
    grants_changed: set[str] = set()
    keep_from = started - LATE_EVENTS_MS
    try:
        for source, ev in _foreign_events(kc, since, view.windows, actor):
            _for_next_run(ev, keep_from, seen)
            user_id = _event_user(ev)
            if (source == "admin" and ev.get("resourceType") in ("GROUP_MEMBERSHIP", "REALM_ROLE_MAPPING")
                    and user_id is not None and str(ev.get("id")) not in view.seen_events):
                grants_changed.add(user_id)
    except SatuLoginError:
        return set(), False, set()  # the next run looks back only from this one's start
    return seen, True, grants_changed


def incremental_state(
    kc: KeycloakAdmin,
    cache: SyncCache,
    desired: DesiredState,
    *,
    full_every_s: int,
    workers: int = 8,
) -> tuple[KeycloakState, Scope]:
    """Read what the run needs. Returns the state and the scope (``mode`` says whether the
    run could be incremental, ``reason`` why not)."""
    started = now_ms()
    reads0, _ = kc.counter.snapshot()
    realm = kc.get("")
    actor = token_subject(kc)
    view = cache.load(realm["id"])
    scope = Scope("incremental", "", realm["id"], actor, started, desired, last_full_ms=started)

    def full(reason: str) -> tuple[KeycloakState, Scope]:
        state, whole = full_state(kc, view, desired, reason, started=started, realm_id=realm["id"],
                                  actor=actor)
        state.reads = kc.counter.snapshot()[0] - reads0
        return state, whole

    mark = view.watermark
    if mark is None or not view.users and not view.groups:
        return full("belum ada run sebelumnya untuk realm ini / no earlier run for this realm")
    if full_every_s and (started - mark.last_full_ms) / 1000 > full_every_s:
        return full(
            f"rekonsiliasi penuh berkala / periodic full reconciliation (every {full_every_s // 3600} h)"
        )
    changed = _since_events(kc, realm, mark, actor, view, started)
    if isinstance(changed, str):
        return full(changed)
    scope.seen_events, scope.seen_ok = changed.seen, changed.seen_ok

    # Users: what changed in the source, what somebody changed in Keycloak, what we don't know.
    by_id = {uid: nip for nip, (uid, _) in view.users.items() if uid}
    touched = {by_id[uid] for uid in changed.user_ids if uid in by_id}
    with no_cycle_collection():
        wanted = {
            nip
            for nip, d in desired.users.items()
            if view.users.get(nip, ("", ""))[1] != fp_user(d) or nip in touched
        }
    gone = {
        nip
        for nip, (uid, fp) in view.users.items()
        if nip not in desired.users and (fp != GONE or nip in touched)
    }
    considered = wanted | gone
    if len(considered) > TARGETED_READ_SHARE * max(1, len(view.users)):
        return full(
            f"{len(considered)} pegawai berubah: satu daftar lebih murah / {len(considered)} people changed: "
            "one listing is cheaper than reading them one by one"
        )
    scope.last_full_ms = mark.last_full_ms
    scope.managed_users = sum(1 for uid, fp in view.users.values() if uid and fp != GONE)
    # Groups and roles: synthesised from the cache; the few whose source data changed (a
    # rename, a move, a new eselon) are read one by one.
    stale_groups = [
        k for k in desired.groups if k in view.groups and view.groups[k][1] != fp_group(desired.groups[k])
    ]
    stale_roles = [
        n for n in desired.roles if n in view.roles and view.roles[n][1] != fp_role(desired.roles[n])
    ]
    group_ok = not changed.groups and _cache_matches(desired.groups, view.groups)
    role_ok = (
        not changed.roles
        and PEGAWAI_ROLE in view.roles
        and _cache_matches(desired.roles, view.roles, (PEGAWAI_FP,))
    )
    if group_ok:
        groups = _groups_from_cache(desired, view.groups)
        for k in stale_groups:
            rep = kc.get(f"/groups/{quote(view.groups[k][0], safe='')}")
            if rep is None:
                return full(f"grup unit {k} dihapus di Keycloak / unit group {k} deleted in Keycloak")
            groups[rep["id"]] = _group(rep, rep.get("parentId"))
        _fill_paths(groups)
    else:
        groups = read_groups(kc)
        _fill_paths(groups)
        missing = {gid for gid, _ in view.groups.values()} - set(groups)
        if missing:
            # A unit group deleted by hand: its members must be put back into the new one,
            # and only a full run sees who they are.
            return full(f"{len(missing)} grup unit dihapus di Keycloak / unit group(s) deleted in Keycloak")
    if role_ok:
        roles = _roles_from_cache(desired, view.roles)
        for n in stale_roles:
            rep = kc.get(f"/roles-by-id/{quote(view.roles[n][0], safe='')}")
            if rep is None:
                roles.pop(n, None)  # deleted by hand: planned as new
            else:
                roles[n] = KcRole(
                    rep["id"], rep["name"], rep.get("description") or "", rep.get("attributes") or {}
                )
    else:
        roles = read_roles(kc)

    joiners = [desired.users[n] for n in sorted(wanted) if n in desired.users]
    read: tuple[dict[str, KcUser], dict[str, str]] | None = None
    if considered and bulk.READ_OP in bulk.operations(kc):
        # Through our extension: a request per 500 people instead of one to three each. Should
        # it fail (a Keycloak that answers it with an error), the Admin REST API reads them.
        with contextlib.suppress(SatuLoginError):
            read = _read_in_bulk(kc, view, sorted(considered), gone, touched, joiners)
    users, known_emails = read or _read_one_by_one(kc, view, sorted(considered), gone, touched, joiners,
                                                   workers)
    state = KeycloakState(
        groups=groups,
        groups_by_kunker={g.kunker: g for g in groups.values() if g.managed and g.kunker},
        roles=roles,
        users=users,
        otp_default=read_otp_default(kc),
    )
    state.known_emails.update(known_emails)
    scope.considered = considered
    scope.users_read = len(users)
    scope.reason = (
        f"{len(considered)} dari {len(desired.users)} pegawai dibaca (berubah di sumber atau di Keycloak) / "
        f"{len(considered)} of {len(desired.users)} people read (changed in the source or in Keycloak)"
    )
    state.reads = kc.counter.snapshot()[0] - reads0
    return state, scope


def _read_one_by_one(
    kc: KeycloakAdmin,
    view: CacheView,
    considered: list[str],
    gone: set[str],
    touched: set[str],
    joiners: list[DesiredUser],
    workers: int,
) -> tuple[dict[str, KcUser], dict[str, str]]:
    """The people a run considers, through the Admin REST API, several at a time."""
    def read_one(nip: str) -> KcUser | None:
        uid = view.users.get(nip, ("", ""))[0]
        if nip in gone and uid:
            rep = kc.get(f"/users/{quote(uid, safe='')}")
            user = kc_user(rep) if rep else None
        else:
            user = _user_by_username(kc, nip)
        if user is not None and nip in touched:
            # Somebody changed them: put back a unit group or jabatan role they lost, but take
            # nothing away that a full run would keep (e.g. an acting assignment by hand).
            list_membership(kc, user)
            user.membership_repair_only = True
        return user

    users: dict[str, KcUser] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for nip, user in zip(considered, pool.map(read_one, considered), strict=True):
            if user is not None:
                users[nip] = user
    # A joiner's e-mail may belong to an account this run did not read: ask for each.
    unread = [d for d in joiners if d.username not in users]
    known: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for d, owner in zip(
            unread, pool.map(lambda d: _email_owner(kc, d.email) if d.email else None, unread), strict=True
        ):
            if owner and d.email:
                known[d.email.lower()] = owner
    return users, known


def _read_in_bulk(
    kc: KeycloakAdmin,
    view: CacheView,
    considered: list[str],
    gone: set[str],
    touched: set[str],
    wanted: list[DesiredUser],
) -> tuple[dict[str, KcUser], dict[str, str]]:
    """What the one-by-one reads below find, through the extension's ``users-read``: each
    person by username, or by id when they are gone from the source; the groups and roles of
    those somebody changed in Keycloak; who owns the e-mail of each joiner."""
    by_id = {nip: view.users.get(nip, ("", ""))[0] for nip in considered}
    ids = [by_id[n] for n in considered if n in gone and by_id[n]]
    usernames = [n for n in considered if not (n in gone and by_id[n])]
    membership = {by_id[n] for n in considered if n in touched and by_id[n]}
    # E-mail owners matter only for joiners: asked with the accounts for the people the cache
    # knows no account of, then for any other the answer did not find (deleted by hand).
    emails = sorted({d.email for d in wanted if d.email and not by_id.get(d.username)})
    answer = bulk.read_users(kc, usernames=usernames, ids=ids, membership_of=membership, emails=emails)

    def found(nip: str) -> dict[str, Any] | None:
        return answer.by_id.get(by_id[nip]) if nip in gone and by_id[nip] else answer.users.get(nip)

    asked = set(emails)
    missed = sorted(
        {d.email for d in wanted if d.email and d.email not in asked and found(d.username) is None}
    )
    if missed:
        answer.email_owners.update(
            bulk.read_users(kc, usernames=[], ids=[], membership_of=set(), emails=missed).email_owners
        )

    # A touched person found under an id the cache does not know (recreated by hand).
    unknown = {str(rep["id"]) for n in touched if (rep := found(n))} - set(answer.group_ids)
    if unknown:
        again = bulk.read_users(kc, usernames=[], ids=sorted(unknown), membership_of=unknown, emails=[])
        answer.group_ids.update(again.group_ids)
        answer.realm_roles.update(again.realm_roles)
    users: dict[str, KcUser] = {}
    for nip in considered:
        rep = found(nip)
        if rep is None:
            continue
        user = kc_user(rep)
        if nip in touched:
            # As read_one below: put back a lost unit group or jabatan role, take nothing away.
            user.group_ids = answer.group_ids.get(user.id, set())
            user.realm_roles = answer.realm_roles.get(user.id, set())
            user.membership_repair_only = True
        users[nip] = user
    # As below: only for joiners (not found), the first account holding their e-mail.
    known: dict[str, str] = {}
    for d in wanted:
        owners = answer.email_owners.get(d.email or "") or []
        if d.username not in users and owners:
            known[str(d.email).lower()] = owners[0]
    return users, known


def restrict(desired: DesiredState, considered: set[str]) -> DesiredState:
    """The desired state limited to the people this run read."""
    return DesiredState(
        groups=desired.groups,
        roles=desired.roles,
        users={n: d for n, d in desired.users.items() if n in considered},
        source_total=desired.source_total,
    )


def remember(
    cache: SyncCache,
    realm: str,
    scope: Scope,
    state: KeycloakState,
    *,
    failed: set[tuple[str, str]],
    created: dict[str, str],
    group_ids: dict[str, str],
    role_ids: dict[str, str],
    adopted: set[str],
    held: set[str] | None = None,
) -> None:
    """After an apply: what Keycloak now holds, per object, and the new watermark. ``held``:
    people absent from the source whose account the plan left enabled (see ``plan_users``)."""
    held = held or set()
    upserts: list[tuple[str, str, str, str]] = []
    deletes: list[tuple[str, str]] = []
    desired = scope.desired
    for nip in scope.considered:
        d = desired.users.get(nip)
        user = state.users.get(nip)
        if ("user", nip) in failed:
            if user is not None and user.managed:
                upserts.append(("user", nip, user.id, FAILED))  # keep the id: read again next run
            else:
                deletes.append(("user", nip))
            continue
        if user is not None and not user.managed and nip not in adopted:
            deletes.append(("user", nip))  # somebody else's account: read again every run
            continue
        if d is None:
            if user is not None:
                upserts.append(("user", nip, user.id, HELD if nip in held else GONE))
            else:
                deletes.append(("user", nip))
            continue
        uid = user.id if user is not None else created.get(nip)
        if uid is None and d.enabled:
            deletes.append(("user", nip))  # not created (skipped as already there): read next time
            continue
        upserts.append(("user", nip, uid or "", fp_user(d)))
    # Units and jabatan are remembered whole each time (obsolete ones included).
    for k, g in desired.groups.items():
        if ("group", k) not in failed and k in group_ids:
            upserts.append(("group", k, group_ids[k], fp_group(g)))
    for k, kg in state.groups_by_kunker.items():
        if k not in desired.groups:
            upserts.append(("group", k, kg.id, OBSOLETE))
    for n, r in desired.roles.items():
        current = state.roles.get(n)
        if current is not None and not current.managed:
            continue  # a hand-made role with a jabatan's name: never ours
        if ("role", n) not in failed and n in role_ids:
            upserts.append(("role", n, role_ids[n], fp_role(r)))
    for n, kr in state.roles.items():
        if kr.managed and n.startswith(ROLE_PREFIX) and n not in desired.roles:
            upserts.append(("role", n, kr.id, OBSOLETE))
    if PEGAWAI_ROLE in role_ids:
        upserts.append(("role", PEGAWAI_ROLE, role_ids[PEGAWAI_ROLE], PEGAWAI_FP))
    mark = Watermark(
        actor=scope.actor,
        read_started_ms=scope.started_ms,
        finished_ms=now_ms(),
        last_full_ms=scope.started_ms if scope.mode == "full" else scope.last_full_ms,
    )
    cache.save(
        scope.realm_id,
        realm,
        upserts=upserts,
        deletes=deletes,
        watermark=mark,
        seen_events=scope.seen_events,
        seen_ok=scope.seen_ok,
        replace_all=scope.mode == "full",
        replace_kinds=("group", "role"),
    )
