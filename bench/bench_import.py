"""Benchmark 5: CSV import of 10,000 AI systems — rows per second, dry run and real; then the same file again,
which must write 0 rows and 0 history rows. Target: >= 1,000 rows/s. Floor: reading and parsing the CSV
(csv module) and COPYing the same rows into a scratch table of the same shape."""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

common.setup_django()

from django.db import connection, transaction  # noqa: E402

from accounts.models import Membership, Organisation  # noqa: E402
from aims.models import ReferenceCounter  # noqa: E402
from aims.roles import Role  # noqa: E402
from registry.imports import ai_system_importer  # noqa: E402
from registry.models import AISystem  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS") or (500 if common.SMALL else 10_000))
SLUG = "scale-import"


def build_csv(importer, rows: int) -> bytes:
    headers = [c.header for c in importer.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    example = importer.example
    for i in range(rows):
        values = dict(example)
        values.update(reference=f"AIS-{i + 1:05d}", name=f"Imported system {i + 1}", tags="bench,import")
        writer.writerow([values.get(c.field, "") for c in importer.columns])
    return buffer.getvalue().encode()


def clean(org) -> None:
    AISystem.history.model.objects.filter(organisation=org)._raw_delete(connection.alias)
    for field in AISystem._meta.many_to_many:
        through = field.remote_field.through
        through.objects.filter(**{f"{field.m2m_field_name()}__organisation": org}).delete()
    AISystem.objects.filter(organisation=org)._raw_delete(connection.alias)
    ReferenceCounter.objects.filter(organisation=org).delete()


def main():
    user, _ = common.officer_and_org()
    org, _ = Organisation.objects.get_or_create(slug=SLUG, defaults={"name": "Scale Import"})
    Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": Role.OFFICER})
    clean(org)
    importer = ai_system_importer()
    content = build_csv(importer, ROWS)

    def floor():
        rows = list(csv.reader(io.StringIO(content.decode())))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_import_floor (cells text[]) ON COMMIT DROP")
            with cursor.cursor.copy("COPY bench_import_floor (cells) FROM STDIN") as copy:
                for row in rows[1:]:
                    copy.write_row((row,))

    t0 = time.perf_counter()
    floor()
    floor_s = time.perf_counter() - t0
    floor_rate = round(ROWS / floor_s)

    t0 = time.perf_counter()
    report = importer.run(content, fmt="csv", actor=user, organisation=org, dry_run=True)
    dry = time.perf_counter() - t0
    assert not report.counts.get("error"), [r.errors for r in report.rows if r.errors][:3]

    t0 = time.perf_counter()
    report = importer.run(content, fmt="csv", actor=user, organisation=org, dry_run=False)
    real = time.perf_counter() - t0
    created = AISystem.objects.filter(organisation=org).count()
    history = AISystem.history.model.objects.filter(organisation=org).count()

    t0 = time.perf_counter()
    again = importer.run(content, fmt="csv", actor=user, organisation=org, dry_run=False)
    second = time.perf_counter() - t0
    created2 = AISystem.objects.filter(organisation=org).count() - created
    history2 = AISystem.history.model.objects.filter(organisation=org).count() - history
    clean(org)
    results = [
        common.result(
            f"Import {ROWS:,} AI systems (CSV), dry run",
            round(ROWS / dry),
            "rows/s",
            floor=floor_rate,
            target=">= 1,000 rows/s",
            ok=ROWS / dry >= 1000,
            seconds=round(dry, 2),
        ),
        common.result(
            f"Import {ROWS:,} AI systems (CSV), real",
            round(ROWS / real),
            "rows/s",
            floor=floor_rate,
            target=">= 1,000 rows/s",
            ok=ROWS / real >= 1000 and created == ROWS and history == ROWS,
            seconds=round(real, 2),
            created=created,
            history_rows=history,
        ),
        common.result(
            "Import the same file again: rows + history rows written",
            created2 + history2,
            "rows",
            floor=None,
            target="0 rows, 0 history rows",
            ok=created2 == 0 and history2 == 0 and not again.created,
            seconds=round(second, 2),
        ),
    ]
    common.emit("import", results)


if __name__ == "__main__":
    main()
