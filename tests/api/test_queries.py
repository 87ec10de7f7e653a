"""List endpoints run a fixed number of queries whatever the page size (no N+1).

Each case is requested with page_size=1 and page_size=200 under the same query budget; the
budget is the count measured at page_size=1, so one query more per row fails at 200. The data
is made with bulk_create for speed: 340 spans over three articles (interleaved, so a page holds
spans of several articles), 216 rulings with spans from every article, 210 reviews of one ruling.
"""

import pytest
from django.utils import timezone

from annotations import anchoring
from annotations.models import (
    Annotation,
    AnnotationRuling,
    Article,
    Decision,
    Review,
    Ruling,
    Status,
)

from ..helpers import API

# Personas are created per test.
pytestmark = pytest.mark.usefixtures("fast_passwords")

BIG_SPANS = 260
SMALL_SPANS = 40
RULINGS = 210
REVIEWS = 210


def _article(slug, words):
    # The emoji makes UTF-16 offsets differ from code points, so conversion really runs.
    body = "🔥 " + " ".join(f"{slug[:3]}{i:04d}" for i in range(words)) + "."
    return Article.objects.create(
        slug=slug, title=slug.title(), body=body, body_sha256=anchoring.body_sha256(body)
    )


def _spans(article, count, kinds, author):
    spans, at = [], 2
    for i in range(count):
        end = article.body.index(" ", at) if i < count - 1 else article.body.index(".", at)
        prefix, suffix = anchoring.context(article.body, at, end)
        spans.append(
            Annotation(
                article=article,
                kind=kinds[i % len(kinds)],
                start=at,
                end=end,
                quote=article.body[at:end],
                prefix=prefix,
                suffix=suffix,
                author=author,
            )
        )
        at = end + 1
    return spans


@pytest.fixture
def data(alice, bob, erin, frank, root):
    big = _article("big", BIG_SPANS)
    small = [_article("small-one", SMALL_SPANS), _article("small-two", SMALL_SPANS)]
    big_spans = _spans(big, BIG_SPANS, ["claim"], alice)
    small_spans = [_spans(a, SMALL_SPANS, ["claim", "evidence", "disputed"], bob) for a in small]
    # Interleaved ids: a page in id order then holds spans of all three articles.
    order = []
    for i in range(BIG_SPANS):
        order.append(big_spans[i])
        order.extend(group[i] for group in small_spans if i < len(group))
    Annotation.objects.bulk_create(order)
    small_flat = [s for group in small_spans for s in group]

    now = timezone.now()
    authors = [alice, bob, erin]
    big_ruling = Ruling.objects.create(
        slug="big-ruling",
        statement="The big ruling",
        rating="false",
        status=Status.PUBLISHED,
        published_at=now,
        author=erin,
    )
    rulings = [
        Ruling(
            slug=f"ruling-{i:03d}",
            statement=f"Ruling {i}",
            rating="mixed",
            # Every tenth is retracted (and superseded by the next), the rest published.
            status=Status.RETRACTED if i % 10 == 0 else Status.PUBLISHED,
            retraction_reason="Misread." if i % 10 == 0 else "",
            published_at=now,
            author=authors[i % 3],
        )
        for i in range(RULINGS)
    ]
    drafts = [
        Ruling(slug=f"draft-{i}", statement=f"Draft {i}", rating="true", author=alice)
        for i in range(5)
    ]
    Ruling.objects.bulk_create(rulings + drafts)
    rulings = list(Ruling.objects.filter(slug__startswith="ruling-").order_by("slug"))
    for i, ruling in enumerate(rulings[1:], start=1):
        if rulings[i - 1].status == Status.RETRACTED:
            ruling.supersedes = rulings[i - 1]
    Ruling.objects.bulk_update(rulings, ["supersedes"])
    drafts = list(Ruling.objects.filter(slug__startswith="draft-"))

    links = [AnnotationRuling(annotation=s, ruling=big_ruling) for s in big_spans]
    for i, ruling in enumerate(rulings):
        # Spans of every article and kind; many rulings share spans (the link is many-to-many).
        for span in {
            small_flat[i % len(small_flat)],
            small_flat[(i * 7 + 1) % len(small_flat)],
            big_spans[i % BIG_SPANS],
        }:
            links.append(AnnotationRuling(annotation=span, ruling=ruling))
    for i, draft in enumerate(drafts):
        # Drafts on public spans: readers must not see their slugs, whatever it costs.
        for span in big_spans[i::5] + small_flat[i::5]:
            links.append(AnnotationRuling(annotation=span, ruling=draft))
    AnnotationRuling.objects.bulk_create(links)

    # Enough articles for a full page of 200 (the list omits bodies, so they may be short).
    Article.objects.bulk_create(
        Article(
            slug=f"filler-{n:03d}",
            title=f"Filler {n}",
            publisher="Example Times",
            body="Text.",
            body_sha256=anchoring.body_sha256("Text."),
        )
        for n in range(200)
    )
    reviewers = (erin, frank, root)
    Review.objects.bulk_create(
        Review(
            ruling=big_ruling,
            reviewer=reviewers[i % 3],
            decision=Decision.APPROVE,
            comment=f"Review {i}",
            ruling_version=1,
        )
        for i in range(REVIEWS)
    )
    return big_ruling


