"""Models of the governance app, one module per subject; import them from here (``governance.models.Objective``)."""

from governance.models.awareness import Acknowledgement, AcknowledgementRequirement
from governance.models.communication import Communication
from governance.models.competence import Competence, TrainingCourse, TrainingRecord
from governance.models.objectives import Objective
from governance.models.roles import AimsRole, RaciEntry, RoleAssignment

__all__ = [
    "Acknowledgement",
    "AcknowledgementRequirement",
    "AimsRole",
    "Communication",
    "Competence",
    "Objective",
    "RaciEntry",
    "RoleAssignment",
    "TrainingCourse",
    "TrainingRecord",
]
