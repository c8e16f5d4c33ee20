"""Disables a stopped run wrote but never logged, confirmed from Keycloak's admin events.

A run logs the logout it owes a leaver before it writes their disable, and logs the disable
once Keycloak answers. A run stopped in between (killed, timed out by cron) leaves the run log
unable to say whether the disable reached Keycloak. Only the sync's own disables are undone
when HR says the person is back (an administrator's lock never is), so an unlogged one would
keep a returner locked out. Keycloak's admin events can tell: the sync's own account wrote it,
inside that run's window, as a ``user-updates`` request of the extension naming the account, or
as a ``PUT`` on the account with ``enabled: false`` (the Admin REST path).

Unreadable events leave such disables unconfirmed, the safe side: the person stays disabled
until an administrator enables them, as for any lock the sync did not make.
"""

from __future__ import annotations

import json
from typing import Any

from satulogin.errors import SatuLoginError
from satulogin.kc_admin import KeycloakAdmin

from .incremental import event_stream, token_subject
from .runlog import RunLog, UnloggedDisable

# Keycloak stamps an event with its own clock, the run log with ours; and a request in flight
# when its run stopped may commit after the next run started.
CLOCK_SLACK_MS = 2_000
IN_FLIGHT_MS = 5 * 60 * 1000
USER_UPDATES_PATH = "satulogin-sync/user-updates"


def _disabled_by(ev: dict[str, Any]) -> list[str]:
    """The accounts an admin event says were disabled (or, for a ``user-updates`` request,
    written: a leaver's item there is their disable)."""
    path = ev.get("resourcePath") or ""
    try:
        rep = json.loads(ev.get("representation") or "null")
    except ValueError:
        return []
    if not isinstance(rep, dict):
        return []
    if path == USER_UPDATES_PATH:
        return [str(i) for i in rep.get("ids") or []]
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == "users" and rep.get("enabled") is False:
        return [parts[1]]
    return []


def confirm_unlogged_disables(kc: KeycloakAdmin, runlog: RunLog) -> dict[str, str]:
    """NIP -> Keycloak user id of each disable a stopped run wrote without logging it, as the
    admin events show it (see the module's doc). Reads nothing when there is none."""
    unlogged = runlog.unlogged_disables(kc.realm)
    if not unlogged:
        return {}
    actor = token_subject(kc)
    if not actor:
        return {}
    lo = min(u.started_ms for u in unlogged) - CLOCK_SLACK_MS
    ends = [u.until_ms for u in unlogged]
    bounded = {} if None in ends else {"dateTo": max(e for e in ends if e is not None) + IN_FLIGHT_MS}
    params = {"dateFrom": lo, **bounded, "operationTypes": ["UPDATE"], "resourceTypes": ["USER"],
              "authUser": actor}
    written: dict[str, list[int]] = {}
    try:
        for ev in event_stream(kc, "/admin-events", params):
            who = (ev.get("authDetails") or {}).get("userId")
            if who != actor:
                continue
            for user_id in _disabled_by(ev):
                written.setdefault(user_id, []).append(int(ev.get("time") or 0))
    except SatuLoginError:
        return {}

    def inside(u: UnloggedDisable, t: int) -> bool:
        return u.started_ms - CLOCK_SLACK_MS <= t and (u.until_ms is None or t <= u.until_ms + IN_FLIGHT_MS)

    return {u.nip: u.user_id for u in unlogged if any(inside(u, t) for t in written.get(u.user_id, []))}
