"""The documented-information index (ISO/IEC 42001 clause 7.5): every kind of documented information the AIMS
is expected to keep, and the record that holds it for an organisation.

The list comes from ``governance/data/documented_information.yaml``. Which record holds an item is answered by
a *holder*: a function ``holder(organisation) -> Holding | (label, url, version, date) | None`` registered for
the item's id. Apps register holders from their ``AppConfig.ready`` (the audits app will register the audit
programme, management review and nonconformity items), so governance never imports the apps above it::

    from governance.docindex import register_holder
    register_holder("management_review", latest_management_review)

A holder runs a fixed number of queries (one or two), so the index costs the same whatever the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

import yaml
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DATA_FILE = Path(__file__).resolve().parent / "data" / "documented_information.yaml"


class Holding(NamedTuple):
    """What holds an item: a label, a link, its current version and date; ``complete`` False for a draft."""

    label: str
    url: str = ""
    version: str = ""
    date: dt.date | dt.datetime | None = None
    note: str = ""
    complete: bool = True


@dataclass(frozen=True)
class ItemSpec:
    id: str
    title: str
    clause: str
    description: str
    holder: str
    provider: str
    pending_note: str = ""


class State:
    HELD = "held"
    INCOMPLETE = "incomplete"
    MISSING = "missing"


STATE_LABELS = {State.HELD: _("Held"), State.INCOMPLETE: _("Not approved yet"), State.MISSING: _("Missing")}


@dataclass
class IndexRow:
    spec: ItemSpec
    holding: Holding | None
    has_holder: bool

    @property
    def state(self) -> str:
        if self.holding is None:
            return State.MISSING
        return State.HELD if self.holding.complete else State.INCOMPLETE

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def note(self) -> str:
        """Why it is missing: the register is not built yet, or nothing has been recorded."""
        if self.holding is not None:
            return self.holding.note
        if not self.has_holder:
            # The texts of the data file are translated when shown (governance/docindex_messages.py lists them).
            return gettext(self.spec.pending_note) if self.spec.pending_note else gettext("No register holds this yet.")
        return gettext("Nothing recorded yet.")

    @property
    def date(self) -> dt.date | None:
        value = self.holding.date if self.holding else None
        if isinstance(value, dt.datetime):
            from django.utils import timezone

            return timezone.localdate(value) if timezone.is_aware(value) else value.date()
        return value


_HOLDERS: dict[str, Callable] = {}


def register_holder(item_id: str, holder: Callable) -> None:
    """Name the function that finds the record holding ``item_id``; a later registration replaces an earlier one
    (an app higher up may take over an item)."""
    if item_id not in {spec.id for spec in item_specs()}:
        raise ValueError(f"Unknown documented-information item {item_id!r}")
    _HOLDERS[item_id] = holder


def holder_for(item_id: str) -> Callable | None:
    return _HOLDERS.get(item_id)


@cache
def _load() -> dict:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def item_specs() -> tuple[ItemSpec, ...]:
    return tuple(ItemSpec(**item) for item in _load()["items"])


def data_version() -> int:
    return int(_load()["version"])


def resolve(item_id: str, organisation) -> Holding | None:
    """The holding of one item for ``organisation`` (None when missing or no holder is registered)."""
    holder = _HOLDERS.get(item_id)
    if holder is None:
        return None
    result = holder(organisation)
    if result is None or isinstance(result, Holding):
        return result
    return Holding(*result)


def documented_information_index(organisation, *, only: tuple[str, ...] | None = None) -> list[IndexRow]:
    """Every expected item (or the ``only`` ones), in the order of the data file, with what holds it for
    ``organisation``."""
    return [
        IndexRow(spec=spec, holding=resolve(spec.id, organisation), has_holder=spec.id in _HOLDERS)
        for spec in item_specs()
        if only is None or spec.id in only
    ]
