"""Dashboard Pimpinan in headless Chromium: log in through Keycloak's page as each tier, see
exactly that tier, be refused another Biro, and leave screenshots of the main pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fixtures.browser import PHONE
from tests.fixtures.dashboard import (
    BIRO_KESRA,
    KEPALA_BIRO,
    PASSWORD,
    SEKDA,
    STAFF,
    DemoUser,
    RunningDashboard,
)

Screenshot = Callable[[Any, str], Path]


def browser_login(page: Any, dashboard: RunningDashboard, user: DemoUser) -> None:
    page.goto(dashboard.url + "/")
    page.click("#login")
    page.fill("input[name=username]", user.nip)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(dashboard.url + "/")


def test_head_of_biro_journey_with_screenshots(dashboard_server: RunningDashboard, page_factory: Any,
                                              save_screenshot: Screenshot) -> None:
    page = page_factory()
    page.goto(dashboard_server.url + "/")
    save_screenshot(page, "landing")
    browser_login(page, dashboard_server, KEPALA_BIRO)
    assert page.locator(".scope .chip").all_inner_texts() == ["Biro Pemerintahan"]
    save_screenshot(page, "kepala-biro-beranda")
    page.click("nav >> text=Kepegawaian")
    assert page.locator("section.figures h2").all_inner_texts() == ["Biro Pemerintahan"]
    assert (page.locator("svg.chart title").first.text_content() or "").startswith("Pegawai per unit")
    save_screenshot(page, "kepala-biro-kepegawaian")
    page.click("nav >> text=Profil saya")
    assert page.locator("#nip").inner_text() == KEPALA_BIRO.nip
    save_screenshot(page, "kepala-biro-profil")
    page.click("nav >> text=Pendidikan")
    assert page.locator("svg.chart").count() == 8
    save_screenshot(page, "pendidikan")
    page.click("nav >> text=Aplikasi saya")
    save_screenshot(page, "aplikasi")
    response = page.goto(f"{dashboard_server.url}/unit/{BIRO_KESRA}")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "Akses ditolak"
    save_screenshot(page, "ditolak-biro-lain")
    page.goto(dashboard_server.url + "/kepegawaian?lang=en")
    assert page.locator("h1").inner_text() == "Staff figures"
    save_screenshot(page, "kepala-biro-staff-en")


def test_staff_member_and_sekda_see_their_tier_on_a_phone(dashboard_server: RunningDashboard,
                                                          page_factory: Any,
                                                          save_screenshot: Screenshot) -> None:
    staff = page_factory(viewport=PHONE)
    browser_login(staff, dashboard_server, STAFF)
    staff.goto(dashboard_server.url + "/kepegawaian")
    assert staff.locator("#staff-none").is_visible()
    assert staff.locator("section.figures").count() == 0
    save_screenshot(staff, "staf-ponsel-kepegawaian")

    sekda = page_factory(viewport=PHONE)
    browser_login(sekda, dashboard_server, SEKDA)
    assert sekda.locator(".scope .chip").all_inner_texts() == ["Seluruh Provinsi Banten"]
    save_screenshot(sekda, "sekda-ponsel-beranda")
    sekda.goto(dashboard_server.url + "/kepegawaian")
    assert sekda.locator("section.figures h2").all_inner_texts() == ["Pemerintah Provinsi Banten"]
    # Nothing wider than the phone: the page never scrolls sideways.
    assert sekda.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save_screenshot(sekda, "sekda-ponsel-kepegawaian")
    sekda.goto(dashboard_server.url + "/pendidikan")
    assert sekda.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save_screenshot(sekda, "sekda-ponsel-pendidikan")
