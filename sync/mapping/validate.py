"""Is a rule set fit for this realm? Every problem listed at once (oauth2-proxy style)."""

from __future__ import annotations

import datetime as dt

from satulogin.errors import ConfigError

from .catalog import Catalog
from .roles import RoleRef
from .rules import Match, RuleSet


def referenced_clients(ruleset: RuleSet) -> set[str]:
    return {ref.client for rule in ruleset.all_rules() for ref in rule.role_refs() if ref.client}


def referenced_units(ruleset: RuleSet) -> set[str]:
    matches = [r.match for r in ruleset.all_rules()] + [lr.match for lr in ruleset.lingkup]
    return {code for m in matches for code in (m.unit or [])}


def _role_problems(where: str, ref: RoleRef, cat: Catalog) -> list[str]:
    if not ref.name:
        return [f"{where}: nama peran kosong / empty role name in {ref.key!r}"]
    if ref.client is None:
        if ref.name not in cat.realm_roles:
            return [f"{where}: peran realm {ref.name!r} tidak ada / unknown realm role"]
        return []
    if ref.client not in cat.client_roles:
        return [f"{where}: aplikasi (client) {ref.client!r} tidak terdaftar / unknown app (client)"]
    if ref.name not in cat.client_roles[ref.client]:
        return [f"{where}: peran {ref.name!r} tidak ada di aplikasi {ref.client!r} / unknown client role"]
    return []


def _match_problems(where: str, match: Match, cat: Catalog) -> list[str]:
    problems = []
    for code in match.unit or []:
        if code not in cat.units:
            problems.append(f"{where}.match.unit: kode unit {code} tidak dikenal / unknown unit code")
    for kode in match.jabatan or []:
        if kode not in cat.jabatan:
            problems.append(f"{where}.match.jabatan: jabatan {kode!r} tidak dikenal / unknown jabatan")
    return problems


def ruleset_problems(ruleset: RuleSet, cat: Catalog, *, today: dt.date | None = None) -> list[str]:
    today = today or dt.date.today()
    problems: list[str] = []
    for i, rule in enumerate(ruleset.rules):
        where = f"rules[{i}] ({rule.id})"
        for ref in rule.role_refs():
            problems += _role_problems(where + ".roles", ref, cat)
        problems += _match_problems(where, rule.match, cat)
        if rule.effect == "deny" and not rule.reason:
            problems.append(f"{where}: aturan deny wajib punya alasan / a deny rule needs a reason")
    for i, exc in enumerate(ruleset.exceptions):
        where = f"exceptions[{i}] ({exc.nip})"
        for ref in (RoleRef.parse(r) for r in exc.roles):
            problems += _role_problems(where + ".roles", ref, cat)
        if exc.until is not None and exc.until < today - dt.timedelta(days=3650):
            problems.append(f"{where}.until: tanggal {exc.until} tidak masuk akal / implausible date")
    for i, lr in enumerate(ruleset.lingkup):
        problems += _match_problems(f"lingkup[{i}]", lr.match, cat)
    return problems


def validate_ruleset(ruleset: RuleSet, cat: Catalog, source: str = "rules") -> None:
    problems = ruleset_problems(ruleset, cat)
    if problems:
        raise ConfigError(source, problems)
