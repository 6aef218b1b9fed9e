"""Run every benchmark in bench/ (each ``bench_*.py``) against a PostgreSQL benchmark database.

    make bench                       # 10,000 systems, 100,000 risks, 1,000,000 history rows
    make bench BENCH_ARGS=--small    # 1,000 systems (CI: checks the scripts run; times are not judged)
    make bench BENCH_ARGS='--only lists --no-seed'

The database is BENCH_DATABASE_URL, else DATABASE_URL's server with the database ``aims_bench``
(``aims_bench_small`` with --small), created when missing, migrated and filled by ``seed_scale`` unless it
already holds data of the same sizes. Each script prints one JSON object; the runner writes them all to
bench/results/latest[-small].json and a Markdown table to bench/results/latest[-small].md, and prints it
(``latest-partial.*`` when ``--only`` picks some scripts, so a partial run never replaces the complete table).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
FULL = {"systems": 10_000, "risks": 100_000, "history": 1_000_000}
SMALL = {"systems": 1_000, "risks": 10_000, "history": 30_000}


def database_url(small: bool) -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/aims_bench" + ("_small" if small else "")))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}")


def bench_env(url: str, small: bool) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="aims.settings",
        DEBUG="0",
        # Production settings, but static files without the manifest (collectstatic with compression takes
        # minutes here; static files are whitenoise's business, not what these benchmarks measure).
        AIMS_TESTING="1",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        AIMS_DATA_DIR=env.get("BENCH_DATA_DIR", "/tmp/aims-bench-data"),  # noqa: S108 - scratch space
        BENCH_SMALL="1" if small else "0",
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None) if env.get("BENCH_KEEP_REDIS") != "1" else None
    return env


def last_json_object(stdout: str) -> dict | None:
    """The last line of ``stdout`` that is a whole JSON object (scripts may log other lines before it)."""
    for line in reversed(stdout.splitlines()):
        if line.lstrip().startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict):
                return data
    return None


def manage(env, *args) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def seeded_signature(env) -> str:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, 'bench'); import common; common.setup_django();"
            "from accounts.models import Organisation;"
            "print((Organisation.objects.filter(slug='scale-large').values_list('name', flat=True).first() or ''))",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip()


def fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(runs: list[dict]) -> str:
    lines = [
        "| Benchmark | Figure | Floor | Ratio | Queries | Target | Result |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for run in runs:
        if run.get("error"):
            lines.append(f"| {run['bench']} | error: {run['error'][:80]} | | | | | ERROR |")
            continue
        for row in run.get("results", []):
            unit = row.get("unit", "")
            verdict = {True: "pass", False: "**FAIL**", None: "–"}[row.get("pass")]
            if run.get("small"):
                verdict = "(small: not judged)"
            ratio = f"{row['ratio']}×" if row.get("ratio") is not None else "–"
            lines.append(
                f"| {row['name']} | {fmt(row.get('value'))} {unit} | {fmt(row.get('floor'))} | {ratio} "
                f"| {fmt(row.get('queries'))} | {row.get('target') or ''} | {verdict} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="1,000 systems; for CI (times are not judged).")
    parser.add_argument("--only", action="append", default=[], help="Run only bench_<NAME>.py (repeatable).")
    parser.add_argument("--no-seed", action="store_true", help="Use the data already in the database.")
    parser.add_argument("--strict", action="store_true", help="Exit 1 when a target fails.")
    parser.add_argument("--timeout", type=int, default=900, help="Seconds per script.")
    args = parser.parse_args()

    url = database_url(args.small)
    ensure_database(url)
    env = bench_env(url, args.small)
    sizes = SMALL if args.small else FULL
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    env["BENCH_MIGRATED"] = "1"  # the scripts need not migrate again (bench_pack does when run on its own)
    wanted = f"Scale Large Corp ({sizes['systems']}/{sizes['risks']}/{sizes['history']}, seed 42)"
    if not args.no_seed and seeded_signature(env) != wanted:
        print(f"Seeding {wanted} ...", flush=True)
        flags = ["--systems", str(sizes["systems"]), "--risks", str(sizes["risks"]), "--history", str(sizes["history"])]
        if args.small:
            flags += ["--other-orgs", "5"]
        manage(env, "seed_scale", *flags)
    scripts = sorted(BENCH.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only]
    runs = []
    for script in scripts:
        print(f"==> {script.name}", flush=True)
        t0 = time.monotonic()
        try:
            proc = subprocess.run(
                [sys.executable, str(script)],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=args.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            runs.append({"bench": script.stem, "error": f"timed out after {args.timeout}s"})
            continue
        data = last_json_object(proc.stdout)
        if proc.returncode != 0 or data is None:
            sys.stderr.write(proc.stderr[-3000:])
            reason = proc.stderr.strip()[-200:] or "no JSON object on stdout"
            runs.append({"bench": script.stem, "error": f"exit {proc.returncode}: {reason}"})
            continue
        data.setdefault("bench", script.stem)
        data.setdefault("small", args.small)
        if isinstance(data.get("results"), dict):
            data["results"] = [data["results"]]
        data["seconds"] = round(time.monotonic() - t0, 1)
        runs.append(data)
    RESULTS.mkdir(exist_ok=True)
    # A partial run (--only) writes partial-*, so it never replaces the last complete table the README quotes.
    suffix = ("-small" if args.small else "") + ("-partial" if args.only else "")
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report = {
        "when": stamp,
        "small": args.small,
        "sizes": sizes,
        "seconds": round(time.monotonic() - started),
        "runs": runs,
    }
    (RESULTS / f"latest{suffix}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    md = (
        f"Benchmarks of {stamp} ({'small mode' if args.small else 'full'}: {sizes['systems']:,} systems, "
        f"{sizes['risks']:,} risks, {sizes['history']:,} history rows; PostgreSQL, warm; p95 of repeated runs)\n\n"
        + table(runs)
        + "\n"
    )
    (RESULTS / f"latest{suffix}.md").write_text(md)
    print()
    print(md)
    errors = [r for r in runs if r.get("error")]
    failed = [row for r in runs for row in r.get("results", []) if row.get("pass") is False]
    print(f"{len(errors)} script error(s), {len(failed)} target(s) missed; {report['seconds']} s in all.")
    if errors:
        return 2
    return 1 if (args.strict and failed and not args.small) else 0


if __name__ == "__main__":
    sys.exit(main())
