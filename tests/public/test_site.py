"""The public site (issue 19): `/`, `/articles/{slug}/`, the ruling page's links, robots.txt and
sitemap.xml. Published and retracted rulings only; every page parses as strict HTML5 (html5lib
raises on the first parse error) and shows hostile text as text."""

from xml.etree.ElementTree import fromstring as parse_xml

import html5lib
import pytest

from annotations import services
from annotations.models import Status

from ..factories import ArticleFactory
from ..helpers import CLAIMED, HOSTILE_IMG, HOSTILE_SCRIPT, drive

pytestmark = pytest.mark.django_db

NS = {"h": "http://www.w3.org/1999/xhtml"}


def parse(response):
    assert response.status_code == 200, response.status_code
    # strict: a parse error (a stray end tag, marks crossing) raises instead of being repaired.
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(
        response.content.decode()
    )


def texts(doc, path):
    return ["".join(e.itertext()) for e in doc.iterfind(path, NS)]


def test_home_lists_public_rulings_newest_first(client, world):
    doc = parse(client.get("/"))
    titles = texts(doc, ".//h:ol[@id='rulings']/h:li/h:h2")
    # The retracted one was published last; drafts and rulings in review are not there.
    assert titles == ["Statement of retracted-ruling", "Statement of published-ruling"]
    links = [a.get("href") for a in doc.iterfind(".//h:ol[@id='rulings']//h:h2/h:a", NS)]
    assert links == ["/rulings/retracted-ruling/", "/rulings/published-ruling/"]
    alternates = {e.get("type") for e in doc.iterfind(".//h:link[@rel='alternate']", NS)}
    assert alternates == {"application/atom+xml", "application/ld+json"}
    assert not doc.findall(".//h:script", NS)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "2,030 troops"}, ["retracted-ruling"]),  # a quote of a linked span
        ({"q": "statement of PUBLISHED"}, ["published-ruling"]),  # the statement
        ({"q": "fuel prices"}, []),  # only the draft's span quotes it
        ({"rating": "mixed"}, ["retracted-ruling"]),
        ({"rating": "nonsense"}, ["retracted-ruling", "published-ruling"]),
        ({"outlet": "Example Times"}, ["retracted-ruling", "published-ruling"]),
        ({"outlet": "Elsewhere"}, []),
        ({"month": "1999-01"}, []),
        ({"month": "bad"}, ["retracted-ruling", "published-ruling"]),
    ],
)
def test_home_searches_and_filters(client, world, query, expected):
    doc = parse(client.get("/", query))
    links = [a.get("href") for a in doc.iterfind(".//h:ol[@id='rulings']//h:h2/h:a", NS)]
    assert links == [f"/rulings/{slug}/" for slug in expected]


def test_home_filters_by_the_month_published(client, world):
    month = world.published.published_at.strftime("%Y-%m")
    doc = parse(client.get("/", {"month": month}))
    assert len(doc.findall(".//h:ol[@id='rulings']/h:li", NS)) == 2
    options = [o.get("value") for o in doc.iterfind(".//h:select[@name='month']/h:option", NS)]
    assert options == ["", month]
    outlets = texts(doc, ".//h:select[@name='outlet']/h:option")
    assert outlets == ["Any outlet", "Example Times"]


def _published(make_ruling, n):
    return [make_ruling(Status.PUBLISHED, statement=f"Ruling {i}") for i in range(n)]


def test_home_pages_keep_the_filters_and_queries_stay_constant(
    client, make_ruling, django_assert_max_num_queries
):
    _published(make_ruling, 25)
    with django_assert_max_num_queries(4):
        doc = parse(client.get("/", {"q": "Ruling"}))
    assert len(doc.findall(".//h:ol[@id='rulings']/h:li", NS)) == 20
    (older,) = doc.iterfind(".//h:a[@rel='next']", NS)
    assert older.get("href") == "?q=Ruling&page=2"
    with django_assert_max_num_queries(4):
        doc = parse(client.get("/", {"q": "Ruling", "page": "2"}))
    assert texts(doc, ".//h:ol[@id='rulings']/h:li/h:h2") == [
        f"Ruling {i}" for i in range(4, -1, -1)
    ]


