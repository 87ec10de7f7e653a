"""The public site in Debian's headless Chromium (issue 19): `/`, a ruling page and an article
page at a phone's width (390 px) and a laptop's (1366 px), with the curated fixtures loaded.
Each page must fit its width (no sideways scrolling) and runs no script; the screenshots go to
.local/screenshots/ to be looked at."""

from io import StringIO

import pytest
from django.core.management import call_command

from annotations.models import Annotation, Ruling, Status

from ..admin.test_annotate_browser import CHROMIUM_ARGS, SCREENSHOTS, browser, watch_csp  # noqa: F401
from ..helpers import ROOT

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = [390, 1366]


@pytest.fixture
def curated(alice, erin, frank):
    call_command("import_articles", str(ROOT / "seeds"), stdout=StringIO())
    call_command("load_annotations", str(ROOT / "fixtures" / "curated.toml"), stdout=StringIO())
    published = Ruling.objects.filter(status=Status.PUBLISHED).order_by("-published_at").first()
    article = Annotation.objects.filter(links__ruling=published).first().article
    return published, article


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_fit_the_screen(browser, live_server, curated, width):  # noqa: F811
    ruling, article = curated
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=False
    )
    page = watch_csp(context.new_page())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in [
        ("home", "/"),
        ("ruling", f"/rulings/{ruling.slug}/"),
        ("article", f"/articles/{article.slug}/"),
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.screenshot(path=str(SCREENSHOTS / f"public-{name}-{width}.png"), full_page=True)
        page.screenshot(path=str(SCREENSHOTS / f"public-{name}-{width}-top.png"))
        assert page.locator("script:not([type='application/ld+json'])").count() == 0, path
    assert page.csp_violations == []
    context.close()
    # Sideways scrolling, measured in a context that may run our own measuring script.
    measuring = browser.new_context(viewport={"width": width, "height": 900})
    page = watch_csp(measuring.new_page())
    for path in ["/", f"/rulings/{ruling.slug}/", f"/articles/{article.slug}/"]:
        page.goto(f"{live_server.url}{path}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (path, scroll_width)
    assert page.csp_violations == []
    measuring.close()
