"""The mapping against a real Keycloak: apply, movers, manual grants, expiry, explain vs token."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from satulogin.errors import ConfigError, SafetyStop
from satulogin.paths import REPO_ROOT
from sync.mapping import service
from sync.mapping.cli import mapping_group
from sync.mapping.plan import SafetyPolicy
from sync.mapping.roles import RoleRef
from sync.mapping.rules import RuleSet, load_ruleset, parse_ruleset
from tests.fixtures.mapping import PEOPLE, MappingRealm

P = PEOPLE
REPO_RULES = REPO_ROOT / "mapping" / "rules.yaml"


def run(realm: MappingRealm, ruleset: RuleSet, *, today: dt.date | None = None,
        allow_mass_revoke: bool = False) -> service.Prepared:
    prepared = service.prepare(realm.admin, ruleset, today=today)
    report = service.apply(realm.admin, prepared, allow_mass_revoke=allow_mass_revoke)
    assert not report.failures
    return prepared


def with_rules(base: RuleSet, **changes: Any) -> RuleSet:
    data = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.update(changes)
    return parse_ruleset(data, "test")


def test_repository_rules_reach_keycloak_and_a_second_run_is_empty(mapping_realm: MappingRealm) -> None:
    ruleset = load_ruleset(REPO_RULES)
    run(mapping_realm, ruleset)
    assert "dashboard-pimpinan/pimpinan" in mapping_realm.direct_roles(P["kabappeda"].nip)
    planner_roles = mapping_realm.direct_roles(P["perencana"].nip)
    assert {"edrpk/operator", "rpjmd/operator", "dalev/operator"} <= planner_roles
    assert "edrpk/operator" not in mapping_realm.direct_roles(P["staf"].nip)      # pelaksana
    assert "pegawai" in mapping_realm.direct_roles(P["staf"].nip)
    assert "pegawai" not in mapping_realm.direct_roles(P["pensiunan"].nip)
    attrs = mapping_realm.attributes(P["kabappeda"].nip)
    assert "dashboard-pimpinan/pimpinan" in attrs["satulogin_grants"]
    assert attrs["lingkup_unit"] == ["0004"]
    assert attrs["unit_kode"] == ["000400000000000"]          # the sync's attributes are kept
    again = service.prepare(mapping_realm.admin, ruleset)
    assert again.plan.is_empty, again.plan.render_text()


def test_mover_loses_old_role_and_gains_new_in_one_run(mapping_realm: MappingRealm) -> None:
    ruleset = load_ruleset(REPO_RULES)
    run(mapping_realm, ruleset)
    nip = P["perencana"].nip
    # The sync moved the planner from Bappeda to Dinas Kesehatan as a head of section.
    mapping_realm.move(nip, unit_kode="001300000000000", jabatan_kode="KADINKES", jenis_jabatan="struktural",
                       eselon="II.b")
    prepared = run(mapping_realm, ruleset)
    changes = prepared.plan.changes
    assert nip in changes[RoleRef("edrpk", "operator")].losses
    assert nip in changes[RoleRef("dashboard-pimpinan", "pimpinan")].gains
    roles = mapping_realm.direct_roles(nip)
    assert "edrpk/operator" not in roles and "dashboard-pimpinan/pimpinan" in roles
    assert mapping_realm.attributes(nip)["lingkup_unit"] == ["0013"]


def test_manual_grant_survives_rule_changes(mapping_realm: MappingRealm) -> None:
    staf = P["staf"].nip
    mapping_realm.grant_manually(staf, "pimpinan", "dashboard-pimpinan")   # an app admin's decision
    ruleset = load_ruleset(REPO_RULES)
    run(mapping_realm, ruleset)
    # A rule that also grants it does not claim it ...
    rules = ruleset.model_dump(mode="json", by_alias=True, exclude_none=True)["rules"]
    extra = {"id": "semua-pimpinan", "roles": ["dashboard-pimpinan/pimpinan"],
             "match": {"unit": ["000401000000000"]}}
    broad = with_rules(ruleset, rules=[*rules, extra])
    run(mapping_realm, broad)
    assert "dashboard-pimpinan/pimpinan" not in mapping_realm.attributes(staf).get("satulogin_grants", [])
    # ... so taking the rule away (and denying outright) leaves the manual grant in place.
    deny = with_rules(ruleset, exceptions=[{"nip": staf, "effect": "deny", "reason": "uji",
                                            "roles": ["dashboard-pimpinan/pimpinan"]}])
    run(mapping_realm, deny)
    assert "dashboard-pimpinan/pimpinan" in mapping_realm.direct_roles(staf)
    explained = service.explain_nip(mapping_realm.admin, deny, staf)
    row = next(r for r in explained.roles if r.role == "dashboard-pimpinan/pimpinan")
    assert row.status == "manual" and row.has_now


def test_deny_exception_revokes_and_its_expiry_restores(mapping_realm: MappingRealm) -> None:
    ruleset = load_ruleset(REPO_RULES)
    run(mapping_realm, ruleset)
    kabid = P["kabid"].nip
    denied = with_rules(ruleset, exceptions=[{"nip": kabid, "effect": "deny", "roles": ["edrpk/operator"],
                                              "reason": "cuti panjang", "until": "2026-06-30"}])
    run(mapping_realm, denied, today=dt.date(2026, 6, 15))
    assert "edrpk/operator" not in mapping_realm.direct_roles(kabid)
    assert "rpjmd/operator" in mapping_realm.direct_roles(kabid)
    run(mapping_realm, denied, today=dt.date(2026, 7, 1))     # the exception has expired
    assert "edrpk/operator" in mapping_realm.direct_roles(kabid)


def test_grant_exception_expires(mapping_realm: MappingRealm) -> None:
    dokter = P["dokter"].nip
    ruleset = with_rules(load_ruleset(REPO_RULES), exceptions=[
        {"nip": dokter, "effect": "grant", "roles": ["dashboard-pimpinan/staf"], "reason": "Plt. Kabid",
         "until": "2026-06-30"}])
    run(mapping_realm, ruleset, today=dt.date(2026, 6, 30))
    assert "dashboard-pimpinan/staf" in mapping_realm.direct_roles(dokter)
    run(mapping_realm, ruleset, today=dt.date(2026, 7, 1))
    assert "dashboard-pimpinan/staf" not in mapping_realm.direct_roles(dokter)


def test_explain_agrees_with_the_token(mapping_realm: MappingRealm) -> None:
    ruleset = load_ruleset(REPO_RULES)
    nip = P["kabappeda"].nip
    mapping_realm.grant_manually(nip, "sso-admin")
    run(mapping_realm, ruleset)
    explained = service.explain_nip(mapping_realm.admin, ruleset, nip)
    claims = mapping_realm.token(nip)
    token_roles = set(claims["realm_access"]["roles"])
    for client, access in claims.get("resource_access", {}).items():
        token_roles |= {f"{client}/{r}" for r in access["roles"]}
    explained_roles = {r.role for r in explained.roles if r.has_now}
    assert explained_roles == token_roles
    assert claims["lingkup_unit"] == explained.lingkup_unit == ["0004"]
    by_role = {r.role: r for r in explained.roles}
    assert by_role["dashboard-pimpinan/pimpinan"].granted_by == ["pimpinan-opd"]
    assert by_role["sso-admin"].status == "manual"
    assert by_role["jabatan-KA-BAPPEDA"].status == "manual"      # the sync's, not ours
    assert by_role["offline_access"].status == "inherited"


def test_unknown_role_in_rules_is_refused_before_anything_is_written(mapping_realm: MappingRealm) -> None:
    bad = parse_ruleset({"rules": [{"id": "a", "roles": ["aplikasi-hantu/admin", "pegawai"]}]}, "test")
    with pytest.raises(ConfigError, match="aplikasi-hantu"):
        service.prepare(mapping_realm.admin, bad)
    assert "pegawai" not in mapping_realm.direct_roles(P["staf"].nip)


def test_mass_revocation_needs_explicit_permission(mapping_realm: MappingRealm) -> None:
    ruleset = load_ruleset(REPO_RULES)
    run(mapping_realm, ruleset)
    emptied = with_rules(ruleset, rules=[])
    prepared = service.prepare(mapping_realm.admin, emptied)
    with pytest.raises(SafetyStop):
        service.apply(mapping_realm.admin, prepared, policy=SafetyPolicy(max_revoke_share=0.5, min_users=3))
    assert "pegawai" in mapping_realm.direct_roles(P["staf"].nip)
    service.apply(mapping_realm.admin, prepared, policy=SafetyPolicy(max_revoke_share=0.5, min_users=3),
                  allow_mass_revoke=True)
    assert "pegawai" not in mapping_realm.direct_roles(P["staf"].nip)


def test_cli_preview_apply_explain(mapping_realm: MappingRealm, admin_conn: Any, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYCLOAK_URL", admin_conn.server_url)
    monkeypatch.setenv("KEYCLOAK_ADMIN_USER", admin_conn.username)
    monkeypatch.setenv("KEYCLOAK_ADMIN_PASSWORD", admin_conn.password)
    monkeypatch.setenv("SATULOGIN_MAPPING_AUDIT", str(tmp_path / "audit.sqlite3"))
    cli = CliRunner()
    args = ["--realm", mapping_realm.name, "--rules", str(REPO_RULES)]
    result = cli.invoke(mapping_group, ["preview", *args, "-o", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    pimpinan = next(r for r in data["roles"] if r["role"] == "dashboard-pimpinan/pimpinan")
    heads = {P[k].nip for k in ("sekda", "kabiro", "kabappeda", "kadinkes")}
    assert {p["nip"] for p in pimpinan["gains"]} == heads
    assert cli.invoke(mapping_group, ["preview", *args, "--check"]).exit_code == 4
    # --base: the rule change alone, against the old file (here: Bappeda's rule added).
    base = tmp_path / "base.yaml"
    repo = load_ruleset(REPO_RULES)
    base.write_text(with_rules(repo, rules=[r.model_dump(mode="json", by_alias=True, exclude_none=True)
                                            for r in repo.rules if r.id != "operator-perencanaan-bappeda"]
                               ).to_yaml())
    result = cli.invoke(mapping_group, ["preview", *args, "--base", str(base), "-o", "json"])
    assert result.exit_code == 0, result.output
    alone = {r["role"] for r in json.loads(result.output)["rule_change"]}
    assert alone == {"edrpk/operator", "rpjmd/operator", "dalev/operator"}
    result = cli.invoke(mapping_group, ["apply", *args])
    assert result.exit_code == 0, result.output
    assert cli.invoke(mapping_group, ["preview", *args, "--check"]).exit_code == 0
    result = cli.invoke(mapping_group, ["explain", P["kabid"].nip, *args, "-o", "json"])
    assert result.exit_code == 0, result.output
    explained = json.loads(result.output)
    assert explained["lingkup_unit"] == ["000401"]
    assert {r["role"] for r in explained["roles"] if r["granted_by"]} >= {"pegawai", "edrpk/operator"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - {id: x, roles: [tidak-ada]}\n")
    result = cli.invoke(mapping_group, ["validate", "--realm", mapping_realm.name, "--rules", str(bad)])
    assert isinstance(result.exception, ConfigError) and result.exception.exit_code == 2
    assert "tidak-ada" in str(result.exception)


def test_validate_checks_units_against_the_hr_data_when_given(mapping_realm: MappingRealm, admin_conn: Any,
                                                              tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.demo_data import generate

    monkeypatch.setenv("KEYCLOAK_URL", admin_conn.server_url)
    monkeypatch.setenv("KEYCLOAK_ADMIN_USER", admin_conn.username)
    monkeypatch.setenv("KEYCLOAK_ADMIN_PASSWORD", admin_conn.password)
    db = tmp_path / "simpeg.db"
    generate(db, 20)
    url = f"sqlite:///{db}"
    config = tmp_path / "sync.yaml"
    config.write_text("\n".join(f"{kind}: {{type: sql, url: '{url}', table: {table}}}" for kind, table in
                                (("units", "unit_kerja"), ("jabatan", "jabatan"), ("pegawai", "pegawai"))))
    rules = tmp_path / "rules.yaml"
    # RSUD Banten exists in the HR data, but nobody in this realm works there yet.
    rules.write_text("rules:\n  - {id: rsud, roles: [pegawai], match: {unit: ['003400000000000']}}\n")
    args = ["validate", "--realm", mapping_realm.name, "--rules", str(rules)]
    result = CliRunner().invoke(mapping_group, args)
    assert isinstance(result.exception, ConfigError) and "003400000000000" in str(result.exception)
    result = CliRunner().invoke(mapping_group, [*args, "--hr-config", str(config)])
    assert result.exit_code == 0, result.output
    assert "aturan valid" in result.output
