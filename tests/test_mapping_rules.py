"""The rule engine on its own: each kind of rule, deny beats grant, expiry, validation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from satulogin.errors import ConfigError
from satulogin.paths import REPO_ROOT
from sync.mapping.catalog import Catalog
from sync.mapping.engine import desired_state, desired_state_from_scratch
from sync.mapping.index import PopulationIndex
from sync.mapping.plan import build_plan, preview_change
from sync.mapping.roles import RoleRef
from sync.mapping.rules import RuleSet, load_ruleset, parse_ruleset, parse_ruleset_text
from sync.mapping.validate import validate_ruleset
from tests.fixtures.mapping import CLIENT_ROLES, PEOPLE, UNITS, subjects_of

TODAY = dt.date(2026, 6, 1)
P = PEOPLE


def holders(rules: list[dict[str, Any]], role: str, **extra: Any) -> set[str]:
    ruleset = parse_ruleset({"rules": rules, **extra}, "test")
    index = PopulationIndex(subjects_of(PEOPLE))
    state = desired_state(index, ruleset, TODAY)
    # The index and the per-person baseline must always agree.
    assert state.holders == desired_state_from_scratch(index.subjects, ruleset, TODAY).holders
    return state.holders.get(RoleRef.parse(role), set())


def nips(*keys: str) -> set[str]:
    return {P[k].nip for k in keys}


def test_rule_without_criteria_grants_every_active_pegawai_but_not_leavers() -> None:
    got = holders([{"id": "dasar", "roles": ["pegawai"]}], "pegawai")
    assert got == {p.nip for k, p in P.items() if k != "pensiunan"}


def test_rule_by_jabatan_code() -> None:
    assert holders([{"id": "a", "roles": ["x"], "match": {"jabatan": ["KADINKES", "SEKDA"]}}], "x") == \
        nips("kadinkes", "sekda")


def test_rule_by_jenis() -> None:
    assert holders([{"id": "a", "roles": ["x"], "match": {"jenis": ["fungsional"]}}], "x") == \
        nips("perencana", "dokter")


def test_rule_by_eselon_and_above() -> None:
    # "II.a and above" is {to: II.a}: I.a .. II.a
    assert holders([{"id": "a", "roles": ["x"], "match": {"eselon": {"to": "II.a"}}}], "x") == \
        nips("sekda", "kabappeda", "kadinkes")
    assert holders([{"id": "a", "roles": ["x"], "match": {"eselon": ["II.b", "III.a"]}}], "x") == \
        nips("kabiro", "kabid")


def test_rule_by_unit_matches_the_whole_subtree() -> None:
    assert holders([{"id": "a", "roles": ["x"], "match": {"unit": ["000400000000000"]}}], "x") == \
        nips("kabappeda", "kabid", "perencana", "staf")
    assert holders([{"id": "a", "roles": ["x"], "match": {"unit": ["000100000000000"]}}], "x") == \
        nips("sekda", "kabiro")


def test_rule_by_golongan_range() -> None:
    assert holders([{"id": "a", "roles": ["x"], "match": {"golongan": {"from": "IV/c"}}}], "x") == \
        nips("sekda", "kabiro", "kabappeda", "kadinkes")


def test_rule_by_status_reaches_leavers_when_asked() -> None:
    assert holders([{"id": "a", "roles": ["x"], "match": {"status": ["pensiun"]}}], "x") == nips("pensiunan")


def test_criteria_combine_with_and() -> None:
    rule = {"id": "a", "roles": ["x"], "match": {"unit": ["000400000000000"], "jenis": ["struktural"]}}
    assert holders([rule], "x") == nips("kabappeda", "kabid")


def test_deny_beats_grant_whatever_the_order() -> None:
    grant = {"id": "g", "roles": ["x"], "match": {"unit": ["000400000000000"]}}
    deny = {"id": "d", "effect": "deny", "reason": "audit", "roles": ["x"], "match": {"jenis": ["pelaksana"]}}
    expected = nips("kabappeda", "kabid", "perencana")
    assert holders([deny, grant], "x") == holders([grant, deny], "x") == expected


def test_named_exception_grants_and_denies_for_one_nip() -> None:
    grant = {"id": "g", "roles": ["x"], "match": {"jenis": ["struktural"]}}
    exceptions = [
        {"nip": P["dokter"].nip, "effect": "grant", "roles": ["x"], "reason": "Plt. kepala bidang"},
        {"nip": P["kabid"].nip, "effect": "deny", "roles": ["x"], "reason": "sedang diperiksa Inspektorat"},
    ]
    got = holders([grant], "x", exceptions=exceptions)
    assert P["dokter"].nip in got and P["kabid"].nip not in got


def test_exception_stops_counting_after_its_end_date() -> None:
    exc = {"nip": P["staf"].nip, "effect": "grant", "roles": ["x"], "reason": "tugas tambahan"}
    assert holders([], "x", exceptions=[{**exc, "until": "2026-06-01"}]) == nips("staf")   # last day counts
    assert holders([], "x", exceptions=[{**exc, "until": "2026-05-31"}]) == set()


def test_lingkup_from_unit_and_eselon() -> None:
    ruleset = load_ruleset(REPO_ROOT / "mapping" / "rules.yaml")
    state = desired_state(PopulationIndex(subjects_of(PEOPLE)), ruleset, TODAY)
    assert state.lingkup[P["sekda"].nip] == ("00",)
    assert state.lingkup[P["kabappeda"].nip] == ("0004",)
    # A Kepala Biro (eselon II.a under the Setda) sees their own Biro, never the other Biros.
    assert state.lingkup[P["kabiro"].nip] == ("00010101",)
    assert state.lingkup[P["kabid"].nip] == ("000401",)         # a head below: their subtree
    assert P["staf"].nip not in state.lingkup


def test_invalid_structure_lists_every_problem() -> None:
    text = """
