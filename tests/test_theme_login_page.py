"""The login page of the banten realm, seen by a real browser (headless Chromium).

The realm comes from the real declarations (``realm/banten``) under the name ``t-theme``; the
theme is the one ``themes/banten-satu-login`` installs into the test Keycloak at its start.
Screenshots land in ``test-artifacts/`` (desktop Indonesian, desktop English, phone).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest

from satulogin.kc_admin import KeycloakAdmin
from satulogin.keycloak_server import KeycloakServer
from tests.fixtures.browser import PHONE, PageFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page

REALM = "t-theme"
BRAND = "Banten Satu Login"
TAGLINE_ID = "Satu akun untuk semua aplikasi Pemerintah Provinsi Banten"
TAGLINE_EN = "One account for every application of the Provincial Government of Banten"
BRAND_GREEN = "rgb(11, 110, 79)"  # --bsl-green-700 in banten.css

Screenshot = Callable[["Page", str], Path]


@pytest.fixture(scope="module")
def theme_realm(banten_realm_factory: Callable[[str], str],
                kc_admin_factory: Callable[[str], KeycloakAdmin]) -> dict[str, Any]:
    """The applied realm's representation: what the page must show depends on its settings."""
    name = banten_realm_factory(REALM)
    representation: dict[str, Any] = kc_admin_factory(name).get("")
    return representation


def login_url(server: KeycloakServer, realm: str, **extra: str) -> str:
    """The authorization endpoint for the built-in ``account-console`` client (every realm has
    it; it requires PKCE S256), i.e. what a user sees when an application sends them to log in."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    base = f"{server.config.base_url}/realms/{realm}"
    params = {
        "client_id": "account-console",
        "redirect_uri": f"{base}/account/",
        "response_type": "code",
        "scope": "openid",
        "state": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    return f"{base}/protocol/openid-connect/auth?{urlencode(params)}"


def open_login(page: Page, server: KeycloakServer, **extra: str) -> None:
    page.goto(login_url(server, REALM, **extra))
    page.wait_for_selector("#kc-form-login")


def label_text(page: Page, field: str) -> str:
    return page.inner_text(f"label[for={field}]").strip()


def test_realm_uses_the_banten_theme_in_indonesian(theme_realm: dict[str, Any]) -> None:
    assert theme_realm["loginTheme"] == "banten-satu-login"
    assert theme_realm["defaultLocale"] == "id"
    assert theme_realm["internationalizationEnabled"] is True
    assert set(theme_realm["supportedLocales"]) == {"id", "en"}


def test_login_page_is_indonesian_and_branded(page: Page, keycloak_server: KeycloakServer,
                                              theme_realm: dict[str, Any],
                                              save_screenshot: Screenshot) -> None:
    open_login(page, keycloak_server)
    save_screenshot(page, "login-id")

    assert page.title() == f"Masuk \u2013 {BRAND}"
    assert page.get_attribute("html", "lang") == "id"
    header = page.inner_text("#kc-header")
    assert BRAND in header
    assert TAGLINE_ID in header
    assert page.inner_text("#kc-page-title").strip() == "Masuk ke akun Anda"
    expected_username = ("NIP / Nama pengguna atau surel" if theme_realm["loginWithEmailAllowed"]
                         else "NIP / Nama pengguna")
    assert label_text(page, "username") == expected_username
    assert label_text(page, "password") == "Kata sandi"
    assert page.inner_text("#kc-login").strip() == "Masuk"
    forgot = page.get_by_role("link", name="Lupa kata sandi?")
    assert forgot.count() == (1 if theme_realm["resetPasswordAllowed"] else 0)
    assert "Pemerintah Provinsi Banten" in page.inner_text("#bsl-footer")


def test_login_page_carries_the_provincial_style_and_logo(page: Page, keycloak_server: KeycloakServer,
                                                          theme_realm: dict[str, Any]) -> None:
    open_login(page, keycloak_server)

    button_colour = page.eval_on_selector("#kc-login", "el => getComputedStyle(el).backgroundColor")
    assert button_colour == BRAND_GREEN
    logo = page.eval_on_selector(
        "#kc-header-wrapper", "el => getComputedStyle(el, '::before').backgroundImage")
    assert "/login/banten-satu-login/img/logo.svg" in logo, logo
    logo_url = logo.split('"')[1] if '"' in logo else logo[len("url("):-1]
    response = page.request.get(logo_url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")


def test_language_menu_switches_to_english(page: Page, keycloak_server: KeycloakServer,
                                           theme_realm: dict[str, Any],
                                           save_screenshot: Screenshot) -> None:
    open_login(page, keycloak_server)
    options = page.eval_on_selector_all(
        "#login-select-toggle option", "els => els.map(e => ({value: e.value, label: e.textContent.trim()}))")
    english = [o for o in options if "kc_locale=en" in o["value"]]
    assert len(english) == 1, options
    with page.expect_navigation():
        page.select_option("#login-select-toggle", value=english[0]["value"])
    page.wait_for_selector("#kc-form-login")
    save_screenshot(page, "login-en")

    assert page.get_attribute("html", "lang") == "en"
    assert page.title() == f"Sign in \u2013 {BRAND}"
    assert TAGLINE_EN in page.inner_text("#kc-header")
    expected_username = ("NIP / Username or email" if theme_realm["loginWithEmailAllowed"]
                         else "NIP / Username")
    assert label_text(page, "username") == expected_username
    assert label_text(page, "password") == "Password"
    assert page.inner_text("#kc-login").strip() == "Sign in"


def test_applications_choose_the_language_with_ui_locales(page_factory: PageFactory,
                                                          keycloak_server: KeycloakServer,
                                                          theme_realm: dict[str, Any]) -> None:
    # ui_locales (OIDC) outranks the browser's Accept-Language in Keycloak's locale choice.
    indonesian_browser = page_factory(locale="id-ID")
    open_login(indonesian_browser, keycloak_server, ui_locales="en")
    assert indonesian_browser.inner_text("#kc-login").strip() == "Sign in"
    english_browser = page_factory(locale="en-US")
    open_login(english_browser, keycloak_server, ui_locales="id")
    assert english_browser.inner_text("#kc-login").strip() == "Masuk"


def test_wrong_password_is_explained_in_indonesian(page: Page, keycloak_server: KeycloakServer,
                                                   theme_realm: dict[str, Any]) -> None:
    open_login(page, keycloak_server)
    # A NIP-shaped name nobody has: no account is touched, so brute-force detection stays out.
    page.fill("#username", "199001012015031999")
    page.fill("#password", "bukan-kata-sandi")
    with page.expect_navigation():
        page.click("#kc-login")
    assert page.inner_text("#input-error-username").strip() == "NIP/nama pengguna atau kata sandi salah."


def test_login_page_fits_a_phone(page_factory: PageFactory, keycloak_server: KeycloakServer,
                                 theme_realm: dict[str, Any], save_screenshot: Screenshot) -> None:
    phone = page_factory(viewport=PHONE, is_mobile=True, has_touch=True)
    open_login(phone, keycloak_server)
    save_screenshot(phone, "login-id-phone")

    width = PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    for selector in ("#kc-header", "#username", "#password", "#kc-login", "#bsl-footer"):
        box = phone.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
    button = phone.locator("#kc-login").bounding_box()
    assert button is not None and button["width"] >= 0.7 * width  # a thumb-sized sign-in button
