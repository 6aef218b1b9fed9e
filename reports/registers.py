"""The registers exported as CSV into a pack, as they were at the pack's date.

Each register reuses its list page's ``export_fields`` and the shared CSV writer (``aims.exports``: UTF-8 BOM,
formula neutralisation), fed with the register's historical rows as at the date (``PackContext.snap``). A field
the history row does not carry (a many-to-many link, a computed property) is read from the object itself,
which for links means today's links (see ``reports.asof``).
"""

from __future__ import annotations

from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch
from django.http import HttpRequest

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
    """A historical row that answers what it lacks from its object as it was then (``row.instance``, built from the
    row without a query): properties from the row's values, links from today's tables (prefetched)."""

    __slots__ = ("_row", "_instance")

    def __init__(self, row, instance):
        self._row = row
        self._instance = instance

    def __getattr__(self, name):
        try:
            return getattr(self._row, name)
        except AttributeError:
            # A list page's annotation (a count) is not on the object: the cell is left empty.
            return getattr(self._instance, name, None)


class _Rows:
    """What the shared CSV writer iterates: the historical rows, wrapped, in reference order, a chunk at a time.

    Each chunk costs a fixed number of queries whatever its length: the rows come with their foreign keys
    (``select_related``), and the links the export fields read are prefetched for the whole chunk with the list
    page's own prefetches, then handed to the objects built from the rows."""

    _prefetch_related_lookups = ("as-of",)  # tells the writer to iterate us as we are

    def __init__(self, queryset, linked):
        self.queryset = queryset
        self.linked = linked  # the model's objects with the list page's prefetches, or None when no field needs them

    def __iter__(self):
        batch = []
        for row in self.queryset.iterator(chunk_size=CHUNK):
            batch.append(row)
            if len(batch) == CHUNK:
                yield from self._wrapped(batch)
                batch = []
        yield from self._wrapped(batch)

    def _wrapped(self, batch):
        if not batch:
            return
        linked = self.linked.in_bulk([row.id for row in batch]) if self.linked is not None else {}
        for row in batch:
            instance = row.instance
            current = linked.get(row.id)
            if current is not None:
                _take_prefetched(current, instance)
            yield _AsOf(row, instance)


def _take_prefetched(source, target) -> None:
    """Give ``target`` the linked records read with ``source`` (the same object as it is today)."""
    if hasattr(source, "_prefetched_objects_cache"):
        target._prefetched_objects_cache = source._prefetched_objects_cache
    forward = _forward_names(type(source))
    for name, related in source._state.fields_cache.items():
        if name not in forward:  # a reverse one-to-one; the row's own foreign keys stay as they were then
            target._state.fields_cache[name] = related


CHUNK = 1000


def _tolerant(accessor):
    """An accessor that leaves the cell empty when the row cannot answer it (an annotation of the list page)."""

    def read(row):
        try:
            return resolve(row, accessor)
        except (AttributeError, TypeError, ValueError):
            return None

    return read


def _foreign_keys(history, accessors) -> list[str]:
    """The ``select_related`` paths of the foreign keys that string accessors read through on the history rows."""
    paths = set()
    for accessor in accessors:
        if not isinstance(accessor, str):
            continue
        model, path = history, []
        for part in accessor.split(".")[:-1]:
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                break
            if not (field.is_relation and field.many_to_one):
                break
            path.append(part)
            paths.add("__".join(path))
            model = field.related_model
    return sorted(paths)


def _answered_by_row(history, accessor) -> bool:
    """Whether the history row itself answers ``accessor`` (a column, or a path through foreign keys)."""
    if not isinstance(accessor, str):
        return False
    name = accessor.split(".")[0]
    if name.startswith("get_") and name.endswith("_display"):
        name = name.removeprefix("get_").removesuffix("_display")
    try:
        return history._meta.get_field(name).concrete
    except FieldDoesNotExist:
        return False


def _linked(view, history, accessors):
    """The model's objects with the list page's prefetches (its links); None when the history rows answer every
    field."""
    if all(_answered_by_row(history, accessor) for accessor in accessors):
        return None
    page = view()
    page.request = HttpRequest()  # the list page without filters (some pages read their query string)
    listed = page.base_queryset()
    # Reverse one-to-one records (a finding's nonconformity) are joined by the list page, not prefetched.
    reverse = [
        name
        for name in (listed.query.select_related or {})
        if isinstance(listed.query.select_related, dict) and name not in _forward_names(view.model)
    ]
    lookups = [plain for plain in map(_as_all, listed._prefetch_related_lookups) if plain is not None]
    if not lookups and not reverse:
        return None
    objects = view.model._default_manager.prefetch_related(*lookups)
    return objects.select_related(*reverse) if reverse else objects


def _as_all(lookup):
    """The list page's prefetch as ``related.all()`` reads it (every record, default order), with the joins it
    makes; None for one stored under another name (``to_attr``), which the object never had."""
    if not isinstance(lookup, Prefetch):
        return lookup
    if lookup.to_attr:
        return None
    if lookup.queryset is None:
        return lookup.prefetch_through
    related = lookup.queryset.model._default_manager.all()
    joined = lookup.queryset.query.select_related
    if isinstance(joined, dict):
        related = related.select_related(*_paths(joined))
    return Prefetch(lookup.prefetch_through, queryset=related)


def _paths(tree: dict, prefix: str = "") -> list[str]:
    paths = []
    for name, children in tree.items():
        paths.append(f"{prefix}{name}")
        paths.extend(_paths(children, f"{prefix}{name}__"))
    return paths


def _forward_names(model) -> set[str]:
    return {field.name for field in model._meta.concrete_fields}


def register_csv_chunks(view, ctx):
    model = view.model
    accessors = [accessor for _header, accessor in view.export_fields]
    queryset = ctx.snap(model)
    history = queryset.model
    ordering = [f for f in ("reference", "created_at") if any(x.name == f for x in model._meta.fields)]
    queryset = queryset.order_by(*ordering) if ordering else queryset
    direct = [f.name for f in history._meta.fields if f.many_to_one and f.name != "history_user"]
    queryset = queryset.select_related(*sorted({*direct, *_foreign_keys(history, accessors)}))
    fields = [(header, _tolerant(accessor)) for header, accessor in view.export_fields]
    return _csv_stream(_Rows(queryset, _linked(view, history, accessors)), fields)
