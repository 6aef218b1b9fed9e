"""The platform foundation seen through a browser: sign in, dashboard, organisation switching, sign out."""

import contextlib
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login

SCREENSHOT = "/tmp/aims-dashboard.png"


def _screenshot(page, path):
    with contextlib.suppress(OSError):  # an unwritable /tmp must not fail the journey
        page.screenshot(path=path, full_page=True)


@pytest.mark.browser
def test_officer_signs_in_cannot_enter_another_organisation_and_signs_out(page, live_server, transactional_db):
    call_command("seed_demo")

    # Sign in through the form.
    login(page, live_server, "officer")

    # The dashboard shows the officer's organisation and role.
    expect(page.get_by_test_id("current-organisation")).to_have_text("Northwind Health")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Health")
    expect(page.get_by_text("Your role: AIMS officer")).to_be_visible()
    expect(page.locator("link[href$='bootstrap.min.css']")).to_have_count(1)
    _screenshot(page, SCREENSHOT)

    # The organisation menu offers only the officer's own organisation.
    page.locator("#org-switcher").click()
    switch_buttons = page.locator("form[action^='/account/switch/'] button")
    expect(switch_buttons).to_have_count(1)
    expect(switch_buttons).to_contain_text("Northwind Health")
    page.keyboard.press("Escape")

    # A forged switch to Contoso Lending (not a membership) is answered 404, in the product layout.
    page.evaluate(
        """() => {
            const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/account/switch/contoso/";
            form.innerHTML = `<input type="hidden" name="csrfmiddlewaretoken" value="${token}">`;
            form.id = "forged-switch";
            document.body.appendChild(form);
        }"""
    )
    with page.expect_response(re.compile(r"/account/switch/contoso/$")) as switch:
        page.locator("#forged-switch").evaluate("form => form.submit()")
    assert switch.value.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_test_id("current-organisation")).to_have_text("Northwind Health")

    # Still in Northwind on the dashboard.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("current-organisation")).to_have_text("Northwind Health")
    expect(page.get_by_text("Contoso Lending")).to_have_count(0)

    # Sign out from the user menu.
    page.locator("#user-menu").click()
    sign_out = page.get_by_test_id("logout")
    expect(sign_out).to_be_visible()
    sign_out.click()
    page.wait_for_url(re.compile(r"/login/$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("#user-menu")).to_have_count(0)

    # Signed out for real: the dashboard sends back to the login page.
    page.goto(f"{live_server.url}/")
    page.wait_for_url(re.compile(r"/login/\?next=/$"))


@pytest.mark.browser
def test_bad_password_shows_the_error_on_the_login_page(page, live_server, transactional_db):
    call_command("seed_demo")

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value("officer")
    assert page.url == f"{live_server.url}/login/"


@pytest.mark.browser
def test_user_in_two_organisations_switches_with_the_menu(page, live_server, transactional_db):
    from accounts.models import Membership, Organisation, User
    from aims.roles import Role

    call_command("seed_demo")
    Membership.objects.create(
        user=User.objects.get(username="officer"),
        organisation=Organisation.objects.get(slug="contoso"),
        role=Role.VIEWER,
    )

    login(page, live_server, "officer")
    expect(page.get_by_test_id("current-organisation")).to_have_text("Contoso Lending")  # first by name

    page.locator("#org-switcher").click()
    page.get_by_role("button", name=re.compile("Northwind Health")).click()

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_test_id("current-organisation")).to_have_text("Northwind Health")
    expect(page.get_by_role("alert")).to_contain_text("You are now working in Northwind Health.")
    expect(page.get_by_text("Your role: AIMS officer")).to_be_visible()
