"""``satulogin app ...``: register apps, list them, rotate secrets, make service accounts.

A thin shell over :mod:`satulogin.onboarding.registry`; secrets go to files (mode 0600),
never to the terminal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import SatuLoginError
from ..kc_admin import AdminConnection, KeycloakAdmin
from .registry import AppRegistry
from .request import ADAPTERS, AppRequest, uri_problems
from .writers import AdapterSettings, render, write_private


def _default_realm() -> str:
    return os.environ.get("SATULOGIN_REALM", "banten")


def _registry(realm: str) -> AppRegistry:
    return AppRegistry(KeycloakAdmin(AdminConnection.from_env(), realm))


def _realm_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--realm", default=_default_realm, show_default="$SATULOGIN_REALM or banten",
                        help="Realm Keycloak / Keycloak realm.")(func)


@click.group("app")
def app_group() -> None:
    """Daftarkan & kelola aplikasi / register and manage applications (OIDC clients)."""


def _register_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options: list[Any] = [
        click.argument("client_id"),
        click.option("--name", required=True, help="Nama aplikasi / display name."),
        click.option("--redirect-uri", "redirect_uris", multiple=True, required=True,
                     help="Exact redirect URI (repeatable; no wildcards)."),
        click.option("--post-logout-uri", "post_logout_uris", multiple=True,
                     help="Where Keycloak may send the browser after logout (repeatable)."),
        click.option("--backchannel-logout-url", default=None,
                     help="Back-channel logout endpoint of the app (apache: derived from the redirect URI)."),
        click.option("--role", "roles", multiple=True, help="Client role of the app (repeatable)."),
        click.option("--adapter", type=click.Choice(ADAPTERS), required=True),
        click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Adapter config file to write (mode 0600)."),
        click.option("--secret-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Write the secret here (0600) and reference it as *_FILE in the config."),
        click.option("--protect", "protected_paths", multiple=True,
                     help="apache: path mod_auth_openidc protects (repeatable, default /)."),
        click.option("--require-role", "required_roles", multiple=True,
                     help="apache: app role that may pass (any of them; repeatable)."),
        click.option("--issuer-base-url", default=None,
                     help="Public Keycloak URL apps use (default: the admin connection URL)."),
        click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text"),
        _realm_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _build_request(kw: dict[str, Any]) -> AppRequest:
    backchannel = kw["backchannel_logout_url"]
    if (backchannel is None and kw["adapter"] == "apache" and kw["redirect_uris"]
            and not uri_problems(kw["redirect_uris"][0])):
        # mod_auth_openidc answers back-channel logout on its vanity redirect URI.
        backchannel = kw["redirect_uris"][0] + "?logout=backchannel"
    return AppRequest(
        client_id=kw["client_id"], name=kw["name"], adapter=kw["adapter"],
        redirect_uris=tuple(kw["redirect_uris"]), post_logout_uris=tuple(kw["post_logout_uris"]),
        backchannel_logout_url=backchannel, roles=tuple(kw["roles"]),
        protected_paths=tuple(kw["protected_paths"]) or ("/",),
        required_roles=tuple(kw["required_roles"]),
    )


def _do_register(kw: dict[str, Any], dry_run: bool) -> None:
    req = _build_request(kw)
    req.validate()  # before any request goes out
    if req.adapter == "apache" and kw["secret_file"] is not None:
        raise click.UsageError("--secret-file: Apache membaca secret dari berkas konfigurasinya "
                               "sendiri (0600) / mod_auth_openidc takes the secret from its config "
                               "file; drop --secret-file")
    out: Path | None = kw["out"]
    if not dry_run and out is None:
        raise click.UsageError("--out FILE wajib / is required: the secret is written there, never printed")
    registry = _registry(kw["realm"])
    plan = registry.plan(req, str(out) if out else None)
    if kw["output"] == "json":
        click.echo(json.dumps({"dry_run": dry_run, **plan.to_dict()}, indent=2))
    else:
        header = "rencana / plan (dry-run, nothing sent)" if dry_run else "menerapkan / applying"
        click.echo(f"{header}: realm {kw['realm']}")
        for line in plan.lines():
            click.echo(f"  {line}")
    if dry_run:
        return
    assert out is not None
    secret = registry.apply(plan)
    issuer_base = kw["issuer_base_url"] or registry.admin.conn.server_url
    settings = AdapterSettings(issuer=f"{issuer_base.rstrip('/')}/realms/{kw['realm']}",
                               client_secret=secret, secret_file=kw["secret_file"])
    if kw["secret_file"] is not None:
        write_private(kw["secret_file"], secret + "\n")
    write_private(out, render(req, settings))
    if kw["output"] == "text":
        click.echo(f"selesai / done: {req.client_id} terdaftar; konfigurasi di {out} (0600)")


@app_group.command("register")
@_register_options
@click.option("--dry-run", is_flag=True, help="Tampilkan rencana saja / only show the plan.")
def register_command(dry_run: bool, **kw: Any) -> None:
    """Daftarkan aplikasi baru / register a new app and write its adapter config."""
    _do_register(kw, dry_run)


@app_group.command("plan")
@_register_options
def plan_command(**kw: Any) -> None:
    """Rencana pendaftaran tanpa mengubah apa pun / what register would do (dry-run)."""
    _do_register(kw, True)


@app_group.command("list")
@_realm_option
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
def list_command(realm: str, output: str) -> None:
    """Daftar aplikasi yang dikelola / apps registered through Satu Login."""
    apps = _registry(realm).list_apps()
    if output == "json":
        click.echo(json.dumps(apps, indent=2))
        return
    if not apps:
        click.echo("belum ada aplikasi / no apps yet")
    for app in apps:
        kind = "service-account" if app["service_account"] else app["adapter"]
        state = "" if app["enabled"] else "  (nonaktif / disabled)"
        click.echo(f"{app['client_id']:30} {kind:15} {app['name']}{state}")


@app_group.command("rotate-secret")
@click.argument("client_id")
@click.option("--out", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="Config file (or *_FILE secret file) written by register; rewritten in place.")
@_realm_option
def rotate_secret_command(client_id: str, out: Path, realm: str) -> None:
    """Ganti client secret / regenerate the client secret and rewrite the config file."""
    registry = _registry(realm)
    text = out.read_text(encoding="utf-8")
    old = registry.client_secret(registry.require_client(client_id)["id"])
    if old not in text:
        raise SatuLoginError(f"{out} tidak memuat secret {client_id} saat ini / does not hold the current "
                             "secret of this app: give the file written by 'app register'")
    old, new = registry.rotate_secret(client_id)
    write_private(out, text.replace(old, new))
    click.echo(f"secret {client_id} diganti / rotated; {out} diperbarui / rewritten (0600). "
               "Muat ulang aplikasinya / reload the app (Apache: apachectl graceful).")


@app_group.command("service-account")
@click.argument("client_id")
@click.option("--name", default=None, help="Nama / display name.")
@click.option("--role", "roles", multiple=True, required=True,
              help="app:role (client role) or role (realm role); repeatable.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Env file to write (mode 0600) with the client id, secret and token URL.")
@click.option("--issuer-base-url", default=None)
@_realm_option
def service_account_command(client_id: str, name: str | None, roles: tuple[str, ...], out: Path,
                            issuer_base_url: str | None, realm: str) -> None:
    """Akun layanan untuk API antar-aplikasi / client-credentials account ("API key")."""
    registry = _registry(realm)
    secret = registry.create_service_account(client_id, name or client_id, list(roles))
    base = (issuer_base_url or registry.admin.conn.server_url).rstrip("/")
    write_private(out, "\n".join([
        f"# Banten Satu Login service account {client_id}: rahasia / secret, mode 0600",
        f"SATULOGIN_TOKEN_URL={base}/realms/{realm}/protocol/openid-connect/token",
        f"SATULOGIN_CLIENT_ID={client_id}",
        f"SATULOGIN_CLIENT_SECRET={secret}",
    ]) + "\n")
    click.echo(f"akun layanan {client_id} dibuat / created with roles {', '.join(roles)}; secret di {out}")
