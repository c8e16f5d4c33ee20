"""The admin page in headless Chromium: an admin logs in through SSO, edits a rule, sees the
preview, saves and applies it, and finds the audit record; a non-admin is refused."""

from __future__ import annotations

import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from satulogin.paths import REPO_ROOT
from tests.fixtures.dashboard import free_port
from tests.fixtures.mapping import PASSWORD, PEOPLE, MappingRealm, make_confidential
from tests.fixtures.oidc import keycloak_login

P = PEOPLE


@dataclass
class AdminPage:
    url: str
    realm: MappingRealm
    rules: Path
    audit: Path


@pytest.fixture
def admin_page(mapping_realm: MappingRealm, admin_conn: Any, tmp_path: Path) -> Iterator[AdminPage]:
    from sync.mapping.web import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    secret = make_confidential(mapping_realm, "admin-pemetaan", f"{url}/auth/callback")
    mapping_realm.grant_manually(P["kabiro"].nip, "sso-admin")
    rules = tmp_path / "rules.yaml"
    shutil.copy(REPO_ROOT / "mapping" / "rules.yaml", rules)
    audit = tmp_path / "audit.sqlite3"
    app = create_app({
        "SATULOGIN_ISSUER": f"{mapping_realm.base_url}/realms/{mapping_realm.name}",
        "SATULOGIN_CLIENT_ID": "admin-pemetaan", "SATULOGIN_CLIENT_SECRET": secret,
        "SECRET_KEY": secrets.token_hex(16), "MAPPING_REALM": mapping_realm.name,
        "MAPPING_RULES": str(rules), "MAPPING_AUDIT": str(audit), "MAPPING_ADMIN_CONNECTION": admin_conn,
    })
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield AdminPage(url, mapping_realm, rules, audit)
    server.shutdown()
    thread.join(timeout=10)


def sign_in(page: Any, app: AdminPage, nip: str, path: str = "/") -> None:
    page.goto(f"{app.url}{path}")
    keycloak_login(page, nip, PASSWORD)
    page.wait_for_url(f"{app.url}{path}*")


def test_admin_edits_a_rule_sees_the_preview_applies_and_finds_the_audit_record(
        admin_page: AdminPage, page: Any, save_screenshot: Any) -> None:
    app, kabid = admin_page, P["kabid"].nip
    sign_in(page, app, P["kabiro"].nip)
    assert "pimpinan-opd" in page.inner_text("#daftar-aturan")
    page.click("#aturan-pimpinan-opd >> text=Ubah")
    text = page.input_value("#rule_yaml")
    assert "II.b" in text
    # An invalid rule is refused with its reason, and nothing is saved.
    page.fill("#rule_yaml", text.replace("dashboard-pimpinan/pimpinan", "dashboard-pimpinan/raja"))
    page.click("#tombol-pratinjau")
    refusal = page.inner_text("#galat-aturan")
    assert "raja" in refusal and "unknown client role" in refusal
    assert page.locator("#tombol-simpan").count() == 0
    # Widen the rule to eselon III.a: the preview names who gains.
    page.fill("#rule_yaml", text.replace("to: II.b", "to: III.a"))
    page.click("#tombol-pratinjau")
    preview = page.inner_text("#pratinjau")
    assert kabid in preview and "Dewi Kabid" in preview
    own_effect = page.inner_text("#dampak-aturan")
    # Only what this rule change moves: Dewi Kabid (III.a), not the eselon II heads the old rule
    # already granted (even though this realm has not been applied yet) nor anyone's base role.
    assert kabid in own_effect and P["kabappeda"].nip not in own_effect and P["staf"].nip not in own_effect
    save_screenshot(page, "pratinjau")
    assert "dashboard-pimpinan/pimpinan" not in app.realm.direct_roles(kabid)   # nothing applied yet
    page.click("#tombol-simpan")
    page.wait_for_url(f"{app.url}/audit/*")
    assert P["kabiro"].nip in page.inner_text("#audit-actor")
    assert "to: II.b" in page.inner_text("#audit-before") and "to: III.a" in page.inner_text("#audit-after")
    assert "+" in page.inner_text("#audit-preview")
    save_screenshot(page, "audit")
    assert "dashboard-pimpinan/pimpinan" in app.realm.direct_roles(kabid)
    assert "to: III.a" in app.rules.read_text() and app.rules.read_text().startswith("# Pemetaan")
    page.goto(f"{app.url}/audit")
    assert "pimpinan-opd" in page.inner_text("#daftar-audit")
    # Browse and explain: the person's page says where the new role comes from.
    page.goto(f"{app.url}/pegawai?q=dewi")
    page.click(f"text={kabid}")
    assert "pimpinan-opd" in page.inner_text("#peran-pegawai")
    # Deleting a rule goes through the same preview: the planners lose the app role.
    page.goto(f"{app.url}/aturan/operator-perencanaan-bappeda")
    page.check("#hapus")
    page.click("#tombol-pratinjau")
    assert "- " + P["perencana"].nip in page.inner_text("#dampak-aturan")
    page.click("#tombol-simpan")
    page.wait_for_url(f"{app.url}/audit/*")
    assert "operator-perencanaan-bappeda" in page.inner_text("#audit-diff")
    assert "edrpk/operator" not in app.realm.direct_roles(P["perencana"].nip)
    assert "operator-perencanaan-bappeda" not in app.rules.read_text()
    page.goto(f"{app.url}/unit?kode=000400000000000")
    assert "KABID-EKO" in page.inner_text("#daftar-jabatan")
    assert "000401000000000" in page.inner_text("#pohon-unit")


def test_a_post_without_the_csrf_token_is_refused(admin_page: AdminPage, page: Any) -> None:
    sign_in(page, admin_page, P["kabiro"].nip)
    resp = page.request.post(f"{admin_page.url}/aturan", form={"original_id": "pegawai-dasar",
                                                               "rule_yaml": "id: x\nroles: [pegawai]\n",
                                                               "action": "simpan"})
    assert resp.status == 400 and "CSRF" in resp.text()


def test_a_non_admin_is_refused_with_a_page_a_person_understands(admin_page: AdminPage, page: Any) -> None:
    page.goto(f"{admin_page.url}/")
    keycloak_login(page, P["staf"].nip, PASSWORD)
    page.wait_for_url(f"{admin_page.url}/*")
    assert "Akses ditolak" in page.inner_text("body")
    assert "sso-admin" in page.inner_text("body")
    assert page.locator("#daftar-aturan").count() == 0
