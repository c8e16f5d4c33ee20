"""The ``satulogin`` command: a thin shell over the core.

Subcommand groups live next to what they drive (``realm/cli.py``, ``sync/cli.py``, ...) and
are loaded lazily, so ``satulogin keycloak status`` does not import SQLAlchemy or Flask.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import KeycloakServerError, SatuLoginError
from .keycloak_server import KeycloakServer, ServerConfig

# name -> "module:attribute" of a click group/command defined beside the code it drives.
LAZY_COMMANDS: dict[str, str] = {
    "realm": "realm.cli:realm_group",
    "sync": "sync.cli:sync_group",
    "mapping": "sync.mapping.cli:mapping_group",
    "app": "satulogin.onboarding.cli:app_group",
    "up": "satulogin.stack:up_command",
    "down": "satulogin.stack:down_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        for name, target in LAZY_COMMANDS.items():
            module = target.split(":")[0]
            if importlib.util.find_spec(module.split(".")[0]) is None:
                continue
            try:
                if importlib.util.find_spec(module) is not None:
                    names.add(name)
            except ModuleNotFoundError:
                continue
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in LAZY_COMMANDS:
            return command
        module_name, attr = LAZY_COMMANDS[cmd_name].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            return None
        found = getattr(module, attr, None)
        return found if isinstance(found, click.Command) else None


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="satulogin")
def cli() -> None:
    """Banten Satu Login — satu akun untuk semua aplikasi Pemprov Banten.

    One login for every application of the Provincial Government of Banten,
    with accounts and roles driven by the HR systems.
    """


@cli.group("keycloak")
def keycloak_group() -> None:
    """Unduh, jalankan, hentikan Keycloak lokal / fetch, start, stop the local Keycloak."""


def _instance_options(func: Any) -> Any:
    func = click.option("--instance", default=None,
                        help="Instance name (default: $SATULOGIN_KC_INSTANCE or main).")(func)
    func = click.option("--port", type=int, default=None,
                        help="HTTP port (default: $SATULOGIN_KC_PORT or 8080).")(func)
    return func


@keycloak_group.command("fetch")
@_instance_options
def keycloak_fetch(instance: str | None, port: int | None) -> None:
    """Unduh distribusi Keycloak (sekali) / download the pinned distribution once."""
    server = KeycloakServer(ServerConfig.from_env(instance, port))
    click.echo(f"Keycloak {server.config.version}: {server.fetch()}")


@keycloak_group.command("start")
@_instance_options
@click.option("--dev-theme", is_flag=True,
              help="Turn theme caching off, so `keycloak install-theme` shows edits without a restart.")
def keycloak_start(instance: str | None, port: int | None, dev_theme: bool) -> None:
    """Jalankan Keycloak (idempoten) / start Keycloak unless it already runs."""
    server = KeycloakServer(ServerConfig.from_env(instance, port, dev_theme=dev_theme))
    started = server.ensure_running()
    state = "dijalankan / started" if started else "sudah berjalan / already running"
    click.echo(f"Keycloak {server.config.version} {state}: {server.config.base_url}")
    click.echo(f"  admin console: {server.config.base_url}/admin/  user: {server.config.admin_username}")
    if server.password_file.exists():
        click.echo(f"  password: in {server.password_file}")
    else:
        click.echo("  password: $KEYCLOAK_ADMIN_PASSWORD")


@keycloak_group.command("install-theme")
@_instance_options
def keycloak_install_theme(instance: str | None, port: int | None) -> None:
    """Salin tema ke Keycloak / copy themes/ into the instance (seen at once with --dev-theme)."""
    server = KeycloakServer(ServerConfig.from_env(instance, port))
    server.install_theme()
    click.echo(f"tema disalin / theme copied into {server.home / 'themes'}")


@keycloak_group.command("extension")
@_instance_options
@click.option("--keycloak-home", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A Keycloak installation of yours (e.g. /opt/keycloak); default: the local instance.")
def keycloak_extension(instance: str | None, port: int | None, keycloak_home: Path | None) -> None:
    """Pasang ekstensi sinkronisasi / build the sync's bulk extension into a Keycloak's providers/.

    The local instances get it at every start. For a Keycloak of your own, run this with
    --keycloak-home, then Keycloak's `kc.sh build` and a restart."""
    from .keycloak_extension import build_extension

    home = keycloak_home
    if home is None:
        server = KeycloakServer(ServerConfig.from_env(instance, port))
        server.install()
        home = server.home
    if not (home / "lib" / "lib" / "main").is_dir():
        raise KeycloakServerError(
            f"{home} bukan instalasi Keycloak / is not a Keycloak installation (no lib/lib/main)")
    jar = build_extension(home)
    if jar is None:
        raise KeycloakServerError("javac/jar tidak ditemukan / not found: install a JDK (17+)")
    click.echo(f"ekstensi / extension: {jar}")
    if keycloak_home is not None:
        click.echo(f"lalu / then: {home / 'bin' / 'kc.sh'} build ... and restart Keycloak")


@keycloak_group.command("stop")
@_instance_options
def keycloak_stop(instance: str | None, port: int | None) -> None:
    """Hentikan Keycloak / stop Keycloak."""
    server = KeycloakServer(ServerConfig.from_env(instance, port))
    click.echo("Keycloak dihentikan / stopped" if server.stop() else "Keycloak tidak berjalan / not running")


@keycloak_group.command("status")
@_instance_options
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
def keycloak_status(instance: str | None, port: int | None, output: str) -> None:
    """Status Keycloak lokal / status of the local Keycloak."""
    status = KeycloakServer(ServerConfig.from_env(instance, port)).status()
    if output == "json":
        click.echo(json.dumps(status, indent=2))
    else:
        for key, value in status.items():
            click.echo(f"{key:20} {value}")
    sys.exit(0 if status["ready"] else 1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become a message and an exit code, never a traceback."""
    try:
        # With standalone_mode=False click *returns* the code of ctx.exit(n) instead of exiting.
        code = cli.main(args=argv, prog_name="satulogin", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("dibatalkan / aborted", err=True)
        sys.exit(130)
    except SatuLoginError as exc:
        click.echo(f"galat / error: {exc}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
