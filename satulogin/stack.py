"""The main job from one command: ``satulogin up`` brings up the demo stack on embedded
defaults and prints where to go; ``satulogin down`` stops it.

Each step is idempotent, so running ``up`` again on a warm machine changes nothing and is fast.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from .errors import SatuLoginError
from .kc_admin import KeycloakAdmin, server_connection
from .keycloak_server import KeycloakServer, ServerConfig
from .paths import REPO_ROOT, cache_dir
from .processes import AppProcess
from .secrets import read_secret, secrets_dir, store_secret

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


def run_step(title: str, args: list[str], *, ok_codes: tuple[int, ...] = (0,)) -> int:
    """Run one ``satulogin`` subcommand as its own process (each is a complete, tested command)."""
    step(title)
    proc = subprocess.run([sys.executable, "-m", "satulogin.cli", *args], check=False)
    if proc.returncode not in ok_codes:
        raise SatuLoginError(
            f"langkah gagal / step failed: satulogin {' '.join(args)} (exit {proc.returncode})")
    return proc.returncode


def demo_data_step(pegawai: int) -> Path:
    from sync.config import demo_database_path

    path = demo_database_path()
    if path.exists():
        step(f"data SIMPEG demo / demo HR data: {path} (sudah ada / exists)")
        return path
    run_step(f"data SIMPEG demo / demo HR data: {pegawai} pegawai",
             ["sync", "demo-data", "--pegawai", str(pegawai)])
    return path


def ensure_demo_logins(ctx: StackContext) -> str:
    """Give the demo people a password (once) and make the admin candidate an SSO admin the way a
    person would in the console (a manual grant, which the sync and the mapping leave alone)."""
    from sync.demo_data import DEMO_PEOPLE

    password = read_secret("SATULOGIN_DEMO_PASSWORD", required=False)
    if password is None:
        password = "Banten-" + secrets.token_urlsafe(9)
        store_secret("SATULOGIN_DEMO_PASSWORD", password)
    admin = ctx.admin
    for person in DEMO_PEOPLE:
        role, nip = person.role, person.nip
        users = admin.get("/users", params={"username": nip, "exact": "true"}) or []
        if not users:
            raise SatuLoginError(f"pengguna demo / demo user {nip} ({role}) tidak ada setelah sinkronisasi")
        user = users[0]
        creds = admin.get(f"/users/{user['id']}/credentials") or []
        if not any(c.get("type") == "password" for c in creds):
            admin.put(f"/users/{user['id']}/reset-password",
                      json={"type": "password", "value": password, "temporary": False})
            actions = [a for a in user.get("requiredActions", []) if a != "UPDATE_PASSWORD"]
            admin.put(f"/users/{user['id']}", json={**user, "requiredActions": actions})
        if role == "admin":
            mapped = admin.get(f"/users/{user['id']}/role-mappings/realm") or []
            if not any(r["name"] == "sso-admin" for r in mapped):
                sso_admin = admin.get("/roles/sso-admin")
                admin.post(f"/users/{user['id']}/role-mappings/realm", json=[sso_admin])
    return password


def _secret_env(name: str) -> dict[str, str]:
    """Hand a secret to a child process as ``NAME_FILE`` when it lives in a file (so it never
    shows in the process environment), else as ``NAME``."""
    stored = secrets_dir() / name
    if not os.environ.get(name) and stored.is_file():
        return {f"{name}_FILE": str(stored)}
    return {name: read_secret(name, required=False) or ""}


def demo_apps() -> list[AppProcess]:
    """The demo's apps. They follow the Keycloak instance ``up`` uses (``SATULOGIN_KC_*``)."""
    issuer = f"{ServerConfig.from_env().base_url}/realms/{REALM}"
    php_dir = REPO_ROOT / "client_adapters" / "codeigniter"
    php_env = {
        "SATULOGIN_ISSUER": issuer,
        "SATULOGIN_CONFIG": str(php_dir / "sample" / "config.demo.php"),
        "SATULOGIN_SESSION_DIR": str(cache_dir() / "stack" / "contoh-php" / "sessions"),
        **_secret_env("SATULOGIN_CLIENT_SECRET_CONTOH_PHP"),
    }
    return [
        AppProcess("dashboard-pimpinan", [sys.executable, "-m", "flask_demo_app", "--port", "5100"], 5100,
                   health_path="/healthz", cwd=REPO_ROOT, env={"SATULOGIN_ISSUER": issuer}),
        AppProcess("admin-pemetaan", [sys.executable, "-m", "sync.mapping.web"], 5200, cwd=REPO_ROOT,
                   env={"SATULOGIN_ISSUER": issuer}),
        AppProcess("contoh-php", ["php", "-S", "127.0.0.1:5300", "-t", "sample", "sample/router.php"], 5300,
                   env=php_env, cwd=php_dir),
    ]


