"""Background processes of the demo stack (the apps beside Keycloak), with pid files.

Idempotent like the Keycloak instance: starting a running app does nothing, stopping a
stopped one says so.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .errors import SatuLoginError
from .paths import cache_dir


def port_busy(host: str, port: int) -> bool:
    """Something already listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def live_pid(pid_file: Path) -> int | None:
    """The pid recorded in ``pid_file`` while its process group still runs, else None.

    Our processes start in their own session, so the recorded pid leads a process group. The
    group counts, not the leader alone: Keycloak's ``kc.sh`` wrapper once died while the Java
    server it started kept running (and serving), and a leader-only check then answered "not
    running", so ``stop`` left Java up and the next start found the port busy."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        # Reap it if it is our own exited child: a zombie still answers kill(pid, 0).
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    for probe in (os.kill, os.killpg):
        try:
            probe(pid, 0)
            return pid
        except ProcessLookupError:
            continue
        except PermissionError:
            return pid
    return None


def stop_process_group(pid_file: Path, timeout: float) -> bool:
    """SIGTERM the process group led by the recorded pid, wait, then SIGKILL whatever is left of
    the group (``php -S`` workers ignore SIGTERM). False when nothing was running."""
    pid = live_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and live_pid(pid_file) is not None:
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    pid_file.unlink(missing_ok=True)
    return True


@dataclass(frozen=True)
class AppProcess:
    name: str
    command: list[str]
    port: int
    health_path: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None

    @property
    def folder(self) -> Path:
        path = cache_dir() / "stack" / self.name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def pid_file(self) -> Path:
        return self.folder / "pid"

    @property
    def log_file(self) -> Path:
        return self.folder / "log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pid(self) -> int | None:
        return live_pid(self.pid_file)

    def _answers(self) -> bool:
        try:
            requests.get(self.url + self.health_path, timeout=2, allow_redirects=False)
            return True
        except requests.RequestException:
            return False

    def start(self, timeout: float = 60.0) -> bool:
        """Start unless running; True when this call started it."""
        if self.pid() is not None:
            return False
        if port_busy("127.0.0.1", self.port):
            raise SatuLoginError(
                f"port {self.port} untuk {self.name} sudah dipakai program lain / already in use")
        env = {**os.environ, **self.env}
        with open(self.log_file, "ab") as log:
            proc = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                    cwd=self.cwd, start_new_session=True)
        self.pid_file.write_text(str(proc.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = "\n".join(self.log_file.read_text(errors="replace").splitlines()[-20:])
                raise SatuLoginError(f"{self.name} berhenti saat mulai / exited while starting:\n{tail}")
            if self._answers():
                return True
            time.sleep(0.3)
        raise SatuLoginError(
            f"{self.name} belum menjawab / not answering on {self.url} after {timeout:.0f} s")

    def stop(self) -> bool:
        return stop_process_group(self.pid_file, timeout=10.0)
