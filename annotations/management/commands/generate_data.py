"""Synthetic data at scale, for benchmarks/api.py and load tests."""

import random
import string
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from annotations import anchoring, roles
from annotations.models import (
    AnchorState,
    Annotation,
    AnnotationRuling,
    Article,
    ClaimantKind,
    Decision,
    Kind,
    Rating,
    Review,
    Ruling,
    Status,
)

# Shares of each workflow state, kind and anchor state: a desk's usual mix, with every state
# present even in a tiny run (the smoke test checks that).
STATUS_WEIGHTS = {
    Status.DRAFT: 20,
    Status.IN_REVIEW: 15,
    Status.PUBLISHED: 55,
    Status.RETRACTED: 10,
}
KIND_WEIGHTS = {Kind.CLAIM: 45, Kind.EVIDENCE: 40, Kind.DISPUTED: 15}
ORPHAN_SHARE = 0.02
NOTE_SHARE = 0.2

PUBLISHERS = ["AzerNews", "bne IntelliNews", "Tengrinews", "Kazinform", "Meduza", "Eurasianet"]
LANGUAGES = ["en", "en", "en", "ru", "kk"]
# Words beyond the seeds' English: Cyrillic (Russian), Kazakh letters (ә ғ қ ң ө ұ ү һ і),
# astral emoji and flags (two UTF-16 units each), and combining acute accents on Cyrillic
# letters, which NFC leaves decomposed (there are no precomposed forms), so a "character" the
# reader sees is two code points.
FOREIGN = {
    "ru": ["ОДКБ", "миротворцы", "протесты", "Алматы", "министр", "войска", "ме\u0301сто"],
    "kk": ["Қазақстан", "әскери", "ұйым", "бейбітшілік", "үкімет", "наразылық", "өңір"],
}
SPICE = ["😀", "🔥", "🇰🇿", "🇷🇺", "«", "»", "—", "“quoted”", "\u0438\u0301", "%", "№"]


def _vocabulary():
    words = set()
    for path in sorted((Path(settings.BASE_DIR) / "seeds").glob("*.txt")):
        words.update(anchoring.normalize_body(path.read_text()).split())
    return sorted(words) or list(string.ascii_lowercase)


