"""Each demo login sees exactly its tier, through the real Keycloak and the Flask adapter
(browserless: the same journey the benchmark times)."""

from __future__ import annotations

import re

import pytest
import requests

from tests.fixtures.dashboard import (
    BIRO_KESRA,
    BIRO_PEMERINTAHAN,
    KEPALA_BIRO,
    PASSWORD,
    SEKDA,
    STAFF,
    DemoUser,
    RunningDashboard,
    journey_session,
    login_journey,
)


def signed_in(dashboard: RunningDashboard, user: DemoUser, page: str = "/kepegawaian"
              ) -> tuple[requests.Session, requests.Response]:
    session = journey_session()
    response = login_journey(session, dashboard.url + page, user.nip, PASSWORD)
    assert response.status_code == 200 and response.url == dashboard.url + page
    return session, response


def scope_chips(page: str) -> list[str]:
    match = re.search(r'<p class="scope">(.*?)</p>', page, re.S)
    assert match, "the page shows the data scope"
    return re.findall(r'<span class="chip">([^<]+)</span>', match.group(1))


def test_staff_member_sees_no_unit_figures(dashboard_server: RunningDashboard) -> None:
    session, page = signed_in(dashboard_server, STAFF)
    assert 'id="staff-none"' in page.text and "data-prefix" not in page.text
    assert scope_chips(page.text) == []
    refused = session.get(f"{dashboard_server.url}/api/unit/{STAFF.unit_kode}")   # not even their own
    assert refused.status_code == 403


def test_head_of_biro_sees_own_biro_only(dashboard_server: RunningDashboard) -> None:
    session, page = signed_in(dashboard_server, KEPALA_BIRO)
    assert scope_chips(page.text) == ["Biro Pemerintahan"]
    assert re.findall(r'data-prefix="([0-9]+)"', page.text) == ["00010101"]
    assert "Bagian Kerja Sama" in page.text and "Biro Kesejahteraan Rakyat" not in page.text
    own = session.get(f"{dashboard_server.url}/api/unit/{BIRO_PEMERINTAHAN}")
    assert own.status_code == 200 and own.json()["total"] == 4
    assert own.json()["joiners"][0]["nama"] == "Fajar Nugraha, S.Kom."


def test_cross_unit_request_is_refused_with_a_page_a_person_reads(dashboard_server: RunningDashboard) -> None:
    session, _ = signed_in(dashboard_server, KEPALA_BIRO)
    page = session.get(f"{dashboard_server.url}/unit/{BIRO_KESRA}")
    assert page.status_code == 403
    assert "Akses ditolak" in page.text and "di luar lingkup jabatan Anda" in page.text
    assert "Traceback" not in page.text and "Agus Salim" not in page.text
    api = session.get(f"{dashboard_server.url}/api/unit/{BIRO_KESRA}")
    assert api.status_code == 403
    assert api.json()["error"] == "forbidden" and "outside the scope" in api.json()["message"]
    english = session.get(f"{dashboard_server.url}/unit/{BIRO_KESRA}?lang=en")
    assert english.status_code == 403 and "Access refused" in english.text


def test_sekda_sees_the_whole_province(dashboard_server: RunningDashboard) -> None:
    session, page = signed_in(dashboard_server, SEKDA)
    assert scope_chips(page.text) == ["Seluruh Provinsi Banten"]
    assert re.findall(r'data-prefix="([0-9]+)"', page.text) == ["00"]
    for kunker in (BIRO_KESRA, BIRO_PEMERINTAHAN, "000200000000000"):
        assert session.get(f"{dashboard_server.url}/api/unit/{kunker}").status_code == 200
    assert session.get(f"{dashboard_server.url}/api/unit/000999000000000").status_code == 404
    assert session.get(f"{dashboard_server.url}/unit/12345").status_code == 404


def test_profile_shows_claims_and_where_each_role_comes_from(dashboard_server: RunningDashboard) -> None:
    session, page = signed_in(dashboard_server, KEPALA_BIRO, "/profil")
    text = page.text
    for value in (KEPALA_BIRO.nip, "Kepala Biro Pemerintahan", "II.a", "IV/c", "Biro Pemerintahan"):
        assert value in text
    rows = dict(re.findall(r'<td class="mono">([^<]+)</td>\s*<td>.*?<small class="muted">([^<]+)</small>',
                           text, re.S))
    assert rows["pimpinan"] == "aturan / rule: pimpinan-opd"     # from mapping/rules.yaml
    assert rows["pegawai"] == "aturan / rule: pegawai-dasar"
    assert rows["offline_access"].startswith("bawaan Keycloak")
    assert rows["view-profile"].startswith("bawaan Keycloak")   # the account client's default role


def test_apps_page_lists_reachable_apps_and_english_switch_sticks(dashboard_server: RunningDashboard) -> None:
    session, page = signed_in(dashboard_server, KEPALA_BIRO, "/aplikasi")
    assert re.findall(r'data-client="([^"]+)"', page.text) == ["dashboard-pimpinan"]
    english = session.get(f"{dashboard_server.url}/aplikasi?lang=en")
    assert "My apps" in english.text and '<html lang="en">' in english.text
    assert "Leadership Dashboard" in session.get(f"{dashboard_server.url}/").text   # remembered
    assert "Beranda" in session.get(f"{dashboard_server.url}/?lang=id").text


@pytest.mark.parametrize("page", ["/", "/profil", "/kepegawaian", "/pendidikan", "/aplikasi"])
def test_every_page_needs_a_login(dashboard_server: RunningDashboard, page: str) -> None:
    response = requests.get(dashboard_server.url + page, allow_redirects=False, timeout=10)
    if page == "/":
        assert response.status_code == 200 and 'id="login"' in response.text
    else:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
