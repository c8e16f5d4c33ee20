"""The mapping plan: who gains and who loses which role, before anything is written.

Ownership (the contract's ``satulogin_grants``): a role mapping is *ours* when the user's
attribute lists it. We only ever remove our own; a mapping present without the record is a
manual grant and is left alone, even when a rule would grant it too (we do not claim it, so a
later rule change can never take away what an admin gave by hand).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from satulogin.errors import SafetyStop

from .engine import DesiredState, desired_state, holders_for, lingkup_for, roles_of
from .index import PopulationIndex
from .roles import RoleRef
from .rules import RuleSet
from .subjects import Subject


@dataclass(frozen=True)
class SafetyPolicy:
    """Refuse a plan that takes roles from more than ``max_revoke_share`` of the population
    (and more than ``min_users`` people): a broken rule or a half-read realm looks like that."""

    max_revoke_share: float = 0.10
    min_users: int = 10


@dataclass
class RoleChange:
    role: RoleRef
    gains: set[str] = field(default_factory=set)
    losses: set[str] = field(default_factory=set)
    manual: set[str] = field(default_factory=set)  # held by hand: never touched


@dataclass
class MappingPlan:
    population: int
    changes: dict[RoleRef, RoleChange]
    grants_attr: dict[str, frozenset[RoleRef]]  # nip -> new satulogin_grants (changed only)
    lingkup_attr: dict[str, tuple[str, ...]]  # nip -> new lingkup_unit (changed only)

    @property
    def gains(self) -> int:
        return sum(len(c.gains) for c in self.changes.values())

    @property
    def losses(self) -> int:
        return sum(len(c.losses) for c in self.changes.values())

    def users_losing(self) -> set[str]:
        out: set[str] = set()
        for c in self.changes.values():
            out |= c.losses
        return out

    def touched_users(self) -> set[str]:
        out = set(self.grants_attr) | set(self.lingkup_attr)
        for c in self.changes.values():
            out |= c.gains | c.losses
        return out

    @property
    def is_empty(self) -> bool:
        return not self.touched_users()

    def check_safety(self, policy: SafetyPolicy, *, allow_mass_revoke: bool = False) -> None:
        losing = len(self.users_losing())
        if allow_mass_revoke or losing <= policy.min_users or not self.population:
            return
        share = losing / self.population
        if share > policy.max_revoke_share:
            raise SafetyStop(
                f"rencana mencabut peran dari {losing} dari {self.population} pegawai ({share:.0%}), "
                f"melebihi batas {policy.max_revoke_share:.0%}; tidak ada yang diubah / the plan revokes "
                f"roles from {losing} of {self.population} people, past the {policy.max_revoke_share:.0%} "
                "limit; nothing was changed. Check the rules, then re-run with --allow-mass-revoke "
                "if it is intended."
            )

    def to_dict(self, names: Mapping[str, str] | None = None) -> dict[str, Any]:
        names = names or {}

        def people(nips: Iterable[str]) -> list[dict[str, str]]:
            return [{"nip": n, "nama": names.get(n, "")} for n in sorted(nips)]

        return {
            "population": self.population,
            "summary": {
                "gains": self.gains,
                "losses": self.losses,
                "users_losing": len(self.users_losing()),
                "lingkup_changes": len(self.lingkup_attr),
            },
            "roles": [
                {
                    "role": c.role.key,
                    "gains": people(c.gains),
                    "losses": people(c.losses),
                    "manual_kept": len(c.manual),
                }
                for c in sorted(self.changes.values(), key=lambda c: c.role)
                if c.gains or c.losses
            ],
            "lingkup": [{"nip": n, "lingkup_unit": list(v)} for n, v in sorted(self.lingkup_attr.items())],
        }

    def render_text(self, names: Mapping[str, str] | None = None, *, limit: int = 20) -> str:
        names = names or {}
        lines = [
            f"Populasi / population: {self.population} pegawai",
            f"Ringkasan / summary: +{self.gains} peran diberikan / granted, "
            f"-{self.losses} dicabut / revoked, "
            f"{len(self.users_losing())} orang kehilangan peran / people losing a role, "
            f"{len(self.lingkup_attr)} perubahan lingkup_unit",
        ]
        for c in sorted(self.changes.values(), key=lambda c: c.role):
            if not (c.gains or c.losses):
                continue
            lines.append(
                f"  {c.role.key}: +{len(c.gains)} -{len(c.losses)} "
                f"(manual, tidak disentuh / kept: {len(c.manual)})"
            )
            for sign, nips in (("+", c.gains), ("-", c.losses)):
                shown = sorted(nips)[:limit]
                for nip in shown:
                    lines.append(f"      {sign} {nip} {names.get(nip, '')}".rstrip())
                if len(nips) > limit:
                    more = len(nips) - limit
                    lines.append(f"      {sign} ... dan {more} lainnya / and {more} more")
        if self.is_empty:
            lines.append("Tidak ada perubahan / no changes.")
        return "\n".join(lines)


def recorded_holders(subjects: Mapping[str, Subject]) -> dict[RoleRef, set[str]]:
    out: dict[RoleRef, set[str]] = defaultdict(set)
    for nip, s in subjects.items():
        for ref in s.recorded_grants:
            out[ref].add(nip)
    return out


def diff(
    subjects: Mapping[str, Subject],
    recorded: Mapping[RoleRef, set[str]],
    held: Mapping[RoleRef, set[str]],
    desired: DesiredState,
    roles: Iterable[RoleRef],
    *,
    lingkup: bool = True,
) -> MappingPlan:
    changes: dict[RoleRef, RoleChange] = {}
    new_recorded: dict[RoleRef, set[str]] = {}
    for ref in roles:
        want = desired.holders.get(ref, set())
        have = held.get(ref, set())
        ours = recorded.get(ref, set())
        changes[ref] = RoleChange(ref, gains=want - have, losses=(ours - want) & have, manual=have - ours)
        new_recorded[ref] = (ours & want) | (want - have)
    grants_attr: dict[str, frozenset[RoleRef]] = {}
    touched: set[str] = set()
    for ref, new in new_recorded.items():
        touched |= new ^ recorded.get(ref, set())
    for nip in touched:
        s = subjects[nip]
        value = {r for r in s.recorded_grants if r not in new_recorded}
        value |= {ref for ref, holders in new_recorded.items() if nip in holders}
        grants_attr[nip] = frozenset(value)
    lingkup_attr: dict[str, tuple[str, ...]] = {}
    if lingkup:
        for nip, s in subjects.items():
            want_scope = tuple(sorted(desired.lingkup.get(nip, ())))
            if want_scope != s.lingkup:
                lingkup_attr[nip] = want_scope
    return MappingPlan(len(subjects), changes, grants_attr, lingkup_attr)


def build_plan(
    index: PopulationIndex, ruleset: RuleSet, held: Mapping[RoleRef, set[str]], today: dt.date | None = None
) -> MappingPlan:
    """The full plan: every role the rules or our records mention, every person's scope."""
    today = today or dt.date.today()
    desired = desired_state(index, ruleset, today)
    recorded = recorded_holders(index.subjects)
    roles = set(desired.holders) | set(recorded)
    return diff(index.subjects, recorded, held, desired, roles)


