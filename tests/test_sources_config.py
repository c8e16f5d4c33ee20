"""The sync config file: every problem listed at once, secrets never in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from satulogin.errors import ConfigError
from sync.config import CsvSource, RestSource, SqlSource, default_config, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_config_loads_with_every_source_kind(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """
units:
  type: sql
  url: mysql+pymysql://sij_reader@db.bantenprov.go.id:3306/sij
  password_env: SIJ_DB_PASSWORD
  query: SELECT kode AS kunker, nama AS nama_unit, NULL AS kunker_induk FROM unit WHERE aktif = 1
jabatan:
  type: csv
  path: exports/jabatan.csv
  columns: {kode: KODE, nama: NAMA, jenis: JENIS, unit_kode: KUNKER}
pegawai:
  type: rest
  url: https://simpeg.bantenprov.go.id/api/pegawai
  api_key_env: SIMPEG_API_KEY
  page_size: 200
  extra_columns: {nomor_hp: hp}
ldap:
  url: ldaps://ldap.bantenprov.go.id
  bind_dn: cn=sync,dc=banten,dc=go,dc=id
  password_env: LDAP_BIND_PASSWORD
  base_dn: ou=people,dc=banten,dc=go,dc=id
status_values: {"Tugas Belajar Luar Negeri": aktif}
"""))
    assert isinstance(config.units, SqlSource) and config.units.query
    assert isinstance(config.jabatan, CsvSource)
    assert config.jabatan.path == tmp_path / "exports" / "jabatan.csv"   # relative to the file
    assert config.columns("jabatan")["unit_kode"] == "KUNKER"
    assert isinstance(config.pegawai, RestSource) and config.pegawai.page_size == 200
    assert config.columns("pegawai")["nip"] == "nip"                     # demo defaults
    assert config.ldap is not None and config.ldap.attributes == {"email": "mail"}


def test_every_problem_is_listed_at_once_naming_the_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, """
units: {type: sql, url: "mysql+pymysql://reader:rahasia@db/sij", table: unit}
jabatan: {type: sql, url: "sqlite:///x.sqlite"}
pegawai: {type: ftp, path: x}
ldap: {url: "ldap://x", base_dn: "dc=x", page_size: 0}
status_default: retired
colour: blue
"""))
    problems = caught.value.problems
    text = "\n".join(problems)
    assert "units: the URL must not contain a password" in text                # secret in the URL
    assert "jabatan: give exactly one of 'table' or 'query'" in text
    assert "pegawai" in text and "ftp" in text                         # unknown source type
    assert "ldap.page_size" in text
    assert "colour" in text                                            # extra="forbid"
    assert "status_default: 'retired' is not one of" in text
    assert len(problems) == 6
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith("konfigurasi tidak valid / invalid configuration")


def test_column_mapping_problems_are_listed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, """
units: {type: csv, path: u.csv, columns: {kode: K, name: N}}
jabatan: {type: csv, path: j.csv}
pegawai: {type: csv, path: p.csv, columns: {nip: NIP}}
status_values: {Purnabakti: retired}
"""))
    text = "\n".join(caught.value.problems)
    assert "units.columns: unknown field(s) name" in text
    assert "units.columns: missing required field(s) nama" in text
    assert "pegawai.columns: missing required field(s) nama, unit_kode, jabatan_kode" in text
    assert "status_values.Purnabakti" in text


def test_unreadable_or_broken_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="tidak bisa dibaca"):
        load_config(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="YAML"):
        load_config(write(tmp_path, "units: [unclosed"))
    with pytest.raises(ConfigError, match="mapping"):
        load_config(write(tmp_path, "- just a list"))


def test_default_config_points_at_the_demo_sqlite_in_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SATULOGIN_CACHE", str(tmp_path))
    config = default_config()
    assert isinstance(config.pegawai, SqlSource)
    assert config.pegawai.url == f"sqlite:///{tmp_path / 'demo' / 'simpeg.sqlite'}"
    assert (config.units.table, config.jabatan.table, config.pegawai.table) == (   # type: ignore[union-attr]
        "unit_kerja", "jabatan", "pegawai")


def test_the_shipped_example_config_is_valid() -> None:
    config = load_config(Path(__file__).resolve().parents[1] / "sync" / "config.example.yaml")
    assert isinstance(config.units, SqlSource) and config.units.password_env == "SIJ_DB_PASSWORD"
    assert isinstance(config.pegawai, RestSource) and config.pegawai.extra_columns == {"nomor_hp": "no_hp"}
    assert config.ldap is not None and config.ldap.prefer == "ldap"
