"""Every change to the governance registers goes through these functions (views, API, demo data).

Split by subject: ``roles`` (AIMS roles, assignments, RACI), ``objectives``, ``competence`` (competences,
courses, training records), ``communication`` (the plan) and ``awareness`` (policy acknowledgements).
Callers use ``from governance import services``.
"""

from aims.services import ServiceError  # noqa: F401 — callers catch it from here
from governance.awareness import acknowledgement_requests_for_policy  # noqa: F401 — the read callers ask for
from governance.services.awareness import *  # noqa: F403
from governance.services.communication import *  # noqa: F403
from governance.services.competence import *  # noqa: F403
from governance.services.objectives import *  # noqa: F403
from governance.services.roles import *  # noqa: F403
