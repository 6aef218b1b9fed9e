"""Scheduled reviews in a browser: the officer finds the due reviews of the demo organisation, opens My reviews
(overdue first), completes one and sees the object's next review date move on."""

import contextlib
import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import login

SCREENSHOTS = "/tmp/aims-reviews-{}.png"


def _screenshot(page, name):
    with contextlib.suppress(OSError):
        page.screenshot(path=SCREENSHOTS.format(name), full_page=True)


@pytest.mark.browser
def test_officer_completes_a_due_review_and_the_next_review_moves(page, live_server, transactional_db):
    call_command("seed_demo")
    from reviews.models import ReviewTask

    login(page, live_server, "officer")
    expect(page.get_by_test_id("unread-count")).to_be_visible()

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Reviews").click()
    nav.get_by_role("link", name="My reviews").click()
    expect(page.get_by_role("heading", name="My reviews")).to_be_visible()
    page.get_by_test_id("run-reviews").click()
    expect(page.get_by_text("Review check done")).to_be_visible()
    _screenshot(page, "my-reviews")

    # Overdue first: the first row carries the overdue badge.
    first_row = page.get_by_test_id("register-table").locator("tbody tr").first
    expect(first_row.get_by_test_id("overdue-badge")).to_be_visible()
    reference = first_row.get_by_test_id("task-link").inner_text()
    first_row.get_by_test_id("task-link").click()

    task = ReviewTask.objects.get(reference=reference, organisation__slug="northwind")
    before = task.due_date
    form = page.get_by_test_id("complete-form")
    form.get_by_label("Reviewed, no change needed").check()
    form.get_by_label("Comment").fill("Checked with the owner: still accurate.")
    page.get_by_test_id("complete-submit").click()

    expect(page.get_by_text(f"{reference} completed. Next review:")).to_be_visible()
    task.refresh_from_db()
    assert task.state == "done" and task.next_due > timezone.localdate() >= before
    expect(page.get_by_test_id("next-due")).to_have_text(f"{task.next_due:%Y-%m-%d}")
    _screenshot(page, "completed")

    # The object itself shows the new date (through its own register).
    page.get_by_test_id("object-link").click()
    expect(page.get_by_text(f"{task.next_due:%Y-%m-%d}").first).to_be_visible()
    assert task.next_due - timezone.localdate() > dt.timedelta(days=27)

    # Gone from My reviews' open list.
    page.goto(f"{live_server.url}/reviews/my/")
    expect(page.get_by_test_id("register-table")).not_to_contain_text(reference)
