"""The plan's vocabulary: one :class:`Change` per object, and the :class:`SyncPlan` they form."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .desired import DesiredGroup, DesiredRole, DesiredUser

if TYPE_CHECKING:
    from .incremental import Scope

# Actions that write; "conflict", "obsolete", "hold" and "info" are reported only.
WRITE_ACTIONS = ("create", "update", "move", "disable", "enable", "adopt")


@dataclass
class Change:
    kind: str  # group | role | user
    key: str  # kunker | role name | NIP
    action: str  # create update move disable enable adopt conflict obsolete hold info
    reason: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # Execution details (not shown): ids and membership switches.
    kc_id: str | None = None
    desired: DesiredGroup | DesiredRole | DesiredUser | None = None
    add_groups: list[str] = field(default_factory=list)  # kunker codes
    remove_groups: list[str] = field(default_factory=list)  # group ids
    add_roles: list[str] = field(default_factory=list)
    remove_roles: list[str] = field(default_factory=list)
    logout: bool = False
    representation: dict[str, Any] | None = None  # user PUT body

    @property
    def writes(self) -> bool:
        return self.action in WRITE_ACTIONS

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "key": self.key,
            "action": self.action,
            "reason": self.reason,
        }
        if self.fields:
            out["fields"] = {k: {"old": o, "new": n} for k, (o, n) in self.fields.items()}
        return out


@dataclass
class SyncPlan:
    changes: list[Change]
    quarantine: list[dict[str, Any]]
    managed_users: int
    source_total: int
    otp_for_joiners: bool = False
    # The units or jabatan sources that gave no row at all: a rail (sync.safety).
    empty_sources: list[str] = field(default_factory=list)
    # How the plan was made (full or incremental) and what an apply may remember; None when
    # the caller keeps no cache (tests, one-off plans).
    scope: Scope | None = None
    # Disables stopped runs set out to write and never logged (sync.stopped_runs), NIP -> user
    # id: those Keycloak's admin events show the sync wrote (its own), and those they do not
    # (not its own). The next apply logs both. ``unlogged_problem``: the events could not say.
    confirmed_disables: dict[str, str] = field(default_factory=dict)
    unconfirmed_disables: dict[str, tuple[str, str]] = field(default_factory=dict)  # (id, why)
    unlogged_problem: str | None = None

    def of(self, kind: str, *actions: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind and (not actions or c.action in actions)]

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.writes]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (kind, action), n in sorted(Counter((c.kind, c.action) for c in self.changes).items()):
            out.setdefault(kind, {})[action] = n
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "changes": [c.as_dict() for c in self.changes],
            "quarantine": self.quarantine,
            "counts": self.counts(),
            "pending": len(self.pending),
            "managed_users": self.managed_users,
            "source_total": self.source_total,
            "empty_sources": self.empty_sources,
            "confirmed_disables": self.confirmed_disables,
            "unconfirmed_disables": self.unconfirmed_disables,
            "unlogged_problem": self.unlogged_problem,
            **(
                {
                    "mode": self.scope.mode,
                    "mode_reason": self.scope.reason,
                    "users_read": self.scope.users_read,
                }
                if self.scope is not None
                else {}
            ),
        }


def one_value(values: list[str] | None) -> Any:
    """A Keycloak attribute list as a person reads it: ``None``, the value, or the list."""
    if not values:
        return None
    return values[0] if len(values) == 1 else values
