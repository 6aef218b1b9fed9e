"""Spreadsheet round-trip: every register whose XLSX export can be edited and loaded back gets an importer.

A register's list page (``RegisterListView``: its ``export_fields`` are the spreadsheet's columns) and its
form page (``RegisterFormView``: the editable fields, and the services that create and update a record) say
everything an importer needs, so the importers are built from them: the columns are the form's fields under
the export's headers; the export's other columns (derived values such as a score or the next review) are
ignored on import; rows are written by the same services as the form, matched on their reference id.

Registers that already register their own importer (the registry's) keep it. ``docs/spreadsheets.md`` lists
the columns of every register (``manage.py spreadsheet_columns`` writes it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils.text import slugify

from aims.imports import ModelImporter, all_importers, register_importer
from aims.imports.engine import normalise_header
from integrations.converters import DateTime, JsonList, MemberList, Number, RequirementRef
from registry.imports import _export_field as export_field  # one reading of export accessors

IMPORT_REASON = "Imported from a spreadsheet"


def _rank(accessor: str) -> int:
    """Which of several export columns of one field the importer reads: the value itself, else the linked
    record's reference/username/identifier, else any other (``course.title``, ``requirement.framework.key``)."""
    parts = accessor.split(".")
    if len(parts) == 1:
        return 0
    return 1 if len(parts) == 2 and parts[1] in ("reference", "username", "identifier") else 2


@dataclass
class Register:
    url_base: str
    list_view: type
    form_view: type

    @property
    def model(self):
        return self.list_view.model


def _walk_patterns(patterns, namespace=""):
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk_patterns(
                entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            )
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def registers() -> list[Register]:
    """Every register with a list page that exports and a form page that creates records on its own (its
    create URL takes no parent) and edits them."""
    from django.urls import get_resolver

    from aims.crud import RegisterFormView, RegisterListView

    patterns = dict(_walk_patterns(get_resolver().url_patterns))
    views = {name: getattr(p.callback, "view_class", None) for name, p in patterns.items()}
    found = []
    for name, view in views.items():
        if not name.endswith("-list") or not (isinstance(view, type) and issubclass(view, RegisterListView)):
            continue
        base = name.removesuffix("-list")
        form, create_pattern = views.get(f"{base}-create"), patterns.get(f"{base}-create")
        if (
            view.model is not None
            and view.export_fields
            and isinstance(form, type)
            and issubclass(form, RegisterFormView)
            and form.form_class is not None
            and not create_pattern.pattern.regex.groupindex  # a create page under a parent (a risk's actions)
            and views.get(f"{base}-update") is form
            and getattr(form, "model", None) is view.model
        ):
            found.append(Register(base, view, form))
    return found


class _Request:
    """What a register's form view reads from its request when it saves: who, and in which organisation."""

    htmx = None

    def __init__(self, user, organisation):
        self.user, self.organisation = user, organisation
        self.GET, self.POST, self.FILES = {}, {}, {}


class _Form:
    """Stands in for the bound form: the importer has converted and checked the values already."""

    def __init__(self, data: dict):
        self.data, self.cleaned_data = data, data

    def service_data(self) -> dict:
        return dict(self.data)


def _form_view(view_class, actor, organisation, **kwargs):
    view = view_class()
    view.request, view.args, view.kwargs = _Request(actor, organisation), (), kwargs
    return view


def _reference_unique(model) -> bool:
    return any(
        isinstance(c, models.UniqueConstraint)
        and set(c.fields) == {"organisation", "reference"}
        and c.condition is None
        for c in model._meta.constraints
    )


def _importable_fields(model, form_class) -> list[str]:
    names = []
    for name in getattr(form_class.Meta, "fields", []):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field (a confirmation box, a file): not a column
            continue
        if field.concrete or field.many_to_many:
            names.append(name)
    return names


