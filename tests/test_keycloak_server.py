from __future__ import annotations

import subprocess

import requests

from satulogin.kc_admin import KeycloakAdmin
from satulogin.keycloak_server import KeycloakServer
from satulogin.paths import REPO_ROOT, cache_dir


def test_server_is_ready_and_start_is_idempotent(keycloak_server: KeycloakServer) -> None:
    pid = keycloak_server.pid()
    assert keycloak_server.is_ready()
    # A second start finds the running server: no second process, no second download.
    assert keycloak_server.ensure_running() is False
    assert keycloak_server.pid() == pid
    assert keycloak_server.tarball.exists()


def test_bootstrap_admin_password_lives_outside_git(
        keycloak_server: KeycloakServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("KEYCLOAK_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("KEYCLOAK_ADMIN_PASSWORD_FILE", raising=False)
    password = keycloak_server.admin_password()
    assert keycloak_server.password_file.is_relative_to(cache_dir())
    assert keycloak_server.password_file.stat().st_mode & 0o077 == 0, "readable by others"
    assert len(password) >= 16
    ignored = subprocess.run(["git", "check-ignore", "-q", str(keycloak_server.password_file)],
                             cwd=REPO_ROOT, check=False)
    assert ignored.returncode == 0, "the admin password file must be ignored by git"


def test_admin_api_answers_and_counts_requests(kc_admin_factory) -> None:  # type: ignore[no-untyped-def]
    admin: KeycloakAdmin = kc_admin_factory("master")
    assert admin.realm_exists()
    reads, writes = admin.counter.snapshot()
    assert reads >= 1 and writes == 0


def test_openid_configuration_is_served(keycloak_server: KeycloakServer) -> None:
    resp = requests.get(f"{keycloak_server.config.base_url}/realms/master/.well-known/openid-configuration",
                        timeout=10)
    assert resp.status_code == 200
    assert resp.json()["issuer"].endswith("/realms/master")


def test_sync_extension_builds_for_a_keycloak_of_ones_own(keycloak_server: KeycloakServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`satulogin keycloak extension --keycloak-home DIR` compiles against DIR's own jars."""
    import sys
    import zipfile

    home = tmp_path / "keycloak"
    (home / "lib" / "lib").mkdir(parents=True)
    (home / "lib" / "lib" / "main").symlink_to(keycloak_server.home / "lib" / "lib" / "main")
    cmd = [sys.executable, "-m", "satulogin.cli", "keycloak", "extension"]
    built = subprocess.run([*cmd, "--keycloak-home", str(home)], capture_output=True, text=True,
                           cwd=REPO_ROOT, check=False)
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(home / "providers" / "satulogin-sync.jar") as jar:
        names = set(jar.namelist())
        spi = "org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory"
        factory = jar.read(f"META-INF/services/{spi}").decode().strip()
        assert factory == "id.go.bantenprov.satulogin.BulkSyncResourceProviderFactory"
    assert "id/go/bantenprov/satulogin/BulkSyncResource.class" in names
    assert "kc.sh build" in built.stdout

    wrong = subprocess.run([*cmd, "--keycloak-home", str(tmp_path)], capture_output=True, text=True,
                           cwd=REPO_ROOT, check=False)
    assert wrong.returncode == 1 and "is not a Keycloak installation" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    # The test Keycloak itself carries it (the sync's bulk path is tested in test_sync_bulk).
    assert (keycloak_server.home / "providers" / "satulogin-sync.jar").exists()