rules:
  - id: Bad Id
    roles: []
    match: {eselon: {from: III.a, to: II.a}, golongan: {from: IV/a, to: III/a}, unit: ["123"], warna: biru}
exceptions:
  - {nip: "123", effect: grant, roles: [x], reason: ok, until: 2026-13-45}
"""
    with pytest.raises(ConfigError) as err:
        parse_ruleset_text(text, "rules.yaml")
    msg = str(err.value)
    for expected in ("rules[0].id", "rules[0].roles", "impossible range: from III.a",
                     "impossible range: from IV/a", "not a 15-digit kunker", "warna",
                     "exceptions[0].nip", "exceptions[0].until"):
        assert expected in msg, expected


def catalog() -> Catalog:
    cat = Catalog(realm_roles={"pegawai", "sso-admin"},
                  client_roles={k: set(v) for k, v in CLIENT_ROLES.items()})
    cat.units = dict(UNITS)
    cat.jabatan = {p.jabatan: "" for p in PEOPLE.values()}
    return cat


def test_unknown_app_role_unit_and_jabatan_are_refused_together() -> None:
    ruleset = parse_ruleset({"rules": [
        {"id": "a", "roles": ["simpeg-lama/admin", "dashboard-pimpinan/raja", "superuser"],
         "match": {"unit": ["009900000000000"], "jabatan": ["TIDAK-ADA"]}}]}, "test")
    with pytest.raises(ConfigError) as err:
        validate_ruleset(ruleset, catalog(), "test")
    assert len(err.value.problems) == 5
    text = str(err.value)
    assert "unknown app (client)" in text and "unknown client role" in text and "unknown realm role" in text
    assert "009900000000000" in text and "TIDAK-ADA" in text


def test_repository_rule_set_is_valid_for_the_test_province() -> None:
    validate_ruleset(load_ruleset(Path(REPO_ROOT / "mapping" / "rules.yaml")), catalog())


def test_one_rule_preview_equals_the_full_plan_for_that_role() -> None:
    subjects = subjects_of(PEOPLE)
    index = PopulationIndex(subjects)
    old = load_ruleset(REPO_ROOT / "mapping" / "rules.yaml")
    data = old.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["rules"][1]["match"]["eselon"] = {"to": "III.a"}      # pimpinan down to III.a
    new = RuleSet.model_validate(data)
    held = desired_state(index, old, TODAY).holders
    # Pretend the old rules were applied: records = held.
    from dataclasses import replace
    applied = {n: replace(s, recorded_grants=frozenset(r for r, h in held.items() if n in h))
               for n, s in subjects.items()}
    index = PopulationIndex(applied)
    quick = preview_change(index, old, new, held, TODAY)
    full = build_plan(index, new, held, TODAY)
    role = RoleRef("dashboard-pimpinan", "pimpinan")
    assert quick.changes[role].gains == full.changes[role].gains == nips("kabid")
    assert full.changes[RoleRef(None, "pegawai")].gains == set()
