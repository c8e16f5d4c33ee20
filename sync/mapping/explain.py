"""Why does this person have (or will have) each role? Rules, exceptions, manual grants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .engine import lingkup_of
from .index import subject_matches
from .roles import RoleRef
from .rules import RuleSet
from .subjects import Subject


@dataclass
class RoleExplanation:
    role: str
    status: str  # "granted" | "manual" | "pending-grant" | "pending-revoke" | "denied" | "inherited"
    has_now: bool
    will_have: bool
    granted_by: list[str] = field(default_factory=list)
    denied_by: list[str] = field(default_factory=list)
    via: str | None = None  # composite role it comes through, for inherited roles
    note: str = ""


@dataclass
class Explanation:
    nip: str
    nama: str
    facts: dict[str, str]
    roles: list[RoleExplanation]
    lingkup_unit: list[str]
    lingkup_rule: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "nip": self.nip,
            "nama": self.nama,
            "facts": self.facts,
            "roles": [vars(r) for r in self.roles],
            "lingkup_unit": self.lingkup_unit,
            "lingkup_rule": self.lingkup_rule,
        }

    def render_text(self) -> str:
        lines = [
            f"{self.nip} {self.nama}".rstrip(),
            "  " + ", ".join(f"{k}={v}" for k, v in self.facts.items() if v),
        ]
        for r in self.roles:
            mark = {
                "granted": "✔",
                "manual": "✋",
                "pending-grant": "+",
                "pending-revoke": "-",
                "denied": "✘",
                "inherited": "↳",
            }.get(r.status, "?")
            why = []
            if r.granted_by:
                why.append("aturan / rule " + ", ".join(r.granted_by))
            if r.denied_by:
                why.append("ditolak oleh / denied by " + ", ".join(r.denied_by))
            if r.via:
                why.append(f"lewat / via {r.via}")
            if r.note:
                why.append(r.note)
            lines.append(f"  {mark} {r.role:40} {r.status:15} {'; '.join(why)}")
        scope = ", ".join(self.lingkup_unit) or "-"
        src = f" (lingkup[{self.lingkup_rule}])" if self.lingkup_rule is not None else ""
        lines.append(f"  lingkup_unit: {scope}{src}")
        return "\n".join(lines)


def explain(
    subject: Subject,
    ruleset: RuleSet,
    held_direct: Iterable[RoleRef],
    inherited: dict[RoleRef, str] | None = None,
    today: dt.date | None = None,
) -> Explanation:
    """``held_direct``: the user's direct role mappings now; ``inherited``: effective roles that
    come only through a composite (role → the composite it comes through)."""
    today = today or dt.date.today()
    held = set(held_direct)
    granted: dict[RoleRef, list[str]] = {}
    denied: dict[RoleRef, list[str]] = {}
    for rule in ruleset.active_rules(today):
        if subject_matches(rule.match, subject):
            for ref in rule.role_refs():
                (granted if rule.effect == "grant" else denied).setdefault(ref, []).append(rule.id)
    out: list[RoleExplanation] = []
    for ref in sorted(set(granted) | set(denied) | held | set(subject.recorded_grants)):
        wanted = ref in granted and ref not in denied
        ours = ref in subject.recorded_grants
        has = ref in held
        manual = has and not ours
        if manual:
            status, will = "manual", True
            note = "diberikan manual, tidak disentuh pemetaan / manual grant, never removed by the mapping"
        elif wanted:
            status, will, note = ("granted" if has else "pending-grant"), True, ""
        elif has:
            status, will, note = "pending-revoke", False, "dicabut pada apply berikut / revoked at next apply"
        else:
            status, will, note = "denied", False, ""
        if ref in denied and ref not in granted and not has:
            status = "denied"
        out.append(
            RoleExplanation(ref.key, status, has, will, granted.get(ref, []), denied.get(ref, []), note=note)
        )
    for ref, via in sorted((inherited or {}).items()):
        if ref not in held and ref not in granted:
            out.append(RoleExplanation(ref.key, "inherited", True, True, via=via))
    scope, rule_no = lingkup_of(subject, ruleset)
    facts = {
        "unit_kode": subject.unit_kode,
        "jabatan_kode": subject.jabatan_kode,
        "jenis": subject.jenis,
        "eselon": subject.eselon,
        "golongan": subject.golongan,
        "status": subject.status,
    }
    return Explanation(subject.nip, subject.nama, facts, out, list(scope), rule_no)
