"""Changes to evidence (ISO/IEC 42001 clause 7.5 documented information, 9.1 results): files with their
revisions, links, what they support, and their review.

A file is checked (``controls.uploads``) before anything is written; if writing the database rows then
fails, the stored file is removed again, so a refused upload leaves neither a row nor a file.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from aims.services import (
    ServiceError,
    check_reference_free,
    create_record,
    delete_with_history,
    model_errors_as_service_errors,
    save_with_history,
    update_record,
)
from controls.constants import EvidenceKind, ReviewStatus
from controls.models import Evidence, EvidenceRevision
from controls.uploads import check_upload

logger = logging.getLogger(__name__)

EVIDENCE_FIELDS = (
    "reference",
    "title",
    "description",
    "url",
    "effective_date",
    "expiry_date",
    "owner",
    "controls",
    "requirements",
    "ai_systems",
)


def _pick(data: dict) -> dict:
    return {name: data[name] for name in EVIDENCE_FIELDS if name in data}


def _check_links(organisation, values: dict) -> None:
    for requirement in values.get("requirements") or []:
        if requirement.organisation_id not in (None, organisation.pk):
            raise ServiceError(
                gettext("Choose requirements of the shipped frameworks or your own."), field="requirements"
            )


def _store_revision(*, actor, evidence: Evidence, upload, note: str = "") -> EvidenceRevision:
    """Check, store and record one file as the evidence's next revision. The file is removed again if any
    later step fails."""
    checked = check_upload(upload)
    last = evidence.revisions.aggregate(last=Max("number"))["last"] or 0
    revision = EvidenceRevision(
        organisation_id=evidence.organisation_id,
        evidence=evidence,
        number=last + 1,
        original_name=checked.name,
        sha256=checked.sha256,
        size=checked.size,
        content_type=checked.content_type,
        uploaded_by=actor,
        note=(note or "").strip()[:300],
    )
    revision.file.save(f"upload.{checked.extension}", upload, save=False)
    try:
        with transaction.atomic():
            with model_errors_as_service_errors():
                revision.full_clean(exclude=["file"])
            revision.save()
            evidence.current_revision = revision
            evidence.kind = EvidenceKind.FILE
            save_with_history(
                evidence,
                actor=actor,
                reason=f"Revision {revision.number} uploaded (SHA-256 {checked.sha256[:12]}…): {checked.name}"[:100],
            )
    except BaseException:
        revision.file.delete(save=False)
        raise
    return revision


@transaction.atomic
def evidence_create(*, actor, organisation, data: dict, upload=None, note: str = "") -> Evidence:
    """Record evidence: a file (``upload``, the first revision) or a link (``url``), never both."""
    values = _pick(data)
    url = (values.get("url") or "").strip()
    if upload is not None and url:
        raise ServiceError(gettext("Give either a file or a link, not both."), field="url")
    if upload is None and not url:
        raise ServiceError(gettext("Upload a file or give a link to the evidence."), field="file")
    if upload is not None:
        check_upload(upload)  # refuse a bad file before any row exists
    check_reference_free(Evidence, organisation, values.get("reference"))
    _check_links(organisation, values)
    values["kind"] = EvidenceKind.FILE if upload is not None else EvidenceKind.LINK
    values["owner"] = values.get("owner") or actor  # someone is always accountable
    with model_errors_as_service_errors():
        evidence = create_record(
            Evidence, actor=actor, organisation=organisation, data=values, reason="Created", member_fields=("owner",)
        )
    if upload is not None:
        _store_revision(actor=actor, evidence=evidence, upload=upload, note=note or "First version")
    return evidence


@transaction.atomic
def evidence_placeholder_create(*, actor, organisation, data: dict) -> Evidence:
    """Record evidence still to be collected: what and where, no file or link yet (the guided gap analysis's
    "where is the evidence?"). A file record without a revision: its state is "No file or link", so it never
    counts towards readiness until its first revision is uploaded."""
    values = {**_pick(data), "url": "", "kind": EvidenceKind.FILE}
    check_reference_free(Evidence, organisation, values.get("reference"))
    _check_links(organisation, values)
    values["owner"] = values.get("owner") or actor
    with model_errors_as_service_errors():
        return create_record(
            Evidence,
            actor=actor,
            organisation=organisation,
            data=values,
            reason="Placeholder",
            member_fields=("owner",),
        )


@transaction.atomic
def evidence_update(*, actor, evidence: Evidence, data: dict, reason: str = "Edited") -> Evidence:
    """Change what the evidence says and supports. A file's content changes only by a new revision."""
    values = _pick(data)
    if not values.get("reference", "x"):
        values.pop("reference")  # left empty on an edit: keep the current reference
    if evidence.kind == EvidenceKind.FILE and (values.get("url") or "").strip():
        raise ServiceError(
            gettext("This evidence is a file: upload a new revision, or record the link as new evidence."), field="url"
        )
    if evidence.kind == EvidenceKind.LINK and "url" in values and not (values["url"] or "").strip():
        raise ServiceError(gettext("Link evidence needs its link."), field="url")
    if "reference" in values:
        check_reference_free(Evidence, evidence.organisation, values["reference"], exclude_pk=evidence.pk)
    _check_links(evidence.organisation, values)
    with model_errors_as_service_errors():
        update_record(evidence, actor=actor, data=values, reason=reason, member_fields=("owner",))
    return evidence


@transaction.atomic
def evidence_add_revision(*, actor, evidence: Evidence, upload, note: str = "") -> EvidenceRevision:
    """A new file for the same evidence: the next revision; earlier revisions stay and can be downloaded."""
    if evidence.kind == EvidenceKind.LINK:
        raise ServiceError(
            gettext("This evidence is a link; record a file as new evidence."), field="file", conflict=False
        )
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    revision = _store_revision(actor=actor, evidence=evidence, upload=upload, note=note)
    if evidence.review_status != ReviewStatus.PENDING:
        evidence.review_status = ReviewStatus.PENDING
        evidence.reviewed_by = None
        evidence.reviewed_at = None
        save_with_history(evidence, actor=actor, reason="New revision: review again")
    return revision


@transaction.atomic
def evidence_review(*, actor, evidence: Evidence, status: str, comment: str = "") -> Evidence:
    """Record that someone checked the evidence shows what it claims (accepted) or does not (rejected)."""
    if status not in ReviewStatus.values:
        raise ServiceError(gettext("Choose a review result."), field="review_status")
    evidence.review_status = status
    evidence.reviewed_by = actor if status != ReviewStatus.PENDING else None
    evidence.reviewed_at = timezone.now() if status != ReviewStatus.PENDING else None
    label = ReviewStatus(status).label.lower()
    reason = f"Review: {label}" + (f" — {comment.strip()}" if comment.strip() else "")
    with model_errors_as_service_errors():
        save_with_history(evidence, actor=actor, reason=reason[:100])
    return evidence


@transaction.atomic
def evidence_delete(*, actor, evidence: Evidence) -> None:
    """Delete evidence with its revisions; the files go once the deletion is committed."""
    files = [revision.file.name for revision in evidence.revisions.all() if revision.file]
    storage = EvidenceRevision._meta.get_field("file").storage
    evidence.current_revision = None
    evidence.save(update_fields=["current_revision"])
    evidence.revisions.all().delete()
    delete_with_history(evidence, actor=actor, reason="Deleted")

    def remove_files():
        for name in files:
            try:
                storage.delete(name)
            except OSError:  # already gone, or the disk refuses: log, never fail the request
                logger.warning("Could not remove evidence file %s", name)

    transaction.on_commit(remove_files)
