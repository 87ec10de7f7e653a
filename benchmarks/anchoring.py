"""Re-anchoring 1,000 spans on a 200,000-character article, as a ratio against the floor.

The floor is one `str.find` pass over the same spans in the edited text: the least any
re-anchoring can do. Both are timed in the same run; each figure is the median of --repeat runs.

    .venv/bin/python benchmarks/anchoring.py [--chars 200000] [--spans 1000] [--repeat 5]
"""

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations import anchoring  # noqa: E402

EXTRAS = ["😀 ", "🇰🇿 ", "Cafe\u0301 ", "中文 ", "“quoted” "]


def build_article(chars, rng):
    seeds = [
        anchoring.normalize_body(p.read_text()) for p in sorted((ROOT / "seeds").glob("*.txt"))
    ]
    paragraphs = [para for text in seeds for para in text.split("\n") if len(para) > 40]
    vocabulary = sorted({w for para in paragraphs for w in para.split()})
    out, size = [], 0
    while size < chars:
        # Every copy of a seed paragraph has a fifth of its words swapped, so (as in a real long
        # article) a span's quote and context are not repeated word for word elsewhere.
        words = [
            w if rng.random() > 0.2 else rng.choice(vocabulary)
            for w in rng.choice(paragraphs).split()
        ]
        para = rng.choice(EXTRAS) + " ".join(words)
        out.append(para)
        size += len(para) + 1
    return anchoring.normalize_body("\n".join(out))[:chars]


def build_spans(body, count, rng):
    spans = []
    while len(spans) < count:
        start = rng.randrange(0, len(body) - 100)
        end = start + rng.randint(10, 80)
        if not body[start:end].strip():
            continue
        prefix, suffix = anchoring.context(body, start, end)
        spans.append(anchoring.Span(start, end, body[start:end], prefix, suffix))
    return spans


def edit(body, rng, edits):
    """Scattered edits: most between spans, some inside them (fuzzy), a few deletions."""
    new = body
    positions = sorted(rng.sample(range(len(body)), edits), reverse=True)
    for i, pos in enumerate(positions):
        if i % 5 == 0:
            new = new[:pos] + new[pos + 30 :]
        else:
            new = new[:pos] + rng.choice(["inserted words ", "x", "🇦🇲 ", "\n"]) + new[pos:]
    return new


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--spans", type=int, default=1_000)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    body = build_article(args.chars, rng)
    spans = build_spans(body, args.spans, rng)
    new = edit(body, rng, args.edits)

    floor_times, _ = timed(lambda: [new.find(s.quote) for s in spans], args.repeat)
    times, results = timed(lambda: anchoring.reanchor(body, new, spans), args.repeat)
    outcomes = Counter(r.outcome.value for r in results)
    wrong = sum(1 for r in results if r.outcome != "orphaned" and new[r.start : r.end] != r.quote)

    floor, real = statistics.median(floor_times), statistics.median(times)
    print(f"article: {len(body):,} code points; spans: {len(spans):,}; edits: {args.edits}")
    print(f"outcomes: {dict(sorted(outcomes.items()))}; spans whose quote != text: {wrong}")
    print(f"{'measure':<36}{'median':>12}{'min':>12}{'max':>12}")
    print(
        f"{'floor: str.find per span':<36}{floor * 1e3:>10.2f}ms{min(floor_times) * 1e3:>10.2f}ms"
        f"{max(floor_times) * 1e3:>10.2f}ms"
    )
    print(
        f"{'re-anchor all spans':<36}{real * 1e3:>10.2f}ms{min(times) * 1e3:>10.2f}ms"
        f"{max(times) * 1e3:>10.2f}ms"
    )
    print(
        f"ratio re-anchor / floor: {real / floor:.1f}x (median), "
        f"{min(times) / max(floor_times):.1f}x..{max(times) / min(floor_times):.1f}x (range)"
    )
    if wrong:
        sys.exit(1)


if __name__ == "__main__":
    main()
