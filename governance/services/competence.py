"""Competences, training courses and members' training records (ISO/IEC 42001 clause 7.2)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.permissions import can
from aims.services import (
    ServiceError,
    check_members,
    check_same_organisation,
    delete_with_history,
    split_fields,
)
from governance.constants import TrainingResult
from governance.models import Competence, TrainingCourse, TrainingRecord
from governance.services.common import add_months, create_referenced, update_referenced

RECORD_MEMBER_FIELDS = ("member",)
COURSE_MEMBER_FIELDS = ("owner",)


@transaction.atomic
def competence_create(*, actor, organisation, data: dict) -> Competence:
    """Name a competence the AIMS needs and the roles that require it (clause 7.2 a)."""
    return create_referenced(Competence, actor=actor, organisation=organisation, data=data, reason="Defined")


@transaction.atomic
def competence_update(*, actor, competence: Competence, data: dict, reason: str = "Edited") -> Competence:
    return update_referenced(competence, actor=actor, data=data, reason=reason)


@transaction.atomic
def competence_delete(*, actor, competence: Competence) -> None:
    delete_with_history(competence, actor=actor, reason="Deleted")


def _validate_course(validity_months) -> None:
    if validity_months is not None and not 1 <= validity_months <= 120:
        raise ServiceError(_("Give a validity between 1 and 120 months, or leave it empty."), field="validity_months")


@transaction.atomic
def course_create(*, actor, organisation, data: dict) -> TrainingCourse:
    """Add a course, workshop or qualification and the competences it gives (clause 7.2 c)."""
    _validate_course(data.get("validity_months"))
    return create_referenced(
        TrainingCourse,
        actor=actor,
        organisation=organisation,
        data=data,
        reason="Added",
        member_fields=COURSE_MEMBER_FIELDS,
    )


@transaction.atomic
def course_update(*, actor, course: TrainingCourse, data: dict, reason: str = "Edited") -> TrainingCourse:
    _validate_course(data.get("validity_months", course.validity_months))
    return update_referenced(course, actor=actor, data=data, reason=reason, member_fields=COURSE_MEMBER_FIELDS)


@transaction.atomic
def course_delete(*, actor, course: TrainingCourse) -> None:
    """Delete a course nobody has a record of; a course with records is marked as no longer offered instead."""
    if TrainingRecord.objects.filter(course=course).exists():
        raise ServiceError(
            _("%(ref)s has training records: mark it as no longer offered instead.") % {"ref": course.reference},
            conflict=True,
        )
    delete_with_history(course, actor=actor, reason="Deleted")


# --- Training records ------------------------------------------------------------------------------------


def _prepare_record(*, actor, organisation, record: TrainingRecord, explicit_expiry) -> None:
    """Checks every record passes, and its expiry: given, or the completion date plus the course's validity."""
    if record.member_id is None:
        raise ServiceError(_("Choose the member who was trained."), field="member")
    if record.course_id is None:
        raise ServiceError(_("Choose the course."), field="course")
    check_members(organisation, {"member": record.member}, RECORD_MEMBER_FIELDS)
    check_same_organisation(organisation, {"course": record.course})
    if not can(actor, "change", record, organisation):
        # A contributor keeps their own training up to date; records of others are the officers'.
        raise ServiceError(_("You may record training only for yourself."), field="member")
    if record.completed_on is None:
        raise ServiceError(_("Give the date the training was completed."), field="completed_on")
    if record.completed_on > timezone.localdate():
        raise ServiceError(_("Training cannot be completed in the future."), field="completed_on")
    if record.result == TrainingResult.FAILED:
        record.expires_on = None  # a failed course gives no competence, so nothing expires
    elif explicit_expiry is None and record.course.validity_months:
        record.expires_on = add_months(record.completed_on, record.course.validity_months)
    elif explicit_expiry is not None:
        record.expires_on = explicit_expiry
    else:
        record.expires_on = None
    if record.expires_on is not None and record.expires_on < record.completed_on:
        raise ServiceError(_("The expiry cannot be before the completion date."), field="expires_on")


