"""Pid files of the processes our scripts start (Keycloak, the demo apps): a process group whose
leader died while a child kept running (as Keycloak's kc.sh once did, leaving Java serving) is
still running, and stop ends the child too."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from satulogin.processes import live_pid, stop_process_group


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def test_a_group_whose_leader_died_is_still_running_and_stop_ends_it(tmp_path: Path) -> None:
    # The leader (sh) starts a long-running child in its own group, then exits at once.
    leader = subprocess.Popen(["sh", "-c", "sleep 120 & exit 0"], start_new_session=True)
    leader.wait(timeout=10)
    pid_file = tmp_path / "pid"
    pid_file.write_text(str(leader.pid))
    assert _group_alive(leader.pid), "the child should outlive its leader"

    assert live_pid(pid_file) == leader.pid  # not "not running": its server still runs
    assert stop_process_group(pid_file, timeout=10) is True
    deadline = time.monotonic() + 10
    while _group_alive(leader.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _group_alive(leader.pid)
    assert live_pid(pid_file) is None and not pid_file.exists()
    assert stop_process_group(pid_file, timeout=1) is False  # stopping again says so


def test_a_finished_group_is_not_running(tmp_path: Path) -> None:
    done = subprocess.Popen(["true"], start_new_session=True)
    done.wait(timeout=10)
    pid_file = tmp_path / "pid"
    pid_file.write_text(str(done.pid))
    assert live_pid(pid_file) is None
    (tmp_path / "garbage").write_text("not a pid")
    assert live_pid(tmp_path / "garbage") is None
    assert live_pid(tmp_path / "missing") is None
