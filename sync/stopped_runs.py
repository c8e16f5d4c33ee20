"""Disables a stopped run wrote but never logged, told apart with Keycloak's admin events.

A run logs the logout it owes a leaver (marked ``disabling``) before it sends their disable,
and logs the disable once Keycloak answers. A run stopped in between (killed, timed out by
cron) leaves the run log unable to say whether the disable reached Keycloak. Only the sync's
own disables are undone when HR says the person is back (an administrator's lock never is),
so an unlogged one kept a returner locked out.

Keycloak's admin events tell, for each such disable, whether the sync itself wrote it: an
``UPDATE`` by the sync's own account (and, when it logs in as a person rather than as a
service account, through its own client), inside that run's window, that disabled the account:
a ``user-updates`` request of the extension listing it under ``disabled``, or a ``PUT`` on it
with ``enabled: false`` (the Admin REST path; the run had no other write for that account).
Found: the sync's own disable. Not found: not the sync's. The next apply logs either answer,
which settles it. Events that cannot be read decide nothing: the plan says why, and the next
plan asks again; meanwhile the person stays disabled (the safe side).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from satulogin.errors import SatuLoginError
from satulogin.kc_admin import KeycloakAdmin

from .incremental import event_stream, token_subject
from .runlog import RunLog, UnloggedDisable

# Keycloak stamps an event with its own clock, the run log with ours (keep both on NTP).
CLOCK_SLACK_MS = 30_000
# A request in flight when its run stopped may still commit afterwards; never past the next run.
IN_FLIGHT_MS = 5 * 60 * 1000
USER_UPDATES_PATH = "satulogin-sync/user-updates"


@dataclass
class UnloggedCheck:
    confirmed: dict[str, str] = field(default_factory=dict)  # NIP -> user id: the sync's disable
    not_found: dict[str, str] = field(default_factory=dict)  # NIP -> user id: not the sync's
    problem: str | None = None  # the events could not answer: nothing decided


def _window(u: UnloggedDisable) -> tuple[int, int]:
    hi = u.ended_ms + IN_FLIGHT_MS
    if u.next_started_ms is not None:
        hi = min(hi, u.next_started_ms)
    return u.started_ms - CLOCK_SLACK_MS, max(hi, u.ended_ms)


def _disabled_by(ev: dict[str, Any]) -> list[str]:
    """The accounts an admin event says were disabled."""
    try:
        rep = json.loads(ev.get("representation") or "null")
    except ValueError:
        return []
    if not isinstance(rep, dict):
        return []
    path = ev.get("resourcePath") or ""
    if path == USER_UPDATES_PATH:
        return [str(i) for i in rep.get("disabled") or []]
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == "users" and rep.get("enabled") is False:
        return [parts[1]]
    return []


def _sync_client(kc: KeycloakAdmin) -> str | None:
    """The internal id of the client the sync logs in through, which Keycloak's events record;
    None when the sync is a service account (its account alone is then the sync's)."""
    conn = kc.conn
    if conn.client_secret:
        return None
    base = f"/realms/{quote(conn.auth_realm, safe='')}"
    found = kc.get(f"{base}/clients", params={"clientId": conn.client_id}, realm_scoped=False) or []
    if not found:
        raise SatuLoginError(f"client {conn.client_id} not found")
    return str(found[0]["id"])


def check_unlogged_disables(kc: KeycloakAdmin, runlog: RunLog) -> UnloggedCheck:
    """Whether each disable a stopped run never logged was the sync's (see the module's doc).
    Reads nothing when there is none."""
    unlogged = runlog.unlogged_disables(kc.realm)
    if not unlogged:
        return UnloggedCheck()
    actor = token_subject(kc)
    if not actor:
        return UnloggedCheck(problem="akun sync tidak bisa dikenali / the sync's own account cannot be "
                                     "told apart in the events (grant it view-users on its realm)")
    windows = {u.run_id: _window(u) for u in unlogged}
    params: dict[str, Any] = {
        "dateFrom": min(lo for lo, _ in windows.values()),
        "dateTo": max(hi for _, hi in windows.values()),
        "operationTypes": ["UPDATE"],
        "resourceTypes": ["USER"],
        "authUser": actor,
    }
    written: dict[str, list[int]] = {}
    try:
        client = _sync_client(kc)
        for ev in event_stream(kc, "/admin-events", params):
            auth = ev.get("authDetails") or {}
            if auth.get("userId") != actor or (client is not None and auth.get("clientId") != client):
                continue
            for user_id in _disabled_by(ev):
                written.setdefault(user_id, []).append(int(ev.get("time") or 0))
    except SatuLoginError as exc:
        why = f"event admin tidak bisa dibaca / the admin events cannot be read: {exc}"
        return UnloggedCheck(problem=why)
    out = UnloggedCheck()
    for u in unlogged:
        lo, hi = windows[u.run_id]
        mine = any(lo <= t <= hi for t in written.get(u.user_id, []))
        (out.confirmed if mine else out.not_found)[u.nip] = u.user_id
    # A person whose disable two stopped runs left unlogged: the sync's if either wrote it.
    for nip in out.confirmed:
        out.not_found.pop(nip, None)
    return out
