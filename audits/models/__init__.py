"""Models of the audits app, one module per subject; import them from here (``audits.models.Audit``)."""

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
