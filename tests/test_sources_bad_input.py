"""Bad input to the HR sources ends in a message naming the file, field or row, never a traceback.

Each test here was a Python traceback before (LookupError, UnicodeDecodeError, ldap3 errors,
ModuleNotFoundError, BadZipFile, KeyError, UnicodeEncodeError, or paging "forever").
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

import sync.sources.rest as rest_module
from satulogin.errors import ConfigError
from sync.config import LdapEnrichment, RestSource, SyncConfig, load_config
from sync.loader import load_snapshot
from sync.sources import SourceError
from sync.sources.ldap import LdapSource
from sync.sources.sql import SqlSource
from tests.fixtures.hr_sources_rest import SMALL_JABATAN, SMALL_PEGAWAI, SMALL_UNITS, SimpegApiStub

FILES = (("unit_kerja", SMALL_UNITS), ("jabatan", SMALL_JABATAN), ("pegawai", SMALL_PEGAWAI))


def write_config(folder: Path, text: str) -> Path:
    path = folder / "sync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[dict[str, Any]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    workbook.save(path)


def xlsx_config(folder: Path) -> Path:
    return write_config(
        folder,
        "units: {type: xlsx, path: unit_kerja.xlsx}\n"
        "jabatan: {type: xlsx, path: jabatan.xlsx}\n"
        "pegawai: {type: xlsx, path: pegawai.xlsx}\n",
    )


def problems_of(error: pytest.ExceptionInfo[ConfigError]) -> str:
    return "\n".join(error.value.problems)


# --- 1. CSV encoding ------------------------------------------------------------------------------


def test_csv_unknown_encoding_is_a_config_error_naming_the_field(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        "units: {type: csv, path: unit_kerja.csv}\n"
        "jabatan: {type: csv, path: jabatan.csv, encoding: base64}\n"
        "pegawai: {type: csv, path: pegawai.csv, encoding: utf-9}\n",
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    text = problems_of(error)
    assert "pegawai.encoding: 'utf-9' is not a known text encoding" in text
    assert "jabatan.encoding: 'base64' is not a text encoding" in text   # a codec, but not for text
    assert error.value.source == str(path)


def test_csv_unknown_encoding_that_slipped_past_the_config_is_a_source_error(tmp_path: Path) -> None:
    (tmp_path / "pegawai.csv").write_text("nip;nama\n", encoding="utf-8")
    config = load_config(write_config(
        tmp_path,
        "units: {type: csv, path: pegawai.csv}\njabatan: {type: csv, path: pegawai.csv}\n"
        "pegawai: {type: csv, path: pegawai.csv}\n"))
    broken = config.model_copy(update={"units": config.units.model_copy(update={"encoding": "utf-9"})})
    with pytest.raises(SourceError, match=r"pegawai\.csv: encoding 'utf-9' .*not a known text encoding"):
        load_snapshot(broken)


# --- 2. The config file in Windows-1252 -----------------------------------------------------------


def test_config_file_not_in_utf8_names_the_file_and_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "sync.yaml"
    text = (
        "# Sumber data pegawai — dibuat oleh Bagian Kepegawaian\n"
        "# Catatan: café\n"
        "units: {type: sql, url: 'sqlite:///simpeg.sqlite', table: unit_kerja}\n"
    )
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    position = text.encode("cp1252").index(b"\x97")   # the em dash in Windows-1252
    assert error.value.source == str(path)
    assert error.value.problems == [
        f"the file must be UTF-8 / berkas harus UTF-8: byte 0x97 at position {position} (line 1) "
        "is not UTF-8; save the file as UTF-8 / simpan sebagai UTF-8"
    ]
    assert str(path) in str(error.value)


# --- 3. LDAP URL ----------------------------------------------------------------------------------

SOURCES_YAML = (
    "units: {type: sql, url: 'sqlite:///simpeg.sqlite', table: unit_kerja}\n"
    "jabatan: {type: sql, url: 'sqlite:///simpeg.sqlite', table: jabatan}\n"
    "pegawai: {type: sql, url: 'sqlite:///simpeg.sqlite', table: pegawai}\n"
)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("ldap://127.0.0.1:abc", "port 'abc' is not a number from 1 to 65535"),
        ("ldap://127.0.0.1:99999", "port '99999' is not a number from 1 to 65535"),
        ("http://127.0.0.1:389", "must start with ldap:// or ldaps://"),
        ("ldap:///", "names no host"),
    ],
)
def test_bad_ldap_url_is_a_config_error_naming_ldap_url(tmp_path: Path, url: str, said: str) -> None:
    path = write_config(tmp_path, SOURCES_YAML + f"ldap: {{url: '{url}', base_dn: 'dc=banten'}}\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    (problem,) = error.value.problems
    assert problem.startswith(f"ldap.url: {url!r}") and said in problem


@pytest.mark.parametrize("url", ["ldap://127.0.0.1:abc", "http://127.0.0.1:389"])
def test_bad_ldap_url_that_slipped_past_the_config_is_a_source_error(url: str) -> None:
    good = LdapEnrichment(url="ldap://127.0.0.1:389", base_dn="dc=banten")
    source = LdapSource(good.model_copy(update={"url": url}))
    with pytest.raises(SourceError, match=rf"ldap\.url '{url}' tidak sah / is not a valid directory URL"):
        source.connect()


# --- 4. SQL driver --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["mysql+mysqldb://reader@db/sij", "postgresql+psycopg2://reader@db/simpeg"])
def test_sql_driver_the_sync_does_not_ship_is_a_config_error(tmp_path: Path, url: str) -> None:
    yaml = SOURCES_YAML.replace("'sqlite:///simpeg.sqlite', table: jabatan", f"'{url}', table: jabatan")
    path = write_config(tmp_path, yaml)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    (problem,) = error.value.problems
    driver = url.split("://")[0]
    assert problem.startswith(f"jabatan.url: driver {driver.split('+')[1]!r} ({driver}://) is not supported")
    assert "mysql+pymysql://" in problem and "postgresql+psycopg://" in problem


def test_sql_driver_not_installed_is_a_source_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mysql = "'mysql+pymysql://reader@127.0.0.1:1/sij', table: unit"
    yaml = SOURCES_YAML.replace("'sqlite:///simpeg.sqlite', table: unit_kerja", mysql)
    config = load_config(write_config(tmp_path, yaml))
    monkeypatch.setitem(sys.modules, "pymysql", None)   # as if PyMySQL were not installed
    with pytest.raises(SourceError, match=r"database driver 'pymysql' is not installed .*mysql\+pymysql://"):
        SqlSource(config.units, "units")  # type: ignore[arg-type]
    # A driver outside the supported list that slipped past the config (model_copy) is refused too.
    odd = config.units.model_copy(update={"url": "postgresql+psycopg2://reader@127.0.0.1:1/simpeg"})
    with pytest.raises(SourceError, match=r"postgresql\+psycopg2:// tidak didukung / is not supported"):
        SqlSource(odd, "units")  # type: ignore[arg-type]


# --- 5. A file that is not really XLSX ------------------------------------------------------------


def _real_xlsx_bytes(tmp_path: Path) -> bytes:
    write_xlsx(tmp_path / "real.xlsx", SMALL_PEGAWAI)
    return (tmp_path / "real.xlsx").read_bytes()


@pytest.mark.parametrize("kind", ["renamed csv", "text file", "cut-off download", "empty file"])
def test_file_that_is_not_xlsx_cannot_be_opened(tmp_path: Path, kind: str) -> None:
    for name, rows in FILES[:2]:
        write_xlsx(tmp_path / f"{name}.xlsx", rows)
    content = {
        "renamed csv": b"nip;nama\n197203201998032001;Siti\n",
        "text file": b"catatan: kirim ulang berkas pegawai\n",
        "cut-off download": _real_xlsx_bytes(tmp_path)[:1500],
        "empty file": b"",
    }[kind]
    (tmp_path / "pegawai.xlsx").write_bytes(content)
    with pytest.raises(SourceError) as error:
        load_snapshot(load_config(xlsx_config(tmp_path)))
    assert str(error.value).startswith(
        f"berkas XLSX tidak bisa dibuka / cannot open {tmp_path / 'pegawai.xlsx'}: bukan berkas XLSX")


def test_xlsx_damaged_inside_the_sheet_is_a_source_error(tmp_path: Path) -> None:
    for name, rows in FILES[:2]:
        write_xlsx(tmp_path / f"{name}.xlsx", rows)
    big = [dict(SMALL_PEGAWAI[0], nip=f"19720320199803{i:04d}") for i in range(2000)]
    write_xlsx(tmp_path / "pegawai.xlsx", big)
    data = bytearray((tmp_path / "pegawai.xlsx").read_bytes())
    with zipfile.ZipFile(tmp_path / "pegawai.xlsx") as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    # Overwrite a stretch of the compressed sheet: the archive still opens, the rows do not.
    start = sheet.header_offset + 100 + sheet.compress_size // 2
    data[start : start + 64] = bytes(64)
    (tmp_path / "pegawai.xlsx").write_bytes(bytes(data))
    with pytest.raises(SourceError, match=r"berkas XLSX rusak / damaged XLSX file .*pegawai\.xlsx"):
        load_snapshot(load_config(xlsx_config(tmp_path)))


# --- REST ------------------------------------------------------------------------------------------


def rest_config(stub: SimpegApiStub, page_size: int, **pegawai: Any) -> SyncConfig:
    def source(collection: str, **over: Any) -> RestSource:
        return RestSource(type="rest", url=stub.url(collection), api_key_env="T_BAD_SIMPEG_KEY",
                          page_size=page_size, backoff_s=0.0, **over)

    return SyncConfig(units=source("unit-kerja"), jabatan=source("jabatan"),
                      pegawai=source("pegawai", **pegawai))


@pytest.fixture
def stub(simpeg_api: SimpegApiStub, monkeypatch: pytest.MonkeyPatch) -> SimpegApiStub:
    simpeg_api.collections = {"unit-kerja": SMALL_UNITS, "jabatan": SMALL_JABATAN, "pegawai": SMALL_PEGAWAI}
    monkeypatch.setenv("T_BAD_SIMPEG_KEY", simpeg_api.api_key)
    return simpeg_api


# --- 6. JSON items that leave keys out --------------------------------------------------------------


def test_rest_items_that_leave_out_keys_read_them_as_empty(stub: SimpegApiStub) -> None:
    def without(item: dict[str, Any], *keys: str) -> dict[str, Any]:
        return {k: v for k, v in item.items() if k not in keys}

    siti, dedi, rina, ujang = SMALL_PEGAWAI
    no_nip = dict(rina, nama="Tanpa NIP")
    stub.collections["pegawai"] = [
        siti,                                            # the first item has every key
        without(dedi, "email", "gelar_depan"),
        without(rina, "email", "eselon", "golongan"),
        without(no_nip, "nip"),                          # a required value left out
        without(ujang, "email"),
    ]
    snap = load_snapshot(rest_config(stub, page_size=2))
    assert set(snap.pegawai) == {siti["nip"], dedi["nip"], rina["nip"], ujang["nip"]}
    assert snap.pegawai[siti["nip"]].email == siti["email"]
    assert snap.pegawai[dedi["nip"]].email is None and snap.pegawai[dedi["nip"]].gelar_depan in (None, "")
    assert snap.pegawai[rina["nip"]].golongan is None
    # The item without a NIP is quarantined by validation like any other bad row.
    (quarantined,) = snap.quarantine
    assert quarantined.kind == "pegawai" and quarantined.key == ""
    assert quarantined.origin.row == "2:4" and quarantined.origin.raw["nama"] == "Tanpa NIP"
    assert any("NIP" in reason for reason in quarantined.reasons)


def test_rest_column_that_no_item_has_is_a_source_error(stub: SimpegApiStub) -> None:
    stub.collections["pegawai"] = [{k: v for k, v in p.items() if k != "email"} for p in SMALL_PEGAWAI]
    config = rest_config(stub, page_size=2)
    columns = {**config.columns("pegawai"), "email": "surel"}
    config = config.model_copy(update={"pegawai": config.pegawai.model_copy(update={"columns": columns})})
    with pytest.raises(SourceError, match=r"rest:pegawai \(pegawai\) tidak ada item dengan kolom / "
                                          r"no item has column surel; .*check pegawai\.columns"):
        load_snapshot(config)


# --- 7. An API key that cannot go in a header ---------------------------------------------------------


def test_rest_api_key_with_non_latin1_character_names_the_variable(
        stub: SimpegApiStub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_BAD_SIMPEG_KEY", "rahasia–x")   # an en-dash pasted from a document
    with pytest.raises(SourceError) as error:
        load_snapshot(rest_config(stub, page_size=100))
    message = str(error.value)
    assert ("the API key in $T_BAD_SIMPEG_KEY contains characters that cannot be sent "
            "in an HTTP header") in message
    assert "rahasia" not in message                     # the secret itself is never shown
    assert stub.requests == []


def test_rest_api_key_header_name_is_checked_in_the_config(tmp_path: Path) -> None:
    path = write_config(tmp_path, SOURCES_YAML.replace(
        "pegawai: {type: sql, url: 'sqlite:///simpeg.sqlite', table: pegawai}",
        "pegawai: {type: rest, url: 'https://simpeg/api', api_key_env: K, api_key_header: 'X API Key'}"))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.problems == [
        "pegawai.api_key_header: 'X API Key' is not a valid HTTP header name / nama header HTTP tidak sah"]


# --- 8. A server that ignores the page parameter -------------------------------------------------------


def test_rest_server_that_repeats_the_same_page_stops_with_a_hint(
        stub: SimpegApiStub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rest_module, "MAX_PAGES", 50)   # the old code would page 100,000 times
    # The stub reads "page"; asked for "halaman" it answers page 1 every time, and without
    # last_page_key a full page means "there may be more".
    config = rest_config(stub, page_size=2, page_param="halaman", last_page_key=None)
    with pytest.raises(SourceError) as error:
        load_snapshot(config)
    message = str(error.value)
    assert message.startswith(f"API {stub.url('pegawai')} halaman/page 2 sama dengan halaman sebelumnya")
    assert "ignore the page parameter 'halaman'; check page_param" in message
    assert [r for r in stub.requests if r.startswith("/api/pegawai")] == [
        "/api/pegawai?halaman=1&per_page=2", "/api/pegawai?halaman=2&per_page=2"]
