"""Progress for long phases: a bar on a terminal, plain lines in a log (cron, systemd)."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, TextIO

import click


class Progress:
    """``with Progress("users", 10000) as p: p.advance()``. Plain mode prints a line every
    10% (and at the end) so a journal shows the run moving without one line per user."""

    def __init__(self, label: str, total: int, *, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0
        self.done = 0
        self._bar: Any = None
        self._next_line = 0
        self._started = time.monotonic()

    def __enter__(self) -> Progress:
        if self.enabled and self.stream.isatty():
            self._bar = click.progressbar(
                length=self.total, label=self.label, file=self.stream, show_pos=True, show_eta=True
            )
            self._bar.__enter__()
        return self

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        if self.done >= self._next_line or self.done >= self.total:
            elapsed = time.monotonic() - self._started
            self.stream.write(f"{self.label}: {self.done}/{self.total} ({elapsed:.1f} s)\n")
            self.stream.flush()
            self._next_line = self.done + max(1, self.total // 10)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
