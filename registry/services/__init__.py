"""Every change to the inventory goes through these functions (views, API, imports, seed, tasks).

One service module for the app, split by register: ``inventory`` (AI systems), ``context`` (scope, context
issues, interested parties), ``classification`` (EU AI Act), ``data`` (suppliers, datasets) and ``versions``
(models, model versions, metrics).
"""

from aims.services import ServiceError  # noqa: F401 — callers catch it from here
from registry.services.classification import *  # noqa: F403
from registry.services.context import *  # noqa: F403
from registry.services.data import *  # noqa: F403
from registry.services.data import _validate_dataset, _validate_supplier
from registry.services.inventory import *  # noqa: F403
from registry.services.inventory import _validate_ai_system
from registry.services.versions import *  # noqa: F403

# Checks without the database, for previews -------------------------------------------------------------
# An import previews every row before writing anything. These are the cross-field rules the services above
# apply, run on an unsaved record without a query, so a preview's cost does not grow with its rows.
ai_system_check = _validate_ai_system
supplier_check = _validate_supplier
dataset_check = _validate_dataset
