"""Read every configured source, map columns, merge directory attributes, validate.

``load_snapshot(config)`` is the one door the planner uses; it returns an
:class:`~sync.snapshot.HrSnapshot` whose quarantine lists the rows that failed, and raises
:class:`~sync.sources.SourceError` only when a source cannot be read at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from .config import FIELDS, SyncConfig
from .fields import code_text
from .model import SourceRow
from .snapshot import HrSnapshot
from .sources import Source, SourceError, open_source
from .status import StatusMapper
from .validation import RawRecord, validate

# progress(stage, count): called as rows are read, e.g. ("pegawai", 5000).
Progress = Callable[[str, int], None]
PROGRESS_EVERY = 1000


def _records(
    source: Source,
    columns: dict[str, str],
    extra_columns: dict[str, str],
    kind: str,
    progress: Progress | None,
) -> Iterator[RawRecord]:
    wanted = {*columns.values(), *extra_columns.values()}
    # Table-like sources (SQL, CSV, XLSX) give every column in every row: the first row tells.
    # A JSON API leaves out null fields, so there a column must appear in at least one item, and
    # an item without it reads as empty (None), like a JSON null.
    sparse = bool(getattr(source, "sparse_rows", False))
    unseen = set(wanted)
    available: dict[str, None] = {}
    checked = False
    count = 0
    for key, row in source.rows():
        if sparse:
            if unseen:
                unseen.difference_update(row)
                available.update(dict.fromkeys(map(str, row)))
        elif not checked:
            _check_columns(source, kind, sorted(c for c in wanted if c not in row), list(map(str, row)))
            checked = True
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(kind, count)
        yield RawRecord(
            origin=SourceRow(source=source.name, row=key, raw=row),
            values={field: row.get(column) for field, column in columns.items()},
            extra={name: row.get(column) for name, column in extra_columns.items()},
        )
    if sparse and count and unseen:
        _check_columns(source, kind, sorted(unseen), list(available), every_item=True)
    if progress is not None:
        progress(kind, count)


def _check_columns(
    source: Source, kind: str, missing: list[str], available: list[str], *, every_item: bool = False
) -> None:
    if missing:
        lacks = (
            "tidak ada item dengan kolom / no item has column"
            if every_item
            else "tidak punya kolom / lacks column"
        )
        raise SourceError(
            f"sumber {source.name} ({kind}) {lacks} {', '.join(missing)}; "
            f"ada / available: {', '.join(available)}. Periksa / check {kind}.columns"
        )


def read_records(config: SyncConfig, kind: str, progress: Progress | None = None) -> list[RawRecord]:
    source_config = getattr(config, kind)
    source = open_source(source_config, kind)
    return list(_records(source, config.columns(kind), dict(source_config.extra_columns), kind, progress))


def merge_directory(
    config: SyncConfig, pegawai: list[RawRecord], progress: Progress | None = None
) -> tuple[list[RawRecord], int]:
    """Fill pegawai fields from LDAP by NIP; returns the records and how many entries were read."""
    if config.ldap is None:
        return pegawai, 0
    from .sources.ldap import LdapSource  # ldap3 only when a directory is configured

    directory = LdapSource(config.ldap)
    by_nip = directory.attributes_by_nip()
    if progress is not None:
        progress("ldap", directory.entries_read)
    prefer_ldap = config.ldap.prefer == "ldap"
    merged: list[RawRecord] = []
    for record in pegawai:
        nip, problem = code_text(record.values.get("nip"), "NIP")
        found = by_nip.get(nip) if not problem else None
        if not found:
            merged.append(record)
            continue
        values, extra = dict(record.values), dict(record.extra)
        for name, value in found.items():
            target = values if name in FIELDS["pegawai"] else extra
            current = target.get(name)
            if prefer_ldap or current is None or str(current).strip() == "":
                target[name] = value
        merged.append(RawRecord(origin=record.origin, values=values, extra=extra))
    return merged, directory.entries_read


def load_snapshot(
    config: SyncConfig, *, progress: Progress | None = None, today: date | None = None
) -> HrSnapshot:
    units = read_records(config, "units", progress)
    jabatan = read_records(config, "jabatan", progress)
    pegawai = read_records(config, "pegawai", progress)
    pegawai, ldap_entries = merge_directory(config, pegawai, progress)
    snapshot = validate(
        units, jabatan, pegawai, StatusMapper(config.status_values, config.status_default), today=today
    )
    if config.ldap is not None:
        snapshot.source_counts["ldap"] = ldap_entries
    return snapshot
