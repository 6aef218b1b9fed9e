"""Bulk writes of model rows with their simple-history rows: PostgreSQL's COPY, bulk_create elsewhere.

Used by ``seed_scale`` (millions of rows) and by the importer's bulk path (aims.imports.engine). The caller
sets every value first (primary key, timestamps, derived fields): no ``save()``, no signals.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

# Values of these field types go to COPY as they are (psycopg adapts them); others go through the field's
# get_db_prep_save (JSON, decimals...). Skipping it for the plain ones halves the time of a large COPY.
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "EmailField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
    "UUIDField",
}


def _prep(field):
    if field.get_internal_type() in _PLAIN:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


class Bulk:
    """Writes model rows (and their simple-history rows) with COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def _copy(self, table: str, columns: list[str], rows) -> int:
        count = 0
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        # wrap_database_errors: a refused row raises Django's IntegrityError, as an ORM write would.
        statement = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        with connection.wrap_database_errors, connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def insert(self, model, objects: list) -> None:
        """Insert model instances (pk and every value already set)."""
        if not self.postgres:
            model.objects.bulk_create(objects, batch_size=2000)
            return
        fields = model._meta.concrete_fields
        preps = [(f.attname, _prep(f)) for f in fields]
        self._copy(
            model._meta.db_table,
            [f.column for f in fields],
            ([getattr(o, a) if p is None else p(getattr(o, a)) for a, p in preps] for o in objects),
        )
        for obj in objects:  # as after a save: a later save() updates the row instead of inserting it again
            obj._state.adding = False
            obj._state.db = connection.alias

    def links(self, through, left: str, right: str, pairs) -> None:
        """Rows of an auto-created many-to-many table: ``pairs`` of (left id, right id)."""
        pairs = list(pairs)
        if not self.postgres:
            through.objects.bulk_create(
                [through(**{f"{left}_id": a, f"{right}_id": b}) for a, b in pairs], batch_size=5000
            )
            return
        self._copy(through._meta.db_table, [f"{left}_id", f"{right}_id"], pairs)

    def history(
        self, model, objects: list, changes: dict, *, user_id, start: dt.datetime, reason: str = "Registered"
    ) -> int:
        """One "+" row per object and ``changes[pk]`` "~" rows after it, as simple-history writes them."""
        historical = model.history.model
        base = {f.attname for f in model._meta.concrete_fields}
        hist_fields = [f for f in historical._meta.concrete_fields if f.attname != "history_id"]

        preps = [(f.attname, _prep(f) if self.postgres else None) for f in hist_fields]

        def rows():
            for obj in objects:
                values = {name: getattr(obj, name) for name in base}
                for n in range(1 + changes.get(obj.pk, 0)):
                    when = start + dt.timedelta(minutes=n * 37)
                    extra = {
                        "history_date": when,
                        "history_change_reason": reason if n == 0 else "Edited",
                        "history_type": "+" if n == 0 else "~",
                        "history_user_id": user_id,
                    }
                    values.update(extra)
                    yield [values[a] if p is None else p(values[a]) for a, p in preps]

        if not self.postgres:
            batch = [historical(**dict(zip([f.attname for f in hist_fields], r, strict=True))) for r in rows()]
            historical.objects.bulk_create(batch, batch_size=2000)
            return len(batch)
        return self._copy(historical._meta.db_table, [f.column for f in hist_fields], rows())
