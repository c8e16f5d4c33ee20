"""Desired state from rules: who should hold which role, and which units each may see.

Deny beats grant: a role's holders are the union of its grant rules' match sets minus the
union of its deny rules'. Rules past their ``until`` date are ignored, so an expired
exception simply stops counting at the next run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..model import unit_prefix
from .index import PopulationIndex, subject_matches
from .roles import RoleRef
from .rules import LingkupRule, Rule, RuleSet, Scope
from .subjects import Subject

PROVINSI = "00"


def scope_prefixes(scope: Scope, unit_kode: str) -> tuple[str, ...]:
    """``lingkup_unit`` values: kunker prefixes. OPD = the level-1 prefix of the unit."""
    if scope == "provinsi":
        return (PROVINSI,)
    if not unit_kode or len(unit_kode) != 15:
        return ()
    if scope == "opd":
        return (unit_kode[:4],)
    return (unit_prefix(unit_kode),)


@dataclass
class DesiredState:
    holders: dict[RoleRef, set[str]]
    lingkup: dict[str, tuple[str, ...]]  # nip -> prefixes (only non-empty)


def roles_of(rules: Iterable[Rule]) -> set[RoleRef]:
    return {ref for r in rules for ref in r.role_refs()}


def holders_for(
    index: PopulationIndex, rules: list[Rule], roles: Iterable[RoleRef]
) -> dict[RoleRef, set[str]]:
    wanted = set(roles)
    grant: dict[RoleRef, set[str]] = defaultdict(set)
    deny: dict[RoleRef, set[str]] = defaultdict(set)
    for rule in rules:
        refs = [ref for ref in rule.role_refs() if ref in wanted]
        if not refs:
            continue
        matched = index.rule_set(rule)
        for ref in refs:
            (grant if rule.effect == "grant" else deny)[ref] |= matched
    return {ref: grant.get(ref, set()) - deny.get(ref, set()) for ref in wanted}


def lingkup_for(index: PopulationIndex, lingkup_rules: list[LingkupRule]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    assigned: set[str] = set()
    for lr in lingkup_rules:
        for nip in index.match_set(lr.match) - assigned:
            prefixes = scope_prefixes(lr.scope, index.subjects[nip].unit_kode)
            if prefixes:
                out[nip] = prefixes
        assigned |= index.match_set(lr.match)
    return out


def desired_state(index: PopulationIndex, ruleset: RuleSet, today: dt.date) -> DesiredState:
    rules = ruleset.active_rules(today)
    return DesiredState(holders_for(index, rules, roles_of(rules)), lingkup_for(index, ruleset.lingkup))


def desired_state_from_scratch(
    subjects: Mapping[str, Subject], ruleset: RuleSet, today: dt.date
) -> DesiredState:
    """The baseline the benchmark compares against: every rule tested on every person."""
    rules = ruleset.active_rules(today)
    holders: dict[RoleRef, set[str]] = {ref: set() for ref in roles_of(rules)}
    lingkup: dict[str, tuple[str, ...]] = {}
    for nip, s in subjects.items():
        granted: set[RoleRef] = set()
        denied: set[RoleRef] = set()
        for rule in rules:
            if subject_matches(rule.match, s):
                (granted if rule.effect == "grant" else denied).update(rule.role_refs())
        for ref in granted - denied:
            holders[ref].add(nip)
        for lr in ruleset.lingkup:
            if subject_matches(lr.match, s):
                prefixes = scope_prefixes(lr.scope, s.unit_kode)
                if prefixes:
                    lingkup[nip] = prefixes
                break
    return DesiredState(holders, lingkup)


def lingkup_of(subject: Subject, ruleset: RuleSet) -> tuple[tuple[str, ...], int | None]:
    for i, lr in enumerate(ruleset.lingkup):
        if subject_matches(lr.match, subject):
            return scope_prefixes(lr.scope, subject.unit_kode), i
    return (), None
