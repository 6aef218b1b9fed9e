"""Benchmark 3: the KPI snapshot of the large organisation — time and queries per built-in KPI.

Targets: all KPIs together <= 5 s; a constant number of queries per KPI (the same count in a 200-system
organisation as in the large one). Floor: ``SELECT count(*)`` of the organisation's risks (one scan)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

common.setup_django()

from django.db import connection  # noqa: E402

from accounts.models import Organisation  # noqa: E402
from audits.builtin_kpis import BUILTINS, compute  # noqa: E402


def main():
    _, org = common.officer_and_org()
    small = Organisation.objects.filter(slug__startswith="scale-other-").order_by("slug").first()

    def floor():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM risk_risk WHERE organisation_id = %s", [org.pk])
            return cursor.fetchone()

    fl = common.repeat(floor, runs=5)
    results, total = [], 0.0
    for key in BUILTINS:
        t = common.repeat(lambda k=key: compute(k, org), runs=5, warmup=1)
        q = common.count_queries(lambda k=key: compute(k, org))
        q_small = common.count_queries(lambda k=key: compute(k, small)) if small else q
        total += t["median"]
        results.append(
            common.result(
                f"KPI {key}",
                t["p95"],
                "ms p95",
                floor=fl["p95"],
                target="constant queries",
                ok=q == q_small,
                median=t["median"],
                queries=q,
                queries_small_org=q_small,
            )
        )
    results.append(
        common.result(
            f"KPI snapshot, all {len(BUILTINS)} KPIs",
            round(total, 1),
            "ms",
            floor=None,
            target="<= 5,000 ms",
            ok=total <= 5000,
        )
    )
    common.emit("kpi", results)


if __name__ == "__main__":
    main()
