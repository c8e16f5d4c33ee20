"""``satulogin realm validate | plan | apply``: a thin shell over :mod:`realm.engine`.

``plan`` exit status, like ``ldap2pg --check``: 0 = Keycloak matches the files,
2 = changes pending, 1 = an error (invalid declarations included).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from satulogin.kc_admin import AdminConnection, KeycloakAdmin

from .engine import apply_realm, plan_realm
from .loader import DEFAULT_DIR, load_declarations

EXIT_CHANGES_PENDING = 2


def _common(func: Any) -> Any:
    func = click.option(
        "--realm-name",
        default=None,
        help="Nama realm di Keycloak / realm name (default: `realm:` in realm.yaml).",
    )(func)
    return _dir(func)


def _dir(func: Any) -> Any:
    return click.option(
        "--dir",
        "directory",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_DIR,
        show_default=True,
        help="Folder deklarasi / declarations directory.",
    )(func)


def _verify(func: Any) -> Any:
    return click.option(
        "--verify-roles",
        is_flag=True,
        help="Baca ulang peran setiap klien / list every managed client's roles (finds hand edits).",
    )(func)


def _output(func: Any) -> Any:
    return click.option(
        "-o",
        "--output",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Format keluaran / output format.",
    )(func)


@click.group("realm")
def realm_group() -> None:
    """Realm sebagai kode / the realm as code: validate, plan, apply."""


@realm_group.command("validate")
@_dir
def validate_command(directory: Path) -> None:
    """Periksa berkas tanpa menghubungi Keycloak / check the files without contacting Keycloak."""
    decls = load_declarations(directory)
    click.echo(
        f"Deklarasi valid / declarations valid: realm {decls.realm.realm}, "
        f"{len(decls.clients)} klien/clients, "
        f"{len(decls.roles)} peran/roles, {len(decls.client_scopes)} client scopes, "
        f"{len(decls.user_profile.attributes)} atribut profil/profile attributes."
    )


@realm_group.command("plan")
@_common
@_output
@_verify
def plan_command(directory: Path, realm_name: str | None, output: str, verify_roles: bool) -> None:
    """Tampilkan perubahan tanpa mengubah apa pun / show what would change, change nothing.

    Exit 0 = tidak ada perubahan / no changes, 2 = ada perubahan / changes pending."""
    decls = load_declarations(directory)
    admin = KeycloakAdmin(AdminConnection.from_env(), decls.realm.realm)
    try:
        plan = plan_realm(admin, decls, realm_name, verify_roles=verify_roles)
    finally:
        admin.close()
    click.echo(plan.render_json() if output == "json" else plan.render_text())
    # sys.exit, not ctx.exit: click swallows Exit under standalone_mode=False (satulogin.cli.main).
    sys.exit(EXIT_CHANGES_PENDING if plan.has_changes else 0)


@realm_group.command("apply")
@_common
@_output
@_verify
def apply_command(directory: Path, realm_name: str | None, output: str, verify_roles: bool) -> None:
    """Samakan Keycloak dengan deklarasi (plan lalu eksekusi) / converge Keycloak (plan, then execute)."""
    decls = load_declarations(directory)
    admin = KeycloakAdmin(AdminConnection.from_env(), decls.realm.realm)
    try:
        result = apply_realm(admin, decls, realm_name, verify_roles=verify_roles)
    finally:
        admin.close()
    if output == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(result.plan.render_text())
    click.echo(
        f"Diterapkan / applied: {result.applied} perubahan/changes, {result.writes} permintaan tulis/"
        f"write requests, {result.reads} baca/reads, {result.seconds:.2f} s."
    )