class Body:
    """An article body as words, with each word's code-point offsets, so spans start and end on
    word boundaries (as a reader's selection mostly does) without scanning the text."""

    def __init__(self, rng, words_wanted, vocab, language):
        pool = vocab if language == "en" else vocab[: len(vocab) // 2] + FOREIGN[language] * 20
        words = rng.choices(pool, k=words_wanted)
        for i in range(0, len(words), 97):
            words[i] = rng.choice(SPICE) + words[i]
        parts, starts, ends, at = [], [], [], 0
        for i, word in enumerate(words):
            if i:
                sep = "\n\n" if i % 120 == 0 else (". " if i % 15 == 0 else " ")
                parts.append(sep)
                at += len(sep)
            parts.append(word)
            starts.append(at)
            at += len(word)
            ends.append(at)
        text = "".join(parts)
        # Already normal (the vocabulary is NFC, joined by spaces): checked, not assumed.
        if anchoring.normalize_body(text) != text:
            raise CommandError("generated body is not normalised; fix the vocabulary")
        self.text, self.starts, self.ends = text, starts, ends


class Command(BaseCommand):
    help = (
        "Loads synthetic articles, spans, rulings, links and reviews with COPY, for benchmarks "
        "(a million spans in minutes). It bypasses the services for speed, so it writes NO "
        "history rows; every row still obeys the database constraints and the services' rules "
        "(quote == body[start:end] with its 32-character context, published rulings have "
        "published_at, retracted ones a reason, rulings past draft link a claim span, approvals "
        "never by the ruling's author), and `check_annotations` passes afterwards. Rulings are "
        "in every workflow state and link spans from several articles. Same --seed, same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100)
        parser.add_argument(
            "--spans-per-article", type=int, default=100, help="Average; articles vary."
        )
        parser.add_argument("--rulings", type=int, default=50)
        parser.add_argument(
            "--big-article",
            type=int,
            default=0,
            metavar="SPANS",
            help="Also one article with exactly this many spans (the W3C export's worst case).",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--prefix",
            default=None,
            help="Slug prefix of the generated articles and rulings (default synthetic-s<seed>).",
        )

    def handle(self, *args, **opts):
        for name in ("articles", "spans_per_article", "rulings", "big_article"):
            if opts[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} must be 0 or more")
        self.rng = random.Random(opts["seed"])  # noqa: S311 - synthetic data, not secrets
        self.prefix = opts["prefix"] or f"synthetic-s{opts['seed']}"
        if Article.objects.filter(slug__startswith=f"{self.prefix}-").exists():
            raise CommandError(f"Articles with prefix {self.prefix!r} exist; pick another --seed.")
        self.now = datetime.now(UTC).replace(microsecond=0)
        t0 = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            self.cursor = cursor.cursor  # psycopg's own cursor, for COPY
            # Ids are assigned here (COPY cannot return them); the locks keep other writers from
            # taking the same ids until the sequences are moved past them at the end.
            for model in (Article, Annotation, Ruling, AnnotationRuling, Review):
                self.cursor.execute(f"LOCK TABLE {model._meta.db_table} IN EXCLUSIVE MODE")
            self.make_users()
            counts = self.make_articles_and_spans(
                opts["articles"], opts["spans_per_article"], opts["big_article"]
            )
            counts.update(self.make_rulings(opts["rulings"]))
            for model in (Article, Annotation, Ruling, AnnotationRuling, Review):
                table = model._meta.db_table
                self.cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
        with connection.cursor() as cursor:
            for model in (Article, Annotation, Ruling, AnnotationRuling, Review):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        summary = ", ".join(f"{v:,} {k}" for k, v in counts.items())
        self.stdout.write(f"Generated {summary} in {time.monotonic() - t0:.1f}s.")

    # --- helpers ---------------------------------------------------------------------------------

    def next_id(self, model):
        table = model._meta.db_table
        self.cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        return self.cursor.fetchone()[0] + 1

    def moment(self, after=None, rng=None, days=730):
        base = after or self.now - timedelta(days=days)
        span = max(1, int((self.now - base).total_seconds()))
        return base + timedelta(seconds=(rng or self.rng).randrange(span))

    def make_users(self):
        User = get_user_model()
        made = {}
        for group_name, count in ((roles.ANNOTATORS, 6), (roles.EDITORS, 3)):
            group, _ = Group.objects.get_or_create(name=group_name)
            made[group_name] = []
            for n in range(count):
                user, created = User.objects.get_or_create(
                    username=f"synthetic-{group_name[:-1]}-{n}", defaults={"is_staff": True}
                )
                if created:
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                    user.groups.add(group)
                made[group_name].append(user.pk)
        self.annotators = made[roles.ANNOTATORS]
        self.editors = made[roles.EDITORS]
        self.desk = self.annotators + self.editors

    # --- articles and spans ----------------------------------------------------------------------

    def make_articles_and_spans(self, articles, per_article, big):
        rng, vocab = self.rng, _vocabulary()
        first_article, first_span = self.next_id(Article), self.next_id(Annotation)
        sizes = [max(1, round(per_article * rng.lognormvariate(0, 0.5))) for _ in range(articles)]
        if big:
            sizes.insert(0, big)
        # Bodies are generated twice from the same per-article seed (once for the articles'
        # COPY, once for their spans') rather than held in memory: a 1M-span run stays small.
        seeds = [rng.randrange(2**32) for _ in sizes]

        def bodies():
            for n, (count, seed) in enumerate(zip(sizes, seeds, strict=True)):
                arng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
                language = arng.choice(LANGUAGES)
                body = self.body_for(arng, count, vocab, language)
                yield n, count, arng, language, body, self.moment(rng=arng)

        def article_rows():
            for n, _count, arng, language, body, created in bodies():
                slug = f"{self.prefix}-{n}"
                published_on = None if arng.random() < 0.1 else created.date() - timedelta(days=1)
                yield (
                    first_article + n,
                    slug,
                    f"Synthetic article {n}: {' '.join(body.text[:60].split()[:6])}",
                    arng.choice(PUBLISHERS),
                    "" if arng.random() < 0.3 else f"Reporter {arng.randrange(50)}",
                    published_on,
                    "" if arng.random() < 0.2 else f"https://news.example/{slug}",
                    language,
                    body.text,
                    anchoring.body_sha256(body.text),
                    1,
                    created,
                    created,
                )

        # Span ids by article and kind, for linking; orphans are linkable too (they keep links).
        self.spans_by_article = []

        def span_rows():
            span_id = first_span
            for n, count, _arng, _language, body, created in bodies():
                ids = {kind: [] for kind in Kind.values}
                for row in self.spans_of(body, count, first_article + n, span_id, created):
                    ids[row[2]].append(row[0])
                    yield row
                span_id += count
                self.spans_by_article.append(ids)

        self.copy(
            Article,
            "id slug title publisher author published_on url language body body_sha256 version "
            "created_at updated_at",
            article_rows(),
        )
        self.copy(
            Annotation,
            "id article_id kind start end quote prefix suffix note author_id state version "
            "created_at updated_at",
            span_rows(),
        )
        return {"articles": len(sizes), "spans": sum(sizes)}

    @staticmethod
    def body_for(arng, spans, vocab, language):
        # Longer articles carry more spans; about 12 words per span, at least 300 words.
        return Body(arng, max(300, int(spans * 12 * arng.uniform(0.7, 1.6))), vocab, language)

    def spans_of(self, body, count, article_id, first_id, article_created):
        rng, text = self.rng, body.text
        words = len(body.starts)
        kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
        taken = set()
        made = 0
        while made < count:
            first = rng.randrange(words)
            length = min(words - first, 1 + int(rng.expovariate(1 / 7)))
            start, end = body.starts[first], body.ends[first + length - 1]
            kind = rng.choices(kinds, weights)[0]
            orphan = rng.random() < ORPHAN_SHARE
            if not orphan:
                key = (kind, start, end)
                if key in taken:
                    continue  # the unique constraint holds for anchored spans
                taken.add(key)
            quote = text[start:end]
            prefix, suffix = anchoring.context(text, start, end)
            if orphan:
                # An orphan keeps the text it had before an edit removed it from the body.
                quote = f"{quote} (since removed)"
            created = self.moment(after=article_created)
            version = 1 if rng.random() < 0.8 else rng.randint(2, 4)
            updated = created if version == 1 else self.moment(after=created)
            yield (
                first_id + made,
                article_id,
                kind,
                start,
                end,
                quote,
                prefix,
                suffix,
                f"Checked against source {rng.randrange(1000)}."
                if rng.random() < NOTE_SHARE
                else "",
                rng.choice(self.desk),
                AnchorState.ORPHANED if orphan else AnchorState.ANCHORED,
                version,
                created,
                updated,
            )
            made += 1

    # --- rulings, links, reviews -----------------------------------------------------------------

    def pick_spans(self):
        """Spans for one ruling: the same claim repeated across one to eight outlets, with
        evidence and disputed passages; always at least one claim (submitting needs one)."""
        rng, articles = self.rng, self.spans_by_article
        chosen = set()
        outlets = min(len(articles), 1 + int(rng.expovariate(1 / 1.5)))
        for index in rng.sample(range(len(articles)), outlets):
            for kind, most in ((Kind.CLAIM, 2), (Kind.EVIDENCE, 3), (Kind.DISPUTED, 1)):
                pool = articles[index][kind]
                chosen.update(rng.sample(pool, min(len(pool), rng.randint(0, most))))
        if not chosen & self.claim_ids:
            chosen.add(rng.choice(articles[rng.choice(self.articles_with_claims)][Kind.CLAIM]))
        return sorted(chosen)

    def make_rulings(self, count):
        rng = self.rng
        self.articles_with_claims = [
            i for i, by_kind in enumerate(self.spans_by_article) if by_kind[Kind.CLAIM]
        ]
        if count and not self.articles_with_claims:
            raise CommandError("Rulings need claim spans: generate some articles and spans too.")
        self.claim_ids = {pk for by_kind in self.spans_by_article for pk in by_kind[Kind.CLAIM]}
        statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
        ruling_id, link_id, review_id = (
            self.next_id(Ruling),
            self.next_id(AnnotationRuling),
            self.next_id(Review),
        )
        # Every state present whenever there are at least four rulings.
        plan = [statuses[i] for i in range(min(count, len(statuses)))]
        plan += rng.choices(statuses, weights, k=count - len(plan))
        rulings, reviews, links = [], [], []
        retracted_free = []  # retracted rulings not yet superseded
        for n, status in enumerate(plan):
            pk = ruling_id + n
            author = rng.choice(self.desk)
            created = self.moment()
            version = rng.randint(1, 3)
            published_at = None
            reason = ""
            if status in (Status.PUBLISHED, Status.RETRACTED):
                published_at = self.moment(after=created)
            if status == Status.RETRACTED:
                reason = "Misread the figure; superseded by a corrected ruling."
            supersedes = None
            if status != Status.RETRACTED and retracted_free and rng.random() < 0.5:
                supersedes = retracted_free.pop()
            rating = rng.choice(Rating.values)
            rulings.append(
                (
                    pk,
                    f"{self.prefix}-ruling-{n}",
                    # Every ruling names its claim and claimant (submission requires them).
                    f"Synthetic claim {n}",
                    f"Synthetic claimant {n % 97}",
                    ClaimantKind.PERSON,
                    f"Synthetic ruling {n}: claim rated {rating}",
                    rating,
                    f"Reasoning of ruling {n}. " * rng.randint(1, 8),
                    status,
                    author,
                    version,
                    published_at,
                    reason,
                    supersedes,
                    created,
                    published_at or created,
                )
            )
            if status == Status.RETRACTED:
                retracted_free.append(pk)
            for span in self.pick_spans():
                links.append((link_id, span, pk, created))
                link_id += 1
            # Reviews: a request for changes on an earlier version now and then, and for public
            # rulings the approval (by an editor other than the author) of the current version.
            editors = [e for e in self.editors if e != author]
            if status != Status.DRAFT and version > 1 and rng.random() < 0.5:
                reviews.append(
                    (
                        review_id,
                        pk,
                        rng.choice(editors),
                        Decision.REQUEST_CHANGES,
                        "Please cite the primary source.",
                        version - 1,
                        created,
                    )
                )
                review_id += 1
            if status in (Status.PUBLISHED, Status.RETRACTED):
                reviews.append(
                    (
                        review_id,
                        pk,
                        rng.choice(editors),
                        Decision.APPROVE,
                        "",
                        version,
                        published_at,
                    )
                )
                review_id += 1
        self.copy(
            Ruling,
            "id slug claim claimant_name claimant_kind statement rating summary status author_id "
            "version published_at "
            "retraction_reason supersedes_id created_at updated_at",
            # Superseded rulings come earlier in the list, so plain order satisfies the FK.
            rulings,
        )
        self.copy(AnnotationRuling, "id annotation_id ruling_id created_at", links)
        self.copy(
            Review, "id ruling_id reviewer_id decision comment ruling_version created_at", reviews
        )
        return {"rulings": len(rulings), "links": len(links), "reviews": len(reviews)}

    def copy(self, model, columns, rows):
        # Quoted: "end" is a reserved word. Table and columns are ours, never user input.
        cols = ", ".join(f'"{c}"' for c in columns.split())
        with self.cursor.copy(f"COPY {model._meta.db_table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
