"""Webhooks: events from the services reach a local receiver, signed; retries, the log, the SSRF guard."""

import datetime as dt
import json
import socket

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from integrations.services import webhooks
from integrations.services.http import UnsafeDestination, address_refused, resolve_checked

pytestmark = pytest.mark.django_db

ALL_EVENTS = [
    "ai_system.created",
    "ai_system.updated",
    "model_version.registered",
    "risk.level_changed",
    "nonconformity.opened",
    "nonconformity.closed",
    "incident.serious_reported",
    "evidence.expiring",
]


@pytest.fixture
def endpoint(org, members, receiver, allow_loopback):
    return webhooks.endpoint_create(
        actor=members["admin"],
        organisation=org,
        data={"name": "MLOps", "url": receiver.url, "event_types": ALL_EVENTS},
    )


def _verified(receiver, endpoint) -> list[dict]:
    """Each request the receiver got, checked as a receiver would (signature and timestamp)."""
    events = []
    for request in receiver.requests:
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert webhooks.verify(
            endpoint.secret, headers["x-aims-timestamp"], request["body"], headers["x-aims-signature"]
        )
        assert headers["x-aims-event"] == json.loads(request["body"])["type"]
        events.append(json.loads(request["body"]))
    return events


def test_every_listed_event_reaches_the_receiver_signed(
    org, members, endpoint, receiver, eager_celery, django_capture_on_commit_callbacks
):
    from audits.constants import ActionStatus, Effectiveness
    from audits.services import incidents, nonconformities
    from audits.tests.factories import CorrectiveActionFactory
    from controls.tests.factories import EvidenceFactory
    from integrations.services.expiry import announce_expiring
    from registry.services import inventory, versions
    from registry.tests.factories import AIModelFactory
    from risk.services import risks
    from risk.tests.factories import RiskFactory

    officer = members["officer"]
    with django_capture_on_commit_callbacks(execute=True):
        system = inventory.ai_system_register(
            actor=officer, organisation=org, data={"name": "Fraud screening", "scope_justification": "Core process."}
        )
    with django_capture_on_commit_callbacks(execute=True):
        inventory.ai_system_update(actor=officer, system=system, data={"business_unit": "Finance"})
    with django_capture_on_commit_callbacks(execute=True):
        versions.model_version_create(
            actor=officer, organisation=org, data={"model": AIModelFactory(organisation=org), "version_label": "2.0"}
        )
    risk = RiskFactory(organisation=org)
    with django_capture_on_commit_callbacks(execute=True):
        risks.risk_score_inherent(actor=officer, risk=risk, likelihood=5, impact=5)
    with django_capture_on_commit_callbacks(execute=True):
        nc = nonconformities.nonconformity_create(
            actor=officer,
            organisation=org,
            data={"title": "Model card missing", "description": "No card.", "root_cause": "No template."},
        )
    CorrectiveActionFactory(nonconformity=nc, status=ActionStatus.DONE, effectiveness=Effectiveness.EFFECTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        nonconformities.nonconformity_close(actor=officer, nonconformity=nc, note="Fixed")
    with django_capture_on_commit_callbacks(execute=True):
        incidents.incident_create(
            actor=officer,
            organisation=org,
            data={"title": "Wrong refusals", "description": "Refused loans.", "serious": True},
        )
    EvidenceFactory(organisation=org, expiry_date=timezone.localdate() + dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert announce_expiring() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert announce_expiring() == 0  # once per evidence and expiry date

    events = _verified(receiver, endpoint)
    assert [e["type"] for e in events] == ALL_EVENTS
    created = events[0]
    assert created["organisation"]["slug"] == org.slug
    assert created["data"]["ai_system"]["reference"] == system.reference
    assert events[1]["data"]["changed"] == ["business_unit"]
    assert events[3]["data"]["risk"]["reference"] == risk.reference
    assert events[5]["data"]["nonconformity"]["reference"] == nc.reference
    log = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert log.count() == len(ALL_EVENTS)
    assert set(log.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}
    assert all(d.response_status == 200 and d.response_ms is not None and d.attempts == 1 for d in log)


def test_events_of_a_rolled_back_change_are_not_sent(org, members, endpoint, receiver, eager_celery):
    from django.db import transaction

    from registry.services import inventory

    with pytest.raises(RuntimeError), transaction.atomic():
        inventory.ai_system_register(
            actor=members["officer"], organisation=org, data={"name": "Never", "scope_justification": "x"}
        )
        raise RuntimeError
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_only_subscribed_events_of_the_own_organisation_are_sent(
    org, other_org, members, make_member, endpoint, receiver, eager_celery, django_capture_on_commit_callbacks
):
    from registry.services import inventory

    endpoint.event_types = ["ai_system.updated"]
    endpoint.save()
    with django_capture_on_commit_callbacks(execute=True):
        inventory.ai_system_register(
            actor=members["officer"], organisation=org, data={"name": "Not subscribed", "scope_justification": "x"}
        )
        inventory.ai_system_register(
            actor=make_member(other_org, "officer"),
            organisation=other_org,
            data={"name": "Other organisation", "scope_justification": "x"},
        )
    assert receiver.requests == []


def test_a_failed_attempt_is_logged_and_retried_with_backoff(org, endpoint, receiver, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    receiver.statuses = [500, 503]
    delivery = webhooks.fan_out(org, "ai_system.created", {"x": 1}, endpoints=[endpoint])[0]

    assert webhooks.attempt(delivery) == 30
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (DeliveryStatus.RETRYING, 1, 500)
    assert "HTTP 500" in delivery.error and delivery.next_attempt_at > timezone.now()
    assert webhooks.attempt(delivery) == 60  # exponential
    assert webhooks.attempt(delivery) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (DeliveryStatus.SUCCEEDED, 3, 200)
    assert len(receiver.requests) == 3
    ids = {json.loads(r["body"])["id"] for r in receiver.requests}
    assert ids == {str(delivery.event_id)}  # the same event id on every retry: receivers deduplicate


def test_attempts_stop_at_the_limit(org, endpoint, receiver, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    receiver.statuses = [500, 500]
    delivery = webhooks.fan_out(org, "ai_system.created", {}, endpoints=[endpoint])[0]
    webhooks.attempt(delivery)
    assert webhooks.attempt(delivery) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None


def test_a_refused_connection_is_an_error_in_the_log(org, endpoint, allow_loopback):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    endpoint.url = f"http://127.0.0.1:{port}/nobody"
    endpoint.save()
    delivery = webhooks.fan_out(org, "ai_system.created", {}, endpoints=[endpoint])[0]
    assert webhooks.attempt(delivery) == 30
    delivery.refresh_from_db()
    assert delivery.response_status is None and "ConnectionRefusedError" in delivery.error


def test_loopback_is_refused_by_default(org, members, receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    from aims.services import ServiceError

    with pytest.raises(ServiceError, match="loopback"):
        webhooks.endpoint_create(actor=members["admin"], organisation=org, data={"name": "x", "url": receiver.url})
    # An endpoint saved while allowed (or a name that later resolves to loopback) is still refused at send time.
    endpoint = WebhookEndpoint.objects.create(
        organisation=org, name="x", url=receiver.url, event_types=["ai_system.created"]
    )
    delivery = webhooks.fan_out(org, "ai_system.created", {}, endpoints=[endpoint])[0]
    assert webhooks.attempt(delivery) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "loopback" in delivery.error
    assert receiver.requests == []


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",  # noqa: S104 (an address refused, not bound)
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "fc00::1",
        "100.64.0.1",
        "224.0.0.1",
    ],
)
def test_private_addresses_are_refused(address):
    import ipaddress

    assert address_refused(ipaddress.ip_address(address))


def test_public_addresses_pass():
    import ipaddress

    assert address_refused(ipaddress.ip_address("93.184.215.14")) == ""
    assert address_refused(ipaddress.ip_address("2606:4700::1111")) == ""


def test_every_resolved_address_is_checked(monkeypatch, settings):
    """DNS answering one public and one private address is refused (no picking the nice one)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(UnsafeDestination, match="10.0.0.5"):
        resolve_checked("https://hooks.example.com/x")


def test_the_connection_goes_to_the_checked_address(monkeypatch, settings, receiver, org, endpoint):
    """DNS rebinding: the name is resolved once; the connection uses that address, not a second look-up."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    calls = []

    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "127.0.0.1":  # connecting to the address itself: no DNS involved
            return real(host, *args, **kwargs)
        calls.append(host)
        if len(calls) > 1:
            raise AssertionError("resolved twice")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    endpoint.url = f"http://hooks.example.test:{port}/hooks/aims"
    endpoint.save()
    delivery = webhooks.fan_out(org, "ai_system.created", {}, endpoints=[endpoint])[0]
    assert webhooks.attempt(delivery) is None
    assert calls == ["hooks.example.test"]
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.example.test:{port}"


def test_other_schemes_and_credentials_are_refused(allow_loopback):
    for url in ("ftp://127.0.0.1/x", "file:///etc/passwd", "http://user:pw@127.0.0.1/x"):
        with pytest.raises(UnsafeDestination):
            resolve_checked(url)


def test_a_slow_receiver_times_out(org, endpoint, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        endpoint.url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        endpoint.save()
        delivery = webhooks.fan_out(org, "ai_system.created", {}, endpoints=[endpoint])[0]
        webhooks.attempt(delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING and "timed out" in delivery.error.lower()


# --- Pages and API ----------------------------------------------------------------------------------------


def test_admin_registers_an_endpoint_and_sends_a_test_event(
    org, members, receiver, allow_loopback, client_for, eager_celery, django_capture_on_commit_callbacks
):
    client = client_for(members["admin"])
    response = client.post(
        reverse("integrations:webhook-create"),
        {"name": "GRC", "url": receiver.url, "event_types": ["risk.level_changed"], "active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get(organisation=org)
    assert response.status_code == 302 and endpoint.event_types == ["risk.level_changed"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("integrations:webhook-test", args=[endpoint.pk])).status_code == 302
    [event] = _verified(receiver, endpoint)
    assert event["type"] == "webhook.test"
    page = client.get(reverse("integrations:webhook-detail", args=[endpoint.pk]))
    assert b"webhook.test" in page.content and b"Delivered" in page.content and b" ms" in page.content


def test_a_bad_url_is_a_field_error(org, members, client_for, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    response = client_for(members["admin"]).post(
        reverse("integrations:webhook-create"), {"name": "x", "url": "http://127.0.0.1:9/", "event_types": []}
    )
    assert response.status_code == 200 and "loopback" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("role", ["officer", "contributor", "auditor", "viewer"])
def test_only_administrators_manage_webhooks(org, members, endpoint, client_for, api_for, role):
    client = client_for(members[role])
    assert client.get(reverse("integrations:webhook-list")).status_code == 403
    assert client.get(reverse("integrations:webhook-detail", args=[endpoint.pk])).status_code == 404
    api = api_for(members[role], org)
    assert api.get("/api/v1/webhooks/").status_code == 403
    assert api.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    assert api.post("/api/v1/webhooks/", {"name": "x", "url": "https://example.com"}, format="json").status_code == 403


def test_api_manages_endpoints_and_reads_the_log(
    org, members, receiver, allow_loopback, api_for, eager_celery, django_capture_on_commit_callbacks
):
    api = api_for(members["admin"], org)
    response = api.post(
        "/api/v1/webhooks/", {"name": "CI", "url": receiver.url, "event_types": ["ai_system.created"]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["secret"].startswith("whsec_")
    bad = api.post("/api/v1/webhooks/", {"name": "x", "url": receiver.url, "event_types": ["nope"]}, format="json")
    assert bad.status_code == 400 and "event_types" in bad.json()
    with django_capture_on_commit_callbacks(execute=True):
        test = api.post(f"/api/v1/webhooks/{response.json()['id']}/test/")
    assert test.status_code == 202
    log = api.get("/api/v1/webhook-deliveries/").json()
    rows = log["results"] if isinstance(log, dict) else log
    assert rows[0]["status"] == "succeeded" and rows[0]["response_status"] == 200
