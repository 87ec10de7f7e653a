"""The desk's home page in Debian's headless Chromium, on the curated data: queues, charts and
tables fit a laptop's screen and an editor's figures match the page's own tables; the screenshot
goes to .local/screenshots/ to be looked at."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from annotations import selectors

from ..helpers import ROOT
from .test_annotate_browser import SCREENSHOTS, browser, login, watch_csp  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fast_passwords"),
]


@pytest.mark.parametrize("width", [1366, 1024])
def test_the_desk_home_on_the_curated_data(browser, live_server, alice, erin, frank, width):  # noqa: F811
    call_command("import_articles", str(ROOT / "seeds"), stdout=StringIO())
    call_command("load_annotations", str(ROOT / "fixtures" / "curated.toml"), stdout=StringIO())
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = watch_csp(context.new_page())
    login(page, live_server, erin)
    expect(page.locator("#queues-title")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"desk-home-{width}.png"), full_page=True)
    figures = selectors.dashboard()
    # The status chart's table says what the desk's figures say.
    status_table = page.locator(".desk-chart").first.locator("tbody tr")
    shown = [
        (row.locator("th").inner_text(), int(row.locator("td").inner_text()))
        for row in status_table.all()
    ]
    assert shown == [(label, n) for _, label, n in figures.by_status]
    assert sum(n for _, n in shown) == 19  # the curated rulings
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The rest of the desk's pages: the ruling list and a ruling, an article's Annotate view,
    # the API docs. None may break the Content-Security-Policy.
    for path in [
        "/admin/annotations/ruling/",
        "/admin/annotations/article/",
        "/admin/annotations/webhookdelivery/",
        "/api/v1/docs/",
    ]:
        page.goto(f"{live_server.url}{path}")
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    assert page.csp_violations == []
    context.close()
