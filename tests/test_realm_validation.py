"""Bad declaration files are refused before anything is sent, with every problem listed."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from realm import DEFAULT_DIR, load_declarations, plan_realm
from realm.errors import DeclarationError
from satulogin.errors import ConfigError
from satulogin.kc_admin import KeycloakAdmin
from tests.fixtures.realm import ensure_test_secrets


@pytest.fixture
def decl_dir(tmp_path: Path) -> Path:
    ensure_test_secrets()
    target = tmp_path / "banten"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def _problems(directory: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_declarations(directory)
    return info.value.problems


def test_shipped_declarations_are_valid() -> None:
    ensure_test_secrets()
    decls = load_declarations()
    assert decls.realm.realm == "banten"
    assert {c.client_id for c in decls.clients} >= {
        "dashboard-pimpinan",
        "admin-pemetaan",
        "contoh-php",
        "contoh-apache",
    }


def test_unknown_key_is_refused(decl_dir: Path) -> None:
    _edit(decl_dir / "realm.yaml", lambda d: d["settings"].update(bruteForceProtectd=True))
    _edit(decl_dir / "clients" / "contoh-php.yaml", lambda d: d.update(redirect_uri="http://x/"))
    problems = _problems(decl_dir)
    assert any(
        "realm.yaml: settings.bruteForceProtectd: kunci tidak dikenal / unknown key" in p for p in problems
    )
    assert any("clients/contoh-php.yaml: redirect_uri: kunci tidak dikenal" in p for p in problems)


def test_missing_secret_is_refused(decl_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SATULOGIN_CLIENT_SECRET_CONTOH_APACHE", raising=False)
    monkeypatch.delenv("SATULOGIN_CLIENT_SECRET_CONTOH_APACHE_FILE", raising=False)
    monkeypatch.setenv("SATULOGIN_SECRETS_DIR", str(decl_dir / "no-secrets-here"))
    problems = _problems(decl_dir)
    assert problems == [
        "clients/contoh-apache.yaml: secret: rahasia SATULOGIN_CLIENT_SECRET_CONTOH_APACHE belum diberikan / "
        "secret SATULOGIN_CLIENT_SECRET_CONTOH_APACHE is not set (set $SATULOGIN_CLIENT_SECRET_CONTOH_APACHE "
        "or $SATULOGIN_CLIENT_SECRET_CONTOH_APACHE_FILE; `satulogin up` generates local demo secrets)"
    ]


def test_secret_from_file_is_accepted(
    decl_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "apache.secret"
    secret_file.write_text("rahasia-dari-berkas\n")
    monkeypatch.delenv("SATULOGIN_CLIENT_SECRET_CONTOH_APACHE", raising=False)
    monkeypatch.setenv("SATULOGIN_CLIENT_SECRET_CONTOH_APACHE_FILE", str(secret_file))
    client = next(c for c in load_declarations(decl_dir).clients if c.client_id == "contoh-apache")
    assert client.secret_value is not None
    assert client.secret_value.get_secret_value() == "rahasia-dari-berkas"


def test_literal_secret_in_file_is_refused(decl_dir: Path) -> None:
    _edit(decl_dir / "clients" / "contoh-php.yaml", lambda d: d.update(secret="hunter2"))
    assert any(
        "clients/contoh-php.yaml: secret:" in p and "never the secret itself" in p
        for p in _problems(decl_dir)
    )


def test_invalid_regex_is_refused(decl_dir: Path) -> None:
    def broken(data: dict[str, Any]) -> None:
        data["attributes"][0]["validations"]["pattern"]["pattern"] = "^[0-9{18}$"

    _edit(decl_dir / "user-profile.yaml", broken)
    problems = _problems(decl_dir)
    assert len(problems) == 1
    assert problems[0].startswith(
        "user-profile.yaml: attributes.0 (nip): validations.pattern.pattern '^[0-9{18}$'"
    )
    assert "bukan regex yang valid / is not a valid regular expression" in problems[0]


def test_duplicate_client_id_is_refused(decl_dir: Path) -> None:
    shutil.copy(decl_dir / "clients" / "contoh-php.yaml", decl_dir / "clients" / "contoh-php.yml")
    assert "clients/: client_id ganda / duplicate client_id 'contoh-php'" in _problems(decl_dir)


def test_wildcard_redirect_and_unknown_scope_are_refused(decl_dir: Path) -> None:
    def bad(data: dict[str, Any]) -> None:
        data["redirect_uris"].append("http://127.0.0.1:5300/*")
        data["default_client_scopes"] = ["profile", "pegawaii"]

    _edit(decl_dir / "clients" / "contoh-php.yaml", bad)
    problems = _problems(decl_dir)
    assert any("redirect_uris.2: 'http://127.0.0.1:5300/*' memakai wildcard" in p for p in problems)
    assert any("default_client_scopes: client scope 'pegawaii' tidak dikenal" in p for p in problems)


def test_every_problem_is_listed_and_nothing_is_sent(
    decl_dir: Path, kc_admin_factory: Callable[[str], KeycloakAdmin], monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit(decl_dir / "realm.yaml", lambda d: d.update(colour="blue"))
    _edit(decl_dir / "roles.yaml", lambda d: d["roles"].append({"name": "pegawai"}))
    _edit(decl_dir / "clients" / "contoh-php.yaml", lambda d: d.update(backchannel_logout_url="/relative"))
    (decl_dir / "clients" / "rusak.yaml").write_text("client_id: [unclosed\n")
    monkeypatch.delenv("SATULOGIN_CLIENT_SECRET_ADMIN_PEMETAAN", raising=False)
    monkeypatch.setenv("SATULOGIN_SECRETS_DIR", str(decl_dir / "no-secrets-here"))
    admin = kc_admin_factory("t-realm-never-created")
    with pytest.raises(DeclarationError) as info:
        plan_realm(admin, decl_dir, realm_name="t-realm-never-created")
    problems = info.value.problems
    assert any(p.startswith("realm.yaml: colour: kunci tidak dikenal") for p in problems)
    assert any("clients/rusak.yaml (baris/line" in p and "YAML tidak valid" in p for p in problems)
    assert any("SATULOGIN_CLIENT_SECRET_ADMIN_PEMETAAN" in p for p in problems)
    # the whole-set checks run only when every file parsed; the message still names each file
    assert len(problems) >= 3
    assert admin.counter.snapshot() == (0, 0), "nothing may be sent to Keycloak"
    assert info.value.exit_code == 1
    message = str(info.value)
    assert message.startswith("konfigurasi tidak valid / invalid configuration:")
    assert all(f"  - {p}" in message for p in problems)


def test_cross_file_problems_are_all_listed(decl_dir: Path) -> None:
    _edit(decl_dir / "roles.yaml", lambda d: d["roles"].append({"name": "pegawai"}))
    _edit(decl_dir / "clients" / "contoh-php.yaml", lambda d: d.update(backchannel_logout_url="/relative"))
    _edit(decl_dir / "realm.yaml", lambda d: d["admin_otp"].update(role="tidak-ada"))
    problems = _problems(decl_dir)
    assert "roles.yaml: peran ganda / duplicate realm role 'pegawai'" in problems
    assert any(
        "clients/contoh-php.yaml: backchannel_logout_url: '/relative' bukan URL" in p for p in problems
    )
    assert any("admin_otp.role 'tidak-ada'" in p for p in problems)
    assert len(problems) == 3
