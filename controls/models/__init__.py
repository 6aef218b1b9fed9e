"""Models of the controls app, one module per subject; import them from here (``controls.models.Control``)."""

from controls.models.catalogue import CatalogueModel, Framework, Requirement, RequirementMapping
from controls.models.evidence import Evidence, EvidenceRevision, evidence_upload_to
from controls.models.implementation import Control
from controls.models.policies import Policy
from controls.models.roadmap import RoadmapAction
from controls.models.soa import SoALine, SoAVersion, StatementOfApplicability

__all__ = [
    "CatalogueModel",
    "Control",
    "Evidence",
    "EvidenceRevision",
    "Framework",
    "Policy",
    "Requirement",
    "RequirementMapping",
    "RoadmapAction",
    "SoALine",
    "SoAVersion",
    "StatementOfApplicability",
    "evidence_upload_to",
]