@click.command("up")
@click.option("--pegawai", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True,
              help="Jumlah pegawai demo saat data dibuat pertama kali / demo people on first generation.")
def up_command(pegawai: int) -> None:
    """Jalankan semuanya / bring up the whole demo stack on embedded defaults.

    Keycloak with the realm and theme, the generated province synced in, the jabatan mapping
    applied, Dashboard Pimpinan, the mapping admin page and the PHP sample app running.
    Every step is idempotent: on a warm machine a rerun changes nothing.
    """
    ctx = start_keycloak()
    apply_realm_step(ctx)
    demo_data_step(pegawai)
    # Exit 1 = some objects failed: shown by the step, and the rest of the stack still comes up.
    sync_code = run_step("sinkronisasi SDM / HR sync (plan, rel pengaman / safety rails, apply)",
                         ["sync", "apply"], ok_codes=(0, 1))
    run_step("pemetaan jabatan → peran / jabatan → role mapping (apply)", ["mapping", "apply"])
    step("akun demo / demo logins")
    ensure_demo_logins(ctx)
    for app in demo_apps():
        step(f"{app.name} ({app.url})")
        click.echo("    dijalankan / started" if app.start() else "    sudah berjalan / already running")
    print_summary(ctx, sync_code)


def print_summary(ctx: StackContext, sync_code: int) -> None:
    from sync.demo_data import DEMO_PEOPLE

    base = ctx.server.config.base_url
    click.echo("")
    click.echo(click.style("Banten Satu Login siap / is ready", bold=True))
    if sync_code:
        click.echo(click.style("  (sebagian objek gagal disinkronkan / some objects failed: "
                               "`satulogin sync log --failed`)", fg="yellow"))
    click.echo("  Dashboard Pimpinan:           http://127.0.0.1:5100/")
    click.echo("  Contoh aplikasi PHP (SSO):    http://127.0.0.1:5300/")
    click.echo("  Admin pemetaan jabatan:       http://127.0.0.1:5200/")
    click.echo(f"  Akun saya / account console:  {base}/realms/{REALM}/account/")
    click.echo(f"  Konsol admin Keycloak:        {base}/admin/  "
               f"(user '{ctx.server.config.admin_username}', password in {ctx.server.password_file})")
    click.echo("")
    click.echo("  Login demo (NIP + kata sandi demo / demo password):")
    seen = {
        "staf": "staf: profil sendiri, tanpa angka kepegawaian / own profile, no staff figures",
        "kepala_biro": "Kepala Biro Pemerintahan: angka Biro-nya saja / only their Biro's figures",
        "sekda": "Sekretaris Daerah: seluruh provinsi / the whole province",
        "admin": "admin SSO (sso-admin): halaman pemetaan; diminta memasang TOTP / asked to set up TOTP",
    }
    for person in DEMO_PEOPLE:
        click.echo(f"    {person.nip}  {seen.get(person.role, person.role)}")
    click.echo(f"  Kata sandi / password:  cat {secrets_dir() / 'SATULOGIN_DEMO_PASSWORD'}")
    click.echo("  Hentikan / stop:        ./scripts/down.sh")


@click.command("down")
def down_command() -> None:
    """Hentikan semuanya / stop everything ``up`` started."""
    for app in demo_apps():
        stopped = app.stop()
        click.echo(f"{app.name}: " + ("dihentikan / stopped" if stopped else "tidak berjalan / not running"))
    server = KeycloakServer(ServerConfig.from_env())
    click.echo("Keycloak: " + ("dihentikan / stopped" if server.stop() else "tidak berjalan / not running"))
