"""The History tab every detail page shares: who changed what, when, why, with field-level diffs."""

from dataclasses import dataclass, field

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


@dataclass
class HistoryEntry:
    when: object
    who: object
    kind: str
    reason: str
    changes: list = field(default_factory=list)


_KIND = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


def history_entries(obj) -> list[HistoryEntry]:
    """The object's history, newest first, each with the fields that changed since the record before it.

    One query for the rows (with their users); diffs are computed in memory pairwise.
    """
    records = list(obj.history.select_related("history_user").order_by("history_date", "history_id"))
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                field_obj = record.instance_type._meta.get_field(change.field)
                changes.append({"field": str(field_obj.verbose_name), "old": change.old, "new": change.new})
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=_KIND.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
        previous = record
    entries.reverse()
    return entries


def render_history(request, obj, *, template="aims/partials/history.html", extra=None):
    context = {"object": obj, "history": history_entries(obj)}
    context.update(extra or {})
    return render(request, template, context)
