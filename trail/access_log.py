"""The access log is evidence too: each row is chained like a history record.

A sign-in, export or download removed or edited in the database afterwards breaks the organisation's chain
at that row. ``user_id`` is left out of the hash: it is set to NULL when a person's account is deleted,
which is not tampering (the row keeps the event, the path and the address).
"""

from __future__ import annotations

from accounts.models import AccessLog
from trail.services import append_link, history_content

ACCESS_LOG_KIND = "accounts.accesslog"
_HASHED_FIELDS = sorted(f.attname for f in AccessLog._meta.concrete_fields if f.attname != "user_id")


def chain_access_rows(sender, rows: list[AccessLog], **kwargs) -> None:
    """``access_recorded`` receiver: rows are written once by ``record_access`` and never edited."""
    for row in rows:
        if row.organisation_id:
            append_link(
                row.organisation_id,
                ACCESS_LOG_KIND,
                row.pk,
                history_content(AccessLog, row, _HASHED_FIELDS),
                fields=",".join(_HASHED_FIELDS),
            )


def load_access_rows(organisation, record_ids: list[str]) -> dict[str, dict]:
    """Loader for ``verify_chain``: the current content of the chained rows that still exist."""
    rows = AccessLog.objects.filter(organisation=organisation, pk__in=record_ids).values(*_HASHED_FIELDS)
    return {str(row["id"]): history_content(AccessLog, row, _HASHED_FIELDS) for row in rows}
