"""`make load`: gunicorn on loopback under mixed read/write load, with faults on the way.

Timeline (DURATION seconds, 60 by default):
  0-30 %   steady mixed load;
  30 %     one gunicorn worker is killed (SIGKILL); the others keep serving, the master
           replaces it;
  55 %     PostgreSQL is stopped; the service must answer 503 (never 500) while it is down;
  70 %     PostgreSQL is started again; the service must recover by itself, no restart.

Prints requests, status counts and latency percentiles per phase, and exits non-zero when a
rule is broken: a 5xx other than 503 at any time, any 5xx while the database is up (outside a
short grace period after each fault), or no successful request after the restart.

Everything runs on 127.0.0.1 in a throwaway PostgreSQL cluster; the load loops stop by
themselves at DURATION.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import harness  # benchmarks/, on the path as the folder of the script being run

GRACE = 2.0  # seconds after a fault during which a failing in-flight request is excused


class Clock:
    def __init__(self):
        self.start = time.monotonic()
        self.phase = "steady"
        self.db_up = True
        self.last_fault = -100.0

    def now(self):
        return time.monotonic() - self.start


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = defaultdict(Counter)
        self.latency = defaultdict(list)
        self.violations = []
        self.healthz = defaultdict(Counter)  # phase -> statuses of /healthz alone

    def record(self, clock, method, path, status, seconds):
        t = clock.now()
        with self.lock:
            self.statuses[clock.phase][status] += 1
            if path == "/healthz":
                self.healthz[clock.phase][status] += 1
            self.latency[clock.phase].append(seconds * 1000)
            in_grace = t - clock.last_fault < GRACE
            if status == 599 and in_grace:
                pass  # a connection cut by the killed worker, in flight when it died
            elif status >= 500 and status != 503:
                self.violations.append(f"{t:6.1f}s {method} {path}: {status} (never allowed)")
            elif status >= 500 and clock.db_up and not in_grace:
                self.violations.append(f"{t:6.1f}s {method} {path}: {status} with the DB up")


def client_loop(port, token, span_ids, clock, stats, stop):
    rng = random.Random()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def call(method, path, body=None, extra=None):
        nonlocal conn
        t0 = time.monotonic()
        try:
            conn.request(method, path, body=body, headers={**headers, **(extra or {})})
            response = conn.getresponse()
            response.read()  # the connection is reused only once the body is read
            status = response.status
            etag = response.getheader("ETag")
        except (OSError, http.client.HTTPException):
            # A killed worker drops its connection: reconnect, count it as a refused request.
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            status, etag = 599, None
        stats.record(clock, method, path, status, time.monotonic() - t0)
        return status, etag

    while not stop.is_set():
        roll = rng.random()
        if roll < 0.45:
            call("GET", "/api/v1/rulings/?page_size=20")
        elif roll < 0.70:
            call(
                "GET", f"/api/v1/annotations/?page_size=50&kind={rng.choice(['claim', 'evidence'])}"
            )
        elif roll < 0.80:
            call("GET", "/healthz")
        else:
            span = rng.choice(span_ids)
            status, etag = call("GET", f"/api/v1/annotations/{span}/")
            if status == 200 and etag:
                note = json.dumps({"note": f"load {rng.random():.6f}"})
                call(
                    "PATCH",
                    f"/api/v1/annotations/{span}/",
                    body=note,
                    extra={"Content-Type": "application/json", "If-Match": etag},
                )
    conn.close()


def worker_pids(gunicorn):
    found = harness.run("pgrep", "-P", str(gunicorn.pid), capture_output=True).stdout
    return [int(pid) for pid in found.split()]


def percentile(values, q):
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=float(os.environ.get("DURATION", 60)))
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    with (
        harness.cluster() as (pgdir, database_url),
        tempfile.TemporaryDirectory(prefix="factcheck-load-") as workdir,
    ):
        # Each 503 of the outage would log a traceback; the table below is the report.
        env = harness.django_env(database_url, LOG_LEVEL="CRITICAL")
        manage = functools.partial(harness.manage, env=env)
        manage("migrate", "-v", "0")
        manage("import_articles", "seeds/", capture_output=True)
        # As make run: the accounts first, as create_demo_users touches only accounts it made.
        manage("create_demo_users", "--credentials-file", str(Path(workdir) / "accounts.txt"),
               capture_output=True)  # fmt: skip
        manage("load_annotations", "fixtures/", capture_output=True)
        token = manage("api_token", "editor", capture_output=True).stdout.strip()
        span_ids = json.loads(
            manage("shell", "-c",
                   "import json; from annotations.models import Annotation; "
                   "print(json.dumps(list(Annotation.objects.values_list('id', flat=True))))",
                   capture_output=True).stdout.strip().splitlines()[-1]
        )  # fmt: skip

        options = ("--timeout=20", "--graceful-timeout=5")
        with harness.gunicorn(env, workers=args.workers, options=options) as (gunicorn, port):
            clock, stats, stop = Clock(), Stats(), threading.Event()
            threads = [
                threading.Thread(
                    target=client_loop,
                    args=(port, token, span_ids, clock, stats, stop),
                    daemon=True,
                )
                for _ in range(args.clients)
            ]
            for t in threads:
                t.start()

            d = args.duration
            outage = {}

            def at(fraction):
                time.sleep(max(0.0, fraction * d - clock.now()))

            at(0.30)
            victim = worker_pids(gunicorn)[0]
            clock.phase, clock.last_fault = "worker killed", clock.now()
            os.kill(victim, signal.SIGKILL)
            at(0.55)
            clock.phase, clock.db_up, clock.last_fault = "database down", False, clock.now()
            harness.pg_stop(pgdir)
            outage["stopped"] = clock.now()
            at(0.70)
            harness.pg_start(pgdir)
            clock.phase, clock.db_up, clock.last_fault = "recovered", True, clock.now()
            outage["started"] = clock.now()
            at(1.0)
            stop.set()
            for t in threads:
                t.join(timeout=15)

            health = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            health.request("GET", "/healthz")
            healthz_after = health.getresponse().status
            alive_workers = len(worker_pids(gunicorn))

    total = sum(sum(c.values()) for c in stats.statuses.values())
    print(f"\nload: {total} requests in {args.duration:.0f} s, {args.clients} clients, "
          f"{args.workers} gunicorn workers")  # fmt: skip
    print(
        f"{'phase':<16}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}  statuses"
    )
    bounds = {
        "steady": (0, 0.30 * args.duration),
        "worker killed": (0.30 * args.duration, outage["stopped"]),
        "database down": (outage["stopped"], outage["started"]),
        "recovered": (outage["started"], args.duration),
    }
    for phase, (a, b) in bounds.items():
        counts = stats.statuses[phase]
        n = sum(counts.values())
        lat = stats.latency[phase]
        statuses = " ".join(f"{k}:{v}" for k, v in sorted(counts.items()))
        print(f"{phase:<16}{n:>9}{n / max(b - a, 1e-9):>8.0f}{percentile(lat, 50):>8.1f}"
              f"{percentile(lat, 95):>8.1f}{percentile(lat, 99):>8.1f}  {statuses}")  # fmt: skip
    recovered_ok = stats.statuses["recovered"][200]
    down = stats.statuses["database down"]
    for phase in bounds:
        counts = " ".join(f"{k}:{v}" for k, v in sorted(stats.healthz[phase].items()))
        print(f"  /healthz while {phase}: {counts}")
    print(f"healthz after the run: {healthz_after}; gunicorn workers alive: {alive_workers}")

    problems = list(stats.violations)
    if recovered_ok == 0:
        problems.append("no successful request after PostgreSQL came back")
    if down[503] == 0:
        problems.append("no 503 while PostgreSQL was down")
    if stats.healthz["database down"][503] == 0:
        problems.append("/healthz never reported the outage")
    if stats.healthz["recovered"][200] == 0:
        problems.append("/healthz never reported the recovery during the run")
    if healthz_after != 200:
        problems.append(f"/healthz answered {healthz_after} after the run")
    if alive_workers < args.workers:
        problems.append(f"only {alive_workers} of {args.workers} workers alive after the run")
    if problems:
        print("\nload: FAILED")
        for p in problems[:40]:
            print("  " + p)
        return 1
    print("load: OK: no 5xx while the database was up, 503 while it was down, recovered alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
