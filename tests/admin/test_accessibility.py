"""axe-core (the npm package, pinned in package-lock.json) run in each desk page by Chromium:
no WCAG 2 A or AA violation on the desk home page, the ruling editor, the review view, the
Annotate view, and the public ruling page, on the curated data."""

import json
import os
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from annotations.models import Article, Ruling, Status

from ..helpers import ROOT
from .test_annotate_browser import browser, login, watch_csp  # noqa: F401

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fast_passwords"),
]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        reason = "axe-core is not installed (scripts/test.sh runs npm ci)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}. CI cannot skip the accessibility checks.", pytrace=False)
        pytest.skip(reason)
    return AXE.read_text()


def violations(page, axe_source):
    # page.evaluate runs outside the page's Content-Security-Policy, which would refuse axe as
    # an injected script (rightly: the page itself allows none).
    result = page.evaluate(
        axe_source + "\n;axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => JSON.stringify(r.violations.map(v => ({id: v.id, help: v.help, "
        "nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))"
    )
    return json.loads(result)


def test_desk_pages_have_no_wcag_a_or_aa_violation(
    browser,  # noqa: F811
    live_server,
    axe_source,
    alice,
    erin,
    frank,  # noqa: F811
):
    call_command("import_articles", str(ROOT / "seeds"), stdout=StringIO())
    call_command("load_annotations", str(ROOT / "fixtures" / "curated.toml"), stdout=StringIO())
    in_review = Ruling.objects.filter(status=Status.IN_REVIEW).first()
    published = Ruling.objects.filter(status=Status.PUBLISHED).first()
    article = Article.objects.order_by("pk").first()
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = watch_csp(context.new_page())
    login(page, live_server, erin)
    found = {}
    for name, path, ready in [
        ("desk home", "/admin/", "#queues-title"),
        ("ruling editor", f"/admin/annotations/ruling/{in_review.pk}/edit/", "form"),
        ("review view", f"/admin/annotations/ruling/{in_review.pk}/review/", "h1"),
        ("ruling list", "/admin/annotations/ruling/", "#result_list"),
        (
            "Annotate view",
            f"/admin/annotations/article/{article.pk}/annotate/",
            ".annotate.is-ready",
        ),
        ("public ruling page", f"/rulings/{published.slug}/", "h1"),
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(ready).first).to_be_visible()
        problems = violations(page, axe_source)
        if problems:
            found[name] = problems
    context.close()
    assert found == {}, json.dumps(found, indent=1)
    assert page.csp_violations == []
