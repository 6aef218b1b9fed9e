"""Export of 100,000 risks as CSV through the list page (streamed): wall time and RSS growth of the process.
Floor: the same rows read with one raw server-side query and written by the csv module. Targets: <= 2.5x the
floor, RSS growth < 100 MB."""

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
from django.test import Client  # noqa: E402

from accounts.middleware import SESSION_KEY  # noqa: E402
from risk.models import Risk  # noqa: E402


def main():
    user, org = common.officer_and_org()
    total = Risk.objects.filter(organisation=org).count()
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = str(org.pk)
    session.save()

    def floor():
        out = io.StringIO()
        writer = csv.writer(out)
        with transaction.atomic(), connection.chunked_cursor() as cursor:
            cursor.execute(
                "SELECT r.reference, r.title, r.category, r.status, r.inherent_level, r.residual_level, r.next_review,"
                " u.username FROM risk_risk r LEFT JOIN accounts_user u ON u.id = r.owner_id"
                " WHERE r.organisation_id = %s ORDER BY r.reference",
                [org.pk],
            )
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
    response = client.get("/risks/?export=csv")
    size = 0
    peak = before
    for i, chunk in enumerate(response.streaming_content):
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
