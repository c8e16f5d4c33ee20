"""One ``sync apply`` per realm and run log at a time.

Two applies side by side (a manual run while the timer fires, a cron line without ``flock``)
would each plan against a Keycloak the other is changing and interleave their run-log
watermarks. The lock is an advisory ``flock`` on a file beside the run log: the kernel drops
it when the process ends, however it ends, so a killed run never leaves a stale lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from satulogin.errors import SatuLoginError


class RunLocked(SatuLoginError):
    exit_code = 4
    code = "run_locked"


def lock_path(log_path: Path, realm: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in realm)
    return log_path.with_name(f"{log_path.name}.{safe}.lock")


@contextmanager
def run_lock(log_path: Path, realm: str) -> Iterator[None]:
    """Hold the apply lock for ``realm`` or raise :class:`RunLocked` naming the holder."""
    path = lock_path(log_path, realm)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            raise RunLocked(
                f"sync apply lain untuk realm {realm} sedang berjalan / another sync apply for realm "
                f"{realm} is running ({holder}); wait for it to finish, or stop it"
            ) from None
        os.ftruncate(fd, 0)
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()}, since {started}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
