"""The import engine: preview every row of a file, then write the rows through the register's services.

A preview converts and validates each row without writing. It loads what it needs in bulk — the existing
records named by the file's references, the related records, the members — so its number of queries does
not grow with the rows. Each row comes out as *create*, *update* (with the changed fields), *unchanged*
or *error* (with its line and the fields at fault). Validation uses the model's field rules and the
register's own rules that need no database (the ``validate`` hook, a function of the service module).

Writing calls the register's services in one transaction, in one of two modes: ``all`` writes nothing
when any row has an error; ``valid`` writes the rows without errors. Unchanged rows are not saved, so
importing the same file twice writes nothing (and no history) the second time.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from aims.imports.converters import (
    NOT_GIVEN,
    CellError,
    Converter,
    ImportContext,
    Pending,
    converter_for,
    text_of,
)
from aims.imports.parsing import JSON, ImportFileError, read_source
from aims.imports.report import (
    ALL,
    CREATE,
    ERROR,
    MODES,
    NON_FIELD,
    UNCHANGED,
    UPDATE,
    ImportReport,
    RowResult,
    error_dict,
)
from aims.permissions import can


def normalise_header(text) -> str:
    return " ".join(str(text).replace("\ufeff", "").replace("_", " ").lower().split())


@dataclass(frozen=True)
class ImportColumn:
    field: str
    header: str
    converter: Converter
    aliases: tuple[str, ...] = ()


def in_chunks(queryset, lookup: str, values: Iterable) -> list:
    """``queryset.filter(<lookup>__in=values)`` in as few queries as the database's parameter limit allows."""
    values = list(values)
    size = min(5000, (connection.features.max_query_params or 5000) - 50)
    result = []
    for start in range(0, len(values), size):
        result.extend(queryset.filter(**{f"{lookup}__in": values[start : start + size]}))
    return result


class _Rollback(Exception):
    pass


