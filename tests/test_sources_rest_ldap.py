"""The REST source against a local SIMPEG API stub, and LDAP enrichment against a real slapd."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.config import LdapEnrichment, RestSource, SyncConfig, default_config
from sync.demo_data import DEMO_PEOPLE, generate
from sync.loader import load_snapshot
from sync.sources import SourceError
from tests.fixtures.hr_sources_ldap import SlapdServer, person_ldif
from tests.fixtures.hr_sources_rest import SMALL_JABATAN, SMALL_PEGAWAI, SMALL_UNITS, SimpegApiStub


def rest_config(stub: SimpegApiStub, page_size: int) -> SyncConfig:
    def source(collection: str) -> RestSource:
        return RestSource(type="rest", url=stub.url(collection), api_key_env="T_SRC_SIMPEG_KEY",
                          page_size=page_size, backoff_s=0.0)

    return SyncConfig(units=source("unit-kerja"), jabatan=source("jabatan"), pegawai=source("pegawai"))


@pytest.fixture
def filled_stub(simpeg_api: SimpegApiStub, monkeypatch: pytest.MonkeyPatch) -> SimpegApiStub:
    simpeg_api.collections = {"unit-kerja": SMALL_UNITS, "jabatan": SMALL_JABATAN, "pegawai": SMALL_PEGAWAI}
    monkeypatch.setenv("T_SRC_SIMPEG_KEY", simpeg_api.api_key)
    return simpeg_api


def test_rest_source_pages_with_the_api_key(filled_stub: SimpegApiStub) -> None:
    snap = load_snapshot(rest_config(filled_stub, page_size=3))
    assert snap.quarantine == []
    assert set(snap.pegawai) == {p["nip"] for p in SMALL_PEGAWAI}
    assert len(snap.units) == 4 and len(snap.jabatan) == 3
    pegawai_pages = [r for r in filled_stub.requests if r.startswith("/api/pegawai")]
    # 4 pegawai by 3: two pages, and the short second page ends the paging.
    assert pegawai_pages == ["/api/pegawai?page=1&per_page=3", "/api/pegawai?page=2&per_page=3"]


def test_rest_source_stops_at_last_page_without_an_empty_extra_request(filled_stub: SimpegApiStub) -> None:
    load_snapshot(rest_config(filled_stub, page_size=2))
    assert [r for r in filled_stub.requests if r.startswith("/api/pegawai")] == [
        "/api/pegawai?page=1&per_page=2", "/api/pegawai?page=2&per_page=2"]


def test_rest_source_retries_a_busy_server(filled_stub: SimpegApiStub) -> None:
    filled_stub.fail_next = 2
    snap = load_snapshot(rest_config(filled_stub, page_size=100))
    assert len(snap.pegawai) == 4
    assert len(filled_stub.requests) == 3 + 2   # three collections, two 503s retried


def test_rest_source_refuses_a_wrong_api_key(
        filled_stub: SimpegApiStub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_SRC_SIMPEG_KEY", "bukan-kunci")
    with pytest.raises(SourceError, match="kunci API.*HTTP 401.*T_SRC_SIMPEG_KEY"):
        load_snapshot(rest_config(filled_stub, page_size=100))


def test_rest_source_gives_up_after_retries(filled_stub: SimpegApiStub) -> None:
    filled_stub.fail_next = 100
    config = rest_config(filled_stub, page_size=100)
    with pytest.raises(SourceError, match="503"):
        load_snapshot(config.model_copy(update={"units": config.units.model_copy(update={"retries": 1})}))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("simpeg-ldap") / "simpeg.sqlite"
    generate(path, n_pegawai=30, seed=11)
    return path


@pytest.fixture(scope="module")
def directory(slapd_server: SlapdServer) -> SlapdServer:
    sekda, kepala_biro, staf, admin = DEMO_PEOPLE
    slapd_server.add(
        person_ldif(slapd_server.base_dn, "sekda", sekda.nip, "sekda@bantenprov.go.id")
        + person_ldif(slapd_server.base_dn, "kabiro", kepala_biro.nip, "biro.pemerintahan@bantenprov.go.id")
        + person_ldif(slapd_server.base_dn, "staf", staf.nip, "bukan email")
        + person_ldif(slapd_server.base_dn, "admin", admin.nip, None)
        + person_ldif(slapd_server.base_dn, "tamu", "199901012020011001", "tamu@example.org"))
    return slapd_server


def ldap_config(demo_db: Path, server: SlapdServer, **over: object) -> SyncConfig:
    ldap = LdapEnrichment(url=server.url, bind_dn=server.admin_dn, password_env="T_SRC_LDAP_PASSWORD",
                          base_dn=f"ou=people,{server.base_dn}", page_size=2, **over)  # type: ignore[arg-type]
    return default_config(demo_db).model_copy(update={"ldap": ldap})


def test_ldap_fills_email_by_nip_with_paged_search(
        demo_db: Path, directory: SlapdServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_SRC_LDAP_PASSWORD", directory.admin_password)
    before = load_snapshot(default_config(demo_db))
    snap = load_snapshot(ldap_config(demo_db, directory))
    sekda, kepala_biro, staf, admin = DEMO_PEOPLE
    assert snap.pegawai[sekda.nip].email == "sekda@bantenprov.go.id"
    assert snap.pegawai[kepala_biro.nip].email == "biro.pemerintahan@bantenprov.go.id"
    # No mail in the directory: the SIMPEG value stays.
    assert snap.pegawai[admin.nip].email == before.pegawai[admin.nip].email
    # A bad address from the directory is validated like any other and quarantined.
    (q,) = snap.quarantine
    assert q.key == staf.nip and "tidak sah" in q.reasons[0]
    assert snap.source_counts["ldap"] == 5    # 5 entries over 3 pages of 2


def test_ldap_prefer_source_keeps_simpeg_email(
        demo_db: Path, directory: SlapdServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_SRC_LDAP_PASSWORD", directory.admin_password)
    before = load_snapshot(default_config(demo_db))
    snap = load_snapshot(ldap_config(demo_db, directory, prefer="source"))
    sekda = DEMO_PEOPLE[0]
    assert snap.pegawai[sekda.nip].email == before.pegawai[sekda.nip].email


def test_ldap_wrong_password_is_a_source_error(
        demo_db: Path, directory: SlapdServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_SRC_LDAP_PASSWORD", "salah")
    with pytest.raises(SourceError, match="invalidCredentials"):
        load_snapshot(ldap_config(demo_db, directory))


def test_rest_source_follows_last_page_when_the_server_caps_page_size(filled_stub: SimpegApiStub) -> None:
    filled_stub.max_per_page = 1      # we ask for 3 a page, the server gives 1: short pages, not the end
    snap = load_snapshot(rest_config(filled_stub, page_size=3))
    assert len(snap.pegawai) == 4
    assert len([r for r in filled_stub.requests if r.startswith("/api/pegawai")]) == 4
