"""An administrator exports everything of the organisation, and deletes it after a grace period."""

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from aims.services import ServiceError
from controls.tests.factories import EvidenceRevisionFactory
from registry.tests.factories import AISystemFactory
from stewardship import services
from stewardship.archive import read_manifest, verify_entries
from stewardship.models import DeletionRequest
from stewardship.tasks import perform_due_deletions_task
from trail.models import TrailLink
from trail.services import verify_chain


@pytest.fixture
def records(org, other_org, members):
    system = AISystemFactory(organisation=org, name="Acme triage model", business_owner=members["contributor"])
    revision = EvidenceRevisionFactory(evidence__organisation=org, evidence__title="Acme model card")
    revision.evidence.ai_systems.add(system)
    theirs = AISystemFactory(organisation=other_org, name="Globex secret system")
    their_file = EvidenceRevisionFactory(evidence__organisation=other_org)
    return {"system": system, "revision": revision, "theirs": theirs, "their_file": their_file}


def _open(content: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(content))
    verify_entries(archive, read_manifest(archive))
    return archive


def _zip_bytes(response) -> bytes:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_admin_exports_everything_of_the_organisation_and_nothing_else(org, members, client_for, records):
    content = _zip_bytes(client_for(members["admin"]).get(reverse("stewardship:export")))
    archive = _open(content)
    manifest = read_manifest(archive)
    assert manifest["kind"] == "organisation-export"
    assert manifest["organisation"]["slug"] == org.slug
    text = "".join(archive.read(name).decode() for name in archive.namelist() if name.startswith("data/"))
    assert "Acme triage model" in text and "Acme model card" in text
    assert "Globex secret system" not in text
    assert str(records["theirs"].pk) not in text
    # History, the trail and the many-to-many rows come along; members do, without their password hashes.
    assert manifest["counts"]["registry.historicalaisystem"] >= 1
    assert manifest["counts"]["trail.traillink"] == TrailLink.objects.filter(organisation=org).count()
    assert manifest["counts"]["controls.evidence_ai_systems"] == 1
    users = json.loads(archive.read("data/accounts.user.json"))
    assert {user["fields"]["username"] for user in users} == {user.username for user in members.values()}
    assert all("password" not in user["fields"] for user in users)
    assert archive.read(f"media/{records['revision'].file.name}") == b"evidence text\n"
    assert f"media/{records['their_file'].file.name}" not in archive.namelist()


def test_api_export_is_for_administrators_only(org, members, api_for, records):
    url = reverse("organisation-export")
    content = _zip_bytes(api_for(members["admin"], org).get(url))
    assert read_manifest(_open(content))["organisation"]["id"] == str(org.pk)
    for role in ("officer", "auditor", "contributor", "viewer"):
        assert api_for(members[role], org).get(url).status_code == 403
    assert api_for(members["admin"], org, read_only=True).get(url).status_code == 403


def test_page_export_refused_to_other_roles(members, client_for):
    for role in ("officer", "auditor", "viewer"):
        assert client_for(members[role]).get(reverse("stewardship:export")).status_code == 403
        assert client_for(members[role]).get(reverse("stewardship:home")).status_code == 403


def test_deletion_is_scheduled_confirmed_and_cancellable_on_the_page(org, members, client_for):
    client = client_for(members["admin"])
    url = reverse("stewardship:home")
    wrong = client.post(url, {"confirm": "not-it"})
    assert wrong.status_code == 200 and "to confirm" in wrong.text
    assert not DeletionRequest.objects.exists()

    response = client.post(url, {"confirm": org.slug}, follow=True)
    assert 'data-testid="deletion-pending"' in response.text
    pending = services.pending_deletion(org)
    expected = timezone.now() + timedelta(days=settings.AIMS_DELETION_GRACE_DAYS)
    assert abs((pending.due_at - expected).total_seconds()) < 60
    assert pending.requested_by == members["admin"]

    response = client.post(reverse("stewardship:cancel"), follow=True)
    assert "cancelled" in response.text
    assert services.pending_deletion(org) is None
    assert DeletionRequest.objects.get().cancelled_by == members["admin"]


def test_deletion_through_the_api(org, members, api_for):
    api = api_for(members["admin"], org)
    url = reverse("organisation-deletion")
    assert api.get(url).json()["pending"] is False
    assert api.post(url, {"confirm": "wrong"}, format="json").status_code == 400
    created = api.post(url, {"confirm": org.slug}, format="json")
    assert created.status_code == 201 and created.json()["pending"] is True
    assert api.post(url, {"confirm": org.slug}, format="json").status_code == 409
    assert api.get(url).json()["requested_by"] == members["admin"].username
    assert api_for(members["officer"], org).delete(url).status_code == 403
    assert api.delete(url).status_code == 204
    assert api.delete(url).status_code == 409
    assert api_for(members["officer"], org).get(url).status_code == 403


def test_due_deletion_removes_everything_of_the_organisation(
    org, other_org, members, make_member, records, django_capture_on_commit_callbacks
):
    shared = make_member(org, "viewer", username="shared-user")
    Membership.objects.create(user=shared, organisation=other_org, role="viewer")
    services.request_deletion(organisation=org, actor=members["admin"], confirm=org.slug)
    files = [Path(settings.MEDIA_ROOT) / records["revision"].file.name]
    their_file = Path(settings.MEDIA_ROOT) / records["their_file"].file.name
    assert all(path.exists() for path in files)
    their_chain = verify_chain(other_org)

    assert services.perform_due_deletions() == []  # the grace period has not ended
    assert Organisation.objects.filter(pk=org.pk).exists()

    with pytest.raises(ServiceError):
        services.request_deletion(organisation=org, actor=members["admin"], confirm=org.slug)
    DeletionRequest.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert perform_due_deletions_task() == [str(org.pk)]

    assert not Organisation.objects.filter(pk=org.pk).exists()
    for model, queryset in services.organisation_querysets(org):
        assert not queryset.exists(), model._meta.label
    assert not User.objects.filter(pk__in=[user.pk for user in members.values()]).exists()
    assert User.objects.filter(pk=shared.pk).exists()  # still a member elsewhere
    assert not any(path.exists() for path in files)
    assert their_file.exists()
    assert verify_chain(other_org).ok and verify_chain(other_org).checked == their_chain.checked
    call_command("perform_deletions")  # nothing left to do, and no error
