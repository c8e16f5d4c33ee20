"""Configuration, claims mapping and the session stores of the Flask adapter."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from flask import Flask
from flask_satulogin import SatuLogin
from flask_satulogin.config import load_settings, make_store
from satulogin_oidc import (
    ConfigurationError,
    LoginTransaction,
    MemorySessionStore,
    RoleRef,
    SatuLoginUser,
    SessionRecord,
    SessionStore,
    SqliteSessionStore,
)

from tests.fixtures.oidc import load_example_module


def test_bad_configuration_lists_every_problem_at_once() -> None:
    with pytest.raises(ConfigurationError) as err:
        load_settings({"SATULOGIN_ISSUER": "http://sso.bantenprov.go.id/realms/banten",
                       "SATULOGIN_SCOPES": "profile", "SATULOGIN_LEEWAY": "lama"})
    text = str(err.value)
    assert "harus https" in text and "SATULOGIN_CLIENT_ID wajib" in text
    assert "SATULOGIN_CLIENT_SECRET" in text and "'openid'" in text and "SATULOGIN_LEEWAY" in text
    assert len(err.value.problems) == 5


def test_client_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-dari-file\n", encoding="utf-8")
    settings = load_settings({"SATULOGIN_ISSUER": "http://127.0.0.1:18080/realms/t-flask-x",
                              "SATULOGIN_CLIENT_ID": "app", "SATULOGIN_CLIENT_SECRET_FILE": str(secret)})
    assert settings.client_secret == "s3cr3t-dari-file"
    assert settings.scopes == ("openid", "profile", "email")


def test_extension_follows_flask_conventions(tmp_path: Path) -> None:
    app = Flask("t")
    app.config.update(SECRET_KEY="x" * 32, SATULOGIN_ISSUER="http://127.0.0.1:18080/realms/t-flask-x",
                      SATULOGIN_CLIENT_ID="app", SATULOGIN_CLIENT_SECRET="s",
                      SATULOGIN_SESSION_STORE=f"sqlite:///{tmp_path / 's.db'}")
    ext = SatuLogin()
    ext.init_app(app)
    assert isinstance(app.extensions["satulogin"].store, SqliteSessionStore)
    rules = {r.rule for r in app.url_map.iter_rules()}
    assert {"/auth/login", "/auth/callback", "/auth/logout", "/auth/backchannel-logout"} <= rules
    with pytest.raises(ConfigurationError):
        SatuLogin(Flask("no-secret-key"))


def test_sample_app_reads_the_onboarding_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "contoh.env"
    env_file.write_text("# written by satulogin app register\nSATULOGIN_ISSUER=http://127.0.0.1:18080/realms/b\n"
                        "SATULOGIN_CLIENT_ID=contoh\nSATULOGIN_CLIENT_SECRET='rahasia'\n", encoding="utf-8")
    monkeypatch.setenv("SATULOGIN_CONFIG_FILE", str(env_file))
    monkeypatch.setenv("SATULOGIN_CLIENT_ID", "dari-env")
    config = load_example_module().load_config({"SECRET_KEY": "k"})
    assert config["SATULOGIN_CLIENT_SECRET"] == "rahasia"
    assert config["SATULOGIN_CLIENT_ID"] == "dari-env"  # env beats the file


def test_claims_become_a_user_with_roles() -> None:
    user = SatuLoginUser.from_claims({
        "sub": "u1", "preferred_username": "199203152019022003", "name": "Siti Rahmawati, S.Kom.",
        "unit_kode": "000101010000000", "unit_nama": "Biro Pemerintahan", "eselon": "IV.a",
        "lingkup_unit": ["0001010100"], "realm_access": {"roles": ["pegawai"]},
        "resource_access": {"dashboard-pimpinan": {"roles": ["pimpinan"]}}})
    assert user.nip == "199203152019022003" and user.unit == "Biro Pemerintahan"
    assert user.has_role("pegawai") and not user.has_role("pimpinan")
    assert user.has_role("dashboard-pimpinan:pimpinan")
    assert user.has_role("pimpinan", client="dashboard-pimpinan")
    assert user.has_all_roles(["pegawai", "dashboard-pimpinan:pimpinan"])
    assert not user.has_all_roles(["pegawai", "sso-admin"]) and user.has_any_role(["pegawai", "sso-admin"])
    assert user.in_unit_scope("000101010000000") and not user.in_unit_scope("000200000000000")
    assert str(RoleRef.parse("a:b")) == "a:b"


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_store_indexes_sessions_by_sid_and_sub_and_takes_state_once(kind: str, tmp_path: Path) -> None:
    store: SessionStore = make_store("memory" if kind == "memory" else f"sqlite:///{tmp_path / 's.db'}")
    assert isinstance(store, MemorySessionStore if kind == "memory" else SqliteSessionStore)

    def record(sid: str, sub: str, sid_kc: str, expires: float = 600) -> SessionRecord:
        return SessionRecord(session_id=sid, sub=sub, sid=sid_kc, id_token="i", access_token="a",
                             refresh_token="r", access_expires_at=time.time() + 60,
                             refresh_expires_at=time.time() + expires, claims={})

    store.save(record("a", "u1", "k1"))
    store.save(record("b", "u1", "k2"))
    store.save(record("c", "u2", "k3"))
    store.save(record("old", "u3", "k4", expires=-1))
    assert store.get("old") is None
    assert store.delete_by_sid("k1") == 1 and store.get("a") is None and store.get("b") is not None
    assert store.delete_by_sub("u1") == 1 and store.get("b") is None and store.get("c") is not None
    store.put_transaction(LoginTransaction("st", "n", "v", "http://x/cb", "/"))
    assert store.take_transaction("st", 600) is not None
    assert store.take_transaction("st", 600) is None


def test_sqlite_store_is_shared_between_workers(tmp_path: Path) -> None:
    one, two = SqliteSessionStore(tmp_path / "s.db"), SqliteSessionStore(tmp_path / "s.db")
    one.put_transaction(LoginTransaction("st", "n", "v", "http://x/cb", "/"))
    assert two.take_transaction("st", 600) is not None
    assert one.take_transaction("st", 600) is None


def test_the_file_satulogin_app_register_writes_configures_the_extension(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from satulogin.onboarding.request import AppRequest
    from satulogin.onboarding.writers import AdapterSettings, render_flask

    req = AppRequest(client_id="contoh-flask", name="Contoh", adapter="flask",
                     redirect_uris=("https://contoh.bantenprov.go.id/auth/callback",),
                     post_logout_uris=("https://contoh.bantenprov.go.id/",))
    issuer = "https://sso.bantenprov.go.id/realms/banten"
    for name, settings in {
        "inline.cfg": AdapterSettings(issuer=issuer, client_secret="r4h4sia"),
        "by-file.cfg": AdapterSettings(issuer=issuer, client_secret="r4h4sia",
                                       secret_file=tmp_path / "secret"),
    }.items():
        (tmp_path / "secret").write_text("r4h4sia\n", encoding="utf-8")
        path = tmp_path / name
        path.write_text(render_flask(req, settings), encoding="utf-8")
        for key in [k for k in os.environ if k.startswith("SATULOGIN_")]:
            monkeypatch.delenv(key)
        monkeypatch.setenv("SATULOGIN_CONFIG_FILE", str(path))
        app = load_example_module().create_app({"SECRET_KEY": "k" * 32})
        state = app.extensions["satulogin"]
        assert state.client.settings.client_id == "contoh-flask"
        assert state.client.settings.client_secret == "r4h4sia"
        assert app.config["SATULOGIN_POST_LOGOUT_REDIRECT_URI"] == "https://contoh.bantenprov.go.id/"
