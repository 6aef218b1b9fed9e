"""Models of the controls app, one module per subject; import them from here (``controls.models.Control``)."""

from django.utils.translation import gettext_lazy as _

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

# Django names these models itself ("control", or the plural as the singular plus "s"), and such names cannot be
# translated. Naming them in Meta would add a migration for a label only; the migration state reads Meta
# (``original_attrs``), so naming them here changes the pages, not the migrations.
for _model, _name, _plural in (
    (Framework, _("framework"), _("frameworks")),
    (Requirement, _("requirement"), _("requirements")),
    (RequirementMapping, _("requirement mapping"), _("requirement mappings")),
    (Control, _("control"), _("controls")),
    (RoadmapAction, None, _("roadmap actions")),
    (EvidenceRevision, None, _("evidence revisions")),
    (SoALine, None, _("SoA lines")),
    (SoAVersion, None, _("approved SoA versions")),
):
    if _name is not None:
        _model._meta.verbose_name = _name
    _model._meta.verbose_name_plural = _plural
del _model, _name, _plural
