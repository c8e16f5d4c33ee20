"""The plan: what would be created, changed or removed, per resource, and how to do it.

A :class:`RealmPlan` is data a person reads (``render_text``) or a machine reads
(``to_json``); each :class:`Change` also carries the function that performs it, which only
:func:`realm.apply.execute_plan` calls. Secrets never appear in either output.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from satulogin.kc_admin import KeycloakAdmin

Action = Literal["create", "update", "delete"]
SECRET_MASK = "********"


@dataclass
class ApplyContext:
    """What executors share while a plan runs: ids Keycloak assigned on the way."""

    admin: KeycloakAdmin
    client_uuids: dict[str, str] = field(default_factory=dict)  # clientId -> id
    scope_ids: dict[str, str] = field(default_factory=dict)  # client scope name -> id


Executor = Callable[[ApplyContext], None]


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any
    secret: bool = False

    def __repr__(self) -> str:
        # A plan may be logged or printed while debugging: never show a secret's value.
        shown = self.to_json()
        return f"FieldChange(field={self.field!r}, old={shown['old']!r}, new={shown['new']!r})"

    def to_json(self) -> dict[str, Any]:
        if self.secret:
            return {"field": self.field, "old": SECRET_MASK if self.old else None, "new": SECRET_MASK}
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass
class Change:
    resource: (
        str  # realm | required-action | role | client-scope | user-profile | client | client-role | flow
    )
    name: str
    action: Action
    fields: list[FieldChange] = field(default_factory=list)
    execute: Executor | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "name": self.name,
            "action": self.action,
            "fields": [f.to_json() for f in self.fields],
        }


@dataclass
class RealmPlan:
    realm: str
    realm_exists: bool
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things left alone on purpose (not ours)
    reads: int = 0  # GET requests the plan cost

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        result = {"create": 0, "update": 0, "delete": 0}
        for change in self.changes:
            result[change.action] += 1
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "realm": self.realm,
            "realm_exists": self.realm_exists,
            "has_changes": self.has_changes,
            "summary": self.counts(),
            "changes": [c.to_json() for c in self.changes],
            "notes": self.notes,
        }

    def render_json(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False, sort_keys=False)

    def render_text(self) -> str:
        symbol = {"create": "+", "update": "~", "delete": "-"}
        lines = [f"Realm {self.realm}" + ("" if self.realm_exists else " (belum ada / does not exist yet)")]
        for change in self.changes:
            lines.append(f"  {symbol[change.action]} {change.resource} {change.name} ({change.action})")
            for fc in change.fields:
                doc = fc.to_json()
                lines.append(f"      {fc.field}: {_short(doc['old'])} -> {_short(doc['new'])}")
        for note in self.notes:
            lines.append(f"  ! {note}")
        counts = self.counts()
        if self.has_changes:
            lines.append(
                f"Rencana / plan: {counts['create']} dibuat/create, {counts['update']} diubah/update, "
                f"{counts['delete']} dihapus/delete."
            )
        else:
            lines.append("Tidak ada perubahan / no changes: Keycloak sudah sesuai deklarasi.")
        return "\n".join(lines)


def _short(value: Any, limit: int = 160) -> str:
    text = (
        json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else repr(value)
    )
    return text if len(text) <= limit else text[: limit - 3] + "..."


def same(desired: Any, current: Any) -> bool:
    """Equality as Keycloak means it: string lists compare as sets (Keycloak reorders them),
    ``None`` and an empty list/map are the same, dicts compare by the keys we declare."""
    if isinstance(desired, dict):
        cur = current if isinstance(current, dict) else {}
        return all(same(value, cur.get(key)) for key, value in desired.items())
    if isinstance(desired, list):
        cur_list = current if isinstance(current, list) else ([] if current is None else [current])
        if all(isinstance(v, str) for v in desired) and all(isinstance(v, str) for v in cur_list):
            return sorted(set(desired)) == sorted(set(cur_list)) and len(desired) == len(cur_list)
        return len(desired) == len(cur_list) and all(
            same(d, c) for d, c in zip(desired, cur_list, strict=True)
        )
    if desired in (None, "", [], {}) and current in (None, "", [], {}):
        return True
    return bool(desired == current)


def field_changes(
    desired: dict[str, Any],
    current: dict[str, Any],
    *,
    prefix: str = "",
    secret_fields: frozenset[str] = frozenset(),
) -> list[FieldChange]:
    """One :class:`FieldChange` per declared field whose current value differs."""
    out: list[FieldChange] = []
    for key, value in desired.items():
        old = current.get(key)
        if not same(value, old):
            out.append(FieldChange(prefix + key, old, value, secret=key in secret_fields))
    return out
