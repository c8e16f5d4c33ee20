"""``satulogin mapping``: validate, preview, apply, explain — a thin shell over the service."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from satulogin.kc_admin import AdminConnection, KeycloakAdmin

from . import service
from .audit import AuditLog
from .plan import MappingPlan, SafetyPolicy, rule_effect


def _options(func: Any) -> Any:
    func = click.option(
        "--rules",
        "rules_path",
        type=click.Path(path_type=Path),
        default=None,
        help="Berkas aturan / rule file (default: mapping/rules.yaml or $SATULOGIN_MAPPING_RULES).",
    )(func)
    func = click.option(
        "--realm",
        default=lambda: os.environ.get("SATULOGIN_REALM", "banten"),
        show_default="banten",
        help="Realm Keycloak.",
    )(func)
    return func


def _admin(realm: str) -> KeycloakAdmin:
    return KeycloakAdmin(AdminConnection.from_env(), realm)


@click.group("mapping")
def mapping_group() -> None:
    """Pemetaan jabatan → peran aplikasi / map jabatan to application roles."""


@mapping_group.command("validate")
@_options
@click.option(
    "--hr-config",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="Konfigurasi sync: unit & jabatan juga dicek ke data SDM / also check the HR data.",
)
def validate_command(rules_path: Path | None, realm: str, hr_config: Path | None) -> None:
    """Periksa aturan terhadap realm / check the rules against the realm (every problem listed)."""
    path = rules_path or service.default_rules_path()
    ruleset = service.load(path)
    admin = _admin(realm)
    state = service.read_state(admin, ruleset)
    if hr_config is not None:
        from ..config import load_config
        from ..loader import load_snapshot

        state.catalog.add_snapshot(load_snapshot(load_config(hr_config)))
    service.validate_ruleset(ruleset, state.catalog, str(path))
    click.echo(
        f"aturan valid / rules valid: {len(ruleset.rules)} aturan, "
        f"{len(ruleset.exceptions)} pengecualian, {len(ruleset.lingkup)} aturan lingkup ({path})"
    )


def _policy(share: float) -> SafetyPolicy:
    return SafetyPolicy(max_revoke_share=share)


@mapping_group.command("preview")
@_options
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
@click.option("--limit", type=int, default=20, help="Orang per peran / people shown per role.")
@click.option("--max-revoke-share", type=float, default=0.10, show_default=True)
@click.option("--check", is_flag=True, help="Keluar 4 bila ada perubahan / exit 4 when changes are pending.")
@click.option(
    "--base",
    "base_path",
    default=None,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Aturan lama: tampilkan juga dampak perubahan aturan saja / old rules: also show the "
    "effect of the rule change alone (e.g. the file at git HEAD).",
)
def preview_command(
    rules_path: Path | None,
    realm: str,
    output: str,
    limit: int,
    max_revoke_share: float,
    check: bool,
    base_path: Path | None,
) -> None:
    """Siapa mendapat / kehilangan peran apa, sebelum apa pun diubah / who gains and loses what."""
    path = rules_path or service.default_rules_path()
    prepared = service.prepare(_admin(realm), service.load(path), source=str(path))
    plan = prepared.plan
    effect = None
    if base_path is not None:
        changes = rule_effect(prepared.index, service.load(base_path), prepared.ruleset)
        effect = MappingPlan(plan.population, changes, {}, {})
    if output == "json":
        data = plan.to_dict(prepared.state.names)
        data["safety"] = _safety_verdict(plan, max_revoke_share)
        if effect is not None:
            data["rule_change"] = effect.to_dict(prepared.state.names)["roles"]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        if effect is not None:
            click.echo(f"Dampak perubahan aturan saja / the rule change alone (vs {base_path}):")
            click.echo(effect.render_text(prepared.state.names, limit=limit).split("\n", 2)[-1])
            click.echo("")
            click.echo("Semua yang akan diterapkan / everything apply will do:")
        click.echo(plan.render_text(prepared.state.names, limit=limit))
        verdict = _safety_verdict(plan, max_revoke_share)
        if verdict != "ok":
            click.echo(f"PERINGATAN / WARNING: {verdict}")
    if check and not plan.is_empty:
        sys.exit(4)


def _safety_verdict(plan: Any, share: float) -> str:
    from satulogin.errors import SafetyStop

    try:
        plan.check_safety(_policy(share))
    except SafetyStop as exc:
        return exc.message
    return "ok"


@mapping_group.command("apply")
@_options
@click.option("--max-revoke-share", type=float, default=0.10, show_default=True)
@click.option("--allow-mass-revoke", is_flag=True, help="Izinkan pencabutan massal / allow mass revocation.")
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
def apply_command(
    rules_path: Path | None, realm: str, max_revoke_share: float, allow_mass_revoke: bool, output: str
) -> None:
    """Terapkan aturan ke Keycloak / apply the rules to Keycloak (plan, safety check, apply)."""
    path = rules_path or service.default_rules_path()
    admin = _admin(realm)
    ruleset = service.load(path)
    prepared = service.prepare(admin, ruleset, source=str(path))
    report = service.apply(
        admin, prepared, policy=_policy(max_revoke_share), allow_mass_revoke=allow_mass_revoke
    )
    text = ruleset.to_yaml()
    AuditLog().record(
        actor=f"cli:{getpass.getuser()}",
        action="apply",
        summary=f"{path}",
        rules_before=text,
        rules_after=text,
        preview=prepared.plan.to_dict(prepared.state.names),
        result=report.to_dict(),
    )
    if output == "json":
        click.echo(
            json.dumps(
                {"plan": prepared.plan.to_dict()["summary"], "result": report.to_dict(), "log": report.log},
                indent=2,
            )
        )
    else:
        for line in report.log:
            click.echo(line)
        click.echo(
            f"diterapkan / applied: +{report.granted} -{report.revoked}, "
            f"{report.attributes_written} pengguna diperbarui / users updated"
        )
        for failure in report.failures:
            click.echo(f"GAGAL / FAILED: {failure}", err=True)
    if report.failures:
        sys.exit(1)


@mapping_group.command("explain")
@click.argument("nip")
@_options
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
def explain_command(nip: str, rules_path: Path | None, realm: str, output: str) -> None:
    """Setiap peran seseorang dan asalnya / every role a person has or would have, and why."""
    ruleset = service.load(rules_path)
    result = service.explain_nip(_admin(realm), ruleset, nip)
    if output == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(result.render_text())