def test_home_escapes_hostile_text(client, claim, alice, frank, erin):
    claim.article.publisher = HOSTILE_IMG
    claim.article.save()
    ruling = services.ruling_create(
        **dict(CLAIMED, claim=HOSTILE_SCRIPT, claimant_name=HOSTILE_IMG),
        author=alice,
        statement=HOSTILE_SCRIPT,
        rating="false",
        annotations=[claim],
    )
    drive(ruling, Status.PUBLISHED, approvers=[frank, erin])
    response = client.get("/", {"q": HOSTILE_SCRIPT})
    doc = parse(response)
    body = response.content.decode()
    assert HOSTILE_SCRIPT not in body and HOSTILE_IMG not in body
    assert not doc.findall(".//h:script", NS) and not doc.findall(".//h:img", NS)
    assert texts(doc, ".//h:ol[@id='rulings']/h:li/h:h2") == [HOSTILE_SCRIPT]
    assert HOSTILE_IMG in texts(doc, ".//h:select[@name='outlet']/h:option")


# --- Article pages -------------------------------------------------------------------------------


def test_article_page_marks_public_spans_only(client, world):
    doc = parse(client.get("/articles/zhanaozen/"))
    marks = {
        "".join(m.itertext()): m.get("class") for m in doc.iterfind(".//h:mark[@data-span]", NS)
    }
    assert marks == {
        "terrorists trained abroad": "claim",
        "no evidence was shown": "evidence",
        "2,030 troops": "claim",
    }
    # The text is all there, once, whatever is marked (the draft's span as plain text).
    (text,) = doc.iterfind(".//h:div[@id='text']", NS)
    body = "".join(t for t in text.itertext())
    for label in ("Claim", "Evidence"):
        body = body.replace(label, "")
    assert body == world.article.body
    tags = [(a.get("class"), a.text, a.get("href")) for a in text.iterfind("h:a", NS)]
    assert tags == [
        ("tag claim", "Claim", "/rulings/published-ruling/"),
        ("tag evidence", "Evidence", "/rulings/published-ruling/"),
        ("tag claim", "Claim", "/rulings/retracted-ruling/"),
    ]
    listed = texts(doc, ".//h:section[@id='marks']//h:li/h:strong")
    assert listed == ["Claim:", "Evidence:", "Claim:"]
    page = client.get("/articles/zhanaozen/").content.decode()
    for private in (
        "Officials blamed</mark>",
        "draft-ruling",
        "review-ruling",
        "2,500 troops</mark>",
    ):
        assert private not in page


def test_overlapping_spans_nest_per_segment(client, article, alice, frank, erin):
    # BODY: "Protests began over fuel prices. Officials blamed terrorists trained abroad."
    spans = [
        services.span_create(article=article, kind=kind, author=alice, start=a, end=b)
        for kind, a, b in [("claim", 0, 31), ("evidence", 9, 45), ("disputed", 15, 20)]
    ]
    ruling = services.ruling_create(
        **CLAIMED, author=alice, statement="S", rating="false", annotations=spans
    )
    drive(ruling, Status.PUBLISHED, approvers=[frank, erin])
    doc = parse(client.get(f"/articles/{article.slug}/"))  # strict: no crossing tags
    (text,) = doc.iterfind(".//h:div[@id='text']", NS)
    inner = text.find(
        ".//h:mark[@class='claim']/h:mark[@class='evidence']/h:mark[@class='disputed']", NS
    )
    assert inner is not None and inner.text == article.body[15:20]
    body = "".join(text.itertext())
    for label in ("Claim", "Evidence", "Disputed"):
        body = body.replace(label, "", 1)
    assert body == article.body


