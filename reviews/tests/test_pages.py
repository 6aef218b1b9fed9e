"""The pages and the API of the reviews app."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MembershipFactory
from controls.tests.factories import ControlFactory
from reviews import services
from reviews.models import Notification, ReviewSettings, ReviewTask
from tests.query_budget import MANY_ROWS, assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(org, members):
    today = timezone.localdate()
    contributor = members["contributor"]
    overdue = ControlFactory(organisation=org, owner=contributor, next_review=today - dt.timedelta(days=10))
    soon = ControlFactory(organisation=org, owner=contributor, next_review=today + dt.timedelta(days=5))
    ControlFactory(organisation=org, owner=members["officer"], next_review=today + dt.timedelta(days=2))
    services.reviews_run_daily(organisation=org, respect_quiet_days=False)
    return {
        "overdue": ReviewTask.objects.get(object_id=overdue.pk),
        "soon": ReviewTask.objects.get(object_id=soon.pk),
    }


def test_my_reviews_lists_my_open_tasks_overdue_first(client_for, members, tasks):
    response = client_for(members["contributor"]).get(reverse("reviews:my"))
    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert [t.pk for t in rows] == [tasks["overdue"].pk, tasks["soon"].pk]
    assert b"10 days overdue" in response.content


def test_officers_list_filters_by_state_kind_owner_and_overdue(client_for, members, tasks):
    client = client_for(members["officer"])
    everything = client.get(reverse("reviews:task-list"))
    assert everything.context["page_obj"].paginator.count == 3
    mine = client.get(reverse("reviews:task-list"), {"assignee": members["contributor"].pk, "overdue": "true"})
    assert [t.pk for t in mine.context["rows"]] == [tasks["overdue"].pk]
    by_kind = client.get(reverse("reviews:task-list"), {"kind": "risk"})
    assert by_kind.context["page_obj"].paginator.count == 0


def test_review_lists_cost_the_same_queries_for_5_and_50_tasks_and_at_most_16(client_for, members, org):
    today = timezone.localdate()

    def grow(n):
        for i in range(n):
            ControlFactory(
                organisation=org, owner=members["contributor"], next_review=today + dt.timedelta(days=i % 10 - 5)
            )
        services.reviews_run_daily(organisation=org, respect_quiet_days=False)

    assert_queries_do_not_grow(
        grow,
        [
            (client_for(members["officer"]), reverse("reviews:task-list")),
            (client_for(members["contributor"]), reverse("reviews:my")),
        ],
        max_queries=16,
    )
    assert ReviewTask.objects.filter(organisation=org).count() == MANY_ROWS


def test_completing_in_the_browser_form_moves_the_date(client_for, members, tasks):
    task = tasks["overdue"]
    client = client_for(members["contributor"])
    page = client.get(reverse("reviews:task-detail", args=[task.pk]))
    assert page.status_code == 200 and b"Complete the review" in page.content

    refused = client.post(reverse("reviews:task-complete", args=[task.pk]), {"outcome": "updated", "comment": ""})
    assert refused.status_code == 400 and b"Say what was updated." in refused.content

    done = client.post(reverse("reviews:task-complete", args=[task.pk]), {"outcome": "no_change", "comment": "OK"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.state == "done" and task.next_due > timezone.localdate()
    assert task.target.next_review == task.next_due


def test_a_viewer_cannot_complete(client_for, members, tasks):
    response = client_for(members["viewer"]).post(
        reverse("reviews:task-complete", args=[tasks["overdue"].pk]), {"outcome": "no_change"}
    )
    assert response.status_code == 403


def test_officer_reassigns_and_runs_the_job(client_for, members, tasks):
    client = client_for(members["officer"])
    response = client.post(
        reverse("reviews:task-reassign", args=[tasks["soon"].pk]), {"assignee": members["officer"].pk}
    )
    assert response.status_code == 302
    tasks["soon"].refresh_from_db()
    assert tasks["soon"].assignee == members["officer"] and tasks["soon"].notified_at is None
    assert client.post(reverse("reviews:run")).status_code == 302
    assert client_for(members["contributor"]).post(reverse("reviews:run")).status_code == 403


def test_bell_counts_unread_and_opening_marks_read(client_for, members, tasks):
    client = client_for(members["contributor"])
    page = client.get(reverse("reviews:my"))
    assert b'data-testid="unread-count">2<' in page.content
    notification = Notification.objects.filter(recipient=members["contributor"]).first()
    response = client.get(reverse("reviews:notification-open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.is_read
    # Nobody opens another member's notification.
    other = Notification.objects.filter(recipient=members["officer"]).first()
    assert client.get(reverse("reviews:notification-open", args=[other.pk])).status_code == 404


def _badge(client) -> str | None:
    html = client.get(reverse("reviews:my")).content.decode()
    match = re.search(r'data-testid="unread-count">(\d+)<', html)
    return match and match.group(1)


def test_the_badge_is_right_straight_after_a_notification_is_created_or_read(
    client_for, members, org, other_org, tasks, api_for
):
    contributor = members["contributor"]
    # A member of two organisations: the badge counts the current one's notifications only.
    MembershipFactory(user=contributor, organisation=other_org, role="viewer")
    services.notify(organisation=other_org, recipient=contributor, kind="info", title="Elsewhere")
    client = client_for(contributor)
    client.post(reverse("accounts:switch", args=[org.slug]))
    assert _badge(client) == "2"
    created = services.notify(organisation=org, recipient=contributor, kind="info", title="New", url="/")
    assert _badge(client) == "3"
    client.get(reverse("reviews:notification-open", args=[created.pk]))
    assert _badge(client) == "2"
    first = Notification.objects.filter(organisation=org, recipient=contributor, read_at__isnull=True).first()
    assert api_for(contributor, org).post(f"/api/v1/notifications/{first.pk}/read/").status_code == 200
    assert _badge(client) == "1"
    client.post(reverse("reviews:notifications-read-all"))
    assert _badge(client) is None
    client.post(reverse("accounts:switch", args=[other_org.slug]))
    assert _badge(client) == "1"


def test_the_badge_costs_no_query_of_its_own(client_for, members, tasks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(members["contributor"])
    client.get(reverse("reviews:my"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("reviews:my"))
    assert b'data-testid="unread-count">2<' in page.content
    reading = [q["sql"] for q in queries.captured_queries if "reviews_notification" in q["sql"]]
    assert len(reading) == 1 and "accounts_membership" in reading[0]


def test_a_post_counts_the_badge_afresh(rf, members, org, tasks):
    # A POST may change notifications before it renders: the count read with the memberships is not trusted.
    from accounts.selectors import memberships_for_request
    from reviews.context_processors import notifications

    contributor = members["contributor"]
    for method in ("get", "post"):
        request = getattr(rf, method)("/")
        request.user = contributor
        request.membership = memberships_for_request(contributor).get(organisation=org)
        request.organisation = org
        assert request.membership.unread_notifications == 2
        request.membership.unread_notifications = 7  # what a stale read would say
        assert str(notifications(request)["unread_notifications"]) == ("7" if method == "get" else "2")


def test_settings_page(client_for, members, org):
    officer = client_for(members["officer"])
    assert officer.get(reverse("reviews:settings")).status_code == 200
    data = {"lead_days": 7, "escalation_days": 3, "quiet_days": ["6"]}
    data.update({f"cadence_{key}": 6 for key in ("risk", "impact_assessment", "control", "policy")})
    data.update({f"cadence_{key}": 12 for key in ("evidence", "soa", "objective")})
    assert officer.post(reverse("reviews:settings"), data).status_code == 302
    saved = ReviewSettings.objects.get(organisation=org)
    assert (saved.lead_days, saved.escalation_days, saved.quiet_days, saved.cadences["risk"]) == (7, 3, [6], 6)
    assert officer.post(reverse("reviews:settings"), {**data, "lead_days": 500}).status_code == 400
    assert client_for(members["contributor"]).post(reverse("reviews:settings"), data).status_code == 403


def test_settings_service_refuses_bad_values(org, officer):
    from aims.services import ServiceError

    for bad in ({"quiet_days": [0, 1, 2, 3, 4, 5, 6]}, {"quiet_days": [9]}, {"cadences": {"nope": 3}}):
        with pytest.raises(ServiceError):
            services.review_settings_update(actor=officer, organisation=org, data=bad)


def test_api_lists_completes_and_reads(api_for, members, org, tasks):
    api = api_for(members["contributor"], org)
    listing = api.get("/api/v1/review-tasks/", {"state": "open"})
    assert listing.status_code == 200 and listing.json()["count"] == 3
    task = tasks["soon"]
    bad = api.post(f"/api/v1/review-tasks/{task.pk}/complete/", {"outcome": "retire", "comment": "x"}, format="json")
    assert bad.status_code == 400  # a control cannot be retired from a review
    done = api.post(f"/api/v1/review-tasks/{task.pk}/complete/", {"outcome": "no_change"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "done" and done.json()["next_due"]

    notifications = api.get("/api/v1/notifications/").json()
    assert notifications["count"] == 2
    assert all(n["kind"] == "reminder" for n in notifications["results"])
    first = notifications["results"][0]["id"]
    assert api.post(f"/api/v1/notifications/{first}/read/").json()["is_read"] is True
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked_read": 1}


def test_api_read_only_token_cannot_complete(api_for, members, org, tasks):
    api = api_for(members["officer"], org, read_only=True)
    response = api.post(f"/api/v1/review-tasks/{tasks['soon'].pk}/complete/", {"outcome": "no_change"}, format="json")
    assert response.status_code == 403


def test_openapi_documents_the_endpoints(client):
    schema = client.get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/review-tasks/{id}/complete/", "/api/v1/notifications/read-all/"):
        assert path in schema


def test_emails_in_the_outbox_are_for_members(tasks, members):
    # Sent on commit (outside a test transaction they go at once); here only the structure is checked.
    assert all(message.to for message in mail.outbox)


def test_dashboard_shows_my_open_reviews(client_for, members, tasks):
    page = client_for(members["contributor"]).get(reverse("dashboard")).content.decode()
    assert 'data-testid="my-reviews-panel"' in page and tasks["overdue"].object_label in page
    assert "my-reviews-panel" not in client_for(members["viewer"]).get(reverse("dashboard")).content.decode()
