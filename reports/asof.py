"""Reading the AIMS as it was at a moment, from django-simple-history.

``snapshot(Model, organisation, when)`` returns the historical rows that were current at ``when``: for each
object, its newest history row dated at or before ``when``, unless that row records its deletion. The rows
carry the model's fields (foreign keys resolve as usual), so the sections read them like model instances.

Many-to-many links are not historical in this project (simple-history records only the model's own
fields), so links are read from today's tables and kept only between objects that existed at ``when``.
Rows without a history table (evidence revisions, KPI snapshots) are read by their own timestamps.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery


def history_model(model):
    return model.history.model


def snapshot(model, organisation, when, *, select_related=(), **filters):
    """A queryset of ``model``'s historical rows as at ``when`` in ``organisation`` (deleted ones left out)."""
    history = history_model(model)
    newest = (
        history.objects.filter(id=OuterRef("id"), history_date__lte=when)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    queryset = history.objects.filter(
        organisation_id=organisation.pk, history_date__lte=when, history_id=Subquery(newest), **filters
    ).exclude(history_type="-")
    if select_related:
        queryset = queryset.select_related(*select_related)
    return queryset


def ids_at(model, organisation, when, **filters) -> set:
    """The ids of ``model``'s objects that existed at ``when``."""
    return set(snapshot(model, organisation, when, **filters).values_list("id", flat=True))


def links(through_model, left: str, right: str, left_ids, right_ids=None) -> dict:
    """``{left id: [right id, ...]}`` from a many-to-many ``through`` table, kept to the ids given."""
    result: dict = {}
    rows = through_model.objects.filter(**{f"{left}__in": list(left_ids)}).values_list(left, right)
    for a, b in rows.iterator(chunk_size=2000):
        if right_ids is None or b in right_ids:
            result.setdefault(a, []).append(b)
    return result
