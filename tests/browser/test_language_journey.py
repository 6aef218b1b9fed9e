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
