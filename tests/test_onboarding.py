"""``satulogin app ...`` against the real Keycloak, run as an admin runs it (a subprocess)."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from tests.fixtures.php_apache import PhpRealm

SATULOGIN = [sys.executable, "-m", "satulogin.cli"]


def run_app(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SATULOGIN, "app", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, check=False, timeout=120)


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return data


def register(env: dict[str, str], realm: PhpRealm, client_id: str, out: Path, *extra: str
             ) -> subprocess.CompletedProcess[str]:
    return run_app(env, "register", client_id, "--realm", realm.name, "--name", f"Aplikasi {client_id}",
                   "--redirect-uri", f"https://{client_id}.bantenprov.go.id/auth/callback",
                   "--post-logout-uri", f"https://{client_id}.bantenprov.go.id/",
                   "--backchannel-logout-url", f"https://{client_id}.bantenprov.go.id/auth/backchannel-logout",
                   "--role", "operator", "--role", "kepala", "--out", str(out), *extra)


def test_register_makes_a_pkce_client_and_a_private_config(
        php_realm: PhpRealm, cli_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "simpeg.cfg"
    result = register(cli_env, php_realm, "simpeg", out, "--adapter", "flask")
    assert result.returncode == 0, result.stderr
    client = php_realm.admin.get("/clients", params={"clientId": "simpeg"})[0]
    assert client["publicClient"] is False
    assert client["standardFlowEnabled"] and not client["implicitFlowEnabled"]
    assert not client["directAccessGrantsEnabled"] and not client["serviceAccountsEnabled"]
    assert client["redirectUris"] == ["https://simpeg.bantenprov.go.id/auth/callback"]
    attrs = client["attributes"]
    assert attrs["pkce.code.challenge.method"] == "S256"
    assert attrs["post.logout.redirect.uris"] == "https://simpeg.bantenprov.go.id/"
    assert attrs["backchannel.logout.url"] == "https://simpeg.bantenprov.go.id/auth/backchannel-logout"
    assert attrs["backchannel.logout.session.required"] == "true"
    scopes = {s["name"] for s in php_realm.admin.get(f"/clients/{client['id']}/default-client-scopes")}
    assert "pegawai" in scopes
    roles = {r["name"] for r in php_realm.admin.get(f"/clients/{client['id']}/roles")}
    assert roles == {"operator", "kepala"}

    secret = php_realm.admin.get(f"/clients/{client['id']}/client-secret")["value"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text()
    assert f"SATULOGIN_CLIENT_SECRET = '{secret}'" in text
    assert f"SATULOGIN_ISSUER = '{php_realm.issuer}'" in text
    assert secret not in result.stdout + result.stderr, "the secret must never be printed"


def test_codeigniter_config_can_reference_a_secret_file(
        php_realm: PhpRealm, cli_env: dict[str, str], tmp_path: Path) -> None:
    out, secret_file = tmp_path / "satulogin.php", tmp_path / "secret"
    result = register(cli_env, php_realm, "sikd", out, "--adapter", "codeigniter",
                      "--secret-file", str(secret_file))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert f"$config['satulogin_client_secret_file'] = '{secret_file}';" in text
    assert "satulogin_client_secret'" not in text
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    client = php_realm.admin.get("/clients", params={"clientId": "sikd"})[0]
    assert secret_file.read_text().strip() == php_realm.admin.get(
        f"/clients/{client['id']}/client-secret")["value"]
    lint = subprocess.run(["php", "-l", str(out)], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout


def test_list_shows_registered_apps_and_rotate_rewrites_the_config(
        php_realm: PhpRealm, cli_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "ekinerja.conf"
    assert register(cli_env, php_realm, "ekinerja", out, "--adapter", "apache").returncode == 0
    listed = run_app(cli_env, "list", "--realm", php_realm.name, "-o", "json")
    assert listed.returncode == 0, listed.stderr
    apps = {a["client_id"]: a for a in json.loads(listed.stdout)}
    assert apps["ekinerja"]["adapter"] == "apache"
    assert "account" not in apps, "only apps we manage are listed"

    client = php_realm.admin.get("/clients", params={"clientId": "ekinerja"})[0]
    old = php_realm.admin.get(f"/clients/{client['id']}/client-secret")["value"]
    assert f'OIDCClientSecret "{old}"' in out.read_text()
    rotated = run_app(cli_env, "rotate-secret", "ekinerja", "--realm", php_realm.name, "--out", str(out))
    assert rotated.returncode == 0, rotated.stderr
    new = php_realm.admin.get(f"/clients/{client['id']}/client-secret")["value"]
    assert new != old
    text = out.read_text()
    assert f'OIDCClientSecret "{new}"' in text and old not in text
    assert new not in rotated.stdout + rotated.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_service_account_token_carries_the_chosen_roles(
        php_realm: PhpRealm, cli_env: dict[str, str], tmp_path: Path) -> None:
    made_app = register(cli_env, php_realm, "siasn-gateway", tmp_path / "gw.cfg", "--adapter", "flask")
    assert made_app.returncode == 0, made_app.stderr
    out = tmp_path / "sa.env"
    made = run_app(cli_env, "service-account", "dashboard-api", "--realm", php_realm.name,
                   "--role", "siasn-gateway:operator", "--out", str(out))
    assert made.returncode == 0, made.stderr
    env = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
    resp = requests.post(env["SATULOGIN_TOKEN_URL"], data={
        "grant_type": "client_credentials", "client_id": env["SATULOGIN_CLIENT_ID"],
        "client_secret": env["SATULOGIN_CLIENT_SECRET"]}, timeout=30)
    assert resp.status_code == 200, resp.text
    token = claims(resp.json()["access_token"])
    assert token["resource_access"]["siasn-gateway"]["roles"] == ["operator"]
    assert "siasn-gateway" in token["aud"]
    assert env["SATULOGIN_CLIENT_SECRET"] not in made.stdout

    typo = run_app(cli_env, "service-account", "typo-api", "--realm", php_realm.name,
                   "--role", "siasn-gateway:tidak-ada", "--out", str(tmp_path / "typo.env"))
    assert typo.returncode == 2 and "tidak-ada" in typo.stderr
    assert not php_realm.admin.get("/clients", params={"clientId": "typo-api"})


def test_bad_input_is_refused_with_the_reason_before_anything_is_sent(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    # An unreachable Keycloak proves the refusal happens before any request goes out.
    offline = {**cli_env, "KEYCLOAK_URL": "http://127.0.0.1:9"}
    cases = {
        "wildcard": (["--redirect-uri", "https://app.bantenprov.go.id/*"], "wildcard"),
        "plain-http": (["--redirect-uri", "http://app.bantenprov.go.id/cb"], "plain http"),
        "Bad Id!": (["--redirect-uri", "https://app.bantenprov.go.id/cb"], "client-id"),
    }
    for client_id, (args, reason) in cases.items():
        result = run_app(offline, "register", client_id, "--name", "X", "--adapter", "flask",
                         "--out", str(tmp_path / "x.cfg"), *args)
        assert result.returncode == 2, (client_id, result.stderr)
        assert reason in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "x.cfg").exists()
    local = run_app(offline, "plan", "ok-app", "--name", "X", "--adapter", "codeigniter",
                    "--redirect-uri", "http://127.0.0.1:5300/auth/callback")
    # Loopback http is allowed, so this plan got as far as the network.
    assert "cannot reach Keycloak" in local.stderr


def test_duplicate_app_refused_and_dry_run_creates_nothing(
        php_realm: PhpRealm, cli_env: dict[str, str], tmp_path: Path) -> None:
    planned = register(cli_env, php_realm, "sipd", tmp_path / "a.cfg", "--adapter", "flask", "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert "PKCE S256" in planned.stdout
    assert not php_realm.admin.get("/clients", params={"clientId": "sipd"})
    assert not (tmp_path / "a.cfg").exists()
    assert register(cli_env, php_realm, "sipd", tmp_path / "a.cfg", "--adapter", "flask").returncode == 0
    again = register(cli_env, php_realm, "sipd", tmp_path / "b.cfg", "--adapter", "flask")
    assert again.returncode == 2
    assert "sudah terdaftar" in again.stderr and not (tmp_path / "b.cfg").exists()
