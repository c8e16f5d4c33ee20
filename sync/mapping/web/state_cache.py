"""One Keycloak read serves several page views: the realm's state is cached for a short TTL
and dropped after every apply, so a preview never shows a state older than the last change."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from satulogin.kc_admin import KeycloakAdmin

from ..engine import roles_of
from ..index import PopulationIndex
from ..rules import RuleSet
from ..state import KeycloakState, read_state
from ..validate import referenced_units


def _needs(ruleset: RuleSet) -> frozenset[str]:
    """What a rule set needs read: its roles and unit codes (as text, to compare)."""
    return frozenset({r.key for r in roles_of(ruleset.all_rules())} | referenced_units(ruleset))


@dataclass
class Snapshot:
    state: KeycloakState
    index: PopulationIndex
    read_at: float


class StateCache:
    def __init__(self, admin: KeycloakAdmin, ttl: float = 30.0) -> None:
        self.admin = admin
        self.ttl = ttl
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        self._covers: frozenset[str] = frozenset()

    def get(self, ruleset: RuleSet) -> Snapshot:
        # Which roles are read depends on the rules: a rule set naming a role or unit the
        # cached read did not cover reads again.
        needs = _needs(ruleset)
        with self._lock:
            snap = self._snap
            if snap is None or not needs <= self._covers or time.monotonic() - snap.read_at > self.ttl:
                state = read_state(self.admin, ruleset)
                snap = Snapshot(state, PopulationIndex(state.subjects), time.monotonic())
                self._snap, self._covers = snap, needs
            return snap

    def invalidate(self) -> None:
        with self._lock:
            self._snap = None
