"""The sync configuration file: which source feeds units, jabatan and pegawai, and how their
columns map onto the model.

The types live here; :func:`load_config` validates a YAML file and reports *every* problem at
once through :class:`~satulogin.errors.ConfigError` (as oauth2-proxy does). Secrets are never
in the file: a source names the environment variable that holds them (``password_env``,
``api_key_env``) and :func:`satulogin.secrets.read_secret` reads ``NAME`` or ``NAME_FILE``.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from satulogin.errors import ConfigError
from satulogin.paths import cache_dir

from .model import StatusPegawai

# Model field -> whether a source must provide it. Keys of a ``columns`` mapping.
FIELDS: dict[str, dict[str, bool]] = {
    "units": {"kode": True, "nama": True, "parent_kode": False},
    "jabatan": {"kode": True, "nama": True, "jenis": True, "unit_kode": True, "eselon": False},
    "pegawai": {
        "nip": True,
        "nama": True,
        "unit_kode": True,
        "jabatan_kode": True,
        "status": False,
        "gelar_depan": False,
        "gelar_belakang": False,
        "email": False,
        "golongan": False,
        "eselon": False,
    },
}

# Column names of the demo SIMPEG stand-in (sync.demo_data writes these tables).
DEFAULT_COLUMNS: dict[str, dict[str, str]] = {
    "units": {"kode": "kunker", "nama": "nama_unit", "parent_kode": "kunker_induk"},
    "jabatan": {
        "kode": "kode_jabatan",
        "nama": "nama_jabatan",
        "jenis": "jenis_jabatan",
        "unit_kode": "kunker",
        "eselon": "eselon",
    },
    "pegawai": {
        "nip": "nip",
        "nama": "nama",
        "gelar_depan": "gelar_depan",
        "gelar_belakang": "gelar_belakang",
        "unit_kode": "kunker",
        "jabatan_kode": "kode_jabatan",
        "status": "status_pegawai",
        "email": "email",
        "golongan": "golongan",
        "eselon": "eselon",
    },
}
_STATUSES = tuple(s.value for s in StatusPegawai)
DEFAULT_TABLES = {"units": "unit_kerja", "jabatan": "jabatan", "pegawai": "pegawai"}

# The SQLAlchemy drivers the sync can open: the ones it ships (PyMySQL, psycopg 3), for which
# sync.sources.sql sets the read-only session options. "mysql://" means mysql+pymysql.
SQL_DRIVERS = frozenset(
    {
        "sqlite",
        "sqlite+pysqlite",
        "mysql",
        "mysql+pymysql",
        "mariadb",
        "mariadb+pymysql",
        "postgresql",
        "postgresql+psycopg",
    }
)
SQL_PREFIXES = "sqlite:///, mysql+pymysql://, mariadb+pymysql://, postgresql+psycopg://"
# An HTTP header name is an RFC 9110 token.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _SourceBase(_Strict):
    # model field -> source column; None means the defaults of the demo SIMPEG stand-in.
    columns: dict[str, str] | None = None
    # extra source columns kept on Pegawai.extra: name on our side -> source column.
    extra_columns: dict[str, str] = Field(default_factory=dict)


class SqlSource(_SourceBase):
    """A table or query in SQLite, MariaDB/MySQL (``mysql+pymysql://``) or PostgreSQL
    (``postgresql+psycopg://``). The URL carries no password: ``password_env`` names it."""

    type: Literal["sql"]
    url: str
    password_env: str | None = None
    table: str | None = None
    query: str | None = None

    @model_validator(mode="after")
    def _table_or_query(self) -> SqlSource:
        if (self.table is None) == (self.query is None):
            raise ValueError("give exactly one of 'table' or 'query' / isi salah satu: table atau query")
        try:
            url = make_url(self.url)
        except ArgumentError:
            raise ValueError(
                f"url {self.url!r} is not a SQLAlchemy URL (e.g. mysql+pymysql://user@host/db)"
                " / url tidak sah"
            ) from None
        if url.password is not None:
            raise ValueError(
                "the URL must not contain a password; use password_env / "
                "jangan tulis kata sandi di URL, gunakan password_env"
            )
        if url.get_backend_name() not in ("sqlite", "mysql", "mariadb", "postgresql"):
            raise ValueError(
                f"database {url.get_backend_name()!r} is not supported: sqlite, mysql, mariadb, "
                "postgresql / jenis basis data tidak didukung"
            )
        if url.drivername not in SQL_DRIVERS:
            raise ValueError(
                f".url: driver {url.get_driver_name()!r} ({url.drivername}://) is not supported / "
                f"driver tidak didukung; use one of / gunakan: {SQL_PREFIXES}"
            )
        return self


class CsvSource(_SourceBase):
    """A CSV export (UTF-8 with or without BOM; ``;`` or ``,`` sniffed unless given)."""

    type: Literal["csv"]
    path: Path
    delimiter: Literal[";", ",", "\t", "|"] | None = None
    encoding: str = "utf-8-sig"

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            # CodecInfo marks bytes-to-bytes codecs (base64, zlib) as not text encodings.
            is_text = getattr(codecs.lookup(value), "_is_text_encoding", True)
        except LookupError:
            raise ValueError(
                f"{value!r} is not a known text encoding / pengodean tidak dikenal "
                "(e.g. utf-8-sig, utf-8, cp1252, latin-1)"
            ) from None
        if not is_text:
            raise ValueError(f"{value!r} is not a text encoding / bukan pengodean teks (e.g. utf-8-sig)")
        return value


class XlsxSource(_SourceBase):
    type: Literal["xlsx"]
    path: Path
    sheet: str | None = None  # the first sheet when not given
    header_row: int = Field(default=1, ge=1)


class RestSource(_SourceBase):
    """A JSON HTTP API with an API-key header and page-number paging (SIMPEG style)."""

    type: Literal["rest"]
    url: str
    api_key_env: str | None = None
    api_key_header: str = "X-API-Key"
    items_key: str = "data"  # where the list is in each page; "" = the body is the list
    page_param: str = "page"
    page_size_param: str = "per_page"
    page_size: int = Field(default=500, ge=1, le=10000)
    first_page: int = 1
    last_page_key: str | None = "meta.last_page"  # dotted path; paging also stops on a short page
    timeout_s: float = Field(default=30.0, gt=0)
    retries: int = Field(default=4, ge=0, le=10)
    backoff_s: float = Field(default=0.5, ge=0)

    @field_validator("api_key_header")
    @classmethod
    def _header_name(cls, value: str) -> str:
        if not _HEADER_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid HTTP header name / nama header HTTP tidak sah")
        return value


SourceConfig = Annotated[SqlSource | CsvSource | XlsxSource | RestSource, Field(discriminator="type")]


class LdapEnrichment(_Strict):
    """A directory that adds attributes (e-mail, ...) to pegawai, matched by NIP."""

    url: str  # ldap://host:389 or ldaps://host:636
    bind_dn: str | None = None  # anonymous bind when not given
    password_env: str | None = None
    start_tls: bool = False
    base_dn: str
    filter: str = "(objectClass=inetOrgPerson)"
    nip_attribute: str = "employeeNumber"
    # pegawai field (email, ...) or an extra name -> LDAP attribute
    attributes: dict[str, str] = Field(default_factory=lambda: {"email": "mail"})
    prefer: Literal["ldap", "source"] = "ldap"  # which wins when both have a value
    page_size: int = Field(default=500, ge=1, le=5000)
    timeout_s: int = Field(default=30, gt=0)  # ldap3 packs it into a socket option: whole seconds

    @field_validator("url")
    @classmethod
    def _ldap_url(cls, value: str) -> str:
        example = "e.g. / contoh: ldaps://ldap.bantenprov.go.id:636"
        parts = urlsplit(value.strip())
        if parts.scheme.lower() not in ("ldap", "ldaps"):
            raise ValueError(
                f"{value!r} must start with ldap:// or ldaps:// / harus diawali ldap:// atau ldaps:// "
                f"({example})"
            )
        try:
            port = parts.port
        except ValueError:
            port_text = parts.netloc.rpartition(":")[2]
            raise ValueError(
                f"{value!r}: port {port_text!r} is not a number from 1 to 65535 / port tidak sah ({example})"
            ) from None
        if port == 0:
            raise ValueError(f"{value!r}: port must be from 1 to 65535 / port tidak sah ({example})")
        if not parts.hostname:
            raise ValueError(f"{value!r} names no host / tidak menyebut host ({example})")
        return value


class SyncConfig(_Strict):
    units: SourceConfig
    jabatan: SourceConfig
    pegawai: SourceConfig
    ldap: LdapEnrichment | None = None
    # Extra source status values -> StatusPegawai value (added to the built-in Indonesian ones).
    status_values: dict[str, str] = Field(default_factory=dict)
    # Used when the pegawai source has no status column, or the cell is empty.
    status_default: str | None = None

    def columns(self, kind: str) -> dict[str, str]:
        return _columns(getattr(self, kind), kind)

    # Field validators (not a model validator) so these problems are listed together with
    # every other one: pydantic skips "after" model validators when a field already failed.
    @field_validator("units", "jabatan", "pegawai")
    @classmethod
    def _check_columns(cls, source: _SourceBase, info: ValidationInfo) -> _SourceBase:
        kind = str(info.field_name)
        fields = FIELDS[kind]
        columns = _columns(source, kind)
        problems: list[str] = []
        unknown = sorted(set(columns) - set(fields))
        if unknown:
            problems.append(
                f".columns: unknown field(s) {', '.join(unknown)} / tidak dikenal "
                f"(known: {', '.join(fields)})"
            )
        missing = [f for f, required in fields.items() if required and f not in columns]
        if missing:
            problems.append(
                f".columns: missing required field(s) {', '.join(missing)} / field wajib belum dipetakan"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return source

    @field_validator("status_values")
    @classmethod
    def _check_status_values(cls, values: dict[str, str]) -> dict[str, str]:
        bad = [
            f".{raw}: {target!r} is not one of {', '.join(_STATUSES)}"
            for raw, target in values.items()
            if target not in _STATUSES
        ]
        if bad:
            raise ValueError("\n".join(bad))
        return values

    @field_validator("status_default")
    @classmethod
    def _check_status_default(cls, value: str | None) -> str | None:
        if value is not None and value not in _STATUSES:
            raise ValueError(f"{value!r} is not one of {', '.join(_STATUSES)}")
        return value


def _columns(source: _SourceBase, kind: str) -> dict[str, str]:
    return dict(source.columns) if source.columns is not None else dict(DEFAULT_COLUMNS[kind])


def _describe(error: Any) -> tuple[str, str]:
    loc = list(error["loc"])
    # pydantic puts the union's tag in the path ("units.sql.url"); a person wrote "units.url".
    if len(loc) > 1 and loc[0] in FIELDS and loc[1] in ("sql", "csv", "xlsx", "rest"):
        del loc[1]
    where = ".".join(str(p) for p in loc) or "(file)"
    return where, str(error["msg"]).removeprefix("Value error, ")


def parse_config(data: object, source: str) -> SyncConfig:
    if not isinstance(data, dict):
        raise ConfigError(source, ["the file must hold a mapping (key: value) / berkas harus berisi mapping"])
    try:
        return SyncConfig.model_validate(data)
    except ValidationError as exc:
        problems: list[str] = []
        for error in exc.errors():
            where, message = _describe(error)
            # One validator may find several problems: one line each, each naming the field.
            # A line starting with "." names a sub-field: "units" + ".columns: ..." .
            problems.extend(
                f"{where}{line}" if line.startswith(".") else f"{where}: {line}"
                for line in message.split("\n")
            )
        raise ConfigError(source, problems) from None


def load_config(path: str | Path) -> SyncConfig:
    """Read and validate a sync config file. Relative paths of file sources are taken from
    the file's folder, so a config and its exports can travel together."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problem = f"cannot read the file / berkas tidak bisa dibaca: {exc.strerror}"
        raise ConfigError(str(path), [problem]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problem = (
            f"the file must be UTF-8 / berkas harus UTF-8: byte 0x{raw[exc.start]:02x} at position "
            f"{exc.start} (line {line}) is not UTF-8; save the file as UTF-8 / simpan sebagai UTF-8"
        )
        raise ConfigError(str(path), [problem]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), [f"not valid YAML / bukan YAML yang sah: {exc}"]) from None
    if isinstance(data, dict):
        for kind in ("units", "jabatan", "pegawai"):
            section = data.get(kind)
            if isinstance(section, dict) and isinstance(section.get("path"), str):
                file_path = Path(section["path"]).expanduser()
                if not file_path.is_absolute():
                    section["path"] = str(path.parent / file_path)
    return parse_config(data, str(path))


def demo_database_path() -> Path:
    return cache_dir() / "demo" / "simpeg.sqlite"


def default_config(database: Path | None = None) -> SyncConfig:
    """The embedded demo: the SQLite SIMPEG stand-in that ``sync.demo_data`` fills."""
    url = f"sqlite:///{database or demo_database_path()}"
    return SyncConfig(
        units=SqlSource(type="sql", url=url, table=DEFAULT_TABLES["units"]),
        jabatan=SqlSource(type="sql", url=url, table=DEFAULT_TABLES["jabatan"]),
        pegawai=SqlSource(type="sql", url=url, table=DEFAULT_TABLES["pegawai"]),
    )
