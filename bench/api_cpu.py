"""CPU per API request, in process, through the same WSGI application as ``bench_api_load`` (not a benchmark
script of ``run.py``: a measuring tool for a machine shared with other work, where wall-clock figures drift).

    BENCH_DATABASE_URL=postgres://.../aims_bench python bench/api_cpu.py [--runs 100] [--rounds 3]

Each URL of the wrk mix (and the trivial endpoint) is requested ``--runs`` times per round, with
``time.process_time()`` (this process's CPU: Python, Django, psycopg's client side; not PostgreSQL's) and
``time.perf_counter()`` (wall, PostgreSQL included) around each request, and the CPU its PostgreSQL backend used
(``/proc/<pid>/schedstat``, when the server runs on this machine). Prints one line per URL: the mean CPU of
each and the median wall in milliseconds, the lowest of the rounds, and the mix's mean.

Repeated reads of an unchanged database are answered from the page cache (aims/api/page_cache.py), as in
production; ``API_PAGE_CACHE_MB=0`` in the environment measures pages built every time.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("AIMS_TESTING", "1")
os.environ.setdefault("SECRET_KEY", "api-cpu-measurement-only-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]

import common  # noqa: E402
import wsgi_bench  # noqa: E402  (sets Django up, adds /bench/trivial/)


def mixed_paths() -> list[str]:
    return common.api_mix(common.officer_and_org()[1])


def token() -> str:
    from accounts.models import ApiToken

    user, org = common.officer_and_org()
    ApiToken.objects.filter(user=user, name="bench-cpu").delete()
    key = ApiToken.generate_key()
    ApiToken.objects.create(
        user=user, organisation=org, name="bench-cpu", prefix=key[:8], key_hash=ApiToken.hash_key(key)
    )
    return key


def request(path: str, key: str) -> tuple[int, bytes]:
    """One request through the load benchmark's WSGI application, as its server makes it (``common.WsgiClient``)."""
    response = _client(key).get(path)
    return response.status_code, response.content


@functools.cache
def _client(key: str) -> common.WsgiClient:
    return common.WsgiClient(wsgi_bench.application, HTTP_AUTHORIZATION=f"Token {key}")


def backend_cpu() -> float:
    """Seconds of CPU the PostgreSQL backend of this process's connection has used (its /proc schedstat, so a
    server on this machine only; 0 when unreadable)."""
    from django.db import connection

    pid = connection.__dict__.get("_bench_backend_pid")
    if pid is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = connection.__dict__["_bench_backend_pid"] = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/schedstat") as fh:
            return int(fh.read().split()[0]) / 1e9
    except OSError:
        return 0.0


def measure(path: str, key: str, runs: int) -> tuple[float, float, float]:
    for _ in range(3):
        status, _ = request(path, key)
        if status != 200:
            raise SystemExit(f"{path}: {status}")
    cpu, wall = [], []
    p0 = backend_cpu()
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        request(path, key)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    database = (backend_cpu() - p0) / runs
    return statistics.mean(cpu) * 1000, database * 1000, statistics.median(wall) * 1000


def profile(paths: list[str], key: str, runs: int) -> None:
    import cProfile
    import pstats

    for path in paths:
        request(path, key)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(runs):
        for path in paths:
            request(path, key)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(60)
    stats.sort_stats("tottime").print_stats(30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="a substring of the paths to measure")
    parser.add_argument("--profile", action="store_true", help="cProfile (CPU clock) the selected paths instead")
    args = parser.parse_args()
    key = token()
    paths = ["/bench/trivial/", *mixed_paths()]
    if args.only:
        paths = [p for p in paths if args.only in p]
    if args.profile:
        profile(paths, key, args.runs)
        return
    best = {p: (float("inf"),) * 3 for p in paths}
    for _ in range(args.rounds):
        for path in paths:
            figures = measure(path, key, args.runs)
            best[path] = tuple(min(a, b) for a, b in zip(best[path], figures, strict=True))
    print("  worker CPU  PostgreSQL CPU  wall (ms per request; the lowest of the rounds)")
    for path in paths:
        print(f"{best[path][0]:11.2f} {best[path][1]:15.2f} {best[path][2]:6.2f}  {path}")
    mix = [best[p] for p in paths if p != "/bench/trivial/"]
    if mix:
        means = [statistics.mean(figures[i] for figures in mix) for i in range(3)]
        print(f"{means[0]:11.2f} {means[1]:15.2f} {means[2]:6.2f}  mix mean")


if __name__ == "__main__":
    main()
