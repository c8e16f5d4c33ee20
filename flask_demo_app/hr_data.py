"""Where the staff figures come from: the synced HR data, read-only, cached for a short while.

By default the dashboard reads what the HR sync reads and writes:

* the SIMPEG source through ``sync.loader.load_snapshot`` (the demo: the SQLite stand-in at
  ``sync.config.demo_database_path()``; ``DASHBOARD_SIMPEG_DB`` points elsewhere), so the
  figures use the same validation as the sync and never write to the source;
* the sync's run log (``sync.runlog.default_path()``; ``DASHBOARD_SYNC_LOG``), opened read-only,
  for the joiners (users created) and leavers (users disabled) of the last apply run.

``DASHBOARD_STAFF_DATA`` may instead hold a :class:`StaffData` or a callable returning one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .staff import StaffData, StaffMember, SyncChange

StaffDataSource = Callable[[], StaffData]


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def last_sync_changes(log_path: Path, realm: str, units_of: dict[str, str], names_of: dict[str, str]
                      ) -> tuple[list[SyncChange], str]:
    """Joiners and leavers of the last finished apply run of ``realm``, and when it ran."""
    if not log_path.exists():
        return [], ""
    db = _read_only(log_path)
    try:
        run = db.execute("SELECT id, COALESCE(finished, started) FROM runs WHERE realm=? AND mode='apply'"
                         " AND status IN ('ok', 'failed') ORDER BY started DESC, rowid DESC LIMIT 1",
                         (realm,)).fetchone()
        if run is None:
            return [], ""
        rows = db.execute("SELECT key, action, reason, fields, source FROM events WHERE run_id=? AND"
                          " kind='user' AND result='ok' AND action IN ('create', 'disable') ORDER BY id",
                          (run[0],)).fetchall()
    except sqlite3.Error:
        return [], ""   # an older or foreign log: show no changes rather than fail the page
    finally:
        db.close()
    changes = []
    for nip, action, reason, fields_json, source_json in rows:
        extra: dict[str, Any] = {}
        for blob in (source_json, fields_json):
            if blob:
                try:
                    loaded = json.loads(blob)
                except ValueError:
                    continue
                if isinstance(loaded, dict):
                    extra.update(loaded)
        unit = units_of.get(nip) or str(extra.get("unit_kode", ""))
        kind = "joiner" if action == "create" else "leaver"
        changes.append(SyncChange(nip, names_of.get(nip, nip), unit, kind, reason or ""))
    return changes, str(run[1])


def simpeg_staff_data(db_path: Path, log_path: Path, realm: str) -> StaffData:
    """Read the SIMPEG source the sync reads (validated, read-only) plus the run log."""
    from sync.config import default_config
    from sync.loader import load_snapshot
    from sync.model import StatusPegawai

    if not db_path.exists():
        return StaffData()
    snapshot = load_snapshot(default_config(db_path))
    members = [StaffMember(p.nip, p.full_name, p.unit_kode, p.golongan or "", p.eselon or "",
                           p.status is StatusPegawai.AKTIF) for p in snapshot.pegawai.values()]
    changes, when = last_sync_changes(log_path, realm, {m.nip: m.unit_kode for m in members},
                                      {m.nip: m.nama for m in members})
    return StaffData(units={u.kode: u.nama for u in snapshot.units.values()}, members=members,
                     changes=changes, last_sync=when, source=f"SIMPEG ({db_path.name}), sync log")


def default_source(config: dict[str, Any]) -> StaffDataSource:
    from sync.config import demo_database_path
    from sync.runlog import default_path

    db = Path(config.get("DASHBOARD_SIMPEG_DB") or demo_database_path())
    log = Path(config.get("DASHBOARD_SYNC_LOG") or default_path())
    realm = str(config.get("DASHBOARD_SYNC_REALM") or "banten")
    return lambda: simpeg_staff_data(db, log, realm)


class CachedStaffData:
    """Reads the source at most once per ``ttl`` seconds; a page view never waits on SQL twice."""

    def __init__(self, source: StaffDataSource, ttl: float = 60.0) -> None:
        self._source = source
        self.ttl = ttl
        self._value: StaffData | None = None
        self._loaded = 0.0
        self._lock = threading.Lock()

    def get(self) -> StaffData:
        with self._lock:
            if self._value is None or time.monotonic() - self._loaded > self.ttl:
                self._value = self._source()
                self._loaded = time.monotonic()
            return self._value


def staff_data_from_config(config: dict[str, Any]) -> CachedStaffData:
    given = config.get("DASHBOARD_STAFF_DATA")
    if isinstance(given, StaffData):
        fixed = given
        source: StaffDataSource = lambda: fixed  # noqa: E731
    elif callable(given):
        source = given
    else:
        source = default_source(config)
    return CachedStaffData(source, float(config.get("DASHBOARD_STAFF_TTL", 60)))
