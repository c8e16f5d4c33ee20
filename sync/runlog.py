"""The per-object run log: what each run did to each object, in SQLite, queryable afterwards
("what happened to NIP X on Tuesday").

One row per run (``runs``: counts, status, request totals) and one per object touched or
refused (``events``: source record, action, result, error, timestamps). Lives under
:func:`satulogin.paths.cache_dir` unless ``SATULOGIN_SYNC_LOG`` or ``--log-db`` says otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satulogin.paths import cache_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    realm TEXT NOT NULL,
    mode TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,            -- running | ok | failed | refused | crashed
    source_total INTEGER,
    managed_users INTEGER,
    counts TEXT,
    ok INTEGER DEFAULT 0,
    failed INTEGER DEFAULT 0,
    reads INTEGER DEFAULT 0,
    writes INTEGER DEFAULT 0,
    message TEXT
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    action TEXT NOT NULL,
    result TEXT NOT NULL,            -- ok | failed | skipped
    reason TEXT,
    fields TEXT,
    source TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS events_key ON events(key, ts);
CREATE INDEX IF NOT EXISTS events_run ON events(run_id);
-- Every apply asks for the sync's own disables and its owed logouts: a few rows among all.
CREATE INDEX IF NOT EXISTS events_action ON events(action);
"""


def default_path() -> Path:
    override = os.environ.get("SATULOGIN_SYNC_LOG")
    return Path(override) if override else cache_dir() / "sync" / "runlog.sqlite"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def epoch_ms(ts: str) -> int:
    """A run log timestamp (:func:`now`) in milliseconds since the epoch, as Keycloak's events count."""
    return int(dt.datetime.fromisoformat(ts).timestamp() * 1000)


@dataclass(frozen=True)
class UnloggedDisable:
    """A leaver's disable that a run set out to write and never logged either way."""

    nip: str
    user_id: str
    run_id: str
    started_ms: int  # the run's start (after every earlier run's end: one apply at a time)
    since_ms: int  # when the run logged, just before sending it, the logout it owed them
    ended_ms: int  # the run's finish, else (stopped) its last logged row
    next_started_ms: int | None  # the realm's next run's start; None: none since


# Logged by the apply after a stopped run's unlogged disable turned out not to be the sync's
# (sync.stopped_runs): the disabled state is somebody else's from then on.
NOT_BY_SYNC = "by_sync"


@dataclass
class Event:
    run_id: str
    ts: str
    kind: str
    key: str
    action: str
    result: str
    reason: str | None
    fields: dict[str, Any] | None
    source: dict[str, Any] | None
    error: str | None


