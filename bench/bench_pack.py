#!/usr/bin/env python
"""Benchmark: build an evidence pack and print its wall time and peak RSS as JSON.

    python bench/bench_pack.py                 # the demo organisation (seeded if missing); target < 30 s
    python bench/bench_pack.py --small         # the same, CI mode (no target checked)
    python bench/bench_pack.py --systems 200   # also an organisation of N generated systems

Runs the build in this process (the body of the Celery task) against the configured database. Peak RSS is
that of this process (``ru_maxrss``), which is what a worker process building the pack would need.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
os.environ.setdefault("DEBUG", "1")

DEMO_TARGET_SECONDS = 30


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _demo_org():
    from django.core.management import call_command

    from accounts.models import Organisation

    org = Organisation.objects.filter(slug="northwind").first()
    if org is None:
        call_command("seed_demo", verbosity=0)
        org = Organisation.objects.get(slug="northwind")
    return org


def _generated_org(systems: int):
    """An organisation of ``systems`` AI systems, each with two risks and a control with link evidence."""
    from accounts.models import Organisation
    from controls.models import Control, Evidence
    from registry.models import AISystem
    from risk.models import Risk

    slug = f"bench-pack-{systems}"
    org = Organisation.objects.filter(slug=slug).first()
    if org is not None:
        return org
    org = Organisation.objects.create(name=f"Bench {systems} systems", slug=slug)
    for i in range(1, systems + 1):
        system = AISystem.objects.create(
            organisation=org,
            reference=f"AIS-{i:04d}",
            name=f"System {i}",
            intended_purpose="Generated " * 12,
            scope_justification="In scope for the benchmark.",
        )
        control = Control.objects.create(organisation=org, reference=f"CTL-{i:04d}", title=f"Control for system {i}")
        control.ai_systems.add(system)
        evidence = Evidence.objects.create(
            organisation=org,
            reference=f"EVD-{i:04d}",
            title=f"Evidence {i}",
            kind="link",
            url=f"https://intranet.example.org/{i}",
        )
        evidence.controls.add(control)
        for j in (1, 2):
            risk = Risk.objects.create(
                organisation=org,
                reference=f"RSK-{i:04d}-{j}",
                title=f"Risk {j} of system {i}",
                consequence="Generated consequence " * 5,
                inherent_likelihood=1 + (i + j) % 5,
                inherent_impact=1 + (i * j) % 5,
            )
            risk.ai_systems.add(system)
            control.risks.add(risk)
    return org


def bench(org, label: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from reports import build, services
    from reports.models import ReportJob

    user = get_user_model().objects.filter(is_superuser=False).first()
    job = ReportJob(
        organisation=org, requested_by=user, frameworks=["iso42001", "nist_ai_rmf", "eu_ai_act"], as_of=timezone.now()
    )
    job.assign_reference()
    job.save()
    start = time.perf_counter()
    outcome = build.run(job.pk)
    seconds = time.perf_counter() - start
    job.refresh_from_db()
    path = services.file_of(job)
    result = {
        "benchmark": f"evidence_pack_{label}",
        "outcome": outcome,
        "wall_seconds": round(seconds, 2),
        "peak_rss_mb": _peak_rss_mb(),
        "pages": job.page_count,
        "zip_bytes": job.size,
    }
    if path:
        path.unlink(missing_ok=True)
    job.delete()
    return result


def _row(run: dict, target_seconds: float | None) -> dict:
    """One row in the shape every bench script reports (see bench/common.py)."""
    from common import result

    ok = run["outcome"] == "complete" and (target_seconds is None or run["wall_seconds"] < target_seconds)
    extra = {k: run[k] for k in ("outcome", "peak_rss_mb", "pages", "zip_bytes")}
    target = f"< {target_seconds} s" if target_seconds else None
    return result(run["benchmark"], run["wall_seconds"], "s", target=target, ok=ok, **extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small",
        action="store_true",
        default=os.environ.get("BENCH_SMALL") == "1",
        help="CI mode: demo organisation only, no target check",
    )
    parser.add_argument("--systems", type=int, default=0, help="also build a pack for an organisation of N systems")
    args = parser.parse_args()

    import django

    django.setup()
    from common import emit
    from django.core.management import call_command

    if os.environ.get("BENCH_MIGRATED") != "1":  # bench/run.py has just migrated; on its own, this script does
        call_command("migrate", verbosity=0)
    runs = [bench(_demo_org(), "demo")]
    rows = [_row(runs[0], DEMO_TARGET_SECONDS)]
    if args.systems and not args.small:
        runs.append(bench(_generated_org(args.systems), f"{args.systems}_systems"))
        rows.append(_row(runs[-1], None))
    emit("pack", rows)
    return 0 if all(r["outcome"] == "complete" for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