# name -> (path, query); every case is paged (page_size) except the W3C page, which holds all.
CASES = {
    "annotations": ("annotations/", {}),
    "annotations by article": ("annotations/", {"article": "big"}),
    "annotations by kind": ("annotations/", {"kind": "claim"}),
    "annotations by ruling": ("annotations/", {"ruling": "big-ruling"}),
    "annotations in utf-16": ("annotations/", {"offset_unit": "utf-16"}),
    "rulings": ("rulings/", {}),
    "rulings in utf-16": ("rulings/", {"offset_unit": "utf-16"}),
    "articles": ("articles/", {}),
    "article annotations": ("articles/big/annotations/", {}),
    "article annotations in utf-16": ("articles/big/annotations/", {"offset_unit": "utf-16"}),
    "article annotations as W3C": ("articles/big/annotations/", {"format": "jsonld"}),
    "reviews": ("rulings/big-ruling/reviews/", {}),
}

# The smallest budget that passes at page_size=1 (measured), per case and persona. Reviews are
# never public: an anonymous client gets 401, so only the editor is measured there.
BUDGETS = {
    "annotations": {"anon": 2, "erin": 4},
    "annotations by article": {"anon": 2, "erin": 4},
    "annotations by kind": {"anon": 2, "erin": 4},
    "annotations by ruling": {"anon": 2, "erin": 4},
    "annotations in utf-16": {"anon": 3, "erin": 5},
    "rulings": {"anon": 2, "erin": 4},
    "rulings in utf-16": {"anon": 3, "erin": 5},
    "articles": {"anon": 1, "erin": 2},
    "article annotations": {"anon": 3, "erin": 5},
    "article annotations in utf-16": {"anon": 4, "erin": 6},
    "article annotations as W3C": {"anon": 3, "erin": 5},
    "reviews": {"erin": 5},
}

PARAMS = [(name, persona) for name, budgets in BUDGETS.items() for persona in budgets]


def _rows(data):
    return data["items"] if "items" in data else data["results"]


@pytest.mark.parametrize(("name", "persona"), PARAMS, ids=[f"{n} as {p}" for n, p in PARAMS])
def test_list_queries_do_not_grow_with_the_page(
    name, persona, data, api, erin, django_assert_max_num_queries
):
    client = api(erin) if persona == "erin" else api()
    path, query = CASES[name]
    budget = BUDGETS[name][persona]
    for size in (1, 200):
        with django_assert_max_num_queries(budget):
            response = client.get(API + path, {**query, "page_size": size})
        assert response.status_code == 200, response.content[:300]
        rows = _rows(response.json())
        if "items" in response.json():
            # The W3C AnnotationPage is not paged: it holds every span of the article.
            assert len(rows) == BIG_SPANS
        else:
            assert len(rows) == size, f"page_size={size} gave {len(rows)} rows"
