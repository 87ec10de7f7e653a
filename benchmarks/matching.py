"""Claim matching on a labelled set (issue 17): recall@1 and recall@5 per kind of query,
precision of `match` and the false-match rate on negatives, for each retrieval stage and for
both together, then the same figures over a range of thresholds (how README.md's were chosen).

    .venv/bin/python benchmarks/matching.py [--database-url URL] [--pgdir DIR]

The set is benchmarks/data/matching.json (queries built from seeds/ and fixtures/curated.toml).
A throwaway cluster gets make run's desk (migrate, import_articles seeds/, load_annotations
fixtures/), unless --database-url names a database that has it. Searches run as the desk (every
ruling, drafts included), in this process. Not measured here: speed at 1M spans.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402

DATA = harness.ROOT / "benchmarks" / "data" / "matching.json"
STAGES = {"fts": ("fts",), "trigram": ("trigram",), "combined": ("fts", "trigram")}
POSITIVE = ("verbatim", "edit", "paraphrase")


@contextmanager
def database(args):
    if args.database_url:
        yield args.database_url
        return
    with harness.cluster(args.pgdir, fsync=False) as (_, url):
        env = harness.django_env(url, LOG_LEVEL="WARNING")
        harness.manage("migrate", "-v0", env=env)
        harness.manage("import_articles", "seeds/", env=env, capture_output=True)
        harness.manage("load_annotations", "fixtures/", env=env, capture_output=True)
        yield url


def evaluate(user, queries, stages, per_stage=None, sources=("spans", "claims")):
    from annotations.matching import scoring
    from annotations.selectors import matching as reads

    rows = []
    for item in queries:
        found = reads.claim_search(
            user,
            item["query"],
            language=item["language"],
            limit=5,
            stages=stages,
            per_stage=per_stage or reads.CANDIDATES,
            sources=sources,
        )
        # The best score a result reached without figures that disagree with the query (the
        # margin of a negative below the match threshold), and whether the figures rule alone
        # kept a result from being a match.
        texts = [(m, m.span.quote if m.span else m.ruling.claim) for m in found]
        top = max(
            (m.score for m, t in texts if not scoring.figures_disagree(item["query"], t)),
            default=0.0,
        )
        saved = any(
            m.score >= scoring.MATCH_THRESHOLD and scoring.figures_disagree(item["query"], t)
            for m, t in texts
        )
        rows.append((item, [(m.ruling.slug, m.level) for m in found], top, saved))
    return rows


def figures(scored):
    rows = [(item, found) for item, found, _, _ in scored]
    negatives = [(top, saved) for item, _, top, saved in scored if item["kind"] == "negative"]
    out = {
        "top neg. w/o figs": max(top for top, _ in negatives),
        "saved by figures": sum(saved for _, saved in negatives),
    }
    for kind in POSITIVE:
        mine = [(item, found) for item, found in rows if item["kind"] == kind]
        for k in (1, 5):
            hits = sum(
                any(slug in item["rulings"] for slug, _ in found[:k]) for item, found in mine
            )
            out[f"{kind} r@{k}"] = hits / len(mine)
    matches = [(item, slug) for item, found in rows for slug, level in found if level == "match"]
    right = sum(slug in item["rulings"] for item, slug in matches)
    out["match precision"] = right / len(matches) if matches else 1.0
    out["matches"] = len(matches)
    negatives = [found for item, found in rows if item["kind"] == "negative"]
    out["negatives matched"] = sum(
        any(level == "match" for _, level in f) for f in negatives
    ) / len(negatives)
    # How many repeats (verbatim and light edits) the top result links safely.
    repeats = [(item, found) for item, found in rows if item["kind"] in ("verbatim", "edit")]
    out["repeats matched"] = sum(
        bool(found) and found[0][1] == "match" and found[0][0] in item["rulings"]
        for item, found in repeats
    ) / len(repeats)
    return out


COLUMNS = [
    "verbatim r@1",
    "verbatim r@5",
    "edit r@1",
    "edit r@5",
    "paraphrase r@1",
    "paraphrase r@5",
    "match precision",
    "matches",
    "negatives matched",
    "repeats matched",
    "top neg. w/o figs",
    "saved by figures",
]


def table(title, labelled):
    print(f"\n{title}")
    width = max(len(label) for label, _ in labelled)
    print(" " * width + "  " + "  ".join(f"{c:>18}" for c in COLUMNS))
    for label, result in labelled:
        cells = [
            f"{result[c]:>18d}" if isinstance(result[c], int) else f"{result[c]:>18.2f}"
            for c in COLUMNS
        ]
        print(f"{label:<{width}}  " + "  ".join(cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--pgdir", help="keep the cluster in this folder (reused next time)")
    args = parser.parse_args()
    queries = json.loads(DATA.read_text())["queries"]
    with database(args) as url:
        os.environ.update(harness.django_env(url, LOG_LEVEL="WARNING"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
        import django

        django.setup()
        from django.contrib.auth import get_user_model

        from annotations.matching import scoring
        from annotations.selectors import matching as reads

        user = get_user_model().objects.get(username="editor")
        kinds = {k: sum(q["kind"] == k for q in queries) for k in (*POSITIVE, "negative")}
        print(
            f"matching: {len(queries)} queries " + ", ".join(f"{v} {k}" for k, v in kinds.items())
        )
        print(
            f"thresholds: match {scoring.MATCH_THRESHOLD}, suggestion "
            f"{scoring.SUGGESTION_THRESHOLD} (recall counts results at either level)"
        )
        results = {name: evaluate(user, queries, stages) for name, stages in STAGES.items()}
        table(
            f"per stage ({reads.CANDIDATES} candidates per stage and source)",
            [(name, figures(rows)) for name, rows in results.items()],
        )
        # The desk's 19 rulings and their claim texts fit in any stage's candidates, so the
        # stages only differ when they must find the spans themselves, with a small budget, as
        # on a desk with many more claims.
        table(
            "per stage, spans only (3 candidates per stage)",
            [
                (n, figures(evaluate(user, queries, s, per_stage=3, sources=("spans",))))
                for n, s in STAGES.items()
            ],
        )

        # Thresholds: levels only (the candidates and scores do not change), on the combination.
        defaults = scoring.MATCH_THRESHOLD, scoring.SUGGESTION_THRESHOLD
        sweep = []
        for match in (0.80, 0.85, 0.88, 0.90, 0.92, 0.95):
            scoring.MATCH_THRESHOLD = match
            sweep.append(
                (f"match {match:.2f}", figures(evaluate(user, queries, STAGES["combined"])))
            )
        scoring.MATCH_THRESHOLD = defaults[0]
        for suggestion in (0.40, 0.45, 0.50, 0.55, 0.60):
            scoring.SUGGESTION_THRESHOLD = suggestion
            sweep.append(
                (
                    f"suggestion {suggestion:.2f}",
                    figures(evaluate(user, queries, STAGES["combined"])),
                )
            )
        scoring.SUGGESTION_THRESHOLD = defaults[1]
        table("combined, by threshold (the other at its default)", sweep)
        misses(results["combined"])
        timings(user, queries)


def timings(user, queries):
    """Time on this desk (84 spans, 19 rulings): not the 1M-span figures of issue 17."""
    import statistics
    import time

    from annotations.models import Article
    from annotations.selectors import matching as reads

    took = []
    for item in queries:
        t0 = time.perf_counter()
        reads.claim_search(user, item["query"], language=item["language"])
        took.append(time.perf_counter() - t0)
    print(
        f"\ntime: search median {statistics.median(took) * 1000:.1f} ms, "
        f"max {max(took) * 1000:.1f} ms ({len(took)} queries, curated desk)"
    )
    for article in Article.objects.order_by("slug"):
        t0 = time.perf_counter()
        found = reads.article_suggestions(user, article)
        print(
            f"time: suggestions of {article.slug} ({len(article.body.split())} words): "
            f"{time.perf_counter() - t0:.2f} s, {len(found)} suggested"
        )


def misses(rows):
    """The queries the combination gets wrong: where to look next."""
    print("\ncombined: misses (positive not in the top 5, or a negative matched)")
    for item, found, _, _ in rows:
        top = [f"{slug}:{level[0]}" for slug, level in found[:5]]
        wrong = (
            item["kind"] != "negative" and not any(s in item["rulings"] for s, _ in found)
        ) or (item["kind"] == "negative" and any(level == "match" for _, level in found))
        if wrong:
            print(f"  {item['kind']:<10} {item['query'][:70]!r} -> {top}")


if __name__ == "__main__":
    main()
