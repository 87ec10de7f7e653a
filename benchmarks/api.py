"""The API at scale, as ratios against the raw-database floor, all measured in the same run.

    .venv/bin/python benchmarks/api.py --scale small     # 10k vs 50k spans, a couple of minutes
    .venv/bin/python benchmarks/api.py --scale full      # 10k vs 1M spans

It builds two datasets with `manage.py generate_data` (a small one and a large one, each with one
article of 5,000 spans) in a throwaway PostgreSQL cluster (or, with --database-url, as two new
databases on that server), then prints:

1. the annotations list (page 100: unfiltered, by article, by kind, by ruling) served in-process
   through Django's WSGI handler, against the floor: one psycopg query returning the same rows
   plus `orjson.dumps` of the same fields (the two outputs are checked equal);
2. the rulings list with embedded spans (page 50) against its floor;
3. an article's W3C AnnotationPage with 5,000 spans against its floor;
4. growth: each request's time on the large dataset over the small one, first and deep pages;
5. served throughput under gunicorn on loopback (wrk): rulings list requests per second against
   a minimal Django JSON view on the same server (benchmarks/urls.py);
6. peak memory (RSS) of the streamed JSONL export of every span (`manage.py export_spans`).

Lists are read anonymously (the public API, with its visibility filter); the W3C page by an
editor, who sees all 5,000 spans. Every ratio is the median of --repeat interleaved pairs, with
the min and max of the pairs. Throttling is turned off (THROTTLE_*=off): it would refuse a
benchmark's traffic.
"""

# The commands run are this project's own (manage.py, pg.sh, gunicorn) and wrk, from PATH;
# SQL is built from this file's constants only.
# ruff: noqa: S603, S607, S608

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager

import harness  # benchmarks/, on the path as the folder of the script being run

SCALES = {
    # name: (small spans, large spans, pairs per ratio, wrk seconds per run)
    "small": (10_000, 50_000, 15, 3),
    "full": (10_000, 1_000_000, 25, 10),
}
SPANS_PER_ARTICLE = 500
SPANS_PER_RULING = 50  # one ruling per 50 spans; each links ~6 spans from a few articles
BIG_ARTICLE = 5_000


# --- Orchestration (no Django here: each dataset is measured in its own worker process) ---------


def django_env(url):
    # The minimal view's URLconf, and the host name of the in-process requests.
    return harness.django_env(
        url,
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )


