"""The registers exported as CSV into a pack, as they were at the pack's date.

Each register reuses its list page's ``export_fields`` and the shared CSV writer (``aims.exports``: UTF-8 BOM,
formula neutralisation), fed with the register's historical rows as at the date (``PackContext.snap``). A field
the history row does not carry (a many-to-many link, a computed property) is read from the object itself,
which for links means today's links (see ``reports.asof``).
"""

from __future__ import annotations

from functools import cache

from aims.exports import _csv_stream, resolve


@cache
def _views():
    from audits import views_audits, views_checklist, views_improvement, views_incidents, views_kpis, views_reviews
    from controls import views_controls, views_evidence, views_policies
    from governance import views_objectives, views_roles
    from registry import views, views_context, views_data
    from risk import views as risk_views
    from risk import views_criteria, views_impact

    return (
        ("ai-systems", views.AISystemListView),
        ("context-issues", views_context.ContextIssueListView),
        ("interested-parties", views_context.InterestedPartyListView),
        ("suppliers", views_data.SupplierListView),
        ("datasets", views_data.DatasetListView),
        ("models", views_data.AIModelListView),
        ("risk-criteria", views_criteria.CriteriaListView),
        ("risks", risk_views.RiskListView),
        ("risk-treatment-actions", risk_views.TreatmentActionListView),
        ("impact-assessments", views_impact.ImpactListView),
        ("controls", views_controls.ControlListView),
        ("evidence", views_evidence.EvidenceListView),
        ("policies", views_policies.PolicyListView),
        ("objectives", views_objectives.ObjectiveListView),
        ("aims-roles", views_roles.AimsRoleListView),
        ("role-assignments", views_roles.RoleAssignmentListView),
        ("audits", views_audits.AuditListView),
        ("findings", views_checklist.FindingListView),
        ("nonconformities", views_improvement.NonconformityListView),
        ("corrective-actions", views_improvement.CorrectiveActionListView),
        ("kpis", views_kpis.KPIListView),
        ("management-reviews", views_reviews.ReviewListView),
        ("incidents", views_incidents.IncidentListView),
    )


def registers():
    return _views()


class _AsOf:
    """A historical row that answers what it lacks from its object (links, properties)."""

    __slots__ = ("_row", "_instance")

    def __init__(self, row):
        self._row = row
        self._instance = None

    def __getattr__(self, name):
        try:
            return getattr(self._row, name)
        except AttributeError:
            if self._instance is None:
                self._instance = self._row.instance
            # A list page's annotation (a count) is not on the object: the cell is left empty.
            return getattr(self._instance, name, None)


class _Rows:
    """What the shared CSV writer iterates: the historical rows, wrapped, in reference order."""

    _prefetch_related_lookups = ("as-of",)  # tells the writer to iterate us as we are

    def __init__(self, queryset):
        self.queryset = queryset

    def __iter__(self):
        for row in self.queryset.iterator(chunk_size=1000):
            yield _AsOf(row)


def _tolerant(accessor):
    """An accessor that leaves the cell empty when the row cannot answer it (an annotation of the list page)."""

    def read(row):
        try:
            return resolve(row, accessor)
        except (AttributeError, TypeError, ValueError):
            return None

    return read


def register_csv_chunks(view, ctx):
    model = view.model
    queryset = ctx.snap(model)
    ordering = [f for f in ("reference", "created_at") if any(x.name == f for x in model._meta.fields)]
    queryset = queryset.order_by(*ordering) if ordering else queryset
    fields = [(header, _tolerant(accessor)) for header, accessor in view.export_fields]
    return _csv_stream(_Rows(queryset), fields)
