"""The admin's Annotate view and ruling workflow in a real browser (issue 6): Debian's headless
Chromium, driven by Playwright, against a live test server. The page's JavaScript talks only to
the REST API, so these tests show the whole path: selection -> UTF-16 offsets -> API -> stored
code-point offsets.
"""

import os
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from annotations import services
from annotations.models import AnchorState, Annotation, Decision, Ruling, Status

# The live server runs in another thread and commits for real: transactional tests.
# serialized_rollback: each ends by emptying every table, including the groups that a data
# migration made; this puts them back for the next one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"  # tests/factories.py gives every persona this one
SCREENSHOTS = Path(__file__).resolve().parent.parent / ".local" / "screenshots"
HOSTILE_SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">'
HOSTILE_ALERT = "<svg onload=alert(1)><img src=y onerror=alert(2)>"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (Debian: apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI"):
            # CI must run these tests: a missing browser is a broken machine, never a skip.
            pytest.fail(f"{reason}. CI cannot skip the browser tests.", pytrace=False)
        pytest.skip(reason)
    # Playwright's sync API runs an asyncio event loop in this thread, and Django refuses ORM
    # calls from a thread with a running loop (SynchronousOnlyOperation). The tests' own ORM
    # calls (fixtures, checks) are plain synchronous code, so they are safe: allow them, for
    # this module's lifetime only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # With a loop running, Django also looks database connections up in a per-context store,
    # which starts empty: the tests would get new connection objects, without the serialized
    # copy of the database that serialized_rollback restores from. Hand it this thread's own.
    own = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, connection in own.items():
                connections[alias] = connection
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """`new_page()`: a page in a fresh browser context (its own cookies). Uncaught JavaScript
    errors and native dialogs are recorded on the page, and an uncaught error fails the test."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.dialogs = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))

        def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    yield make
    errors = [error for context in contexts for page in context.pages for error in page.js_errors]
    for context in contexts:
        context.close()
    assert errors == [], f"uncaught JavaScript errors: {errors}"


def login(page, live_server, user):
    """Through the real admin login form, as a person would."""
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(user.username)


def open_annotate(page, live_server, article):
    """From the article's change page, by its Annotate link, until the spans are drawn."""
    page.goto(f"{live_server.url}/admin/annotations/article/{article.pk}/change/")
    page.click("a.annotate-link")
    expect(page).to_have_url(f"{live_server.url}/admin/annotations/article/{article.pk}/annotate/")
    expect(page.locator(".annotate.is-ready")).to_be_visible()


def drag_select(page, passage):
    """Selects `passage` in the body with the mouse: press before its first character, release
    after its last, as a person drags."""
    box = page.evaluate(
        """(passage) => {
        const body = document.getElementById("annotate-body");
        const text = body.textContent;
        const at = text.indexOf(passage);
        if (at < 0 || text.indexOf(passage, at + 1) >= 0) throw new Error("not found once");
        const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
        const nodes = [];
        for (let n; (n = walker.nextNode()); ) nodes.push(n);
        function point(offset) {
            let total = 0;
            for (const n of nodes) {
                if (offset < total + n.data.length) return [n, offset - total];
                total += n.data.length;
            }
            throw new Error("offset past the end");
        }
        function charRect(offset) {
            const [node, local] = point(offset);
            const range = document.createRange();
            range.setStart(node, local);
            range.setEnd(node, local + 1);
            return range.getBoundingClientRect();
        }
        body.scrollIntoView({block: "start"});
        const first = charRect(at);
        const last = charRect(at + passage.length - 1);
        return {x1: first.left + 1, y1: first.top + first.height / 2,
                x2: last.right - 1, y2: last.top + last.height / 2};
    }""",
        passage,
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


def seg(page, span):
    """The highlighted pieces of text that `span` covers."""
    return page.locator(f'#annotate-body .seg[data-spans~="{span.pk}"]')


# --- 1. Select, mark, link to a new ruling: exact to the character --------------------------

EMOJI_BODY = (
    "Protests began over fuel prices 🔥 in Zhanaozen on 2 January.\r\n"
    "\r\n"
    "Officials blamed terrorists trained abroad. 🇰🇿 Critics said no evidence was shown, "
    "and the curfew stayed."
)
PASSAGE = "Critics said no evidence was shown"


def test_an_annotator_marks_a_passage_after_an_emoji_and_crlf_as_a_claim_of_a_new_ruling(
    new_page, live_server, alice, api
):
    article = services.article_create(slug="zhanaozen", title="Zhanaozen", body=EMOJI_BODY)
    body = article.body
    start = body.index(PASSAGE)
    # What makes this test bite: the stored body lost the \r, and the browser counts 🔥 and 🇰🇿
    # as 2 and 4 UTF-16 units (1 and 2 code points), so all three offsets differ.
    utf16_start = len(body[:start].encode("utf-16-le")) // 2
    assert "\r" not in body
    assert len({start, utf16_start, EMOJI_BODY.index(PASSAGE)}) == 3

    page = new_page()
    login(page, live_server, alice)
    open_annotate(page, live_server, article)
    expect(page.locator("#annotate-body")).to_have_text(body)

    drag_select(page, PASSAGE)
    expect(page.locator("#annotate-panel")).to_be_visible()
    expect(page.locator("#panel-quote")).to_have_text(PASSAGE)
    page.keyboard.press("c")
    claim_button = page.locator('.kind-button[data-kind="claim"]')
    expect(claim_button).to_have_attribute("aria-pressed", "true")

    page.click("#ruling-new summary")
    page.fill("#ruling-statement", "No evidence of foreign-trained terrorists was shown")
    page.select_option("#ruling-rating", "unsupported")
    page.click("#ruling-create")
    expect(page.locator("#panel-chosen")).to_contain_text(
        "No evidence of foreign-trained terrorists was shown"
    )
    # The search list (newest first) now offers it too, as already linked.
    new_result = page.locator("#ruling-results li", has_text="foreign-trained terrorists")
    expect(new_result.get_by_role("button")).to_have_text("Linked")
    page.fill("#panel-note", "The officials' claim, contested in the same paragraph.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "annotate-new-span.png"))
    page.click("#panel-save")
    expect(page.locator("#annotate-status")).to_contain_text("Saved claim #")

    response = api(alice).get("/api/v1/annotations/", {"article": article.slug})
    assert response.status_code == 200
    (span,) = response.json()["results"]
    assert span["quote"] == PASSAGE
    assert (span["start"], span["end"]) == (start, start + len(PASSAGE))
    assert span["offset_unit"] == "codepoint"
    assert span["kind"] == "claim"
    assert span["note"] == "The officials' claim, contested in the same paragraph."
    assert span["author"] == "alice"
    ruling = Ruling.objects.get(statement="No evidence of foreign-trained terrorists was shown")
    assert (ruling.status, ruling.rating, ruling.author) == (Status.DRAFT, "unsupported", alice)
    assert span["rulings"] == [ruling.slug]

    # The page draws what it saved: the highlight covers exactly the passage, and the side list
    # names the ruling.
    saved = Annotation.objects.get(pk=span["id"])
    expect(seg(page, saved)).to_have_text(PASSAGE)
    expect(page.locator(f'#span-list li[data-id="{saved.pk}"]')).to_contain_text(
        "No evidence of foreign-trained terrorists was shown"
    )


# --- 2. Edit, stale edit, delete ---------------------------------------------------------------


def test_editing_and_deleting_a_span_and_a_stale_edit_is_refused_plainly(
    new_page, live_server, alice, erin
):
    article = services.article_create(slug="zhanaozen", title="Zhanaozen", body=EMOJI_BODY)
    claim = services.annotation_create(
        article=article, kind="claim", author=alice, quote="fuel prices 🔥"
    )
    other = services.annotation_create(
        article=article, kind="evidence", author=alice, quote="the curfew stayed"
    )
    draft = services.ruling_create(
        author=alice, statement="Fuel prices doubled in Zhanaozen", rating="mostly-true"
    )

    page = new_page()
    login(page, live_server, alice)
    open_annotate(page, live_server, article)

    # Edit: click the highlight, change kind (button), link an existing ruling found by search,
    # change the note, save.
    seg(page, claim).first.click()
    expect(page.locator("#panel-title")).to_have_text(f"Claim #{claim.pk}")
    page.click('.kind-button[data-kind="disputed"]')
    page.fill("#ruling-search", "doubled")
    page.locator("#ruling-results li", has_text=draft.statement).get_by_role(
        "button", name="Link"
    ).click()
    expect(page.locator("#panel-chosen")).to_contain_text(draft.statement)
    page.fill("#panel-note", "Prices doubled overnight, say local reports.")
    page.click("#panel-save")
    expect(page.locator("#annotate-status")).to_have_text(f"Saved changes to span #{claim.pk}.")
    fresh = Annotation.objects.get(pk=claim.pk)
    assert (fresh.kind, fresh.note, fresh.version) == (
        "disputed",
        "Prices doubled overnight, say local reports.",
        claim.version + 1,
    )
    assert list(fresh.rulings.all()) == [draft]
    expect(page.locator(f'#span-list li[data-id="{claim.pk}"]')).to_contain_text(draft.statement)
    expect(page.locator("#panel-title")).to_have_text(f"Disputed #{claim.pk}")
    # Redrawn in its new kind, and outlined as the span open in the panel.
    expect(seg(page, claim)).to_have_class("seg k-disputed is-active")

    # Stale: an editor changes the span after the panel read it; the user's save is refused,
    # said plainly, and the panel shows the editor's version.
    services.annotation_update(annotation=fresh, user=erin, note="Erin: cite the regional paper.")
    page.fill("#panel-note", "Alice's late note")
    page.click("#panel-save")
    error = page.locator("#panel-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Someone else changed this span after you opened it")
    expect(error).to_contain_text("your change was not saved")
    expect(page.locator("#panel-note")).to_have_value("Erin: cite the regional paper.")
    assert Annotation.objects.get(pk=claim.pk).note == "Erin: cite the regional paper."

    # Delete, with a confirmation step in the page.
    page.click("#panel-delete")
    page.click("#panel-delete-confirm")
    expect(page.locator("#annotate-status")).to_have_text(f"Deleted span #{claim.pk}.")
    assert not Annotation.objects.filter(pk=claim.pk).exists()
    expect(seg(page, claim)).to_have_count(0)
    expect(page.locator(f'#span-list li[data-id="{claim.pk}"]')).to_have_count(0)
    expect(page.locator(f'#span-list li[data-id="{other.pk}"]')).to_have_count(1)
    expect(page.locator("#annotate-panel")).to_be_hidden()


def test_an_api_refusal_is_shown_with_the_field_it_names(new_page, live_server, alice, erin):
    article = services.article_create(slug="zhanaozen", title="Zhanaozen", body=EMOJI_BODY)
    published = services.ruling_create(author=alice, statement="Published one", rating="false")
    claim = services.annotation_create(
        article=article, kind="claim", author=alice, quote="Officials blamed", rulings=[published]
    )
    services.ruling_submit(ruling=published, user=alice)
    services.review_create(ruling=published, reviewer=erin, decision=Decision.APPROVE)
    assert Ruling.objects.get(pk=published.pk).status == Status.PUBLISHED

    page = new_page()
    login(page, live_server, alice)
    open_annotate(page, live_server, article)
    seg(page, claim).first.click()
    expect(page.locator("#panel-title")).to_have_text(f"Claim #{claim.pk}")
    page.click("#panel-delete")
    page.click("#panel-delete-confirm")
    expect(page.locator("#panel-error")).to_contain_text("cannot be deleted")
    assert Annotation.objects.filter(pk=claim.pk).exists()

    # A published ruling is offered, but not for linking.
    drag_select(page, "the curfew stayed")
    expect(page.locator("#panel-quote")).to_have_text("the curfew stayed")
    page.fill("#ruling-search", "Published one")
    result = page.locator("#ruling-results li", has_text="Published one")
    expect(result.locator("button")).to_be_disabled()
    # Saving without a kind says what is missing.
    page.click("#panel-save")
    expect(page.locator("#panel-error")).to_contain_text("Choose a kind first")
    page.keyboard.press("e")
    page.fill("#ruling-search", "")
    page.click("#ruling-new summary")
    page.click("#ruling-create")
    # The API's own message, naming the field.
    expect(page.locator("#panel-error")).to_contain_text("statement: ")


# --- 3. The review workflow from the ruling admin -----------------------------------------------


def test_an_editor_approves_a_ruling_from_the_admin_and_the_annotator_cannot(
    new_page, live_server, alice, erin
):
    article = services.article_create(slug="zhanaozen", title="Zhanaozen", body=EMOJI_BODY)
    ruling = services.ruling_create(
        author=alice, statement="No evidence of training abroad", rating="unsupported"
    )
    services.annotation_create(
        article=article,
        kind="claim",
        author=alice,
        quote="terrorists trained abroad",
        rulings=[ruling],
    )
    services.ruling_submit(ruling=ruling, user=alice)
    ruling = Ruling.objects.get(pk=ruling.pk)  # linking the span made a new version
    change = f"{live_server.url}/admin/annotations/ruling/{ruling.pk}/change/"

    author = new_page()
    login(author, live_server, alice)
    author.goto(change)
    expect(author.locator("#workflow")).to_contain_text("In review")
    expect(author.locator("#linked-spans")).to_contain_text("terrorists trained abroad")
    expect(author.locator("#workflow-approve")).to_have_count(0)
    expect(author.get_by_role("button", name="Approve this version")).to_have_count(0)
    expect(author.locator("#workflow")).to_contain_text("No workflow step is open to you")

    editor = new_page()
    login(editor, live_server, erin)
    editor.goto(change)
    editor.locator("#workflow-approve").get_by_role("button", name="Approve this version").click()
    expect(editor.locator(".messagelist .success")).to_have_text(
        f"Approved version {ruling.version}: the ruling is published."
    )
    fresh = Ruling.objects.get(pk=ruling.pk)
    assert fresh.status == Status.PUBLISHED
    assert fresh.published_at is not None
    expect(editor.locator("#workflow")).to_contain_text("Published")
    expect(editor.locator("#workflow-approve")).to_have_count(0)
    assert fresh.reviews.get().reviewer == erin


# --- 4. Hostile text stays text -------------------------------------------------------------


def test_hostile_article_and_user_text_is_shown_as_text_and_runs_nothing(
    new_page, live_server, alice
):
    hostile = f"{HOSTILE_SCRIPT} and {HOSTILE_IMG} and {HOSTILE_ALERT}"
    article = services.article_create(
        slug="hostile",
        title=f"Title {HOSTILE_SCRIPT}",
        publisher=f"Publisher {HOSTILE_IMG}",
        body=f"Officials said {hostile} before blaming terrorists trained abroad.",
    )
    ruling = services.ruling_create(author=alice, statement=f"Ruling {HOSTILE_IMG}", rating="false")
    span = services.annotation_create(
        article=article,
        kind="claim",
        author=alice,
        quote=HOSTILE_SCRIPT,
        note=f"Note {HOSTILE_ALERT}",
        rulings=[ruling],
    )

    page = new_page()
    login(page, live_server, alice)
    open_annotate(page, live_server, article)
    body = page.locator("#annotate-body")
    for text in (HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_ALERT):
        expect(body).to_contain_text(text)
    expect(seg(page, span)).to_have_text(HOSTILE_SCRIPT)
    expect(page.locator("h1")).to_have_text(f"Annotate: Title {HOSTILE_SCRIPT}")
    expect(page.locator(".annotate-meta")).to_contain_text(f"Publisher {HOSTILE_IMG}")
    item = page.locator(f'#span-list li[data-id="{span.pk}"]')
    expect(item).to_contain_text(HOSTILE_SCRIPT)
    expect(item).to_contain_text(f"Ruling {HOSTILE_IMG}")
    expect(item).to_contain_text(f"Note {HOSTILE_ALERT}")

    # The panel shows the quote, the ruling and the note too.
    seg(page, span).first.click()
    expect(page.locator("#panel-quote")).to_have_text(HOSTILE_SCRIPT)
    expect(page.locator("#panel-chosen")).to_contain_text(f"Ruling {HOSTILE_IMG}")
    expect(page.locator("#panel-note")).to_have_value(f"Note {HOSTILE_ALERT}")

    # Had any of it become markup, an image would have failed to load and run its handler by now.
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert page.locator("#content script, #content img, #content svg").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == []


# --- 5. What it looks like -----------------------------------------------------------------

ARTICLE = (
    "ALMATY, Jan 7 (Wire) - The Collective Security Treaty Organization said on Thursday that "
    "its peacekeeping force of 2,030 troops had arrived in Kazakhstan at the request of "
    "President Tokayev, who described the unrest as an act of aggression by terrorist groups "
    "trained abroad.\r\n"
    "\r\n"
    "Opposition figures and independent observers said no evidence of foreign involvement had "
    "been presented 🇰🇿, and that the protests began over a sharp rise in fuel prices in the "
    "western town of Zhanaozen.\r\n"
    "\r\n"
    "The interior ministry reported 4,404 detentions by Friday, while rights groups put the "
    "figure far higher. The deployment, the first in the bloc's history, was to last weeks, "
    "not months, officials said."
)


def test_a_screenshot_of_the_annotate_view_with_nested_and_overlapping_spans(
    new_page, live_server, alice, erin
):
    article = services.article_create(
        slug="csto-kazakhstan",
        title="CSTO troops arrive in Kazakhstan",
        publisher="Example Wire",
        author="Staff",
        body=ARTICLE,
    )

    def span(kind, quote, **kwargs):
        return services.annotation_create(
            article=article, kind=kind, author=alice, quote=quote, **kwargs
        )

    aggression = services.ruling_create(
        author=alice, statement="No credible evidence of external aggression", rating="unsupported"
    )
    troops = services.ruling_create(
        author=alice, statement="The force numbered about 2,030 troops", rating="mostly-true"
    )
    outer = span(
        "claim",
        "President Tokayev, who described the unrest as an act of aggression by terrorist "
        "groups trained abroad",
        rulings=[aggression],
        note="The central claim.",
    )
    middle = span(
        "evidence", "an act of aggression by terrorist groups trained abroad", rulings=[aggression]
    )
    inner = span("disputed", "terrorist groups", rulings=[aggression])
    overlapping = span(
        "claim", "peacekeeping force of 2,030 troops had arrived in Kazakhstan", rulings=[troops]
    )
    crossing = span("disputed", "2,030 troops had arrived in Kazakhstan at the request")
    span("evidence", "no evidence of foreign involvement had been presented 🇰🇿")
    span("disputed", "4,404 detentions")
    span("claim", "was to last weeks, not months")
    doomed = span("evidence", "the first in the bloc's history")
    services.article_update(
        article=article, user=erin, body=ARTICLE.replace("the first in the bloc's history", "X")
    )
    assert Annotation.objects.get(pk=doomed.pk).state == AnchorState.ORPHANED

    page = new_page()
    login(page, live_server, alice)
    open_annotate(page, live_server, article)

    # Nesting: where three spans nest, the text carries all three, each drawn on its own level.
    deepest = page.locator(
        f'.seg[data-spans~="{outer.pk}"][data-spans~="{middle.pk}"][data-spans~="{inner.pk}"]'
    )
    expect(deepest).to_have_text("terrorist groups")
    background = deepest.evaluate("el => getComputedStyle(el).backgroundImage")
    assert background.count("gradient(") == 6  # one line and one tint per span
    # Overlap: the shared words carry both spans, the rest one each.
    shared = page.locator(f'.seg[data-spans~="{overlapping.pk}"][data-spans~="{crossing.pk}"]')
    expect(shared).to_have_text("2,030 troops had arrived in Kazakhstan")
    expect(page.locator("#span-list > li")).to_have_count(8)
    expect(page.locator("#orphan-list > li")).to_have_count(1)
    expect(page.locator("#orphan-list")).to_contain_text("the first in the bloc's history")
    for label in ("Claim", "Evidence", "Disputed"):
        expect(page.locator("#annotate-legend")).to_contain_text(label)

    # Open the innermost span: the panel offers the two spans around it.
    deepest.click()
    expect(page.locator("#panel-title")).to_have_text(f"Disputed #{inner.pk}")
    expect(page.locator("#panel-others-list li")).to_have_count(2)

    # Tall enough for the side column (which scrolls on its own) to show the orphaned span too.
    page.set_viewport_size({"width": 1400, "height": 1800})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "annotate.png"
    path.unlink(missing_ok=True)
    try:
        page.screenshot(path=str(path), full_page=True)
    except PlaywrightError as exc:  # pragma: no cover - only reached when Chromium breaks
        pytest.fail(f"no screenshot: {exc}")
    assert path.stat().st_size > 20_000
    # The text alone, at full size, to judge the nesting lines.
    page.locator("#annotate-body").screenshot(path=str(SCREENSHOTS / "annotate-body.png"))