@contextmanager
def server(args):
    """A base DATABASE_URL: the one given, or a throwaway cluster's (removed afterwards unless
    --pgdir names a folder to keep, so a later run reuses its datasets)."""
    if args.database_url:
        yield args.database_url
        return
    with harness.cluster(args.pgdir, fsync=False) as (_, url):
        yield url


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def dataset(base_url, spans, keep):
    """A database holding `spans` spans, generated unless an earlier kept run made it."""
    import psycopg

    name = f"factcheck_bench_{spans}"
    with psycopg.connect(with_database(base_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(base_url, name)
    env = django_env(url)
    harness.manage("migrate", "-v0", env=env)
    with psycopg.connect(url) as conn:
        made = conn.execute(
            "SELECT count(*) FROM annotations_article WHERE slug LIKE 'synthetic-s1-%%'"
        ).fetchone()[0]
    if not made:
        others = spans - BIG_ARTICLE
        t0 = time.monotonic()
        harness.manage(
            "generate_data",
            f"--articles={max(1, others // SPANS_PER_ARTICLE)}",
            f"--spans-per-article={SPANS_PER_ARTICLE}",
            f"--rulings={max(10, spans // SPANS_PER_RULING)}",
            f"--big-article={BIG_ARTICLE}",
            "--seed=1",
            env=env,
        )
        print(f"  dataset {name}: generated in {time.monotonic() - t0:.0f}s", flush=True)
    return url


def drop(base_url, spans):
    import psycopg

    with psycopg.connect(with_database(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "factcheck_bench_{spans}"')


def measure_requests(url, pairs):
    out = harness.run(
        harness.PYTHON,
        __file__,
        "--worker",
        f"--repeat={pairs}",
        env=django_env(url),
        stdout=subprocess.PIPE,
    ).stdout
    return json.loads(out)


def export_memory(url):
    """Peak RSS (MiB) and seconds of `manage.py export_spans` writing every span to /dev/null."""
    t0 = time.monotonic()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(
            [harness.PYTHON, "manage.py", "export_spans"],
            env=django_env(url),
            cwd=harness.ROOT,
            stdout=sink,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"export_spans failed: {proc.stderr.read().decode()}")
    proc.stderr.read()
    return usage.ru_maxrss / 1024, time.monotonic() - t0


def throughput(url, seconds, runs):
    """Requests per second of the rulings list and of the minimal view, under gunicorn (two
    sync workers: the machine's cores) and wrk on loopback, alternating runs."""
    if not shutil.which("wrk"):
        return None
    with harness.gunicorn(django_env(url), workers=2) as (_, port):
        paths = {"rulings": "/api/v1/rulings/", "minimal": "/bench/minimal"}
        results = {name: [] for name in paths}
        for path in paths.values():  # warm both workers' connections and caches
            wrk(f"http://127.0.0.1:{port}{path}", 1)
        for _ in range(runs):
            for name, path in paths.items():
                results[name].append(wrk(f"http://127.0.0.1:{port}{path}", seconds))
        return results


def wrk(url, seconds):
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"wrk got errors from {url}:\n{out}")
    line = next(line for line in out.splitlines() if line.startswith("Requests/sec"))
    return float(line.split()[1])


# --- Printing ------------------------------------------------------------------------------------


def ms(seconds):
    return f"{seconds * 1e3:.2f}"


def print_ratios(title, results, cases):
    print(f"\n{title}")
    print(f"{'request':<34}{'django ms':>10}{'floor ms':>10}{'ratio':>8}{'min':>7}{'max':>7}")
    for case in cases:
        r = results[case]
        ratios = [d / f for d, f in zip(r["django"], r["floor"], strict=True)]
        print(
            f"{case:<34}{ms(statistics.median(r['django'])):>10}"
            f"{ms(statistics.median(r['floor'])):>10}{statistics.median(ratios):>7.2f}x"
            f"{min(ratios):>6.2f}x{max(ratios):>6.2f}x"
        )


def print_growth(small, large, small_n, large_n, cases):
    print(f"\n4. growth: Django time at {large_n:,} spans over {small_n:,} (same request)")
    print(f"{'request':<34}{'small ms':>10}{'large ms':>10}{'ratio':>8}{'min':>7}{'max':>7}")
    for case in cases:
        s, g = small[case]["django"], large[case]["django"]
        med = statistics.median(g) / statistics.median(s)
        # Range: the large run's quartiles over the small run's, a spread robust to one outlier.
        sq, gq = statistics.quantiles(s, n=4), statistics.quantiles(g, n=4)
        print(
            f"{case:<34}{ms(statistics.median(s)):>10}{ms(statistics.median(g)):>10}"
            f"{med:>7.2f}x{gq[0] / sq[2]:>6.2f}x{gq[2] / sq[0]:>6.2f}x"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--repeat", type=int, help="pairs per ratio (default by scale)")
    parser.add_argument("--database-url", help="use this server instead of a throwaway cluster")
    parser.add_argument("--pgdir", help="keep the cluster (and its datasets) in this folder")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.repeat)
    small_n, large_n, pairs, seconds = SCALES[args.scale]
    pairs = args.repeat or pairs
    keep = bool(args.pgdir)
    with server(args) as base:
        print(f"datasets: {small_n:,} and {large_n:,} spans", flush=True)
        urls = {n: dataset(base, n, keep) for n in (small_n, large_n)}
        results = {}
        for n, url in urls.items():
            print(f"  measuring requests at {n:,} spans", flush=True)
            results[n] = measure_requests(url, pairs)
        memory = {n: export_memory(url) for n, url in urls.items()}
        print("  measuring served throughput", flush=True)
        served = throughput(urls[large_n], seconds, 3)
        if not keep:
            for n in urls:
                drop(base, n)

    large = results[large_n]["cases"]
    print(f"\nat {large_n:,} spans ({results[large_n]['counts']}); median of {pairs} pairs")
    print_ratios("1. annotations list, page 100 (anonymous)", large, LIST_CASES)
    print_ratios("2. rulings list with embedded spans, page 50 (anonymous)", large, RULING_CASES)
    print_ratios("3. W3C AnnotationPage of one article, 5,000 spans (editor)", large, W3C_CASES)
    print_growth(results[small_n]["cases"], large, small_n, large_n, GROWTH_CASES)
    print("\n5. served throughput, gunicorn 2 workers, wrk -t1 -c4 on 127.0.0.1")
    if served is None:
        print("   skipped: wrk is not installed (Debian: apt-get install wrk)")
    else:
        rul, mini = served["rulings"], served["minimal"]
        ratios = [r / m for r, m in zip(rul, mini, strict=True)]
        print(
            f"   rulings list {statistics.median(rul):,.0f} rps, minimal view "
            f"{statistics.median(mini):,.0f} rps: {statistics.median(ratios):.2f}x "
            f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x, {len(ratios)} runs of {seconds}s)"
        )
    (sm, st), (lm, lt) = memory[small_n], memory[large_n]
    print("\n6. streamed export of every span (manage.py export_spans), peak RSS")
    print(
        f"   {small_n:,} spans: {sm:.0f} MiB in {st:.1f}s; {large_n:,} spans: {lm:.0f} MiB "
        f"in {lt:.1f}s: {lm / sm:.2f}x"
    )


# --- Worker: one dataset, Django in-process against the floor -----------------------------------

LIST_CASES = [
    "annotations",
    "annotations by article",
    "annotations by kind",
    "annotations by ruling",
]
RULING_CASES = ["rulings"]
W3C_CASES = ["w3c page"]
GROWTH_CASES = [
    "annotations",
    "annotations deep",
    "annotations by article",
    "annotations by kind",
    "annotations by kind deep",
    "annotations by ruling",
    "rulings",
    "rulings deep",
    "w3c page",
]

# What an anonymous client sees of the spans: those linked to a published or retracted ruling.
VISIBLE = """EXISTS (SELECT 1 FROM annotations_annotationruling l
              JOIN annotations_ruling r ON r.id = l.ruling_id
              WHERE l.annotation_id = a.id AND r.status IN ('published', 'retracted'))"""
SPAN_SQL = """
SELECT a.id, ar.slug, a.kind, a.start, a."end", a.quote, a.prefix, a.suffix, a.note,
       a.speaker, u.username, a.state, a.version,
       ARRAY(SELECT r.slug FROM annotations_annotationruling l
             JOIN annotations_ruling r ON r.id = l.ruling_id
             WHERE l.annotation_id = a.id AND r.status IN ('published', 'retracted')
             ORDER BY r.id),
       a.created_at, a.updated_at
FROM annotations_annotation a
JOIN annotations_article ar ON ar.id = a.article_id
JOIN auth_user u ON u.id = a.author_id
WHERE {visible} AND a.id > %(after)s {extra}
ORDER BY a.id LIMIT 100
"""
SPAN_FILTERS = {
    "article": "AND ar.slug = %(article)s",
    "kind": "AND a.kind = %(kind)s",
    "ruling": """AND EXISTS (SELECT 1 FROM annotations_annotationruling l
                 JOIN annotations_ruling r ON r.id = l.ruling_id
                 WHERE l.annotation_id = a.id AND r.slug = %(ruling)s
                   AND r.status IN ('published', 'retracted'))""",
}
SPAN_KEYS = [
    "id", "article", "kind", "start", "end", "quote", "prefix", "suffix", "note", "speaker",
    "author", "state", "version", "rulings", "created_at", "updated_at",
]  # fmt: skip

RULING_SQL = """
SELECT r.slug, r.claim, r.claimant_name, r.claimant_kind, r.claimant_url, r.statement, r.rating,
       r.summary, r.sources, r.status, u.username, r.version,
       r.published_at, r.retraction_reason, sup.slug, sb.slug,
       (SELECT coalesce(json_agg(json_build_array(a.id, a.kind, ar.slug, ar.title, a.quote,
                                                  a.start, a."end", a.state)
                                 ORDER BY a.kind, a.article_id, a.start, a.id), '[]')
        FROM annotations_annotationruling l
        JOIN annotations_annotation a ON a.id = l.annotation_id
        JOIN annotations_article ar ON ar.id = a.article_id
        WHERE l.ruling_id = r.id),
       r.created_at, r.updated_at
FROM annotations_ruling r
JOIN auth_user u ON u.id = r.author_id
LEFT JOIN annotations_ruling sup ON sup.id = r.supersedes_id
LEFT JOIN annotations_ruling sb ON sb.supersedes_id = r.id
                                AND sb.status IN ('published', 'retracted')
WHERE r.status IN ('published', 'retracted') AND r.id < %(before)s
ORDER BY r.id DESC LIMIT 50
"""

W3C_SQL = """
SELECT a.id, a.kind, a.note, a.speaker, a.created_at, a.updated_at, u.username, a.quote,
       a.prefix, a.suffix, a.start, a."end",
       (SELECT coalesce(json_agg(json_build_array(r.slug, r.statement) ORDER BY r.id), '[]')
        FROM annotations_annotationruling l JOIN annotations_ruling r ON r.id = l.ruling_id
        WHERE l.annotation_id = a.id)
FROM annotations_annotation a JOIN auth_user u ON u.id = a.author_id
WHERE a.article_id = %(article_id)s
ORDER BY a.start, a."end", a.id
"""


def cursor(position):
    # DRF's CursorPagination token: base64 of a query string naming the last position seen.
    return base64.b64encode(urllib.parse.urlencode({"p": position}).encode()).decode()


def worker(pairs):
    import django

    django.setup()
    import orjson
    import psycopg
    from django.core.handlers.wsgi import WSGIHandler
    from rest_framework.authtoken.models import Token

    from annotations.models import CLAIM_DISPLAY_LENGTH, Rating, Ruling
    from annotations.roles import RULING_PERMISSIONS, SPAN_PERMISSIONS
    from annotations.standards import MOTIVATIONS, W3C_CONTEXT

    handler = WSGIHandler()
    # libpq reads the percent-encoded unix-socket host of DATABASE_URL as Django does.
    # No prepared statements, as Django's connection (prepare_threshold None): both plan every
    # query, so the ratio is not the planner's time.
    conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, prepare_threshold=None)
    conn.execute("SET TIME ZONE 'UTC'")
    # The floor parses JSON columns with orjson too: the floor is the least work possible.
    psycopg.types.json.set_json_loads(orjson.loads, conn)

    def one(sql, **params):
        return conn.execute(sql, params).fetchone()[0]

    editor = Ruling.objects.filter(author__groups__name="editors").values("author").first()
    token = Token.objects.get_or_create(user_id=editor["author"])[0].key
    big_article = one("SELECT id FROM annotations_article WHERE slug = 'synthetic-s1-0'")
    mid_article = one(
        "SELECT slug FROM annotations_article WHERE slug LIKE 'synthetic-s1-%%' "
        "ORDER BY id OFFSET (SELECT count(*) / 2 FROM annotations_article) LIMIT 1"
    )
    ruling = one(
        "SELECT r.slug FROM annotations_ruling r JOIN annotations_annotationruling l "
        "ON l.ruling_id = r.id WHERE r.status = 'published' GROUP BY r.id "
        "ORDER BY count(*) DESC, r.id LIMIT 1"
    )
    # Deep pages: the cursor of the last full pages (150 matching spans, 75 rulings from the
    # end), the farthest a client can page.
    deep_span = one(
        f"SELECT a.id FROM annotations_annotation a WHERE {VISIBLE} ORDER BY a.id DESC "
        "OFFSET 150 LIMIT 1"
    )
    deep_evidence = one(
        f"SELECT a.id FROM annotations_annotation a WHERE {VISIBLE} AND a.kind = 'evidence' "
        "ORDER BY a.id DESC OFFSET 150 LIMIT 1"
    )
    deep_ruling = one(
        "SELECT id FROM annotations_ruling WHERE status IN ('published', 'retracted') "
        "ORDER BY id OFFSET 75 LIMIT 1"
    )
    counts = dict(
        conn.execute(
            "SELECT 'spans', count(*) FROM annotations_annotation UNION ALL "
            "SELECT 'rulings', count(*) FROM annotations_ruling UNION ALL "
            "SELECT 'links', count(*) FROM annotations_annotationruling"
        ).fetchall()
    )

    def get(path, query=None, **headers):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": urllib.parse.urlencode(query or {}),
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
        }
        status = []
        response = handler(environ, lambda s, h, exc_info=None: status.append(s))
        try:
            body = b"".join(response)
        finally:
            response.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"GET {path}?{environ['QUERY_STRING']}: {status[0]} {body[:300]}")
        return body

    def span_floor(after=0, **filters):
        extra = " ".join(SPAN_FILTERS[name] for name in filters)
        sql = SPAN_SQL.format(visible=VISIBLE, extra=extra)
        rows = conn.execute(sql, {"after": after, **filters}).fetchall()
        out = []
        for row in rows:
            item = dict(zip(SPAN_KEYS, row, strict=True))
            item["offset_unit"] = "codepoint"
            # Anonymous readers may change nothing: a constant, as the API's is.
            item["permissions"] = NO_SPAN_PERMISSIONS
            out.append(item)
        return orjson.dumps(out)

    labels = {value: label for value, label in Rating.choices}
    NO_SPAN_PERMISSIONS = dict.fromkeys(SPAN_PERMISSIONS, False)
    NO_RULING_PERMISSIONS = dict.fromkeys(RULING_PERMISSIONS, False)

    def claim_warnings(claim):
        # The floor's copy of selectors.claim_warnings: synthetic claims are short, so none.
        return {} if len(claim) <= CLAIM_DISPLAY_LENGTH else None

    def ruling_floor(before=2**31 - 1):
        out = []
        for row in conn.execute(RULING_SQL, {"before": before}).fetchall():
            (slug, claim, claimant, claimant_kind, claimant_url, statement, rating, summary,
             sources, status, author, version, published_at, reason, supersedes, superseded_by,
             spans, created_at, updated_at) = row  # fmt: skip
            grouped = {"claim": [], "evidence": [], "disputed": []}
            for sid, kind, article, title, quote, start, end, state in spans:
                grouped[kind].append(
                    {"id": sid, "article": article, "article_title": title, "quote": quote,
                     "start": start, "end": end, "state": state}
                )  # fmt: skip
            out.append(
                {
                    "slug": slug,
                    "claim": claim,
                    "claimant": {"name": claimant, "kind": claimant_kind, "url": claimant_url},
                    "statement": statement,
                    "rating": rating,
                    "rating_label": labels[rating],
                    "summary": summary,
                    "sources": sources,
                    "status": status,
                    "author": author,
                    "version": version,
                    "published_at": published_at,
                    "retraction_reason": reason,
                    "supersedes": supersedes,
                    "superseded_by": superseded_by,
                    "annotations": sorted(s[0] for s in spans),
                    "spans": grouped,
                    "public_url": f"http://testserver/rulings/{slug}/",
                    "offset_unit": "codepoint",
                    "permissions": NO_RULING_PERMISSIONS,
                    "warnings": claim_warnings(claim),
                    "created_at": created_at,
                    "updated_at": updated_at,
                }
            )
        return orjson.dumps(out)

    base = "http://testserver/api/v1"

    def w3c_floor():
        article_url = f"{base}/articles/synthetic-s1-0/"
        items = []
        for row in conn.execute(W3C_SQL, {"article_id": big_article}).fetchall():
            (sid, kind, note, speaker, created, modified, author, quote, prefix, suffix, start,
             end, rulings) = row  # fmt: skip
            body = [{"type": "TextualBody", "purpose": "classifying", "value": kind}]
            if speaker:
                body[0]["creator"] = {"name": speaker}
            if note:
                body.append({"type": "TextualBody", "purpose": "commenting", "value": note})
            for slug, statement in rulings:
                body.append(
                    {"type": "SpecificResource", "purpose": "linking",
                     "source": f"{base}/rulings/{slug}/", "label": statement}
                )  # fmt: skip
            items.append(
                {
                    "id": f"{base}/annotations/{sid}/",
                    "type": "Annotation",
                    "motivation": MOTIVATIONS[kind],
                    "created": created,
                    "modified": modified,
                    "creator": {"type": "Person", "nickname": author},
                    "body": body,
                    "target": {
                        "source": article_url,
                        "selector": [
                            {"type": "TextQuoteSelector", "exact": quote, "prefix": prefix,
                             "suffix": suffix},
                            {"type": "TextPositionSelector", "start": start, "end": end},
                        ],
                    },
                }
            )  # fmt: skip
        page_url = f"{base}/articles/synthetic-s1-0/annotations/?format=jsonld"
        return orjson.dumps(
            {
                "@context": W3C_CONTEXT,
                "id": page_url,
                "type": "AnnotationPage",
                "partOf": {"id": page_url, "type": "AnnotationCollection", "total": len(items)},
                "startIndex": 0,
                "items": items,
            }
        )

    spans = "/api/v1/annotations/"
    page = {"page_size": 100}
    cases = {
        "annotations": (lambda: get(spans, page), lambda: span_floor()),
        "annotations deep": (
            lambda: get(spans, {**page, "cursor": cursor(deep_span)}),
            lambda: span_floor(deep_span),
        ),
        "annotations by article": (
            lambda: get(spans, {**page, "article": mid_article}),
            lambda: span_floor(article=mid_article),
        ),
        "annotations by kind": (
            lambda: get(spans, {**page, "kind": "evidence"}),
            lambda: span_floor(kind="evidence"),
        ),
        "annotations by kind deep": (
            lambda: get(spans, {**page, "kind": "evidence", "cursor": cursor(deep_evidence)}),
            lambda: span_floor(deep_evidence, kind="evidence"),
        ),
        "annotations by ruling": (
            lambda: get(spans, {**page, "ruling": ruling}),
            lambda: span_floor(ruling=ruling),
        ),
        "rulings": (lambda: get("/api/v1/rulings/"), lambda: ruling_floor()),
        "rulings deep": (
            lambda: get("/api/v1/rulings/", {"cursor": cursor(deep_ruling)}),
            lambda: ruling_floor(deep_ruling),
        ),
        "w3c page": (
            lambda: get(
                "/api/v1/articles/synthetic-s1-0/annotations/",
                {"format": "jsonld"},
                authorization=f"Token {token}",
            ),
            w3c_floor,
        ),
    }
    results = {}
    for name, (django_call, floor_call) in cases.items():
        served, floor = orjson.loads(django_call()), orjson.loads(floor_call())
        if isinstance(floor, list):
            served = served["results"]
        if served != floor:
            raise SystemExit(f"{name}: the API's output differs from the floor's")
        if not floor or (isinstance(floor, dict) and not floor["items"]):
            raise SystemExit(f"{name}: empty result; the dataset is too small")
        timings = {"django": [], "floor": []}
        for _ in range(3):  # warm-up: connections, caches, imports
            django_call()
            floor_call()
        for _ in range(pairs):
            for label, call in (("django", django_call), ("floor", floor_call)):
                t0 = time.perf_counter()
                call()
                timings[label].append(time.perf_counter() - t0)
        results[name] = timings
    print(json.dumps({"counts": counts, "cases": results}))


if __name__ == "__main__":
    sys.path.insert(0, str(harness.ROOT))  # the worker's Django imports the project
    main()