def test_article_page_escapes_hostile_text(client, alice, frank, erin):
    article = ArticleFactory(title=HOSTILE_SCRIPT, publisher=HOSTILE_IMG, url="javascript:alert(1)")
    span = services.span_create(
        article=article, kind="claim", author=alice, quote=article.body[:10]
    )
    ruling = services.ruling_create(
        **CLAIMED, author=alice, statement=HOSTILE_IMG, rating="false", annotations=[span]
    )
    drive(ruling, Status.PUBLISHED, approvers=[frank, erin])
    response = client.get(f"/articles/{article.slug}/")
    doc = parse(response)
    page = response.content.decode()
    assert HOSTILE_SCRIPT not in page and HOSTILE_IMG not in page and "javascript:" not in page
    assert not doc.findall(".//h:script", NS) and not doc.findall(".//h:img", NS)
    assert texts(doc, ".//h:h1") == [HOSTILE_SCRIPT]


def test_article_page_queries_stay_constant(
    client, article, alice, frank, erin, django_assert_max_num_queries
):
    for i in range(8):
        span = services.span_create(article=article, kind="claim", author=alice, start=i, end=i + 5)
        ruling = services.ruling_create(
            **CLAIMED, author=alice, statement=f"S{i}", rating="false", annotations=[span]
        )
        drive(ruling, Status.PUBLISHED, approvers=[frank, erin])
    with django_assert_max_num_queries(3):
        doc = parse(client.get(f"/articles/{article.slug}/"))
    assert len(doc.findall(".//h:section[@id='marks']//h:li", NS)) == 8


def test_unknown_article_is_404(client, db):
    assert client.get("/articles/nowhere/").status_code == 404


# --- The ruling page's links ---------------------------------------------------------------------


def test_ruling_page_links_its_article_page_when_no_url(client, world):
    world.article.url = ""
    world.article.save()
    doc = parse(client.get("/rulings/published-ruling/"))
    hrefs = {a.get("href") for a in doc.iterfind(".//h:p[@class='source']/h:a", NS)}
    assert hrefs == {"/articles/zhanaozen/"}


def test_ruling_page_links_the_original_and_its_marked_up_copy(client, world):
    world.article.url = "https://example.com/zhanaozen"
    world.article.save()
    doc = parse(client.get("/rulings/published-ruling/"))
    hrefs = [a.get("href") for a in doc.iterfind(".//h:p[@class='source']/h:a", NS)]
    assert "https://example.com/zhanaozen" in hrefs and "/articles/zhanaozen/" in hrefs


# --- robots.txt and sitemap.xml ------------------------------------------------------------------


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_sitemap_lists_public_pages_only(client, world):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = parse_xml(response.content)  # noqa: S314 (our own output)
    locs = {e.text for e in sitemap.iterfind(".//s:loc", ns)}
    assert locs == {
        "http://testserver/rulings/published-ruling/",
        "http://testserver/rulings/retracted-ruling/",
        "http://testserver/articles/zhanaozen/",
    }


def test_ruling_pages_link_each_other_across_a_supersession(client, world, alice, erin, frank):
    successor = services.ruling_create(
        **CLAIMED,
        author=erin,
        slug="successor-ruling",
        statement="Statement of successor-ruling",
        rating="false",
        annotations=[world.retracted_claim],
        supersedes=world.retracted,
    )
    drive(successor, Status.PUBLISHED, approvers=[frank, alice])
    old = parse(client.get("/rulings/retracted-ruling/"))
    hrefs = [a.get("href") for a in old.iterfind(".//h:div[@id='retraction']//h:a", NS)]
    assert hrefs == ["/rulings/successor-ruling/"]
    new = parse(client.get("/rulings/successor-ruling/"))
    hrefs = [a.get("href") for a in new.iterfind(".//h:p[@id='supersedes']/h:a", NS)]
    assert hrefs == ["/rulings/retracted-ruling/"]


def test_rulings_index_leads_to_the_home_list_keeping_the_query(client, world):
    response = client.get("/rulings/?q=training&rating=unsupported")
    assert response.status_code == 302
    assert response["Location"] == "/?q=training&rating=unsupported"
    assert client.get("/rulings/", follow=True).status_code == 200
