"""A ruling's summary in Markdown, sanitised by nh3: what the public page shows."""

import html5lib
import pytest

from annotations import services
from annotations.formatting import TAGS, summary_html
from annotations.models import Status
from tests.helpers import body_of, drive, reload


@pytest.mark.parametrize(
    "text, html",
    [
        ("", ""),
        ("One.\n\nTwo.", "<p>One.</p>\n<p>Two.</p>"),
        (
            "See [the decree](https://example.org/decree?a=1&b=2).",
            '<p>See <a href="https://example.org/decree?a=1&amp;b=2" '
            'rel="nofollow noopener noreferrer">the decree</a>.</p>',
        ),
        ("*said* and **done**", "<p><em>said</em> and <strong>done</strong></p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ],
)
def test_markdown_becomes_the_allowed_html(text, html):
    assert str(summary_html(text)).strip() == html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '[x](https://e.org "t" onclick="alert(1)")',
        "<a href='https://e.org' onclick='alert(1)'>x</a>",
        "![pic](https://e.org/p.png)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_hostile_summaries_run_nothing(hostile):
    """Parsed as a browser would: only allowed elements, no attribute but a link's href and
    rel, and every href http(s). What is not allowed may stay, as visible text."""
    html = str(summary_html(hostile))
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    for element in tree.find("body").iter():
        if element.tag == "body":
            continue
        assert element.tag in TAGS, (hostile, html)
        assert set(element.attrib) <= {"href", "rel"}, (hostile, html)
        if "href" in element.attrib:
            assert element.attrib["href"].startswith(("http://", "https://")), (hostile, html)


def test_the_public_page_shows_the_formatted_summary(client, make_ruling, frank):
    draft = make_ruling(Status.DRAFT)
    services.ruling_update(
        ruling=draft,
        user=draft.author,
        summary="First.\n\nSee [the record](https://example.org/r) <b>bold?</b>",
    )
    published = drive(reload(draft), Status.PUBLISHED, approvers=[frank])
    page = body_of(client.get(f"/rulings/{published.slug}/")).decode()
    assert "<p>First.</p>" in page
    link = '<a href="https://example.org/r" rel="nofollow noopener noreferrer">the record</a>'
    assert link in page
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page and "<b>bold?" not in page