class RunLog:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the worker threads, serialised by a lock; WAL keeps
        # readers (``sync log`` in another shell) from blocking a running sync.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self._batch_depth = 0  # batches open in the thread holding the lock

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Records made inside go in one transaction (one write of the log's pages): a bulk
        request answers for hundreds of objects, and one transaction per record cost the
        worker thread about 0.2 ms each, time in which it sent Keycloak nothing. Other
        threads' records wait for the batch. Nested batches join the outer one."""
        with self._lock:
            outer = self._batch_depth == 0  # else this thread's own outer batch holds the lock
            if outer:
                self._db.execute("BEGIN")
            self._batch_depth += 1
            try:
                yield
            except BaseException:
                # What was recorded happened: keep it (unless SQLite already rolled back, say
                # on a full disk; then the original error is the one to see).
                if outer and self._db.in_transaction:
                    self._db.execute("COMMIT")
                raise
            finally:
                self._batch_depth -= 1
            if outer:
                self._db.execute("COMMIT")

    # --- writing ----------------------------------------------------------------------------
    def start_run(self, realm: str, mode: str) -> str:
        run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        with self._lock:
            self._db.execute(
                "INSERT INTO runs (id, realm, mode, started, status) VALUES (?, ?, ?, ?, 'running')",
                (run_id, realm, mode, now()),
            )
        return run_id

    def finish_run(
        self,
        run_id: str,
        *,
        status: str,
        source_total: int | None = None,
        managed_users: int | None = None,
        counts: dict[str, Any] | None = None,
        ok: int = 0,
        failed: int = 0,
        reads: int = 0,
        writes: int = 0,
        message: str | None = None,
    ) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE runs SET finished=?, status=?, source_total=?, managed_users=?, counts=?,"
                " ok=?, failed=?, reads=?, writes=?, message=? WHERE id=?",
                (
                    now(),
                    status,
                    source_total,
                    managed_users,
                    json.dumps(counts or {}),
                    ok,
                    failed,
                    reads,
                    writes,
                    message,
                    run_id,
                ),
            )

    def record(
        self,
        run_id: str,
        kind: str,
        key: str,
        action: str,
        result: str,
        *,
        reason: str | None = None,
        fields: dict[str, Any] | None = None,
        source: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO events (run_id, ts, kind, key, action, result, reason, fields, source, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    now(),
                    kind,
                    key,
                    action,
                    result,
                    reason,
                    json.dumps(fields, ensure_ascii=False, default=str) if fields else None,
                    json.dumps(source, ensure_ascii=False, default=str) if source else None,
                    error,
                ),
            )

    def record_many(self, rows: list[tuple[str, str, str, str, str, str | None, str | None]]) -> None:
        """Bulk insert (run_id, kind, key, action, result, reason, error) in one transaction."""
        ts = now()
        with self.batch():
            self._db.executemany(
                "INSERT INTO events (run_id, ts, kind, key, action, result, reason, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(r[0], ts, *r[1:]) for r in rows],
            )

    # --- reading ----------------------------------------------------------------------------
    def last_source_total(self, realm: str) -> int | None:
        row = self._db.execute(
            "SELECT source_total FROM runs WHERE realm=? AND mode='apply' AND status='ok'"
            " AND source_total IS NOT NULL ORDER BY started DESC LIMIT 1",
            (realm,),
        ).fetchone()
        return int(row[0]) if row else None

    def _latest_per_user(self, realm: str, actions: tuple[str, ...], *, ok_only: bool = False
                         ) -> dict[str, tuple[str, str, str | None]]:
        """Each NIP's latest event among ``actions`` in this realm: (action, result, fields)."""
        marks = ", ".join("?" for _ in actions)
        last: dict[str, tuple[str, str, str | None]] = {}
        for key, action, result, fields in self._db.execute(
            "SELECT e.key, e.action, e.result, e.fields FROM events e JOIN runs r ON r.id = e.run_id"
            f" WHERE r.realm=? AND e.kind='user' AND e.action IN ({marks})"
            + (" AND e.result='ok'" if ok_only else "") + " ORDER BY e.id",
            (realm, *actions),
        ):
            last[key] = (action, result, fields)
        return last

    def disabled_by_sync(self, realm: str) -> set[str]:
        """NIPs whose last successful enable/disable by the sync was a disable (since the sync
        made or adopted their current account), and not found since to be somebody else's (a
        stopped run's unlogged disable it did not write, see :meth:`unlogged_disables`): only
        these are re-enabled when HR says they are active again (an admin's lock never is).

        Every plan asks, so SQLite picks each person's last row itself: the run log holds a
        create for everyone the sync ever made, which only matter after a disable."""
        return {
            key
            for (key,) in self._db.execute(
                "WITH last AS (SELECT e.key, e.id, e.action, e.result, ROW_NUMBER() OVER"
                " (PARTITION BY e.key ORDER BY e.id DESC) AS n FROM events e JOIN runs r ON r.id = e.run_id"
                " WHERE r.realm=? AND e.kind='user' AND e.action IN ('disable', 'enable')"
                " AND (e.result='ok' OR (e.result='skipped' AND e.fields LIKE ?)))"
                " SELECT key FROM last WHERE n=1 AND action='disable' AND result='ok'"
                # A create or an adoption starts a new account's history: an old account's
                # disable says nothing about the lock of the one made or taken over since.
                # By person: SQLite would otherwise walk every create logged after that row
                # (40 s at 20,000 leavers and 10,000 creates since, against 0.13 s).
                " AND NOT EXISTS (SELECT 1 FROM events c INDEXED BY events_key"
                " JOIN runs rc ON rc.id = c.run_id WHERE c.key = last.key AND rc.realm=? AND c.kind='user'"
                " AND c.action IN ('create', 'adopt')"
                " AND c.result='ok' AND c.id > last.id)",
                (realm, f'%"{NOT_BY_SYNC}": false%', realm),
            )
        }

    def unlogged_disables(self, realm: str) -> list[UnloggedDisable]:
        """Disables a run set out to write and never logged either way (it stopped in between):
        each person's latest ``logout pending`` row marked ``disabling`` (logged just before the
        disable is sent), when no disable or enable of them was logged after it, by that run or
        since. An older such row is moot: the newer one shows the account was enabled again in
        between. The next apply logs what Keycloak's events say (:mod:`sync.stopped_runs`).
        Every plan asks: SQLite leaves out the rows settled since (nearly all)."""
        latest: dict[str, tuple[str, str, str]] = {}
        for key, run_id, ts, fields in self._db.execute(
            "SELECT e.key, e.run_id, e.ts, e.fields FROM events e JOIN runs r ON r.id = e.run_id"
            " WHERE r.realm=? AND e.kind='user' AND e.action='logout' AND e.result='pending'"
            " AND e.fields LIKE '%\"disabling\": true%'"
            " AND NOT EXISTS (SELECT 1 FROM events d INDEXED BY events_key JOIN runs rd ON rd.id = d.run_id"
            " WHERE d.key = e.key AND rd.realm=? AND d.kind='user' AND d.action IN ('disable', 'enable')"
            " AND d.id > e.id) ORDER BY e.id",
            (realm, realm),
        ):
            logged = json.loads(fields) if fields else {}
            if logged.get("disabling") is True and logged.get("id"):
                latest[key] = (run_id, ts, str(logged["id"]))
        out: list[UnloggedDisable] = []
        ends: dict[str, tuple[int, int, int | None]] = {}
        for key, (run_id, ts, user_id) in sorted(latest.items()):
            if run_id not in ends:
                started, finished = self._db.execute(
                    "SELECT started, finished FROM runs WHERE id=?", (run_id,)
                ).fetchone()
                (last,) = self._db.execute("SELECT max(ts) FROM events WHERE run_id=?", (run_id,)).fetchone()
                (following,) = self._db.execute(
                    "SELECT min(started) FROM runs WHERE realm=? AND started > ?", (realm, started)
                ).fetchone()
                ends[run_id] = (epoch_ms(started), epoch_ms(finished or last),
                                epoch_ms(following) if following else None)
            began, ended, following_ms = ends[run_id]
            out.append(UnloggedDisable(key, user_id, run_id, began, epoch_ms(ts), ended, following_ms))
        return out

    def pending_logouts(self, realm: str) -> dict[str, str]:
        """Leavers whose sessions a run set out to end and never saw ended (the run stopped
        between disabling the account and its logout, or the logout failed): NIP -> Keycloak
        user id. The next apply ends them (:meth:`sync.apply.Applier.retry_logouts`)."""
        out: dict[str, str] = {}
        for key, (_, result, fields) in self._latest_per_user(realm, ("logout",)).items():
            user_id = (json.loads(fields) if fields else {}).get("id")
            if result == "pending" and user_id:
                out[key] = str(user_id)
        return out

    def events(
        self,
        *,
        key: str | None = None,
        since: str | None = None,
        until: str | None = None,
        run_id: str | None = None,
        result: str | None = None,
        limit: int = 1000,
    ) -> list[Event]:
        where, args = [], []
        for clause, value in (
            ("e.key = ?", key),
            ("e.ts >= ?", since),
            ("e.ts < ?", until),
            ("e.run_id = ?", run_id),
            ("e.result = ?", result),
        ):
            if value is not None:
                where.append(clause)
                args.append(value)
        sql = (
            "SELECT run_id, ts, kind, key, action, result, reason, fields, source, error FROM events e"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY e.id LIMIT ?"
        )
        rows = self._db.execute(sql, (*args, limit)).fetchall()
        return [
            Event(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                json.loads(r[7]) if r[7] else None,
                json.loads(r[8]) if r[8] else None,
                r[9],
            )
            for r in rows
        ]

    def runs(self, *, realm: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        cur = self._db.execute(
            "SELECT id, realm, mode, started, finished, status, source_total, managed_users, counts,"
            " ok, failed, reads, writes, message FROM runs"
            + (" WHERE realm = ?" if realm else "")
            + " ORDER BY started DESC LIMIT ?",
            ((realm, limit) if realm else (limit,)),
        )
        names = [d[0] for d in cur.description]
        out = []
        for row in cur.fetchall():
            item = dict(zip(names, row, strict=True))
            item["counts"] = json.loads(item["counts"]) if item["counts"] else {}
            out.append(item)
        return out
