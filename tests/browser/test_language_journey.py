"""Languages in a browser: a member switches to German on the Preferences page and the navigation follows;
the user menu's switch brings English back."""

import contextlib

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login


def _screenshot(page, name):
    with contextlib.suppress(OSError):  # an unwritable /tmp must not fail the journey
        page.screenshot(path=f"/tmp/aims-language-{name}.png", full_page=True)


@pytest.mark.browser
def test_member_switches_to_german_and_back(page, live_server, transactional_db, org, members):
    officer = members["officer"]
    login(page, live_server, officer.username)
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("button", name="Settings")).to_be_visible()

    page.get_by_role("button", name=officer.username).click()
    page.get_by_test_id("preferences-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preferences")
    page.get_by_label("Language", exact=True).select_option("de")
    page.get_by_label("Time zone", exact=True).select_option("Europe/Berlin")
    page.get_by_label("As usual in my language").check()
    page.get_by_role("button", name="Save preferences").click()

    expect(page.get_by_text("Ihre persönlichen Einstellungen wurden gespeichert.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Persönliche Einstellungen")
    expect(page.get_by_test_id("preferences-now")).to_contain_text("CET")
    _screenshot(page, "preferences")

    page.goto(f"{live_server.url}/")
    german_navigation = page.get_by_role("navigation", name="Hauptnavigation")
    expect(german_navigation.get_by_role("button", name="Einstellungen")).to_be_visible()
    expect(german_navigation.get_by_text("Risiken", exact=True)).to_be_visible()
    expect(german_navigation.get_by_role("button", name="Settings")).to_have_count(0)
    _screenshot(page, "dashboard")

    # The user menu's switch: back to English on the same page.
    page.get_by_role("button", name=officer.username).click()
    page.get_by_test_id("language-en-gb").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Settings")).to_be_visible()
    officer.refresh_from_db()
    assert (officer.language, officer.time_zone, officer.date_format) == ("en-gb", "Europe/Berlin", "locale")


@pytest.mark.browser
@pytest.mark.parametrize("language", ["de", "en-gb"])
def test_the_expanded_navbar_fits_from_1200_px(page, live_server, transactional_db, org, members, language):
    # German labels are longer: at 1400 px the user menu used to be cut off, and both languages overflowed at 1280.
    officer = members["officer"]
    officer.language = language
    officer.save(update_fields=["language"])
    login(page, live_server, officer.username)
    for width in (1200, 1280, 1400, 1600):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/")
        expect(page.locator("#user-menu")).to_be_visible()  # expanded, not behind the toggler
        menu = page.locator("#user-menu").bounding_box()
        assert menu["x"] + menu["width"] <= width, f"user menu cut off at {width} px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"page scrolls sideways at {width} px"
        _screenshot(page, f"navbar-{language}-{width}")
    page.get_by_role("button", name=officer.username).click()
    expect(page.get_by_role("link", name="API tokens" if language == "en-gb" else "API-Tokens")).to_be_visible()
