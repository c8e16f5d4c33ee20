"""Every change to the mapping, recorded: who, when, the rules before and after, the preview
they saw, and what apply did. SQLite under the cache dir (``SATULOGIN_MAPPING_AUDIT`` overrides)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satulogin.paths import cache_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS mapping_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    summary TEXT NOT NULL,
    rules_before TEXT NOT NULL,
    rules_after TEXT NOT NULL,
    preview TEXT NOT NULL,
    result TEXT
)
"""


@dataclass
class AuditRecord:
    id: int
    at: str
    actor: str
    action: str
    summary: str
    rules_before: str
    rules_after: str
    preview: dict[str, Any]
    result: dict[str, Any] | None


def default_audit_path() -> Path:
    override = os.environ.get("SATULOGIN_MAPPING_AUDIT")
    return Path(override) if override else cache_dir() / "mapping-audit.sqlite3"


class AuditLog:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_audit_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def record(
        self,
        *,
        actor: str,
        action: str,
        summary: str,
        rules_before: str,
        rules_after: str,
        preview: dict[str, Any],
        result: dict[str, Any] | None = None,
    ) -> int:
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO mapping_audit (at, actor, action, summary, rules_before, rules_after, preview,"
                " result) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    at,
                    actor,
                    action,
                    summary,
                    rules_before,
                    rules_after,
                    json.dumps(preview),
                    json.dumps(result) if result is not None else None,
                ),
            )
            return int(cur.lastrowid or 0)

    _COLUMNS = "id, at, actor, action, summary, rules_before, rules_after, preview, result"

    @staticmethod
    def _record(r: tuple[Any, ...]) -> AuditRecord:
        return AuditRecord(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), json.loads(r[8]) if r[8] else None
        )

    def recent(self, limit: int = 50) -> list[AuditRecord]:
        with self._db() as db:
            rows = db.execute(
                f"SELECT {self._COLUMNS} FROM mapping_audit ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [self._record(r) for r in rows]

    def get(self, record_id: int) -> AuditRecord | None:
        with self._db() as db:
            row = db.execute(
                f"SELECT {self._COLUMNS} FROM mapping_audit WHERE id = ?", (record_id,)
            ).fetchone()
        return self._record(row) if row else None