def _certificate_from_upload(*, actor, organisation, record: TrainingRecord, upload):
    """Store an uploaded certificate as evidence (controls' evidence register: checked type, SHA-256)."""
    from controls import services as controls_services

    title = (
        _("Training certificate: %(course)s (%(member)s)") % {"course": record.course.title, "member": record.member}
    )[:200]
    try:
        return controls_services.evidence_create(
            actor=actor,
            organisation=organisation,
            data={
                "title": title,
                "description": _("Certificate of %(ref)s completed on %(date)s.")
                % {"ref": record.course.reference, "date": f"{record.completed_on:%Y-%m-%d}"},
                "effective_date": record.completed_on,
                "expiry_date": record.expires_on,
                "owner": record.member,
            },
            upload=upload,
            note=_("Training certificate"),
        )
    except ServiceError as exc:
        # The evidence service names its own fields ("file"); on this form the upload is "certificate_file".
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise ServiceError(
            {("certificate_file" if k in ("file", "__all__") else k): v for k, v in messages.items()}
        ) from exc


def _check_certificate_choice(data: dict, upload) -> None:
    if upload is not None and data.get("certificate") is not None:
        raise ServiceError(_("Upload a certificate or choose existing evidence, not both."), field="certificate_file")


@transaction.atomic
def training_record_create(*, actor, organisation, data: dict, certificate_file=None) -> TrainingRecord:
    """Record a member's completed training (clause 7.2 d: documented evidence of competence), with its
    certificate uploaded as evidence (``certificate_file``) or chosen from the evidence register.

    The member must belong to the organisation: training of another organisation's member is refused.
    """
    plain, _m2m = split_fields(TrainingRecord, data)
    _check_certificate_choice(plain, certificate_file)
    probe = TrainingRecord(organisation=organisation, **{**plain, "expires_on": None})
    if probe.completed_on is None and "completed_on" not in plain:
        probe.completed_on = timezone.localdate()
    _prepare_record(actor=actor, organisation=organisation, record=probe, explicit_expiry=plain.get("expires_on"))
    values = {**data, "completed_on": probe.completed_on, "expires_on": probe.expires_on}
    if certificate_file is not None:
        values["certificate"] = _certificate_from_upload(
            actor=actor, organisation=organisation, record=probe, upload=certificate_file
        )
    return create_referenced(
        TrainingRecord,
        actor=actor,
        organisation=organisation,
        data=values,
        reason="Training recorded",
        member_fields=RECORD_MEMBER_FIELDS,
    )


@transaction.atomic
def training_record_update(
    *, actor, record: TrainingRecord, data: dict, reason: str = "Edited", certificate_file=None
) -> TrainingRecord:
    plain, _m2m = split_fields(TrainingRecord, data)
    _check_certificate_choice(plain, certificate_file)
    probe = TrainingRecord(
        pk=record.pk,
        organisation=record.organisation,
        member=plain.get("member", record.member),
        course=plain.get("course", record.course),
        completed_on=plain.get("completed_on", record.completed_on),
        result=plain.get("result", record.result),
    )
    explicit = plain.get("expires_on", record.expires_on)
    _prepare_record(actor=actor, organisation=record.organisation, record=probe, explicit_expiry=explicit)
    values = {**data, "expires_on": probe.expires_on}
    if certificate_file is not None:
        values["certificate"] = _certificate_from_upload(
            actor=actor, organisation=record.organisation, record=probe, upload=certificate_file
        )
    return update_referenced(record, actor=actor, data=values, reason=reason, member_fields=RECORD_MEMBER_FIELDS)


@transaction.atomic
def training_record_delete(*, actor, record: TrainingRecord) -> None:
    delete_with_history(record, actor=actor, reason="Deleted")