def importer_for_register(register: Register) -> ModelImporter | None:
    model, form_view = register.model, register.form_view
    fields = _importable_fields(model, form_view.form_class)
    if "reference" not in fields or not _reference_unique(model):
        return None  # rows could not be matched to records (a policy's versions share their reference)
    export = register.list_view.export_fields
    headers: dict[str, str] = {}
    ranked = sorted((_rank(accessor), index) for index, (_, accessor) in enumerate(export) if export_field(accessor))
    for _, index in ranked:  # the column that identifies the record names the field ("Course", not "Course title")
        header, accessor = export[index]
        headers.setdefault(export_field(accessor), header)

    def create(*, actor, organisation, data):
        return _form_view(form_view, actor, organisation).create(_Form(data))

    def update(*, actor, obj, data):
        return _form_view(form_view, actor, obj.organisation, pk=obj.pk).update(obj, _Form(data))

    converters = {}
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, models.DateTimeField):
            converters[name] = DateTime()
        elif isinstance(field, models.JSONField):
            converters[name] = JsonList()
        elif isinstance(field, models.DecimalField | models.FloatField):
            converters[name] = Number()
        elif field.is_relation and field.related_model._meta.label == "controls.Requirement":
            converters[name] = RequirementRef(many=field.many_to_many)
        elif field.many_to_many and field.related_model._meta.label == settings.AUTH_USER_MODEL:
            converters[name] = MemberList()
    try:
        columns = ModelImporter.build_columns(model, fields, headers=headers, converters=converters)
    except ImproperlyConfigured:  # a field type without a converter: this register is not importable
        return None
    column_headers = {normalise_header(column.header) for column in columns}
    importer = ModelImporter(
        key=slugify(str(model._meta.verbose_name_plural)),
        label=str(model._meta.verbose_name_plural),
        model=model,
        columns=columns,
        create=create,
        update=update,
        ignored=[header for header, _ in export if normalise_header(header) not in column_headers],
        list_url_name=f"{register.url_base}-list",
    )
    # An export column nobody edits must not be read as an editable one through a field's verbose name
    # (the training record's "Course" is not its "Course title").
    for header, _ in export:
        key = normalise_header(header)
        if key not in column_headers:
            importer.index.pop(key, None)
    return importer


_done = False


def register_spreadsheet_importers() -> None:
    """Add an importer for every register that has none yet (once; the URL map must be loadable)."""
    global _done
    if _done:
        return
    _done = True
    taken = {importer.model for importer in all_importers()}
    for register in registers():
        if register.model in taken:
            continue
        importer = importer_for_register(register)
        if importer is not None:
            register_importer(importer)
            taken.add(register.model)


INTRO = """# Spreadsheet round-trip: register columns

Every register below exports to Excel (XLSX), CSV and JSON from its list page (**Export**), and imports from the
same layout on the import page (**Inventory → Import**, or `POST /api/v1/imports/<register>/`): edit the export in a
spreadsheet and load it back. Rows are matched on **Reference**: a known reference updates that record, a new or
empty one creates a record. Start with a dry run (the preview): every row shows *create*, *update* (with the
columns that change), *unchanged* or *error* with its worksheet row number and the cells at fault; nothing is
written until you confirm, and with "all or nothing" one bad row writes nothing. Unchanged rows are not saved, so
loading an export back unchanged writes nothing and adds no history.

Headers are matched without regard to case, spaces or underscores; the field name (`business_owner`) works too.
Columns marked *read only* are written by the export for people (derived values, counts, dates set by a workflow)
and ignored on import. Linked records are written as `REF Name` and read by their reference; members by username;
requirements as `framework-key:identifier` (an identifier alone means the ISO/IEC 42001 one, then your own
framework's). Several values in one cell are comma-separated; yes/no cells accept yes/no, true/false, 1/0.

This file is generated: `python manage.py spreadsheet_columns` (a test fails when it is out of date).
"""


def columns_markdown() -> str:
    from aims.imports import all_importers

    register_spreadsheet_importers()
    sections = [INTRO]
    listed = {r.url_base: r for r in registers()}
    for importer in sorted(all_importers(), key=lambda i: i.label.lower()):
        register = listed.get(importer.list_url_name.removesuffix("-list"))
        export = register.list_view.export_fields if register else []
        readable = {normalise_header(c.header): c for c in importer.columns}
        lines = [
            f"## {importer.label[:1].upper()}{importer.label[1:]} (`{importer.key}`)",
            "",
            "| Column | Import | What it holds |",
            "| --- | --- | --- |",
        ]
        shown = set()
        for header, _ in export:
            column = readable.get(normalise_header(header))
            shown.add(normalise_header(header))
            if column is None:
                lines.append(f"| {header} | read only | |")
            else:
                lines.append(f"| {header} | yes | {_describe(importer, column)} |")
        for column in importer.columns:
            if normalise_header(column.header) not in shown:
                lines.append(f"| {column.header} | yes (not exported) | {_describe(importer, column)} |")
        sections.append("\n".join(lines) + "\n")
    return "\n".join(sections)


def _describe(importer, column) -> str:
    field = importer.model._meta.get_field(column.field)
    text = str(getattr(field, "help_text", "") or "").strip()
    kind = column.converter.description
    if len(kind) > 160:
        kind = kind[:157] + "…"
    return " ".join(part for part in (kind + ".", text) if part).replace("|", "/").replace("\n", " ")
