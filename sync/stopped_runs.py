"""Disables a stopped run wrote but never logged, told apart with Keycloak's admin events.

A run logs the logout it owes a leaver (marked ``disabling``) just before it sends their
disable, and logs the disable once Keycloak answers. A run stopped in between (killed, timed
out by cron) leaves the run log unable to say whether the disable reached Keycloak. Only the
sync's own disables are undone when HR says the person is back (an administrator's lock never
is), so an unlogged one kept a returner locked out.

Keycloak's admin events tell whether the sync itself wrote it: an ``UPDATE`` by the sync's own
account (and, when it logs in as a person rather than as a service account, through its own
client), from that logout row until the run's end plus the longest a request in flight may
take, that disabled the account: a ``user-updates`` request of the extension listing it under
``disabled``, or a ``PUT`` on it with ``enabled: false`` (the Admin REST path, whose run had no
other write for that account). A later run's write of the account is not mistaken for it: a
later run that disables the person logs it, or (stopped as well) leaves a newer row that
replaces this one.

Found: the sync's own disable. Not found, or not answerable (admin events or their
representations not recorded, or expired; an extension too old to say whom it disabled; the
account enabled again or gone since): not the sync's, with the reason, and the person stays
disabled until an administrator enables them (the safe side). The next apply logs either
answer, which settles it. Events that cannot be read now, or a window still open, decide
nothing: the plan and the apply say so, and the next plan asks again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from satulogin.errors import SatuLoginError
from satulogin.kc_admin import KeycloakAdmin

from .incremental import admin_events_expiry_s, event_stream, now_ms, token_subject
from .runlog import RunLog, UnloggedDisable

# Keycloak stamps an event with its own clock, the run log with ours (keep both on NTP).
CLOCK_SLACK_MS = 30_000
# A bulk request may run for the client's whole timeout (600 s) plus the extension's logout
# budget (60 s), and Keycloak records its event at the end.
IN_FLIGHT_MS = 11 * 60 * 1000
# A PUT of the Admin REST path, in flight when its run stopped, with the client's retries (five
# attempts, the last about 250 s after the first); never past the next run's start.
PUT_IN_FLIGHT_MS = 5 * 60 * 1000
USER_UPDATES_PATH = "satulogin-sync/user-updates"


@dataclass
class UnloggedCheck:
    asked: set[str] = field(default_factory=set)  # every NIP with such a disable, decided or not
    confirmed: dict[str, str] = field(default_factory=dict)  # NIP -> user id: the sync's disable
    not_found: dict[str, tuple[str, str]] = field(default_factory=dict)  # NIP -> (user id, why)
    problem: str | None = None  # some could not be decided now (asked again next time)


@dataclass(frozen=True)
class _Window:
    lo: int
    hi: int  # for a user-updates request, which lists the accounts it turned disabled
    hi_put: int  # for a PUT with enabled false, which any update of a disabled account carries

    @classmethod
    def of(cls, u: UnloggedDisable) -> _Window:
        end = max(u.since_ms, u.ended_ms)
        hi_put = end + PUT_IN_FLIGHT_MS + CLOCK_SLACK_MS
        if u.next_started_ms is not None:
            hi_put = min(hi_put, max(u.next_started_ms, u.since_ms))
        # Never before the run's start: the previous run (which may have disabled the same
        # account, seconds earlier) had ended by then.
        lo = max(u.since_ms - CLOCK_SLACK_MS, u.started_ms)
        return cls(lo, end + IN_FLIGHT_MS + CLOCK_SLACK_MS, hi_put)


def _disabled_by(ev: dict[str, Any]) -> tuple[str, list[str], list[str]] | None:
    """("bulk" | "put", accounts an admin event says were disabled, accounts it may have
    disabled but cannot say: a ``user-updates`` event of an extension from before it listed
    ``disabled``); None for an event about something else, or one that cannot be read."""
    try:
        rep = json.loads(ev.get("representation") or "null")
    except ValueError:
        return None
    if not isinstance(rep, dict):
        return None
    path = ev.get("resourcePath") or ""
    if path == USER_UPDATES_PATH:
        if "disabled" not in rep:
            return "bulk", [], [str(i) for i in rep.get("ids") or []]
        return "bulk", [str(i) for i in rep.get("disabled") or []], []
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == "users" and rep.get("enabled") is False:
        return "put", [parts[1]], []
    return None


def _sync_client(kc: KeycloakAdmin) -> str | None:
    """The internal id of the client the sync logs in through, which Keycloak's events record;
    None when the sync is a service account (its account alone is then the sync's)."""
    conn = kc.conn
    if conn.client_secret:
        return None
    base = f"/realms/{quote(conn.auth_realm, safe='')}"
    found = kc.get(f"{base}/clients", params={"clientId": conn.client_id}, realm_scoped=False) or []
    if not found:
        raise SatuLoginError(f"client {conn.client_id} not found in realm {conn.auth_realm}")
    return str(found[0]["id"])


def _unanswerable(realm: dict[str, Any], lo: int) -> str | None:
    """Why this realm's admin events cannot show a write from ``lo`` on, if they cannot."""
    if not realm.get("adminEventsEnabled") or not realm.get("adminEventsDetailsEnabled"):
        return ("event admin beserta representasinya tidak dicatat / admin events with their "
                "representations are not recorded in this realm")
    expiry_s = admin_events_expiry_s(realm)
    if expiry_s and now_ms() - lo > expiry_s * 1000:
        return "event admin sudah kedaluwarsa / the admin events have expired"
    return None


def check_unlogged_disables(kc: KeycloakAdmin, runlog: RunLog) -> UnloggedCheck:
    """Whether each disable a stopped run never logged was the sync's (see the module's doc).
    Reads nothing when there is none."""
    unlogged = runlog.unlogged_disables(kc.realm)
    out = UnloggedCheck(asked={u.nip for u in unlogged})
    if not unlogged:
        return out
    windows = {u.nip: _Window.of(u) for u in unlogged}
    written: dict[tuple[str, str], list[int]] = {}  # (kind, user id) -> event times
    unclear: dict[str, list[int]] = {}
    try:
        actor = token_subject(kc)
        if not actor:
            raise SatuLoginError("the sync's own account cannot be told apart (grant it view-users)")
        client = _sync_client(kc)
        realm = kc.get("")
        params = {
            "dateFrom": min(w.lo for w in windows.values()),
            "dateTo": max(w.hi for w in windows.values()),
            "operationTypes": ["UPDATE"],
            "resourceTypes": ["USER"],
            "authUser": actor,
        }
        for ev in event_stream(kc, "/admin-events", params):
            auth = ev.get("authDetails") or {}
            said = _disabled_by(ev)
            if said is None or auth.get("userId") != actor:
                continue
            if client is not None and auth.get("clientId") != client:
                continue
            kind, sure, maybe = said
            when = int(ev.get("time") or 0)
            for user_id in sure:
                written.setdefault((kind, user_id), []).append(when)
            for user_id in maybe:
                unclear.setdefault(user_id, []).append(when)
        accounts = {u.nip: kc.get(f"/users/{u.user_id}", ok=(404,)) for u in unlogged}
    except SatuLoginError as exc:
        out.problem = f"event admin tidak bisa dibaca / the admin events cannot be read: {exc}"
        return out
    now = now_ms()
    open_windows: list[str] = []
    for u in unlogged:
        w, account = windows[u.nip], accounts[u.nip]
        mine = any(w.lo <= t <= w.hi for t in written.get(("bulk", u.user_id), [])) or any(
            w.lo <= t <= w.hi_put for t in written.get(("put", u.user_id), [])
        )
        cannot = _unanswerable(realm, w.lo)
        if not account:
            out.not_found[u.nip] = (u.user_id, "akun sudah tidak ada / the account no longer exists")
        elif w.hi > now and not (mine and not account.get("enabled")):
            open_windows.append(u.nip)  # a request of that run may still be in flight
        elif account.get("enabled"):
            out.not_found[u.nip] = (u.user_id, "akun sudah aktif lagi / the account was enabled again since")
        elif cannot is not None:
            out.not_found[u.nip] = (u.user_id, cannot)
        elif mine:
            out.confirmed[u.nip] = u.user_id
        elif any(w.lo <= t <= w.hi for t in unclear.get(u.user_id, [])):
            out.not_found[u.nip] = (u.user_id, "ekstensi Keycloak versi lama tidak menyebut siapa yang "
                                               "dinonaktifkan / an older Keycloak extension does not say "
                                               "whom it disabled")
        else:
            out.not_found[u.nip] = (u.user_id, "run yang berhenti tidak menulisnya (event admin Keycloak) / "
                                               "the stopped run did not write it (Keycloak's admin events)")
    if open_windows:
        out.problem = (f"run yang berhenti baru saja; ditanyakan lagi nanti / a stopped run ended only "
                       f"moments ago, asked again later: {', '.join(open_windows)}")
    return out
