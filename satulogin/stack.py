"""The main job from one command: ``satulogin up`` brings up the demo stack on embedded
defaults and prints where to go; ``satulogin down`` stops it.

Each step is idempotent, so running ``up`` again on a warm machine changes nothing and is fast.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import click

from .kc_admin import KeycloakAdmin, server_connection
from .keycloak_server import KeycloakServer, ServerConfig
from .paths import cache_dir
from .secrets import read_secret, store_secret

REALM = "banten"


@dataclass
class StackContext:
    server: KeycloakServer
    admin: KeycloakAdmin
    demo_dir: Path


def demo_dir() -> Path:
    path = cache_dir() / "demo"
    path.mkdir(parents=True, exist_ok=True)
    return path


def ensure_client_secrets() -> list[str]:
    """Every ``${NAME}`` the realm declarations use that is not set anywhere gets a random
    value in the local secrets folder (``satulogin.secrets``), where ``realm plan``, the demo
    apps and the adapters find it too. No secret is printed or committed."""
    from realm import load_declarations
    from realm.schema import SECRET_REF

    created: list[str] = []
    for client in load_declarations(resolve_secrets=False).clients:
        match = SECRET_REF.match(client.secret or "")
        if match is None:
            continue
        name = match.group(1)
        if read_secret(name, required=False) is None:
            store_secret(name, secrets.token_urlsafe(32))
            created.append(name)
    return created


def step(message: str) -> None:
    click.echo(click.style("==> ", fg="green", bold=True) + message)


def start_keycloak() -> StackContext:
    server = KeycloakServer(ServerConfig.from_env())
    step(f"Keycloak {server.config.version} ({server.config.base_url})")
    started = server.ensure_running()
    click.echo("    dijalankan / started" if started else "    sudah berjalan / already running")
    admin = KeycloakAdmin(server_connection(server), REALM)
    return StackContext(server=server, admin=admin, demo_dir=demo_dir())


def apply_realm_step(ctx: StackContext) -> None:
    from realm import apply_realm

    step(f"realm '{REALM}' dari / from realm/banten (plan, lalu / then apply)")
    ensure_client_secrets()
    result = apply_realm(ctx.admin)
    click.echo(f"    {result.applied} perubahan / changes applied, {result.writes} write requests")


@click.command("up")
def up_command() -> None:
    """Jalankan semuanya / bring up the whole demo stack on embedded defaults."""
    ctx = start_keycloak()
    apply_realm_step(ctx)
    base = ctx.server.config.base_url
    click.echo("")
    click.echo(click.style("Banten Satu Login siap / is ready", bold=True))
    click.echo(f"  Halaman login / login page:  {base}/realms/{REALM}/account/")
    click.echo(f"  Konsol admin / admin console: {base}/admin/  "
               f"(user '{ctx.server.config.admin_username}', password in {ctx.server.password_file})")


@click.command("down")
def down_command() -> None:
    """Hentikan semuanya / stop everything ``up`` started."""
    server = KeycloakServer(ServerConfig.from_env())
    click.echo("Keycloak dihentikan / stopped" if server.stop() else "Keycloak tidak berjalan / not running")
