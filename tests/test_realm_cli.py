"""``satulogin realm validate|plan|apply`` as a person runs it: exit statuses and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from satulogin.kc_admin import AdminConnection, KeycloakAdmin
from satulogin.paths import REPO_ROOT
from tests.fixtures.realm import delete_realm, ensure_test_secrets

ROOT = Path(__file__).resolve().parents[1]
REALM = "t-realm-cli"


def _run(
    args: list[str], conn: AdminConnection | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ, **env)
    if conn is not None:
        full_env.update(
            KEYCLOAK_URL=conn.server_url,
            KEYCLOAK_ADMIN_USER=conn.username or "",
            KEYCLOAK_ADMIN_PASSWORD=conn.password or "",
        )
    return subprocess.run(
        [sys.executable, "-m", "satulogin.cli", "realm", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_validate_reports_every_problem_without_traceback(tmp_path: Path) -> None:
    secrets = ensure_test_secrets()
    ok = _run(["validate"])
    assert ok.returncode == 0, ok.stderr
    n_clients = len(list((REPO_ROOT / "realm" / "banten" / "clients").glob("*.yaml")))
    assert f"Deklarasi valid / declarations valid: realm banten, {n_clients} klien/clients" in ok.stdout

    bad = tmp_path / "bad"
    (bad / "clients").mkdir(parents=True)
    (bad / "realm.yaml").write_text("realm: banten\nsettings: {loginThem: x}\n")
    (bad / "clients" / "a.yaml").write_text(
        "client_id: a\nredirect_uris: ['http://x/*']\nsecret: ${A_SECRET_UNSET}\n"
    )
    result = _run(["validate", "--dir", str(bad)], SATULOGIN_SECRETS_DIR=str(tmp_path / "none"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "realm.yaml: settings.loginThem: kunci tidak dikenal / unknown key" in result.stderr
    assert "clients/a.yaml: secret: rahasia A_SECRET_UNSET belum diberikan" in result.stderr
    assert "clients/a.yaml: redirect_uris.0: 'http://x/*' memakai wildcard" in result.stderr
    assert all(value not in ok.stdout for value in secrets.values())


def test_plan_exit_status_and_json_then_apply_converges(
    admin_conn: AdminConnection, kc_admin_factory: Callable[[str], KeycloakAdmin]
) -> None:
    secrets = ensure_test_secrets()
    delete_realm(kc_admin_factory(REALM), REALM)

    pending = _run(["plan", "--realm-name", REALM], admin_conn)
    assert pending.returncode == 2, pending.stderr
    assert "+ client dashboard-pimpinan (create)" in pending.stdout
    as_json = _run(["plan", "--realm-name", REALM, "-o", "json"], admin_conn)
    assert as_json.returncode == 2
    doc = json.loads(as_json.stdout)
    assert doc["has_changes"] and not doc["realm_exists"] and doc["summary"]["create"] > 5
    client = next(c for c in doc["changes"] if c["name"] == "dashboard-pimpinan")
    assert {"field": "secret", "old": None, "new": "********"} in client["fields"]
    for value in secrets.values():
        assert value not in pending.stdout and value not in as_json.stdout, "a secret leaked into the plan"

    applied = _run(["apply", "--realm-name", REALM], admin_conn)
    assert applied.returncode == 0, applied.stderr
    assert "Diterapkan / applied:" in applied.stdout

    clean = _run(["plan", "--realm-name", REALM], admin_conn)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Tidak ada perubahan / no changes" in clean.stdout
    noop = _run(["apply", "--realm-name", REALM, "-o", "json"], admin_conn)
    assert noop.returncode == 0
    assert json.loads(noop.stdout)["writes"] == 0
