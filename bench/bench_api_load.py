"""Benchmark 6: API throughput under gunicorn (2 sync workers) with wrk on loopback, 8 connections, bounded
in time: requests/s and p95 of a mixed read workload (lists, filtered lists, a detail), against the same
server's trivial JSON endpoint (the floor). Targets: >= 20% of the floor's requests/s, p95 <= 100 ms, no 5xx.

The server runs as in production, so list pages read again while the database is unchanged come from memory
(aims/api/page_cache.py); nothing writes during the run, so after the first round nearly every list is such a
read. The same workload is then run against a server with that cache off (``API_PAGE_CACHE_MB=0``): every
page built, as after a write. That row is reported without a target, so the table shows both."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

common.setup_django()

from accounts.models import ApiToken  # noqa: E402

DURATION = 3 if common.SMALL else 15
CONNECTIONS = 8

LUA = r"""
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Authorization"] = "Token %s"})
end
done = function(summary, latency, requests)
  io.write(string.format("P95_US %%d\n", latency:percentile(95)))
  io.write(string.format("STATUS_5XX %%d\n", summary.errors.status))
end
"""


def free_port() -> int:
    """BENCH_PORT when set (a machine shared by several runs gives each its own), else any free port."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk(url: str, paths: list[str], key: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % (", ".join(f'"{p}"' for p in paths), key))
        script = fh.name
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "5s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=DURATION + 30,
    ).stdout
    os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p95 = int(re.search(r"P95_US (\d+)", out).group(1)) / 1000
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p95": round(p95, 1), "bad": int(non2xx.group(1)) if non2xx else 0}


def measure(mixed: list[str], key: str, env: dict) -> tuple[dict, dict]:
    """(trivial endpoint, mixed workload) on a fresh gunicorn with ``env`` added to this process's."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "wsgi_bench:application",
            "--chdir",
            str(Path(__file__).parent),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env={**os.environ, **env},
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/trivial/", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        wrk(base, mixed[:2], key)  # warm both workers
        return wrk(base, ["/bench/trivial/"], key), wrk(base, mixed, key)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def main():
    if not shutil.which("wrk"):
        common.emit(
            "api_load",
            # Not measured is not passed: the table shows a FAIL until wrk is there.
            [common.result("API load: not measured, wrk is not installed (apt-get install wrk)", 0, "", ok=False)],
        )
        return
    user, org = common.officer_and_org()
    ApiToken.objects.filter(user=user, name="bench-load").delete()
    key = ApiToken.generate_key()
    ApiToken.objects.create(
        user=user, organisation=org, name="bench-load", prefix=key[:8], key_hash=ApiToken.hash_key(key)
    )
    mixed = common.api_mix(org)
    floor, load = measure(mixed, key, {})
    _, uncached = measure(mixed, key, {"API_PAGE_CACHE_MB": "0"})
    share = load["rps"] / floor["rps"] if floor["rps"] else 0
    results = [
        common.result(
            f"API mixed reads, gunicorn 2 workers, {CONNECTIONS} connections, {DURATION}s",
            round(load["rps"], 1),
            "req/s",
            floor=round(floor["rps"], 1),
            target=">= 20% of floor",
            ok=share >= 0.2,
            p95_ms=load["p95"],
        ),
        common.result(
            "API mixed reads: p95",
            load["p95"],
            "ms",
            floor=floor["p95"],
            target="<= 100 ms",
            ok=load["p95"] <= 100,
        ),
        common.result(
            "API mixed reads: non-2xx responses",
            load["bad"] + uncached["bad"],
            "responses",
            target="0",
            ok=load["bad"] + uncached["bad"] == 0,
        ),
        common.result(
            "API mixed reads, page cache off (every page built, as after a write): reported",
            round(uncached["rps"], 1),
            "req/s",
            floor=round(floor["rps"], 1),
            p95_ms=uncached["p95"],
        ),
    ]
    common.emit("api_load", results)


if __name__ == "__main__":
    main()
