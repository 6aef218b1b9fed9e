"""Export of 100,000 risks as CSV through the list page (streamed): wall time and RSS growth of the process.
Floor: the same rows and columns (every column of the export, linked systems aggregated) read with one raw
server-side query and written by the csv module. Targets: <= 2.5x the floor, RSS growth < 100 MB.

(Until issue 9's second pass the floor read 8 of the export's 29 columns, which made the target unreachable by
construction: the long text columns alone cost more than that floor.)"""

from __future__ import annotations

import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

common.setup_django()

from django.db import connection, transaction  # noqa: E402

from risk.models import Risk  # noqa: E402
from risk.views import RISK_EXPORT  # noqa: E402


def floor_sql() -> str:
    """One query selecting what RISK_EXPORT writes: columns, columns through foreign keys (joined) and
    many-to-many columns (aggregated in a correlated subquery)."""
    table = Risk._meta.db_table
    cols, joins = [], {}
    for _, accessor in RISK_EXPORT:
        parts = accessor.split(".")
        field = Risk._meta.get_field(parts[0])
        if len(parts) == 1:
            cols.append(f"t.{field.column}")
        elif field.many_to_many:
            through = field.remote_field.through
            related = field.related_model
            src = through._meta.get_field(field.m2m_field_name()).column
            dst = through._meta.get_field(field.m2m_reverse_field_name()).column
            leaf = related._meta.get_field(parts[1]).column
            cols.append(
                f"(SELECT string_agg(r.{leaf}, ', ' ORDER BY r.{leaf}) FROM {through._meta.db_table} x "
                f"JOIN {related._meta.db_table} r ON r.id = x.{dst} WHERE x.{src} = t.id)"
            )
        else:
            alias = joins.setdefault(field, f"j{len(joins)}")
            cols.append(f"{alias}.{field.related_model._meta.get_field(parts[1]).column}")
    join_sql = " ".join(
        f"LEFT JOIN {fk.related_model._meta.db_table} {alias} ON {alias}.id = t.{fk.column}"
        for fk, alias in joins.items()
    )
    return f"SELECT {', '.join(cols)} FROM {table} t {join_sql} WHERE t.organisation_id = %s ORDER BY t.reference"


def main():
    user, org = common.officer_and_org()
    total = Risk.objects.filter(organisation=org).count()
    client = common.signed_in_client(user, org)

    def floor():
        out = io.StringIO()
        writer = csv.writer(out)
        with transaction.atomic(), connection.chunked_cursor() as cursor:
            cursor.execute(floor_sql(), [org.pk])
            for row in cursor:
                writer.writerow(row)
                if out.tell() > 1 << 20:
                    out.seek(0)
                    out.truncate()

    t0 = time.perf_counter()
    floor()
    floor_s = time.perf_counter() - t0
    before = common.current_rss_mb()
    t0 = time.perf_counter()
    size = 0
    peak = before
    for i, chunk in enumerate(client.stream("/risks/?export=csv")):
        size += len(chunk)
        if i % 5000 == 0:
            peak = max(peak, common.current_rss_mb())
    wall = time.perf_counter() - t0
    peak = max(peak, common.current_rss_mb())
    growth = round(peak - before, 1)
    results = [
        common.result(
            f"CSV export of {total:,} risks (streamed)",
            round(wall * 1000),
            "ms",
            floor=round(floor_s * 1000),
            target="<= 2.5x floor, RSS growth < 100 MB",
            ok=wall <= 2.5 * floor_s and growth < 100,
            rss_growth_mb=growth,
            bytes=size,
        ),
        common.result(f"CSV export of {total:,} risks: RSS growth", growth, "MB", target="< 100 MB", ok=growth < 100),
    ]
    common.emit("export", results)


if __name__ == "__main__":
    main()
