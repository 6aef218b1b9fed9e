"""External auditors (issue 12): invitation by email with an expiry and a scope, acceptance, read-only access to
the scope only, every page logged, expiry and revocation effective at the next request (frozen time)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts import invitations
from accounts.models import AccessKind, AccessLog, AuditorInvitation, Membership
from aims.permissions import auditor_scope_allows, can
from aims.roles import Role
from audits.tests.factories import AuditFactory, FindingFactory
from risk.tests.factories import RiskFactory

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
UNTIL = NOW + dt.timedelta(days=14)
PASSWORD = "Certification-Body-2026"


@pytest.fixture
def audits(org):
    return {
        "stage1": AuditFactory(organisation=org, title="Stage 1 certification audit"),
        "internal": AuditFactory(organisation=org, title="Internal audit of HR screening"),
    }


def _invite(org, members, audit_ids=()):
    with time_machine.travel(NOW, tick=False):
        return invitations.invite_auditor(
            actor=members["officer"],
            organisation=org,
            email="Lead.Auditor@CertBody.example",
            name="CertBody",
            expires_at=UNTIL,
            audit_ids=audit_ids,
        )


def _accepted(org, members, audit_ids=()):
    invitation, token = _invite(org, members, audit_ids)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        user = invitations.accept_invitation(token=token, username="certbody", password=PASSWORD)
    invitation.refresh_from_db()
    return invitation, user


def _signed_in() -> Client:
    """The auditor signs in (at the frozen time of the caller's ``time_machine.travel``)."""
    client = Client()
    assert client.post("/login/", {"username": "certbody", "password": PASSWORD}).status_code == 302
    return client


def test_officer_invites_through_the_page_and_an_email_goes_out(
    client_for, members, org, audits, django_capture_on_commit_callbacks
):
    client = client_for(members["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/auditors/",
            {
                "email": "auditor@certbody.example",
                "name": "CertBody",
                "expires_on": (timezone.now() + dt.timedelta(days=10)).date().isoformat(),
                "audits": [str(audits["stage1"].pk)],
            },
        )
    assert response.status_code == 302
    invitation = AuditorInvitation.objects.get(organisation=org)
    assert invitation.audit_ids == [str(audits["stage1"].pk)]
    assert len(mail.outbox) == 1
    assert re.search(r"/account/invitation/[\w-]+/", mail.outbox[0].body)
    assert AccessLog.objects.filter(kind=AccessKind.INVITATION, organisation=org).exists()


@pytest.mark.parametrize("role", ["contributor", "viewer", "auditor"])
def test_only_admins_and_officers_invite(client_for, members, role):
    assert client_for(members[role]).get("/account/auditors/").status_code == 404
    with pytest.raises(Exception, match="not allowed"):
        invitations.invite_auditor(
            actor=members[role],
            organisation=members[role].memberships.first().organisation,
            email="x@example.org",
            expires_at=timezone.now() + dt.timedelta(days=1),
        )


def test_accepting_through_the_link_signs_in_read_only(members, org, audits):
    invitation, token = _invite(org, members)
    client = Client()
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        page = client.get(f"/account/invitation/{token}/")
        assert page.status_code == 200
        short = client.post(
            f"/account/invitation/{token}/", {"username": "certbody", "password1": "short", "password2": "short"}
        )
        assert "too short" in short.content.decode()
        done = client.post(
            f"/account/invitation/{token}/", {"username": "certbody", "password1": PASSWORD, "password2": PASSWORD}
        )
        assert done.status_code == 302
        listing = client.get("/audits/internal/")
        assert listing.status_code == 200
        assert "Stage 1 certification audit" in listing.content.decode()
        # A used link is dead.
        assert Client().get(f"/account/invitation/{token}/").status_code == 404
    membership = Membership.objects.get(user__username="certbody")
    assert membership.role == Role.AUDITOR and membership.expires_at == UNTIL


def test_named_scope_shows_only_the_named_audit(members, org, audits):
    _, user = _accepted(org, members, [audits["stage1"].pk])
    finding_in = FindingFactory(audit=audits["stage1"], title="Finding in scope")
    finding_out = FindingFactory(audit=audits["internal"], title="Finding out of scope")

    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        client = _signed_in()
        listing = client.get("/audits/internal/").content.decode()
        assert "Stage 1 certification audit" in listing
        assert "Internal audit of HR screening" not in listing
        assert client.get(f"/audits/internal/{audits['stage1'].pk}/").status_code == 200
        assert client.get(f"/audits/internal/{audits['internal'].pk}/").status_code == 404
        assert client.get(f"/audits/findings/{finding_in.pk}/").status_code == 200
        assert client.get(f"/audits/findings/{finding_out.pk}/").status_code == 404

    assert auditor_scope_allows(user, org, audits["stage1"])
    assert not auditor_scope_allows(user, org, audits["internal"])
    assert auditor_scope_allows(members["officer"], org, audits["internal"])  # ordinary members: no narrowing


def test_external_auditor_reads_nothing_else_and_writes_nothing(members, org, audits):
    _, user = _accepted(org, members)
    risk = RiskFactory(organisation=org, title="Secret risk")

    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        client = _signed_in()
        assert client.get("/").status_code == 302  # the dashboard sends them to the audits
        assert client.get("/risks/").status_code == 404
        assert client.get(f"/risks/{risk.pk}/").status_code == 404
        assert client.get("/inventory/").status_code == 404
        assert client.get("/account/members/").status_code == 404
        assert client.get("/api/v1/me/").status_code == 404
        assert client.post(f"/audits/internal/{audits['stage1'].pk}/edit/", {"title": "changed"}).status_code == 404
        assert client.post("/audits/internal/new/", {"title": "new"}).status_code == 404
    audits["stage1"].refresh_from_db()
    assert audits["stage1"].title == "Stage 1 certification audit"
    for action in ("add", "change", "delete", "approve"):
        assert not can(user, action, audits["stage1"], org)


def test_every_page_view_is_in_the_access_log(members, org, audits):
    _, user = _accepted(org, members)
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        client = _signed_in()
        client.get("/audits/internal/")
        client.get(f"/audits/internal/{audits['stage1'].pk}/")
        client.get("/risks/")

    views = AccessLog.objects.filter(user=user, kind=AccessKind.PAGE_VIEW, organisation=org)
    paths = list(views.order_by("at").values_list("path", flat=True))
    assert "/audits/internal/" in paths
    assert f"/audits/internal/{audits['stage1'].pk}/" in paths
    assert "/risks/" in paths  # refused attempts too
    assert views.filter(path="/risks/", detail__contains="404").exists()


def test_access_ends_at_expiry(members, org, audits):
    _, user = _accepted(org, members)

    with time_machine.travel(UNTIL - dt.timedelta(minutes=2), tick=False):
        client = _signed_in()
    with time_machine.travel(UNTIL - dt.timedelta(minutes=1), tick=False):
        assert client.get("/audits/internal/").status_code == 200
    with time_machine.travel(UNTIL + dt.timedelta(seconds=1), tick=False):
        response = client.get("/audits/internal/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
        # Signing in again gives nothing either.
        again = Client()
        again.post("/login/", {"username": "certbody", "password": PASSWORD})
        assert again.get(f"/audits/internal/{audits['stage1'].pk}/").status_code in (302, 404)
        assert not can(user, "view", audits["stage1"], org)


def test_an_unaccepted_invitation_expires(members, org):
    _, token = _invite(org, members)
    with time_machine.travel(UNTIL + dt.timedelta(seconds=1), tick=False):
        assert Client().get(f"/account/invitation/{token}/").status_code == 404
        with pytest.raises(Exception, match="no longer valid"):
            invitations.accept_invitation(token=token, username="late", password=PASSWORD)


def test_revoking_ends_access_at_the_next_request(client_for, members, org, audits):
    invitation, user = _accepted(org, members)
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        client = _signed_in()
        assert client.get("/audits/internal/").status_code == 200
        officer = client_for(members["officer"])
        assert officer.post(f"/account/auditors/{invitation.pk}/revoke/").status_code == 302
        response = client.get("/audits/internal/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    invitation.refresh_from_db()
    assert invitation.status(NOW + dt.timedelta(days=2)) == "revoked"
    assert AccessLog.objects.filter(kind=AccessKind.INVITATION, detail__startswith="revoked").exists()


def test_organisation_requiring_two_factor_makes_the_auditor_enrol(members, org, audits):
    org.require_two_factor = True
    org.save()
    _, user = _accepted(org, members)

    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        client = _signed_in()
        response = client.get("/audits/internal/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/")
