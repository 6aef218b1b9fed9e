"""Cell converters: a text from a CSV cell (or a JSON value) to the Python value a service expects.

Converters never query the database. Those naming members (usernames) or records (reference ids) read
maps the engine loads once per file (``ImportContext``), so a 10-row and a 10,000-row file cost the same
number of lookups. A converter raises ``CellError`` with a message for the person fixing the file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = _NotGiven()  # an empty cell of a field that cannot be empty: the default on create, kept on update


class CellError(Exception):
    """The value of one cell is not acceptable."""


@dataclass(frozen=True)
class Pending:
    """A reference to a record that another row of the same file creates; linked once that row is written."""

    reference: str


@dataclass
class ImportContext:
    """What converters may look up: members by username, records by reference, references new in this file."""

    organisation: object
    model: type
    members: dict[str, object] = field(default_factory=dict)
    records: dict[type, dict[str, object]] = field(default_factory=dict)  # by reference
    named: dict[type, dict[str, list]] = field(default_factory=dict)  # by name, for exports that write names
    new_references: set[str] = field(default_factory=set)


def text_of(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        raise CellError(_("Expected text, not true/false."))
    if isinstance(raw, int | float):
        return str(raw)
    raise CellError(_("Expected text, not a list or an object."))


def items_of(raw) -> list[str]:
    """A list from a JSON list or a comma-separated cell; blanks and repeats dropped, order kept."""
    parts = [text_of(item) for item in raw] if isinstance(raw, list | tuple) else text_of(raw).split(",")
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


class Converter:
    """Base converter: subclasses implement ``to_python`` and, when they compare specially, ``same``."""

    names_members = False  # values are usernames (preloaded)
    related_model: type | None = None  # values are reference ids of this model (preloaded)
    description = "Text"

    def to_python(self, raw, ctx: ImportContext):
        raise NotImplementedError

    def keys(self, raw) -> list[str]:
        """The usernames or references this cell names, for preloading (never raises)."""
        try:
            return items_of(raw)
        except CellError:
            return []

    def same(self, current, new) -> bool:
        return current == new


class Text(Converter):
    def to_python(self, raw, ctx):
        return text_of(raw)

    def same(self, current, new) -> bool:
        # Browsers send CRLF in text areas; a file saved elsewhere may have LF. The text is the same.
        return (current or "").replace("\r\n", "\n") == (new or "").replace("\r\n", "\n")


class Choice(Converter):
    """A choice by its key (``deployer``) or its label (``Deployer (user)``), in any letter case.

    Labels are read in every language of ``settings.LANGUAGES``: exports write labels in the reader's language,
    so a spreadsheet exported by a German reader must import back unchanged for anyone.
    """

    def __init__(self, choices):
        self.keys_ = [str(key) for key, _ in choices]
        self.lookup = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for key, label in choices:
                    self.lookup.setdefault(str(label).lower(), str(key))
        self.lookup.update({str(key).lower(): str(key) for key, _ in choices})
        self.description = "One of: " + ", ".join(f"{key} ({label})" for key, label in choices)

    def to_python(self, raw, ctx):
        value = text_of(raw)
        if not value:
            return NOT_GIVEN
        try:
            return self.lookup[value.lower()]
        except KeyError:
            raise CellError(
                _("“%(value)s” is not one of the choices: %(choices)s.")
                % {"value": value, "choices": ", ".join(self.keys_)}
            ) from None


class ChoiceList(Choice):
    """Several choices, comma-separated (stored comma-separated, as the form and the API do)."""

    def __init__(self, choices):
        super().__init__(choices)
        self.description = "Comma-separated, each one of: " + ", ".join(self.keys_)

    def to_python(self, raw, ctx):
        values, unknown = [], []
        for item in items_of(raw):
            key = self.lookup.get(item.lower())
            (values if key else unknown).append(key or item)
        if unknown:
            names = ", ".join(f"“{u}”" for u in unknown)
            raise CellError(
                _("%(values)s: not among the choices %(choices)s.")
                % {"values": names, "choices": ", ".join(self.keys_)}
            )
        return ",".join(dict.fromkeys(values))

    def same(self, current, new) -> bool:
        return set(items_of(current or "")) == set(items_of(new or ""))


class TextList(Converter):
    description = "Comma-separated"

    def __init__(self, max_length: int | None = None):
        self.max_length = max_length
        if max_length:
            self.description = f"Comma-separated, each at most {max_length} characters"

    def to_python(self, raw, ctx):
        values = items_of(raw)
        if self.max_length and any(len(v) > self.max_length for v in values):
            raise CellError(_("Each item must have at most %(max)s characters.") % {"max": self.max_length})
        return ",".join(values)

    def same(self, current, new) -> bool:
        return items_of(current or "") == items_of(new or "")


class Boolean(Converter):
    description = "yes or no"
    TRUE = frozenset({"yes", "y", "true", "t", "1"})
    FALSE = frozenset({"no", "n", "false", "f", "0"})

    def to_python(self, raw, ctx):
        if isinstance(raw, bool):
            return raw
        value = text_of(raw).lower()
        if not value:
            return NOT_GIVEN
        if value in self.TRUE:
            return True
        if value in self.FALSE:
            return False
        raise CellError(_("Enter yes or no."))


class Integer(Converter):
    description = "A whole number"

    def to_python(self, raw, ctx):
        if isinstance(raw, bool):
            raise CellError(_("Enter a whole number."))
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, int):
            return raw
        value = text_of(raw)
        if not value:
            return NOT_GIVEN
        if not re.fullmatch(r"[+-]?\d{1,9}", value):
            raise CellError(_("Enter a whole number."))
        return int(value)


class Date(Converter):
    description = "A date as YYYY-MM-DD"

    def to_python(self, raw, ctx):
        value = text_of(raw)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(value).date()
        except ValueError:
            raise CellError(_("Enter a date as YYYY-MM-DD (for example 2025-03-31).")) from None


class Member(Converter):
    """A member of the organisation, by username."""

    names_members = True
    description = "The username of a member"

    def to_python(self, raw, ctx):
        value = text_of(raw)
        if not value:
            return None
        user = ctx.members.get(value)
        if user is None:
            raise CellError(_("No member of this organisation has the username “%(username)s”.") % {"username": value})
        return user


def _head(value: str) -> str:
    """``"SUP-004 Example Ltd"`` (how exports write a linked record) → ``"SUP-004"``."""
    parts = value.split(None, 1)
    return parts[0] if len(parts) == 2 else ""


class Related(Converter):
    """One record of the organisation, by reference id (``SUP-004``), as ``SUP-004 Name``, or by unique name."""

    def __init__(self, model):
        self.related_model = model
        self.description = f"The reference of a {model._meta.verbose_name}"

    def keys(self, raw) -> list[str]:
        values = super().keys(raw)
        return values + [head for value in values if (head := _head(value))]

    def _unknown(self, references: list[str]) -> CellError:
        name = self.related_model._meta.verbose_name
        listed = ", ".join(f"“{r}”" for r in references)
        return CellError(
            _("No %(kind)s with the reference %(references)s in this organisation.")
            % {"kind": name, "references": listed}
        )

    def find(self, value: str, ctx):
        records = ctx.records.get(self.related_model, {})
        obj = records.get(value) or records.get(_head(value))
        if obj is None:
            matches = ctx.named.get(self.related_model, {}).get(value, [])
            if len(matches) > 1:
                plural = self.related_model._meta.verbose_name_plural
                raise CellError(
                    _("Several %(kinds)s are named “%(value)s”: give the reference instead.")
                    % {"kinds": plural, "value": value}
                )
            obj = matches[0] if matches else None
        return obj

    def to_python(self, raw, ctx):
        value = text_of(raw)
        if not value:
            return None
        obj = self.find(value, ctx)
        if obj is None:
            raise self._unknown([value])
        return obj


class RelatedMany(Related):
    """Several records by reference, comma-separated. A record of the same register may be one this file creates."""

    def __init__(self, model):
        super().__init__(model)
        self.description = f"Comma-separated references of {model._meta.verbose_name_plural}"

    def to_python(self, raw, ctx):
        found, unknown = [], []
        for reference in items_of(raw):
            obj = self.find(reference, ctx)
            if obj is None and self.related_model is ctx.model and reference in ctx.new_references:
                obj = Pending(reference)
            (found if obj is not None else unknown).append(obj or reference)
        if unknown:
            raise self._unknown(unknown)
        return found


def converter_for(model_field) -> Converter:
    """The converter a model field gets unless the register's importer names another."""
    if isinstance(model_field, models.ManyToManyField):
        return RelatedMany(model_field.related_model)
    if isinstance(model_field, models.ForeignKey):
        if model_field.related_model._meta.label == settings.AUTH_USER_MODEL:
            return Member()
        return Related(model_field.related_model)
    if model_field.choices:
        return Choice(model_field.choices)
    if isinstance(model_field, models.BooleanField):
        return Boolean()
    if isinstance(model_field, models.DateTimeField):
        raise ImproperlyConfigured(f"Give {model_field.name} an explicit converter.")
    if isinstance(model_field, models.DateField):
        return Date()
    if isinstance(model_field, models.IntegerField):
        return Integer()
    if isinstance(model_field, models.CharField | models.TextField):
        return Text()
    raise ImproperlyConfigured(f"No import converter for {model_field.name} ({type(model_field).__name__}).")
