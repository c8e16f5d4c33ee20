"""End to end against the stack the README's first command starts (``satulogin up``), in
headless Chromium: each demo login sees exactly its tier, another Biro is refused, single
sign-on into the PHP sample, logout at the dashboard ends the PHP session (back-channel), and a
leaver made in the HR data and synced can no longer log in and loses the open session.
Screenshots of the main pages land in ``test-artifacts/``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sync.demo_data import BIRO_PEMERINTAHAN, DEMO_NIPS, DEMO_PEOPLE
from sync.model import unit_prefix
from tests.fixtures.stack import DASHBOARD, PHP_APP, REALM, DemoStack

Screenshot = Callable[[Any, str], Path]
NIP_OF = {p.role: p.nip for p in DEMO_PEOPLE}
LEAVER_STATUS = "Pensiun"


def on_keycloak_login(page: Any, stack: DemoStack) -> bool:
    return bool(page.url.startswith(stack.issuer + "/") and page.locator("input[name=password]").count())


def submit_login(page: Any, nip: str, password: str) -> None:
    page.fill("input[name=username]", nip)
    page.fill("input[name=password]", password)
    page.click("[type=submit]")


def dashboard_login(page: Any, stack: DemoStack, nip: str, password: str | None = None) -> None:
    page.goto(DASHBOARD + "/")
    page.click("#login")
    page.wait_for_url(stack.issuer + "/**")
    submit_login(page, nip, password or stack.password)
    page.wait_for_url(DASHBOARD + "/")
    assert page.locator(".intro h1").count() == 1, page.content()[:2000]


def stat_value(text: str) -> int:
    return int(text.replace(".", "").replace(",", "").strip())


def simpeg(stack: DemoStack, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(stack.simpeg) as db:
        return db.execute(sql, args).fetchall()


def other_biro(stack: DemoStack) -> str:
    """A Biro beside Biro Pemerintahan (same parent unit, another code)."""
    parent = simpeg(stack, "SELECT kunker_induk FROM unit_kerja WHERE kunker = ?", BIRO_PEMERINTAHAN)[0][0]
    rows = simpeg(stack, "SELECT kunker FROM unit_kerja WHERE kunker_induk = ? AND kunker != ? "
                         "ORDER BY kunker", parent, BIRO_PEMERINTAHAN)
    assert rows, "the demo province has a second Biro under the same Asisten"
    return str(rows[0][0])


def test_up_prints_the_urls_and_a_rerun_changes_nothing(demo_stack: DemoStack) -> None:
    for url in (DASHBOARD + "/", PHP_APP + "/", "http://127.0.0.1:5200/"):
        assert url in demo_stack.first_up.output
    for person in DEMO_PEOPLE:
        assert person.nip in demo_stack.first_up.output
    second = demo_stack.second_up.output
    assert " 0 perubahan / changes applied" in second, second
    assert " 0 tulis/writes" in second, second
    assert "sudah berjalan / already running" in second
    assert "dijalankan / started" not in second, second
    # Warm rerun: no Keycloak start, no data generation, nothing written, so quicker than the
    # first run; the cap is generous for a busy 2-core CI box (it reads the whole realm back).
    assert demo_stack.second_up.seconds < demo_stack.first_up.seconds
    assert demo_stack.second_up.seconds < 120, f"second `up` took {demo_stack.second_up.seconds:.0f} s"


def test_each_demo_login_sees_exactly_its_tier(demo_stack: DemoStack, page_factory: Any,
                                               save_screenshot: Screenshot) -> None:
    active = "status_pegawai = 'Aktif'"
    province_total = simpeg(demo_stack, f"SELECT COUNT(*) FROM pegawai WHERE {active}")[0][0]
    biro_prefix = unit_prefix(BIRO_PEMERINTAHAN)
    biro_total = simpeg(demo_stack, f"SELECT COUNT(*) FROM pegawai WHERE {active} AND kunker LIKE ?",
                        biro_prefix + "%")[0][0]
    biro_name = simpeg(demo_stack, "SELECT nama_unit FROM unit_kerja WHERE kunker = ?",
                       BIRO_PEMERINTAHAN)[0][0]

    landing = page_factory()
    landing.goto(DASHBOARD + "/")
    save_screenshot(landing, "landing")

    # Staff member: own profile, no staff figures at all (so none of another unit).
    staf = page_factory()
    dashboard_login(staf, demo_stack, NIP_OF["staf"])
    assert staf.locator("#scope-none").is_visible()
    assert staf.locator("#staff-summary").count() == 0
    save_screenshot(staf, "staf-beranda")
    staf.goto(DASHBOARD + "/kepegawaian")
    assert staf.locator("#staff-none").is_visible()
    assert staf.locator("section.figures").count() == 0
    save_screenshot(staf, "staf-kepegawaian")
    staf.goto(DASHBOARD + "/profil")
    assert staf.locator("#nip").inner_text() == NIP_OF["staf"]
    save_screenshot(staf, "staf-profil")
    refused = staf.goto(f"{DASHBOARD}/unit/{BIRO_PEMERINTAHAN}")
    assert refused is not None and refused.status == 403

    # Head of Biro Pemerintahan: that Biro only, every unit row inside it; another Biro refused.
    biro = page_factory()
    dashboard_login(biro, demo_stack, NIP_OF["kepala_biro"])
    assert biro.locator(".scope .chip").all_inner_texts() == [biro_name]
    save_screenshot(biro, "kepala-biro-beranda")
    biro.goto(DASHBOARD + "/kepegawaian")
    assert biro.locator("section.figures").count() == 1
    assert biro.locator("section.figures").get_attribute("data-prefix") == biro_prefix
    assert biro.locator("section.figures h2").inner_text() == biro_name
    assert stat_value(biro.locator("section.figures .stat-line .stat-value").inner_text()) == biro_total
    links = biro.locator("table.by-unit a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links and all(link.startswith(f"/unit/{biro_prefix}") for link in links), links
    save_screenshot(biro, "kepala-biro-kepegawaian")
    own = biro.goto(f"{DASHBOARD}/unit/{BIRO_PEMERINTAHAN}")
    assert own is not None and own.status == 200
    response = biro.goto(f"{DASHBOARD}/unit/{other_biro(demo_stack)}")
    assert response is not None and response.status == 403
    assert biro.locator("h1").inner_text() == "Akses ditolak"
    assert biro.locator(".error a.button").count() == 1   # a way back, not a bare error
    save_screenshot(biro, "kepala-biro-biro-lain-ditolak")

    # Sekda: the whole province, every active pegawai counted.
    sekda = page_factory()
    dashboard_login(sekda, demo_stack, NIP_OF["sekda"])
    assert sekda.locator(".scope .chip").all_inner_texts() == ["Seluruh Provinsi Banten"]
    save_screenshot(sekda, "sekda-beranda")
    sekda.goto(DASHBOARD + "/kepegawaian")
    assert sekda.locator("section.figures").count() == 1
    assert sekda.locator("section.figures").get_attribute("data-prefix") == "00"
    assert stat_value(sekda.locator("section.figures .stat-line .stat-value").inner_text()) == province_total
    save_screenshot(sekda, "sekda-kepegawaian")
    other = sekda.goto(f"{DASHBOARD}/unit/{other_biro(demo_stack)}")
    assert other is not None and other.status == 200


def open_php_app_via_sso(page: Any, stack: DemoStack, nip: str) -> None:
    """Open the PHP sample after logging in at the dashboard: its login link goes through
    Keycloak and comes straight back (no form), showing who is logged in."""
    page.goto(PHP_APP + "/")
    assert page.locator("#masuk").is_visible()
    keycloak_pages: list[tuple[str, int]] = []

    def note(response: Any) -> None:
        if response.request.is_navigation_request() and response.url.startswith(stack.issuer + "/"):
            keycloak_pages.append((response.url, response.status))

    page.on("response", note)
    page.click("#masuk")
    page.wait_for_selector("#nip")
    page.remove_listener("response", note)
    assert page.url.startswith(PHP_APP + "/")
    assert page.locator("#nip").inner_text() == nip
    # Keycloak only redirected (its SSO session answered): it never rendered a login form (200).
    assert keycloak_pages and all(300 <= status < 400 for _, status in keycloak_pages), keycloak_pages


def test_sso_into_the_php_app_without_a_password_prompt(demo_stack: DemoStack, page: Any,
                                                        save_screenshot: Screenshot) -> None:
    dashboard_login(page, demo_stack, NIP_OF["staf"])
    open_php_app_via_sso(page, demo_stack, NIP_OF["staf"])
    save_screenshot(page, "php-sso-staf")


def test_logout_at_the_dashboard_ends_the_php_session(demo_stack: DemoStack, page: Any,
                                                      save_screenshot: Screenshot) -> None:
    nip = NIP_OF["kepala_biro"]
    dashboard_login(page, demo_stack, nip)
    open_php_app_via_sso(page, demo_stack, nip)
    page.goto(DASHBOARD + "/")
    page.click("a.button.ghost[href*=logout]")
    page.wait_for_url(DASHBOARD + "/")
    assert page.locator("#login").is_visible()
    # The PHP app heard of it through back-channel logout: its own session is gone...
    page.goto(PHP_APP + "/")
    assert page.locator("#nip").count() == 0
    assert page.locator("#masuk").is_visible()
    # ...and its protected page sends the browser to Keycloak's login form.
    page.goto(PHP_APP + "/admin")
    page.wait_for_url(demo_stack.issuer + "/**")
    assert on_keycloak_login(page, demo_stack)
    save_screenshot(page, "php-setelah-logout-login")


def pick_active_pegawai(stack: DemoStack) -> str:
    rows = simpeg(stack, "SELECT p.nip FROM pegawai p JOIN jabatan j ON j.kode_jabatan = p.kode_jabatan "
                         "WHERE p.status_pegawai = 'Aktif' AND j.jenis_jabatan != 'struktural' "
                         "ORDER BY p.nip")
    return next(str(r[0]) for r in rows if r[0] not in DEMO_NIPS)


def test_a_synced_leaver_loses_the_open_session_and_cannot_log_in(demo_stack: DemoStack, page: Any,
                                                                   save_screenshot: Screenshot) -> None:
    admin = demo_stack.admin
    nip = pick_active_pegawai(demo_stack)
    users = admin.get("/users", params={"username": nip, "exact": "true"})
    assert users and users[0]["enabled"], f"synced pegawai {nip} is an enabled Keycloak user"
    user = users[0]
    password = "Uji-Keluar-" + nip[-6:] + "!"
    admin.put(f"/users/{user['id']}/reset-password", json={"type": "password", "value": password,
                                                           "temporary": False})
    user = admin.get(f"/users/{user['id']}")
    admin.put(f"/users/{user['id']}", json={**user, "requiredActions": []})

    dashboard_login(page, demo_stack, nip, password)
    page.goto(DASHBOARD + "/profil")
    assert page.locator("#nip").inner_text() == nip
    save_screenshot(page, "pegawai-sebelum-keluar")

    # HR marks them a leaver; the sync carries it to Keycloak.
    with sqlite3.connect(demo_stack.simpeg) as db:
        db.execute("UPDATE pegawai SET status_pegawai = ? WHERE nip = ?", (LEAVER_STATUS, nip))
    run = demo_stack.cli("sync", "apply", timeout=240)
    assert run.returncode == 0, run.output[-4000:]
    assert admin.get(f"/users/{user['id']}")["enabled"] is False
    assert admin.get(f"/users/{user['id']}/sessions") == []

    # The open dashboard session ended with it (back-channel logout from the sync's logout).
    page.goto(DASHBOARD + "/profil")
    page.wait_for_url(demo_stack.issuer + "/**")
    assert on_keycloak_login(page, demo_stack)
    # A fresh login is refused: the form comes back, the dashboard is never reached.
    submit_login(page, nip, password)
    page.wait_for_load_state()
    assert page.url.startswith(demo_stack.issuer + "/"), page.url
    assert on_keycloak_login(page, demo_stack)
    assert not page.url.startswith(DASHBOARD)
    save_screenshot(page, "pegawai-keluar-ditolak")
    assert REALM in page.url
