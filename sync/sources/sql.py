"""SQL sources through SQLAlchemy, opened read-only.

SQLite is opened with a ``mode=ro`` URI (the file cannot be changed through it); MariaDB/MySQL
sessions run ``SET SESSION TRANSACTION READ ONLY`` on connect and PostgreSQL sessions get
``default_transaction_read_only``, so even a mistaken query cannot write. The sync only reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from satulogin.secrets import read_secret

from ..config import SQL_DRIVERS, SQL_PREFIXES
from ..config import SqlSource as SqlSourceConfig
from .base import SourceError

_IDENTIFIER_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")


def _create_engine(url: URL, **kwargs: Any) -> Engine:
    """``create_engine``, with a missing database driver said in words."""
    try:
        return create_engine(url, **kwargs)
    except ImportError as exc:
        module = getattr(exc, "name", None) or url.get_driver_name()
        raise SourceError(
            f"driver basis data {module!r} tidak terpasang / database driver {module!r} is not "
            f"installed (url {url.drivername}://); supported / didukung: {SQL_PREFIXES}"
        ) from None


def read_only_engine(url_text: str, password_env: str | None = None) -> Engine:
    """An engine whose every connection refuses writes."""
    try:
        url: URL = make_url(url_text)
    except ArgumentError:
        raise SourceError(f"url {url_text!r} bukan URL SQLAlchemy / is not a SQLAlchemy URL") from None
    if url.drivername not in SQL_DRIVERS:
        raise SourceError(
            f"driver {url.drivername}:// tidak didukung / is not supported; "
            f"use one of / gunakan: {SQL_PREFIXES}"
        )
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        if not database or database == ":memory:":
            raise SourceError("basis data SQLite harus berupa berkas / the SQLite database must be a file")
        path = Path(database).expanduser().resolve()
        if not path.is_file():
            raise SourceError(f"berkas SQLite tidak ada / SQLite file not found: {path}")

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)

        return create_engine("sqlite://", creator=connect)
    if password_env:
        url = url.set(password=read_secret(password_env))
    if backend in ("mysql", "mariadb"):
        if url.drivername in ("mysql", "mariadb"):
            url = url.set(drivername=f"{backend}+pymysql")
        engine = _create_engine(url, pool_pre_ping=True)

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.close()

        return engine
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return _create_engine(
            url, pool_pre_ping=True, connect_args={"options": "-c default_transaction_read_only=on"}
        )
    raise SourceError(f"jenis basis data tidak didukung / unsupported database: {backend}")


class SqlSource:
    def __init__(self, config: SqlSourceConfig, kind: str) -> None:
        self.config = config
        self.name = f"sql:{config.table or kind}"
        self.engine = read_only_engine(config.url, config.password_env)

    def _statement(self) -> str:
        if self.config.query is not None:
            return self.config.query
        table = self.config.table or ""
        if not table or not set(table) <= _IDENTIFIER_OK:
            raise SourceError(f"nama tabel tidak sah / invalid table name: {table!r}")
        quote = self.engine.dialect.identifier_preparer.quote
        return "SELECT * FROM " + ".".join(quote(part) for part in table.split("."))

    def rows(self) -> Iterator[tuple[int | str, dict[str, object]]]:
        try:
            with self.engine.connect() as connection:
                result = connection.execution_options(stream_results=True).execute(text(self._statement()))
                columns = list(result.keys())
                for number, row in enumerate(result, start=1):
                    yield number, dict(zip(columns, row, strict=True))
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            raise SourceError(
                f"sumber {self.name} tidak bisa dibaca / cannot read source {self.name}: "
                f"{type(cause).__name__}: {str(cause).splitlines()[0][:300]}"
            ) from None
        finally:
            self.engine.dispose()