def changed_roles(old: RuleSet, new: RuleSet) -> set[RoleRef]:
    """Roles whose rules differ between two rule sets (content, not position)."""
    before = {r.model_dump_json() for r in old.all_rules()}
    after = {r.model_dump_json() for r in new.all_rules()}
    diffs = [r for r in old.all_rules() if r.model_dump_json() not in after]
    diffs += [r for r in new.all_rules() if r.model_dump_json() not in before]
    return roles_of(diffs)


def preview_change(
    index: PopulationIndex,
    old: RuleSet,
    new: RuleSet,
    held: Mapping[RoleRef, set[str]],
    today: dt.date | None = None,
    recorded: Mapping[RoleRef, set[str]] | None = None,
) -> MappingPlan:
    """Only what a rule change moves: the roles its changed rules name (and scopes, if the
    ``lingkup`` rules changed). Unchanged rules' match sets come from the index cache."""
    today = today or dt.date.today()
    roles = changed_roles(old, new)
    rules = new.active_rules(today)
    holders = holders_for(index, rules, roles)
    lingkup_changed = [lr.model_dump_json() for lr in old.lingkup] != [
        lr.model_dump_json() for lr in new.lingkup
    ]
    scopes = lingkup_for(index, new.lingkup) if lingkup_changed else {}
    recorded = recorded if recorded is not None else recorded_holders(index.subjects)
    return diff(index.subjects, recorded, held, DesiredState(holders, scopes), roles, lingkup=lingkup_changed)


def rule_effect(
    index: PopulationIndex, old: RuleSet, new: RuleSet, today: dt.date | None = None
) -> dict[RoleRef, RoleChange]:
    """What the rule change itself moves, whatever the realm holds now: for each role the
    changed rules name, who the new rules grant that the old did not, and the reverse."""
    today = today or dt.date.today()
    roles = changed_roles(old, new)
    before = holders_for(index, old.active_rules(today), roles)
    after = holders_for(index, new.active_rules(today), roles)
    return {
        ref: RoleChange(ref, gains=after[ref] - before[ref], losses=before[ref] - after[ref]) for ref in roles
    }
