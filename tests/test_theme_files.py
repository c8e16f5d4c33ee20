"""The theme's files against the Keycloak it extends: a mistyped message key or a missing
translation would not fail on any page, it would just silently show Keycloak's own text."""

from __future__ import annotations

import re
import zipfile

import pytest

from satulogin.keycloak_server import THEME_NAME, KeycloakServer
from satulogin.paths import themes_dir

LOGIN = themes_dir() / THEME_NAME / "login"
OWN_KEY_PREFIX = "bsl"  # keys our templates add; Keycloak has none of these


def read_properties(text: str) -> dict[str, str]:
    """Java .properties as Keycloak reads its message bundles (one key per line, no
    continuation lines in our files), with ``\\uXXXX`` escapes decoded."""
    entries: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"baris tanpa '=' / line without '=': {raw!r}"
        entries[key.strip()] = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)),
                                      value.strip())
    return entries


def bundle(locale: str) -> dict[str, str]:
    return read_properties((LOGIN / "messages" / f"messages_{locale}.properties").read_text("utf-8"))


@pytest.fixture(scope="module")
def keycloak_message_keys(keycloak_server: KeycloakServer) -> set[str]:
    """Every login message key Keycloak's own themes (base, keycloak.v2) define or use: a few
    keys the templates use have no text in any bundle (e.g. ``languages``, the language menu's
    accessible name), so a theme that defines them fills a real gap."""
    jars = sorted((keycloak_server.home / "lib" / "lib" / "main").glob("org.keycloak.keycloak-themes-*.jar"))
    assert jars, "Keycloak themes jar not found in the distribution"
    keys: set[str] = set()
    with zipfile.ZipFile(jars[0]) as jar:
        for name in jar.namelist():
            if re.fullmatch(r"theme/(base|keycloak\.v2)/login/messages/messages_(en|id)\.properties", name):
                keys |= set(read_properties(jar.read(name).decode("utf-8")))
            elif re.fullmatch(r"theme/(base|keycloak\.v2)/login/[^/]+\.ftl", name):
                template = jar.read(name).decode("utf-8")
                keys |= set(re.findall(r"msg\(\s*[\"']([A-Za-z0-9_.-]+)[\"']", template))
    return keys


def test_theme_properties_extend_keycloak_v2_with_id_and_en() -> None:
    props = read_properties((LOGIN / "theme.properties").read_text("utf-8"))
    assert props["parent"] == "keycloak.v2"
    assert props["locales"] == "id,en"
    for style in props["styles"].split():
        # styles.css is keycloak.v2's own, found through the parent.
        assert style == "css/styles.css" or (LOGIN / "resources" / style).is_file(), style


def test_indonesian_and_english_say_the_same_things() -> None:
    indonesian, english = bundle("id"), bundle("en")
    assert sorted(indonesian) == sorted(english)
    assert all(indonesian.values()) and all(english.values())


def test_every_overridden_key_exists_in_keycloak(keycloak_message_keys: set[str]) -> None:
    ours = set(bundle("id")) | set(bundle("en"))
    unknown = sorted(k for k in ours if not k.startswith(OWN_KEY_PREFIX) and k not in keycloak_message_keys)
    assert unknown == [], f"keys Keycloak does not know (typo?): {unknown}"


def test_every_message_our_templates_use_is_translated() -> None:
    used: set[str] = set()
    for template in LOGIN.glob("*.ftl"):
        used |= set(re.findall(r'msg\("([A-Za-z0-9_.-]+)"', template.read_text("utf-8")))
    own = {key for key in used if key.startswith(OWN_KEY_PREFIX)}
    assert own, "footer.ftl should use our own keys"
    for locale in ("id", "en"):
        missing = own - set(bundle(locale))
        assert not missing, f"messages_{locale}.properties lacks {sorted(missing)}"


def test_stylesheet_refers_only_to_files_the_theme_ships() -> None:
    css_dir = LOGIN / "resources" / "css"
    for css in css_dir.glob("*.css"):
        for ref in re.findall(r'url\(["\']?([^"\')]+)["\']?\)', css.read_text("utf-8")):
            assert (css_dir / ref).resolve().is_file(), f"{css.name}: {ref}"


def test_logo_is_an_svg_with_an_accessible_name() -> None:
    svg = (LOGIN / "resources" / "img" / "logo.svg").read_text("utf-8")
    assert svg.lstrip().startswith("<svg") and 'aria-label="Banten Satu Login"' in svg


def test_theme_folder_holds_only_the_login_type() -> None:
    # No account/email/admin theme: those stay Keycloak's own (the realm sets loginTheme only).
    theme_types = {p.name for p in (themes_dir() / THEME_NAME).iterdir() if p.is_dir()}
    assert theme_types == {"login"}
