"""An inverted index over the population: criterion value → set of NIPs.

A rule's match set is then an intersection of a few prebuilt sets (C-speed set operations)
instead of a Python test per person per rule. Match sets are cached per rule *content*, so a
preview of a one-rule change only computes that one rule's set again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from ..model import unit_prefix
from .rules import Match, Rule
from .subjects import Subject


class PopulationIndex:
    def __init__(self, subjects: Mapping[str, Subject]) -> None:
        self.subjects = subjects
        self.all: frozenset[str] = frozenset(subjects)
        self.by_jabatan: dict[str, set[str]] = defaultdict(set)
        self.by_jenis: dict[str, set[str]] = defaultdict(set)
        self.by_eselon: dict[str, set[str]] = defaultdict(set)
        self.by_golongan: dict[str, set[str]] = defaultdict(set)
        self.by_status: dict[str, set[str]] = defaultdict(set)
        self.by_unit: dict[str, set[str]] = defaultdict(set)
        for nip, s in subjects.items():
            self.by_jabatan[s.jabatan_kode].add(nip)
            self.by_jenis[s.jenis].add(nip)
            self.by_eselon[s.eselon].add(nip)
            self.by_golongan[s.golongan].add(nip)
            self.by_status[s.status].add(nip)
            self.by_unit[s.unit_kode].add(nip)
        self._subtree_cache: dict[str, frozenset[str]] = {}
        self._match_cache: dict[str, frozenset[str]] = {}

    @staticmethod
    def _union(table: Mapping[str, set[str]], keys: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for key in keys:
            out |= table.get(key, set())
        return out

    def subtree(self, kunker: str) -> frozenset[str]:
        prefix = unit_prefix(kunker)
        hit = self._subtree_cache.get(prefix)
        if hit is None:
            hit = frozenset(self._union(self.by_unit, [c for c in self.by_unit if c.startswith(prefix)]))
            self._subtree_cache[prefix] = hit
        return hit

    def match_set(self, match: Match) -> frozenset[str]:
        key = match.model_dump_json()
        hit = self._match_cache.get(key)
        if hit is not None:
            return hit
        parts: list[set[str] | frozenset[str]] = [self._union(self.by_status, match.statuses())]
        if match.nip is not None:
            parts.append(set(match.nip) & self.all)
        if match.jabatan is not None:
            parts.append(self._union(self.by_jabatan, match.jabatan))
        if match.jenis is not None:
            parts.append(self._union(self.by_jenis, match.jenis))
        levels = match.eselon_levels()
        if levels is not None:
            parts.append(self._union(self.by_eselon, levels))
        gol = match.golongan_levels()
        if gol is not None:
            parts.append(self._union(self.by_golongan, gol))
        if match.unit is not None:
            unit_set: set[str] = set()
            for code in match.unit:
                unit_set |= self.subtree(code)
            parts.append(unit_set)
        parts.sort(key=len)
        result = frozenset(parts[0]).intersection(*parts[1:])
        self._match_cache[key] = result
        return result

    def rule_set(self, rule: Rule) -> frozenset[str]:
        return self.match_set(rule.match)


def subject_matches(match: Match, s: Subject) -> bool:
    """The same test for one person, without the index (explain, and the from-scratch baseline)."""
    if s.status not in match.statuses():
        return False
    if match.nip is not None and s.nip not in match.nip:
        return False
    if match.jabatan is not None and s.jabatan_kode not in match.jabatan:
        return False
    if match.jenis is not None and s.jenis not in match.jenis:
        return False
    levels = match.eselon_levels()
    if levels is not None and s.eselon not in levels:
        return False
    gol = match.golongan_levels()
    if gol is not None and s.golongan not in gol:
        return False
    return match.unit is None or any(s.unit_kode.startswith(unit_prefix(c)) for c in match.unit)
