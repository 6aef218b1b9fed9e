"""AI incidents (Annex A.8.4, clause 10.2) and the EU AI Act Art. 73 reporting clock.

Flagging an incident as serious, with at least one high-risk AI system linked, sets ``reporting_deadline`` from
the day the organisation became aware, counted in its time zone (``audits.deadlines``). Recording the report to
the authority stops the clock; the deadline stays for the record (and shows whether the report was in time).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.events import emit
from aims.services import ServiceError, delete_with_history, save_with_history
from audits.constants import HarmType, IncidentSeverity, IncidentStatus, NCSource, SeriousCategory
from audits.deadlines import organisation_zone, reporting_deadline
from audits.models import Incident, IncidentEscalation
from audits.services.common import (
    apply_changes,
    check_fields,
    check_reference_free,
    lock,
    model_errors_as_service_errors,
    require_text,
)
from audits.services.nonconformities import nonconformity_create
from registry.constants import EUTier

INCIDENT_FIELDS = (
    "reference",
    "title",
    "ai_systems",
    "detected_at",
    "reported_by",
    "owner",
    "description",
    "harm_types",
    "severity",
    "affected_persons",
    "affected_count",
    "containment",
    "status",
    "root_cause",
    "lessons_learned",
    "serious",
    "serious_category",
    "aware_at",
)
AUTHORITY_FIELDS = ("reported_to_authority_at", "authority", "authority_reference")
ESCALATION_FIELDS = ("notified", "notified_at", "channel", "note")


def _harms(value) -> str:
    keys = [key.strip() for key in value.split(",")] if isinstance(value, str) else list(value or [])
    keys = [key for key in keys if key]
    unknown = [key for key in keys if key not in HarmType.values]
    if unknown:
        raise ServiceError(_("Unknown harm: %(unknown)s.") % {"unknown": ", ".join(unknown)}, field="harm_types")
    return ",".join(dict.fromkeys(keys))


def _check(data: dict, incident: Incident | None) -> dict:
    data = dict(data)
    if incident is None or "title" in data:
        require_text(data.get("title"), field="title", message=_("Give the incident a title."))
    if incident is None or "description" in data:
        require_text(data.get("description"), field="description", message=_("Describe what happened."))
    if "harm_types" in data:
        data["harm_types"] = _harms(data["harm_types"])
    if "severity" in data and data["severity"] not in IncidentSeverity.values:
        raise ServiceError(_("Choose a severity."), field="severity")
    if "status" in data and data["status"] not in IncidentStatus.values:
        raise ServiceError(_("Choose a status."), field="status")
    if data.get("serious_category") and data["serious_category"] not in SeriousCategory.values:
        raise ServiceError(_("Choose the reporting limit."), field="serious_category")
    now = timezone.now()
    for name in ("detected_at", "aware_at"):
        if data.get(name) and data[name] > now:
            raise ServiceError(_("This cannot be in the future."), field=name)
    return data


def has_high_risk_system(incident: Incident) -> bool:
    """Does the incident involve an AI system classified high-risk under the EU AI Act? One query."""
    return incident.pk is not None and incident.ai_systems.filter(eu_tier=EUTier.HIGH).exists()


def _update_clock(incident: Incident) -> None:
    """Set or clear the Art. 73 deadline from the serious flag, the category, awareness and the systems."""
    if not incident.serious:
        incident.serious_category, incident.reporting_deadline = "", None
        return
    incident.serious_category = incident.serious_category or SeriousCategory.GENERAL
    incident.aware_at = incident.aware_at or incident.detected_at
    if has_high_risk_system(incident):
        incident.reporting_deadline = reporting_deadline(
            incident.aware_at, incident.serious_category, organisation_zone(incident.organisation)
        )
    else:
        incident.reporting_deadline = None


def _save(incident: Incident, data: dict, *, actor, reason: str) -> Incident:
    was_serious = incident.serious
    apply_changes(incident, data, actor=actor, reason=reason, member_fields=("owner", "reported_by"))
    # The clock depends on the linked systems, which are set after the first save.
    before = (incident.serious_category, incident.aware_at, incident.reporting_deadline)
    _update_clock(incident)
    if (incident.serious_category, incident.aware_at, incident.reporting_deadline) != before:
        with model_errors_as_service_errors():
            save_with_history(incident, actor=actor, reason=_clock_reason(incident))
    if incident.serious and not was_serious:
        emit(
            incident.organisation,
            "incident.serious_reported",
            {"incident": incident, "deadline": incident.reporting_deadline},
        )
    return incident


def _clock_reason(incident: Incident) -> str:
    if incident.reporting_deadline is None:
        return "Reporting clock: not running"
    zone = organisation_zone(incident.organisation)
    return f"Reporting clock: report by {incident.reporting_deadline.astimezone(zone):%Y-%m-%d %H:%M %Z}"


@transaction.atomic
def incident_create(*, actor, organisation, data: dict) -> Incident:
    """Record an AI incident; anyone may report one. A serious incident on a high-risk system starts the clock."""
    check_fields(data, INCIDENT_FIELDS)
    data = _check(data, None)
    data.setdefault("reported_by", actor)
    check_reference_free(Incident, organisation, data.get("reference"))
    incident = Incident(organisation=organisation)
    return _save(incident, data, actor=actor, reason="Reported")


@transaction.atomic
def incident_update(*, actor, incident: Incident, data: dict, reason: str = "Edited") -> Incident:
    """Edit an incident; the Art. 73 clock follows the serious flag, category, awareness and systems."""
    check_fields(data, INCIDENT_FIELDS)
    current = lock(incident)
    if current.status == IncidentStatus.CLOSED and data.get("status", current.status) == IncidentStatus.CLOSED:
        raise ServiceError(
            _("%(reference)s is closed: set another status to reopen it.") % {"reference": current.reference},
            conflict=True,
        )
    data = _check(data, current)
    check_reference_free(Incident, current.organisation, data.get("reference"), exclude_pk=current.pk)
    if data.get("status") == IncidentStatus.CLOSED and current.status != IncidentStatus.CLOSED:
        _check_can_close(current, data)
        current.closed_at = timezone.now()
    elif data.get("status") not in (None, IncidentStatus.CLOSED):
        current.closed_at = None
    return _save(current, data, actor=actor, reason=reason)


def _check_can_close(incident: Incident, data: dict) -> None:
    if incident.clock_running:
        raise ServiceError(
            _("A serious incident is closed after it has been reported to the authority."), field="status"
        )
    if not (data.get("lessons_learned", incident.lessons_learned) or "").strip():
        raise ServiceError(_("Record the lessons learned before closing."), field="lessons_learned")


@transaction.atomic
def incident_close(*, actor, incident: Incident, lessons_learned: str = "") -> Incident:
    """Close an incident with its lessons learned (a serious one only once reported)."""
    data = {"status": IncidentStatus.CLOSED}
    if lessons_learned.strip():
        data["lessons_learned"] = lessons_learned.strip()
    return incident_update(actor=actor, incident=incident, data=data, reason="Closed")


@transaction.atomic
def incident_report_to_authority(
    *, actor, incident: Incident, reported_at=None, authority: str, authority_reference: str = ""
) -> Incident:
    """Record the report of a serious incident to the market surveillance authority (stops the clock)."""
    current = lock(incident)
    if not current.serious:
        raise ServiceError(_("Only a serious incident is reported to the authority under Art. 73."), conflict=True)
    if current.reported_to_authority_at is not None:
        raise ServiceError(_("%(reference)s was already reported.") % {"reference": current.reference}, conflict=True)
    reported_at = reported_at or timezone.now()
    if reported_at > timezone.now():
        raise ServiceError(_("The report cannot be dated in the future."), field="reported_to_authority_at")
    if current.aware_at and reported_at < current.aware_at:
        raise ServiceError(
            _("The report cannot be before the organisation became aware."), field="reported_to_authority_at"
        )
    current.reported_to_authority_at = reported_at
    current.authority = require_text(authority, field="authority", message=_("Name the authority."))
    current.authority_reference = (authority_reference or "").strip()
    late = " (after the deadline)" if current.reported_late else ""
    with model_errors_as_service_errors():
        save_with_history(current, actor=actor, reason=f"Reported to {current.authority}{late}"[:100])
    return current


@transaction.atomic
def incident_add_escalation(*, actor, incident: Incident, data: dict) -> IncidentEscalation:
    """Record who was notified about the incident, when and how."""
    check_fields(data, ESCALATION_FIELDS)
    require_text(data.get("notified"), field="notified", message=_("Say who was notified."))
    if data.get("notified_at") and data["notified_at"] > timezone.now():
        raise ServiceError(_("This cannot be in the future."), field="notified_at")
    escalation = IncidentEscalation(organisation=incident.organisation, incident=incident, recorded_by=actor, **data)
    with model_errors_as_service_errors():
        save_with_history(escalation, actor=actor, reason=f"Escalated for {incident.reference}")
    return escalation


@transaction.atomic
def incident_raise_nonconformity(*, actor, incident: Incident):
    """Open a nonconformity for the incident (10.2) and link the two."""
    current = lock(incident)
    if current.nonconformity_id:
        raise ServiceError(
            _("%(reference)s is already linked to a nonconformity.") % {"reference": current.reference}, conflict=True
        )
    nc = nonconformity_create(
        actor=actor,
        organisation=current.organisation,
        data={
            "source": NCSource.INCIDENT,
            "title": current.title,
            "description": current.description,
            "detected_on": timezone.localdate(current.detected_at, organisation_zone(current.organisation)),
            "grade": "major" if current.severity in ("high", "critical") else "minor",
            "immediate_correction": current.containment,
            "owner": current.owner,
        },
    )
    current.nonconformity = nc
    save_with_history(current, actor=actor, reason=f"Nonconformity {nc.reference} raised")
    return nc


@transaction.atomic
def incident_delete(*, actor, incident: Incident) -> None:
    """Delete an incident recorded by mistake; one reported to the authority is kept."""
    if incident.reported_to_authority_at is not None:
        raise ServiceError(_("It was reported to the authority; it is kept."), conflict=True)
    delete_with_history(incident, actor=actor, reason="Deleted")