class ModelImporter:
    """How one register is imported: its columns and the service functions that write a row.

    ``create(actor=, organisation=, data=)`` and ``update(actor=, obj=, data=)`` call the register's
    services; ``validate(instance)`` raises the register's ``ServiceError`` for rules that need no database.
    """

    def __init__(
        self,
        *,
        key: str,
        label: str,
        model,
        columns: list[ImportColumn],
        create: Callable,
        update: Callable,
        validate: Callable | None = None,
        ignored: Iterable[str] = (),
        example: dict[str, str] | None = None,
        list_url_name: str = "",
        prepare_new: Callable | None = None,
        create_reason: str = "Imported from a file",
    ):
        self.key, self.label, self.model = key, label, model
        self.columns = columns
        self.create, self.update, self.validate = create, update, validate
        self.example = example or {}
        self.list_url_name = list_url_name
        # ``prepare_new(instance)`` sets what the create service derives (a next review date) on a new record;
        # with it, new rows are written in bulk (see ``_bulk_create``) instead of one service call each.
        self.prepare_new, self.create_reason = prepare_new, create_reason
        self._m2m_names = {f.name for f in model._meta.many_to_many}
        self.ignored = {normalise_header(h) for h in ignored} | {"id", "created at", "updated at"}
        self.index: dict[str, ImportColumn] = {}
        # Headers first, then field names, verbose names and aliases: a header always means its own column.
        for names in (
            lambda c: [c.header],
            lambda c: [c.field],
            lambda c: [self.model._meta.get_field(c.field).verbose_name, *c.aliases],
        ):
            for column in columns:
                for name in names(column):
                    self.index.setdefault(normalise_header(name), column)
        self.headers = {column.field: column.header for column in columns}

    @classmethod
    def build_columns(cls, model, fields: Iterable[str], *, headers=None, converters=None) -> list[ImportColumn]:
        """Columns for ``fields``: headers from ``headers`` (the export's) else the verbose name; converters
        from ``converters`` else by field type."""
        headers, converters = headers or {}, converters or {}
        columns = []
        for name in fields:
            model_field = model._meta.get_field(name)
            header = headers.get(name) or capfirst(str(model_field.verbose_name))
            columns.append(ImportColumn(name, header, converters.get(name) or converter_for(model_field)))
        return columns

    # --- The public entry point -------------------------------------------------------------------------
    def run(self, content: bytes, *, fmt: str, actor, organisation, dry_run: bool = True, mode: str = ALL):
        """Preview the file and, unless ``dry_run``, write it. Raises ``ImportFileError`` for an unreadable file."""
        if mode not in MODES:
            raise ValueError(mode)
        if not (can(actor, "add", self.model, organisation) and can(actor, "change", self.model, organisation)):
            raise PermissionDenied
        source = read_source(content, fmt)
        columns, warnings = self._map_headers(source.headers, per_row=source.format == JSON)
        ctx, m2m_current = self._preload(source, columns, organisation)
        rows = [self._convert(src, columns, ctx) for src in source.rows]
        self._assess(rows, ctx, m2m_current, actor, organisation)
        self._block_links_to_failed_rows(rows)
        report = ImportReport(
            register=self.key,
            format=source.format,
            dry_run=dry_run,
            mode=mode,
            columns={column.field: column.header for column in columns.values()},
            rows=rows,
            warnings=warnings,
        )
        if not dry_run and not (mode == ALL and report.counts[ERROR]):
            self._write(report, actor, organisation, mode)
        return report

    def template_csv(self, example: dict[str, str] | None = None) -> str:
        """The columns and one example row, for people starting a file from scratch."""
        values = {**self.example, **(example or {})}
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([column.header for column in self.columns])
        writer.writerow([values.get(column.field, "") for column in self.columns])
        return "\ufeff" + buffer.getvalue()

    # --- Preview ----------------------------------------------------------------------------------------
    def _map_headers(self, headers: list[str], *, per_row: bool) -> tuple[dict[str, ImportColumn], list[str]]:
        """Headers → columns. Two headers for one field are an error in a CSV; JSON items are checked one by one."""
        columns: dict[str, ImportColumn] = {}
        by_field: dict[str, str] = {}
        warnings = []
        for header in headers:
            key = normalise_header(header)
            column = self.index.get(key)
            if column is None:
                if key and key not in self.ignored:
                    warnings.append(
                        _("The column “%(header)s” is not known here and was ignored.") % {"header": header}
                    )
                continue
            if column.field in by_field and not per_row:
                raise ImportFileError(
                    _("The columns “%(first)s” and “%(second)s” both give %(column)s: keep one.")
                    % {"first": by_field[column.field], "second": header, "column": column.header}
                )
            by_field[column.field] = header
            columns[header] = column
        if not columns:
            raise ImportFileError(
                _("None of the columns is one of the %(register)s columns: start from the template or an export.")
                % {"register": self.label}
            )
        return columns, warnings

    def _preload(self, source, columns, organisation):
        """Load, in a few queries, everything the rows name: records by reference, members, current links."""
        reference_headers = [h for h, c in columns.items() if c.field == "reference"]
        references: set[str] = set()
        members: set[str] = set()
        wanted: dict[type, set[str]] = defaultdict(set)
        for src in source.rows:
            for header in reference_headers:
                try:
                    reference = text_of(src.cells.get(header))
                except CellError:
                    continue
                if reference:
                    references.add(reference)
            for header, column in columns.items():
                if column.field == "reference" or header not in src.cells:
                    continue
                converter = column.converter
                if converter.names_members:
                    members.update(converter.keys(src.cells[header]))
                elif converter.related_model is not None:
                    wanted[converter.related_model].update(converter.keys(src.cells[header]))
        ctx = ImportContext(organisation=organisation, model=self.model)
        for model, keys in wanted.items():
            if any(f.name == "name" for f in model._meta.fields):
                named = defaultdict(list)
                for obj in in_chunks(model.objects.filter(organisation=organisation), "name", keys):
                    named[obj.name].append(obj)
                ctx.named[model] = named
        wanted[self.model] |= references
        for model, keys in wanted.items():
            scoped = model.objects.filter(organisation=organisation)
            ctx.records[model] = {obj.reference: obj for obj in in_chunks(scoped, "reference", keys)}
        existing = ctx.records[self.model]
        ctx.new_references = references - existing.keys()
        users = get_user_model().objects.filter(memberships__organisation=organisation)
        ctx.members = {user.username: user for user in in_chunks(users, "username", members)}
        m2m_current: dict[str, dict] = {}
        existing_ids = [existing[ref].pk for ref in references if ref in existing]
        for column in columns.values():
            model_field = self.model._meta.get_field(column.field)
            if not model_field.many_to_many:
                continue
            through = model_field.remote_field.through
            source_id, target_id = f"{model_field.m2m_field_name()}_id", f"{model_field.m2m_reverse_field_name()}_id"
            links = defaultdict(set)
            pairs = through.objects.values_list(source_id, target_id)
            for left, right in in_chunks(pairs, source_id, existing_ids):
                links[left].add(right)
            m2m_current[column.field] = links
        return ctx, m2m_current

    def _convert(self, src, columns, ctx) -> RowResult:
        row = RowResult(line=src.line)
        if src.problem:
            row.add_error(NON_FIELD, src.problem)
        given: dict[str, str] = {}
        for header, raw in src.cells.items():
            column = columns.get(header)
            if column is None:
                continue
            if column.field in given:
                row.add_error(
                    column.field,
                    _("Given twice, as “%(first)s” and as “%(second)s”.")
                    % {"first": given[column.field], "second": header},
                )
                continue
            given[column.field] = header
            try:
                value = column.converter.to_python(raw, ctx)
            except CellError as exc:
                row.add_error(column.field, str(exc))
                if column.field == "reference":
                    row.reference = str(raw)
                continue
            if value is not NOT_GIVEN:
                row.data[column.field] = value
        row.reference = row.data.pop("reference", "") or row.reference
        return row

    def _assess(self, rows, ctx, m2m_current, actor, organisation) -> None:
        self._candidates = {}
        existing = ctx.records[self.model]
        first_line: dict[str, int] = {}
        for row in rows:
            if row.reference:
                if row.reference in first_line:
                    row.add_error(
                        "reference",
                        _("%(reference)s is also on line %(line)s.")
                        % {"reference": row.reference, "line": first_line[row.reference]},
                    )
                first_line.setdefault(row.reference, row.line)
            obj = existing.get(row.reference) if row.reference else None
            self._check_self_links(row, obj)
            if row.errors:
                continue
            if obj is None:
                outcome = CREATE
                plain = {k: v for k, v in row.data.items() if not self._is_m2m(k)}
                candidate = self.model(organisation=organisation, reference=row.reference, **plain)
                self._candidates[id(row)] = candidate  # written as it is by the bulk path
            else:
                if not can(actor, "change", obj, organisation):
                    row.add_error(
                        NON_FIELD,
                        _("You may change only the %(register)s you are an owner of.") % {"register": self.label},
                    )
                    continue
                row.obj = obj
                row.changes = self._changes(obj, row.data, m2m_current)
                if not row.changes:
                    row.outcome = UNCHANGED
                    continue
                outcome = UPDATE
                row.data = {name: row.data[name] for name in row.changes}
                candidate = self.model(**{f.attname: getattr(obj, f.attname) for f in self.model._meta.concrete_fields})
                for name, value in row.data.items():
                    if not self._is_m2m(name):
                        setattr(candidate, name, value)
            self._validate(candidate, row)
            row.outcome = ERROR if row.errors else outcome

    def _is_m2m(self, name: str) -> bool:
        return name in self._m2m_names

    def _check_self_links(self, row, obj) -> None:
        for name, value in row.data.items():
            if not (self._is_m2m(name) and self.model._meta.get_field(name).related_model is self.model):
                continue
            for item in value:
                if (
                    isinstance(item, Pending)
                    and item.reference == row.reference
                    or obj is not None
                    and item.pk == obj.pk
                ):
                    row.add_error(name, _("A record cannot be linked to itself."))

    def _changes(self, obj, data: dict, m2m_current) -> list[str]:
        changes = []
        for name, value in data.items():
            model_field = self.model._meta.get_field(name)
            if model_field.many_to_many:
                current = m2m_current[name].get(obj.pk, set())
                if any(isinstance(v, Pending) for v in value) or {v.pk for v in value} != current:
                    changes.append(name)
            elif model_field.is_relation:
                if getattr(obj, model_field.attname) != (value.pk if value is not None else None):
                    changes.append(name)
            elif not self._converter(name).same(getattr(obj, name), value):
                changes.append(name)
        return changes

    def _converter(self, name: str) -> Converter:
        return next(column.converter for column in self.columns if column.field == name)

    def _validate(self, candidate, row) -> None:
        # Related values come from maps of this organisation's records and members, so the foreign keys are
        # not checked again (that would be a query per row); uniqueness is the upsert's own key.
        exclude = {f.name for f in self.model._meta.concrete_fields if f.is_relation} | {"id"}
        try:
            candidate.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in error_dict(exc).items():
                for message in messages:
                    row.add_error(name, message)
            return
        if self.validate is not None:
            try:
                self.validate(candidate)
            except ValidationError as exc:
                for name, messages in error_dict(exc).items():
                    for message in messages:
                        row.add_error(name, message)

    def _block_links_to_failed_rows(self, rows) -> None:
        """A row linking to a record this file creates fails when that row fails (repeated until stable)."""
        by_reference = {row.reference: row for row in rows if row.reference}
        changed = True
        while changed:
            changed = False
            for row in rows:
                if row.outcome not in (CREATE, UPDATE):
                    continue
                for name, value in row.data.items():
                    for item in value if self._is_m2m(name) else ():
                        target = by_reference.get(item.reference) if isinstance(item, Pending) else None
                        if target is not None and target.outcome == ERROR:
                            row.add_error(
                                name,
                                _("%(reference)s (line %(line)s) has errors, so it cannot be linked.")
                                % {"reference": item.reference, "line": target.line},
                            )
                if row.errors:
                    row.outcome = ERROR
                    changed = True

    # --- Writing ----------------------------------------------------------------------------------------
    def _write(self, report: ImportReport, actor, organisation, mode: str) -> None:
        written: dict[str, object] = {}
        deferred = []
        try:
            with transaction.atomic():
                bulk = self._bulk_create(report, actor, organisation) if self.prepare_new else {}
                for row in report.rows:
                    if row.outcome not in (CREATE, UPDATE):
                        continue
                    data, pending = self._without_pending(row.data)
                    if id(row) in bulk:
                        obj = bulk[id(row)]
                        written[obj.reference] = obj
                        if pending:
                            deferred.append((row, obj, pending))
                        continue
                    try:
                        if row.outcome == CREATE:
                            base = {"reference": row.reference} if row.reference else {}
                            obj = self.create(actor=actor, organisation=organisation, data={**base, **data})
                        else:
                            obj = self.update(actor=actor, obj=row.obj, data=data)
                    except (ValidationError, IntegrityError, PermissionDenied) as exc:
                        self._fail(row, exc, mode)
                        continue
                    written[obj.reference] = obj
                    if pending:
                        deferred.append((row, obj, pending))
                for row, obj, pending in deferred:
                    links = {}
                    for name, items in pending.items():
                        missing = [p.reference for p in items if p.reference not in written]
                        for reference in missing:
                            row.add_error(
                                name,
                                _("%(reference)s was not imported, so it is not linked.") % {"reference": reference},
                            )
                        current = [v for v in row.data[name] if not isinstance(v, Pending)]
                        links[name] = current + [written[p.reference] for p in items if p.reference in written]
                    try:
                        self.update(actor=actor, obj=obj, data=links)
                    except (ValidationError, IntegrityError, PermissionDenied) as exc:
                        if mode == ALL:
                            self._fail(row, exc, mode)
                        for name, messages in error_dict(exc).items():  # the record itself was written
                            for message in messages:
                                row.add_error(name, message)
        except _Rollback:
            report.written = False
            return
        report.written = True
        report.created = sum(1 for row in report.rows if row.outcome == CREATE)
        report.updated = sum(1 for row in report.rows if row.outcome == UPDATE)

    def _bulk_create(self, report: ImportReport, actor, organisation) -> dict[int, object]:
        """Write the new rows in bulk (aims.bulk: COPY on PostgreSQL; records, history rows, links), not a service
        call each: ~20 rows/s became thousands. The preview has already run the checks the create service
        runs (model rules, the register's ``validate``, links and members of this organisation only, free
        references); ``prepare_new`` sets what the service derives. A database refusal (a reference taken
        meanwhile) rolls the batch back and the rows go through the service one by one, each with its error."""
        from django.utils import timezone

        from aims.bulk import Bulk
        from aims.models import ReferenceCounter

        rows = [row for row in report.rows if row.outcome == CREATE]
        if not rows:
            return {}
        now = timezone.now()
        stamped = [
            f.attname
            for f in self.model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        objects = []
        for row in rows:
            obj = self._candidates.get(id(row))
            if obj is None:
                data, _ = self._without_pending(row.data)
                plain = {k: v for k, v in data.items() if k not in self._m2m_names}
                obj = self.model(organisation=organisation, reference=row.reference, **plain)
            for name in stamped:
                setattr(obj, name, now)
            self.prepare_new(obj)
            objects.append(obj)
        prefix = getattr(self.model, "REFERENCE_PREFIX", None)
        bulk = Bulk()
        try:
            with transaction.atomic():
                if prefix:
                    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
                        organisation=organisation, prefix=prefix
                    )
                    given = [o.reference for o in objects if o.reference]
                    numbers = [
                        int(r.rpartition("-")[2])
                        for r in given
                        if r.startswith(f"{prefix}-") and r.rpartition("-")[2].isdigit()
                    ]
                    last = max([counter.last_number, *numbers])
                    for obj in objects:
                        if not obj.reference:
                            last += 1
                            obj.reference = f"{prefix}-{last:03d}"
                    counter.last_number = last
                    counter.save(update_fields=["last_number"])
                bulk.insert(self.model, objects)
                bulk.history(self.model, objects, {}, user_id=actor.pk, start=now, reason=self.create_reason)
                for name in {k for row in rows for k in row.data if k in self._m2m_names}:
                    model_field = self.model._meta.get_field(name)
                    pairs = [
                        (obj.pk, item.pk)
                        for row, obj in zip(rows, objects, strict=True)
                        for item in row.data.get(name, ())
                        if not isinstance(item, Pending)
                    ]
                    bulk.links(
                        model_field.remote_field.through,
                        model_field.m2m_field_name(),
                        model_field.m2m_reverse_field_name(),
                        pairs,
                    )
        except IntegrityError:
            return {}
        created = objects
        return {id(row): obj for row, obj in zip(rows, created, strict=True)}

    def _without_pending(self, data: dict) -> tuple[dict, dict]:
        pending = {}
        clean = dict(data)
        for name, value in data.items():
            if self._is_m2m(name) and any(isinstance(v, Pending) for v in value):
                pending[name] = [v for v in value if isinstance(v, Pending)]
                clean[name] = [v for v in value if not isinstance(v, Pending)]
        return clean, pending

    @staticmethod
    def _fail(row: RowResult, exc: Exception, mode: str) -> None:
        """A service refused a row the preview accepted (a rule that needs the database, a race)."""
        row.outcome = ERROR
        for name, messages in error_dict(exc).items():
            for message in messages:
                row.add_error(name, message)
        if mode == ALL:
            raise _Rollback
