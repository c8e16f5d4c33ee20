"""A run killed half-way and started again converges without duplicates."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable

from satulogin.paths import REPO_ROOT
from tests.fixtures.sync import SyncEnv, build_snapshot

CHILD = """
import sys
from pathlib import Path
from satulogin.kc_admin import AdminConnection, KeycloakAdmin
from sync.apply import ApplyOptions, apply_plan
from sync.plan import make_plan
from sync.runlog import RunLog
from tests.fixtures.sync import build_snapshot

realm, log_path = sys.argv[1], Path(sys.argv[2])
kc = KeycloakAdmin(AdminConnection.from_env(), realm)
plan, state = make_plan(kc, build_snapshot(200, seed=41))
small = ApplyOptions(batch_size=5, bulk_batch_size=5, bulk_chunk=5, import_workers=1, workers=2,
                     progress=False)
apply_plan(kc, plan, state, RunLog(log_path), options=small)
"""


def test_killed_run_then_rerun_converges_without_duplicates(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    env = sync_env_factory("crash")
    log_path = env.runlog.path
    conn = env.kc.conn
    child_env = {
        **os.environ,
        "KEYCLOAK_URL": conn.server_url,
        "KEYCLOAK_ADMIN_USER": conn.username or "admin",
        "KEYCLOAK_ADMIN_PASSWORD": conn.password or "",
        "PYTHONPATH": str(REPO_ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, env.realm, str(log_path)],
        env=child_env,
        cwd=REPO_ROOT,
        start_new_session=True,
    )
    created = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            with sqlite3.connect(log_path) as db:
                created = db.execute(
                    "SELECT count(*) FROM events WHERE kind='user' AND action='create' AND result='ok'"
                ).fetchone()[0]
            if created >= 30:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the child finished before it could be killed"
    [crashed] = env.runlog.runs(realm=env.realm)
    assert crashed["status"] == "running", "a killed run never reports success"
    users_then = len(env.kc.get("/users", params={"max": 1000}))
    assert 30 <= users_then < 200

    hr = build_snapshot(200, seed=41)
    plan, result = env.sync(hr)
    assert result.failed == 0, result.errors
    # Keycloak may still commit the request the killed client had in flight, so count at plan time.
    assert plan.managed_users >= users_then
    assert len(plan.of("user", "create")) == 200 - plan.managed_users
    assert len(plan.of("group", "create")) == 0 and len(plan.of("role", "create")) == 0
    users = env.kc.get("/users", params={"max": 1000, "briefRepresentation": "false"})
    assert sorted(u["username"] for u in users) == sorted(hr.pegawai)
    groups = env.kc.get("/groups", params={"max": 1000})
    assert len(groups) == 3, "no duplicate top-level units"
    jabatan = [r for r in env.kc.get("/roles", params={"max": 1000}) if r["name"].startswith("jabatan-")]
    assert len(jabatan) == len(hr.jabatan)
    assert env.plan(hr).pending == []
