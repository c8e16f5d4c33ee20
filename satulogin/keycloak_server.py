"""Fetch, install, start and stop a real Keycloak server (the Quarkus distribution).

The distribution comes from the Maven registry with ``mvn dependency:copy`` (pinned version,
cached under ``.cache/``, never committed). Each *instance* (``main`` for the demo, ``test``
for the test suite, ...) is an unpacked copy with its own dev-file database, ports, log and
pid file, so a developer's demo and a test run never share state.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .errors import KeycloakServerError
from .keycloak_extension import build_extension, installed_digest
from .paths import cache_dir, themes_dir
from .processes import live_pid, port_busy, stop_process_group
from .secrets import read_secret

KEYCLOAK_VERSION = "26.7.3"
ARTIFACT = "org.keycloak:keycloak-quarkus-dist"
THEME_NAME = "banten-satu-login"
SUPPORTED_DBS = ("dev-file", "postgres")
# Keycloak 26 options that make theme edits visible without a restart (development only).
DEV_THEME_ARGS = (
    "--spi-theme--static-max-age=-1",
    "--spi-theme--cache-themes=false",
    "--spi-theme--cache-templates=false",
)


@dataclass(frozen=True)
class ServerConfig:
    """How one local Keycloak instance runs. ``from_env`` reads ``SATULOGIN_KC_*``."""

    instance: str = "main"
    host: str = "127.0.0.1"
    http_port: int = 8080
    management_port: int = 9000
    db: str = "dev-file"
    db_url: str | None = None
    db_username: str | None = None
    admin_username: str = "admin"
    heap: str = "-Xms256m -Xmx2g"
    version: str = KEYCLOAK_VERSION
    extra_args: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_env(cls, instance: str | None = None, http_port: int | None = None,
                 dev_theme: bool = False) -> ServerConfig:
        env = os.environ
        port = http_port or int(env.get("SATULOGIN_KC_PORT", "8080"))
        mgmt = int(env.get("SATULOGIN_KC_MANAGEMENT_PORT", str(port + 1000)))
        db = env.get("SATULOGIN_KC_DB", "dev-file")
        if db not in SUPPORTED_DBS:
            raise KeycloakServerError(
                f"SATULOGIN_KC_DB={db!r} tidak dikenal / unknown: choose one of {', '.join(SUPPORTED_DBS)}"
            )
        return cls(
            instance=instance or env.get("SATULOGIN_KC_INSTANCE", "main"),
            host=env.get("SATULOGIN_KC_HOST", "127.0.0.1"),
            http_port=port,
            management_port=mgmt,
            db=db,
            db_url=env.get("KC_DB_URL"),
            db_username=env.get("KC_DB_USERNAME"),
            admin_username=env.get("SATULOGIN_KC_ADMIN_USER", "admin"),
            heap=env.get("SATULOGIN_KC_HEAP", "-Xms256m -Xmx2g"),
            extra_args=DEV_THEME_ARGS if dev_theme else (),
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @property
    def health_url(self) -> str:
        return f"http://{self.host}:{self.management_port}/health/ready"


class KeycloakServer:
    """One local Keycloak instance: ``ensure_running()`` is idempotent, ``stop()`` too."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.root = cache_dir() / "keycloak"
        self.instance_dir = self.root / "instances" / config.instance
        self.home = self.instance_dir / f"keycloak-{config.version}"
        self.pid_file = self.instance_dir / "keycloak.pid"
        self.log_file = self.instance_dir / "keycloak.log"
        self.password_file = self.instance_dir / "admin-password"

    # --- fetch -------------------------------------------------------------------------
    @property
    def tarball(self) -> Path:
        return self.root / f"keycloak-quarkus-dist-{self.config.version}.tar.gz"

    def fetch(self) -> Path:
        """Download the pinned distribution once with Maven; later calls reuse the cache."""
        if self.tarball.exists() and self.tarball.stat().st_size > 0:
            return self.tarball
        if shutil.which("mvn") is None:
            raise KeycloakServerError(
                "Maven (mvn) tidak ditemukan / not found: install Maven and a JDK first")
        self.root.mkdir(parents=True, exist_ok=True)
        cmd = [
            "mvn", "-q", "-B", "dependency:copy",
            f"-Dartifact={ARTIFACT}:{self.config.version}:tar.gz",
            f"-DoutputDirectory={self.root}",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not self.tarball.exists():
            tail = (result.stdout + result.stderr)[-2000:]
            raise KeycloakServerError(
                f"gagal mengunduh / could not fetch {ARTIFACT}:{self.config.version} with Maven:\n{tail}"
            )
        return self.tarball

    def install(self) -> None:
        """Unpack the distribution for this instance (once) and install our theme (every start)."""
        self.fetch()
        if not (self.home / "bin" / "kc.sh").exists():
            self.instance_dir.mkdir(parents=True, exist_ok=True)
            with tarfile.open(self.tarball) as tar:
                tar.extractall(self.instance_dir, filter="tar")
        self.install_theme()
        build_extension(self.home)

    def install_theme(self) -> None:
        source = themes_dir() / THEME_NAME
        target = self.home / "themes" / THEME_NAME
        if target.exists():
            shutil.rmtree(target)
        if source.exists():
            shutil.copytree(source, target)

    # --- build -------------------------------------------------------------------------
    def _build_options(self) -> list[str]:
        return [f"--db={self.config.db}", "--health-enabled=true"]

    def build(self) -> None:
        """Run Keycloak's ``build`` step once per set of build options (then start is fast)."""
        marker = self.instance_dir / "build-options.json"
        # A changed extension needs Keycloak's build step again, like a changed option.
        options = [*self._build_options(), f"extension={installed_digest(self.home)}"]
        if marker.exists() and json.loads(marker.read_text()) == options:
            return
        result = subprocess.run(
            [str(self.home / "bin" / "kc.sh"), "build", *self._build_options()],
            capture_output=True, text=True, check=False, env=self._env(),
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr)[-3000:]
            raise KeycloakServerError(f"kc.sh build gagal / failed:\n{output}")
        marker.write_text(json.dumps(options))

    # --- run ---------------------------------------------------------------------------
    def admin_password(self) -> str:
        """The bootstrap admin's password: ``$KEYCLOAK_ADMIN_PASSWORD`` (or ``_FILE``), else one
        generated at the first start and kept (mode 0600) in the git-ignored instance folder."""
        from_env = read_secret("KEYCLOAK_ADMIN_PASSWORD", required=False)
        if from_env:
            return from_env
        if self.password_file.exists():
            return self.password_file.read_text(encoding="utf-8").strip()
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(18)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(password + "\n")
        return password

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["JAVA_OPTS_KC_HEAP"] = self.config.heap
        # Keycloak reads KC_* itself; never leak our own password variable names into its log.
        env.pop("KEYCLOAK_ADMIN_PASSWORD", None)
        return env

    def pid(self) -> int | None:
        return live_pid(self.pid_file)

    def is_ready(self) -> bool:
        try:
            return requests.get(self.config.health_url, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def ensure_running(self, timeout: float = 300.0) -> bool:
        """Start the instance unless it already runs. Returns True when this call started it."""
        if self.pid() is not None:
            self.wait_ready(timeout)
            return False
        for port in (self.config.http_port, self.config.management_port):
            if port_busy(self.config.host, port):
                raise KeycloakServerError(
                    f"port {self.config.host}:{port} sudah dipakai program lain / is already in use by "
                    f"another program; choose another with SATULOGIN_KC_PORT"
                )
        self.install()
        self.build()
        env = self._env()
        env["KC_BOOTSTRAP_ADMIN_USERNAME"] = self.config.admin_username
        env["KC_BOOTSTRAP_ADMIN_PASSWORD"] = self.admin_password()
        args = [
            str(self.home / "bin" / "kc.sh"), "start", "--optimized",
            "--http-enabled=true",
            f"--http-host={self.config.host}",
            f"--http-port={self.config.http_port}",
            f"--http-management-port={self.config.management_port}",
            "--hostname-strict=false",
            *self.config.extra_args,
        ]
        if self.config.db == "postgres":
            if not self.config.db_url:
                raise KeycloakServerError("SATULOGIN_KC_DB=postgres needs KC_DB_URL (and KC_DB_USERNAME, "
                                          "KC_DB_PASSWORD or KC_DB_PASSWORD_FILE)")
            password = read_secret("KC_DB_PASSWORD")
            env["KC_DB_URL"] = self.config.db_url
            env["KC_DB_USERNAME"] = self.config.db_username or ""
            env["KC_DB_PASSWORD"] = password or ""
        log = open(self.log_file, "ab")  # noqa: SIM115 - handed to the child process
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True, cwd=self.home)
        log.close()
        self.pid_file.write_text(str(proc.pid))
        self.wait_ready(timeout)
        return True

    def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_ready():
                return
            if self.pid() is None:
                raise KeycloakServerError(
                    f"Keycloak berhenti saat mulai / exited while starting; last lines of {self.log_file}:\n"
                    + self.log_tail()
                )
            time.sleep(1.0)
        raise KeycloakServerError(
            f"Keycloak belum siap setelah / not ready after {timeout:.0f} s ({self.config.health_url}); "
            f"see {self.log_file}:\n" + self.log_tail()
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the instance. Returns False when it was not running."""
        return stop_process_group(self.pid_file, timeout)

    def status(self) -> dict[str, object]:
        return {
            "instance": self.config.instance,
            "version": self.config.version,
            "url": self.config.base_url,
            "running": self.pid() is not None,
            "ready": self.is_ready(),
            "pid": self.pid(),
            "log": str(self.log_file),
            "admin_user": self.config.admin_username,
            "admin_password_file": str(self.password_file) if self.password_file.exists() else None,
        }
