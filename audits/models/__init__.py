"""Models of the audits app, one module per subject; import them from here (``audits.models.Audit``)."""

from aims.model_names import name_models
from audits.models.improvement import CorrectiveAction, Nonconformity
from audits.models.incidents import Incident, IncidentEscalation
from audits.models.kpis import KPI, KPISnapshot
from audits.models.programme import Audit, AuditProgramme, ChecklistItem, Finding
from audits.models.review import ManagementReview, ReviewAction, ReviewDecision

__all__ = [
    "KPI",
    "Audit",
    "AuditProgramme",
    "ChecklistItem",
    "CorrectiveAction",
    "Finding",
    "Incident",
    "IncidentEscalation",
    "KPISnapshot",
    "ManagementReview",
    "Nonconformity",
    "ReviewAction",
    "ReviewDecision",
]


def _set_plural_names() -> None:
    """Plural names in the reader's language. Set on ``_meta`` rather than in ``Meta`` because the migration
    autodetector reads only what ``Meta`` declared: a display name needs no migration. Without them Django adds
    an "s" to the translated singular ("KI-Vorfalls")."""
    from django.utils.translation import gettext_lazy as _

    plurals = {
        AuditProgramme: _("audit programmes"),
        ChecklistItem: _("checklist items"),
        Finding: _("audit findings"),
        CorrectiveAction: _("corrective actions"),
        Incident: _("AI incidents"),
        IncidentEscalation: _("escalations"),
        KPISnapshot: _("KPI snapshots"),
        ManagementReview: _("management reviews"),
        ReviewDecision: _("review decisions"),
        ReviewAction: _("review actions"),
    }
    name_models({model: (None, plural) for model, plural in plurals.items()})


_set_plural_names()
