"""A :class:`SessionStore` in one SQLite file: shared by every worker process of an app on
one machine, survives restarts. WAL mode so readers do not wait for the writer."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from .store import LoginTransaction, SessionRecord, SessionStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS satulogin_session (
  session_id TEXT PRIMARY KEY, sid TEXT, sub TEXT NOT NULL, expires_at REAL NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS satulogin_session_sid ON satulogin_session(sid);
CREATE INDEX IF NOT EXISTS satulogin_session_sub ON satulogin_session(sub);
CREATE TABLE IF NOT EXISTS satulogin_login_tx (
  state TEXT PRIMARY KEY, created_at REAL NOT NULL, data TEXT NOT NULL);
"""


class SqliteSessionStore(SessionStore):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as conn:
            conn.executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    def save(self, record: SessionRecord) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO satulogin_session(session_id, sid, sub, expires_at, data) "
            "VALUES (?, ?, ?, ?, ?)",
            (record.session_id, record.sid, record.sub, record.expires_at(), json.dumps(record.to_dict())),
        )

    def get(self, session_id: str) -> SessionRecord | None:
        row = self._conn().execute(
            "SELECT data, expires_at FROM satulogin_session WHERE session_id = ?", (session_id,)
        ).fetchone()
        if row is None:
            return None
        if row[1] < time.time():
            self.delete(session_id)
            return None
        return SessionRecord.from_dict(json.loads(row[0]))

    def delete(self, session_id: str) -> None:
        self._conn().execute("DELETE FROM satulogin_session WHERE session_id = ?", (session_id,))

    def delete_by_sid(self, sid: str) -> int:
        return self._conn().execute("DELETE FROM satulogin_session WHERE sid = ?", (sid,)).rowcount

    def delete_by_sub(self, sub: str) -> int:
        return self._conn().execute("DELETE FROM satulogin_session WHERE sub = ?", (sub,)).rowcount

    def put_transaction(self, tx: LoginTransaction) -> None:
        conn = self._conn()
        conn.execute("DELETE FROM satulogin_login_tx WHERE created_at < ?", (time.time() - 3600,))
        conn.execute("DELETE FROM satulogin_session WHERE expires_at < ?", (time.time(),))
        conn.execute("INSERT INTO satulogin_login_tx(state, created_at, data) VALUES (?, ?, ?)",
                     (tx.state, tx.created_at, json.dumps(tx.to_dict())))

    def take_transaction(self, state: str, max_age: float) -> LoginTransaction | None:
        # DELETE ... RETURNING makes "take" atomic across processes: one winner per state.
        row = self._conn().execute(
            "DELETE FROM satulogin_login_tx WHERE state = ? RETURNING data, created_at", (state,)
        ).fetchone()
        if row is None or time.time() - row[1] > max_age:
            return None
        return LoginTransaction.from_dict(json.loads(row[0]))
