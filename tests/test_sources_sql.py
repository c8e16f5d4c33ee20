"""SQL sources: the demo SQLite and a real MariaDB, both opened read-only."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import InternalError, OperationalError

from satulogin.errors import MissingSecretError
from sync.config import SqlSource as SqlConfig
from sync.config import SyncConfig, default_config
from sync.demo_data import generate
from sync.loader import load_snapshot
from sync.sources import SourceError
from sync.sources.sql import SqlSource
from tests.fixtures.hr_sources import (
    MariaDbServer,
    PostgresServer,
    copy_sqlite_to_mariadb,
    copy_sqlite_to_postgres,
)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("simpeg") / "simpeg.sqlite"
    generate(path, n_pegawai=60, seed=7)
    return path


def test_default_config_reads_the_demo_sqlite(demo_db: Path) -> None:
    snap = load_snapshot(default_config(demo_db))
    assert snap.quarantine == []
    assert len(snap.pegawai) == 60 and snap.source_counts["pegawai"] == 60


def test_sqlite_source_cannot_write(demo_db: Path) -> None:
    source = SqlSource(SqlConfig(type="sql", url=f"sqlite:///{demo_db}", table="pegawai"), "pegawai")
    with source.engine.connect() as conn, pytest.raises(OperationalError, match="readonly"):
        conn.execute(text("UPDATE pegawai SET nama = 'X'"))
    before = demo_db.stat().st_mtime_ns
    assert sum(1 for _ in source.rows()) == 60
    assert demo_db.stat().st_mtime_ns == before


def test_query_instead_of_table(demo_db: Path) -> None:
    url = f"sqlite:///{demo_db}"
    config = default_config(demo_db).model_copy(update={"pegawai": SqlConfig(
        type="sql", url=url, query="SELECT * FROM pegawai WHERE status_pegawai = 'Aktif'")})
    snap = load_snapshot(config)
    assert snap.pegawai and all(not p.status.is_leaver for p in snap.pegawai.values())


def test_missing_sqlite_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="tidak ada"):
        load_snapshot(default_config(tmp_path / "nothing.sqlite"))


@pytest.fixture(scope="module")
def mariadb_simpeg(mariadb_server: MariaDbServer, demo_db: Path) -> tuple[str, str]:
    password = secrets.token_urlsafe(12)
    url = mariadb_server.create_database("simpeg", "sync_reader", password)
    copy_sqlite_to_mariadb(demo_db, mariadb_server, "simpeg")
    return url, password


def sql_config(url: str) -> SyncConfig:
    tables = {"units": "unit_kerja", "jabatan": "jabatan", "pegawai": "pegawai"}
    return SyncConfig.model_validate({
        kind: SqlConfig(type="sql", url=url, password_env="T_SRC_DB_PASSWORD", table=table)
        for kind, table in tables.items()})


def test_mariadb_source_gives_the_same_snapshot_as_sqlite(
        mariadb_simpeg: tuple[str, str], demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, password = mariadb_simpeg
    monkeypatch.setenv("T_SRC_DB_PASSWORD", password)
    from_maria = load_snapshot(sql_config(url))
    from_sqlite = load_snapshot(default_config(demo_db))
    assert from_maria.quarantine == []
    assert from_maria.pegawai == from_sqlite.pegawai
    assert from_maria.units == from_sqlite.units and from_maria.jabatan == from_sqlite.jabatan


def test_mariadb_session_is_read_only_although_the_user_may_write(
        mariadb_simpeg: tuple[str, str], mariadb_server: MariaDbServer, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    url, password = mariadb_simpeg
    password_file = tmp_path / "db.pw"
    password_file.write_text(password + "\n")
    monkeypatch.setenv("T_SRC_DB_PASSWORD_FILE", str(password_file))   # the *_FILE variant
    source = SqlSource(SqlConfig(type="sql", url=url, password_env="T_SRC_DB_PASSWORD", table="pegawai"),
                       "pegawai")
    with source.engine.connect() as conn, pytest.raises(OperationalError, match="READ ONLY"):
        conn.execute(text("UPDATE pegawai SET nama = 'X'"))
    with mariadb_server.root_connection("simpeg") as root, root.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM pegawai WHERE nama = 'X'")
        assert cur.fetchone() == (0,)


def test_mariadb_without_the_password_secret_says_which_variable(mariadb_simpeg: tuple[str, str]) -> None:
    with pytest.raises(MissingSecretError, match="T_SRC_DB_PASSWORD"):
        load_snapshot(sql_config(mariadb_simpeg[0]))


def test_mariadb_wrong_password_is_a_source_error(
        mariadb_simpeg: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_SRC_DB_PASSWORD", "salah")
    with pytest.raises(SourceError, match="Access denied"):
        load_snapshot(sql_config(mariadb_simpeg[0]))


@pytest.fixture(scope="module")
def postgres_simpeg(postgres_server: PostgresServer, demo_db: Path) -> tuple[str, str]:
    password = secrets.token_urlsafe(12)
    url = postgres_server.create_database("simpeg", "sync_reader", password)
    copy_sqlite_to_postgres(demo_db, postgres_server, "simpeg")
    return url, password


def test_postgres_source_gives_the_same_snapshot_and_cannot_write(
        postgres_simpeg: tuple[str, str], demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, password = postgres_simpeg
    monkeypatch.setenv("T_SRC_DB_PASSWORD", password)
    from_pg = load_snapshot(sql_config(url))
    assert from_pg.pegawai == load_snapshot(default_config(demo_db)).pegawai
    source = SqlSource(SqlConfig(type="sql", url=url, password_env="T_SRC_DB_PASSWORD", table="pegawai"),
                       "pegawai")
    with source.engine.connect() as conn, pytest.raises(InternalError, match="read-only transaction"):
        conn.execute(text("UPDATE pegawai SET nama = 'X'"))


def test_progress_reports_each_stage_with_its_final_count(demo_db: Path) -> None:
    seen: list[tuple[str, int]] = []
    load_snapshot(default_config(demo_db), progress=lambda stage, count: seen.append((stage, count)))
    final = dict(seen)
    assert final["pegawai"] == 60 and final["units"] > 1000 and final["jabatan"] > 1000
    assert ("units", 1000) in seen     # intermediate ticks on long reads
