"""Who may do what through the API: every endpoint x method x persona against an explicit table.

SPEC.md: anonymous clients read published data only and every write is 401; a token without a
desk role (charlie) is a public reader too; annotators (alice, the author of every object of the
world, and bob) add spans and rulings and change their own; editors (erin) and admins (root)
change anyone's, review others' rulings and retract; a wrong person is 403, a wrong state 409.

Each request runs inside a savepoint rolled back afterwards, so every persona meets the same
fresh world even after another persona's write succeeded.
"""

import json
import re

import pytest
from django.db import transaction

from annotations import services

from ..helpers import API, CLAIMED, body_of, fill

# Six personas per test.
pytestmark = pytest.mark.usefixtures("fast_passwords")

PERSONAS = ("anon", "alice", "bob", "charlie", "erin", "root")

BODIES = {
    "new_article": {"slug": "new-article", "title": "New", "body": "Some new text."},
    "retitle": {"title": "Zhanaozen, revised"},
    "new_span": {"article": "zhanaozen", "kind": "evidence", "quote": "Protests began"},
    "bad_kind": {"article": "zhanaozen", "kind": "rumour", "quote": "Protests began"},
    "span_into_published": {
        "article": "zhanaozen",
        "kind": "evidence",
        "quote": "Protests began",
        "rulings": ["published-ruling"],
    },
    "note": {"note": "Checked against the wire copy."},
    "kind_evidence": {"kind": "evidence"},
    "new_ruling": {"statement": "A new ruling", "rating": "false", "annotations": ["{unlinked}"]},
    "summary": {"summary": "A better summary."},
    # Every ruling of the world is at version 1 (none was edited after it was drafted).
    "approve": {"decision": "approve", "ruling_version": 1},
    "approve_unversioned": {"decision": "approve"},
    "changes_no_comment": {"decision": "request_changes"},
    "reason": {"reason": "A source withdrew its statement."},
    "no_reason": {"reason": ""},
    "dismiss": {"ruling": "{published}", "start": 0, "end": 8},
}

# Sent as If-Match: names the right object but a version it never had.
STALE = '"annotation-{unlinked}-v999"'

# Objects of the world, by the names the paths below use:
#   {article} the article; spans {unlinked} (no ruling), {draft_span} (linked to the draft only),
#   {public_span} (linked to the published ruling); rulings {draft}, {review} (in review),
#   {published}, {retracted} (all by alice), {erin_review} (erin's own ruling, in review).
# fmt: off
MATRIX = [
    # method, path,                               body,        anon alice bob  charlie erin root
    ("GET",    "articles/",                         None,          (200, 200, 200, 200, 200, 200)),
    ("POST",   "articles/",                         "new_article", (401, 403, 403, 403, 201, 201)),
    ("GET",    "articles/{article}/",               None,          (200, 200, 200, 200, 200, 200)),
    ("GET",    "articles/no-such-article/",         None,          (404, 404, 404, 404, 404, 404)),
    ("PATCH",  "articles/{article}/",               "retitle",     (401, 403, 403, 403, 200, 200)),
    ("DELETE", "articles/{article}/",               None,          (401, 405, 405, 403, 405, 405)),
    ("GET",    "articles/{article}/annotations/",   None,          (200, 200, 200, 200, 200, 200)),
    ("GET",    "articles/{article}/annotations/?format=jsonld",
                                                    None,          (200, 200, 200, 200, 200, 200)),
    ("POST",   "articles/{article}/annotations/",   "new_span",    (401, 405, 405, 403, 405, 405)),

    ("GET",    "annotations/",                      None,          (200, 200, 200, 200, 200, 200)),
    ("POST",   "annotations/",                      "new_span",    (401, 201, 201, 403, 201, 201)),
    # A reader is refused for who they are before their input is judged.
    ("POST",   "annotations/",                      "bad_kind",    (401, 400, 400, 403, 400, 400)),
    # A reader's write is 403 before the object is looked up: the answer reveals nothing about
    # which drafts exist.
    ("POST",   "annotations/",                      "span_into_published",
                                                                   (401, 409, 409, 403, 409, 409)),
    ("GET",    "annotations/{unlinked}/",           None,          (404, 200, 200, 404, 200, 200)),
    ("GET",    "annotations/{draft_span}/",         None,          (404, 200, 200, 404, 200, 200)),
    ("GET",    "annotations/{public_span}/",        None,          (200, 200, 200, 200, 200, 200)),
    ("PATCH",  "annotations/{unlinked}/",           "note",        (401, 200, 403, 403, 200, 200)),
    ("PATCH",  "annotations/{draft_span}/",         "note",        (401, 200, 403, 403, 200, 200)),
    # A note is not the span's text: it may change under a published ruling; the kind may not.
    ("PATCH",  "annotations/{public_span}/",        "note",        (401, 200, 403, 403, 200, 200)),
    ("PATCH",  "annotations/{public_span}/",        "kind_evidence",
                                                                   (401, 409, 403, 403, 409, 409)),
    ("PATCH",  "annotations/{unlinked}/ (stale If-Match)",
                                                    "note",        (401, 412, 403, 403, 412, 412)),
    ("PUT",    "annotations/{unlinked}/",           "new_span",    (401, 405, 405, 403, 405, 405)),
    ("DELETE", "annotations/{unlinked}/",           None,          (401, 204, 403, 403, 204, 204)),
    ("DELETE", "annotations/{draft_span}/",         None,          (401, 204, 403, 403, 204, 204)),
    ("DELETE", "annotations/{public_span}/",        None,          (401, 409, 403, 403, 409, 409)),

    ("GET",    "rulings/",                          None,          (200, 200, 200, 200, 200, 200)),
    # Links a span that readers cannot see: still 403 for a reader, not "no such span".
    ("POST",   "rulings/",                          "new_ruling",  (401, 201, 201, 403, 201, 201)),
    ("GET",    "rulings/{draft}/",                  None,          (404, 200, 200, 404, 200, 200)),
    ("GET",    "rulings/{review}/",                 None,          (404, 200, 200, 404, 200, 200)),
    ("GET",    "rulings/{published}/",              None,          (200, 200, 200, 200, 200, 200)),
    ("GET",    "rulings/{retracted}/",              None,          (200, 200, 200, 200, 200, 200)),
    ("PATCH",  "rulings/{draft}/",                  "summary",     (401, 200, 403, 403, 200, 200)),
    ("PATCH",  "rulings/{review}/",                 "summary",     (401, 200, 403, 403, 200, 200)),
    ("PATCH",  "rulings/{published}/",              "summary",     (401, 409, 403, 403, 409, 409)),
    ("PATCH",  "rulings/{retracted}/",              "summary",     (401, 409, 403, 403, 409, 409)),
    ("PUT",    "rulings/{draft}/",                  "summary",     (401, 405, 405, 403, 405, 405)),
    ("DELETE", "rulings/{draft}/",                  None,          (401, 204, 403, 403, 204, 204)),
    ("DELETE", "rulings/{review}/",                 None,          (401, 409, 403, 403, 409, 409)),
    ("DELETE", "rulings/{published}/",              None,          (401, 409, 403, 403, 409, 409)),
    ("DELETE", "rulings/{retracted}/",              None,          (401, 409, 403, 403, 409, 409)),

    ("POST",   "rulings/{draft}/submit/",           None,          (401, 200, 403, 403, 200, 200)),
    ("POST",   "rulings/{review}/submit/",          None,          (401, 409, 403, 403, 409, 409)),
    ("POST",   "rulings/{published}/submit/",       None,          (401, 409, 403, 403, 409, 409)),
    ("POST",   "rulings/{retracted}/submit/",       None,          (401, 409, 403, 403, 409, 409)),
    ("GET",    "rulings/{draft}/submit/",           None,          (405, 405, 405, 405, 405, 405)),

    # Reviews are the desk's record, never public: 401/403 before the ruling is looked up, so
    # the answer is the same for a draft, a public ruling or no ruling at all.
    ("GET",    "rulings/{draft}/reviews/",          None,          (401, 200, 200, 403, 200, 200)),
    ("GET",    "rulings/{review}/reviews/",         None,          (401, 200, 200, 403, 200, 200)),
    ("GET",    "rulings/no-such-ruling/reviews/",   None,          (401, 404, 404, 403, 404, 404)),
    ("GET",    "rulings/{published}/reviews/",      None,          (401, 200, 200, 403, 200, 200)),
    ("GET",    "rulings/{retracted}/reviews/",      None,          (401, 200, 200, 403, 200, 200)),
    ("POST",   "rulings/{review}/reviews/",         "approve",     (401, 403, 403, 403, 201, 201)),
    # An approval names the version it judged; who may not approve is told so first.
    ("POST",   "rulings/{review}/reviews/",         "approve_unversioned",
                                                                   (401, 403, 403, 403, 400, 400)),
    # Four eyes: erin may not approve her own ruling.
    ("POST",   "rulings/{erin_review}/reviews/",    "approve",     (401, 403, 403, 403, 403, 201)),
    ("POST",   "rulings/{review}/reviews/",         "changes_no_comment",
                                                                   (401, 403, 403, 403, 400, 400)),
    ("POST",   "rulings/{draft}/reviews/",          "approve",     (401, 403, 403, 403, 409, 409)),
    ("POST",   "rulings/{published}/reviews/",      "approve",     (401, 403, 403, 403, 409, 409)),
    ("POST",   "rulings/{retracted}/reviews/",      "approve",     (401, 403, 403, 403, 409, 409)),

    ("POST",   "rulings/{published}/retract/",      "reason",      (401, 403, 403, 403, 200, 200)),
    ("POST",   "rulings/{published}/retract/",      "no_reason",   (401, 403, 403, 403, 400, 400)),
    ("POST",   "rulings/{draft}/retract/",          "reason",      (401, 403, 403, 403, 409, 409)),
    ("POST",   "rulings/{review}/retract/",         "reason",      (401, 403, 403, 403, 409, 409)),
    ("POST",   "rulings/{retracted}/retract/",      "reason",      (401, 403, 403, 403, 409, 409)),
    ("GET",    "rulings/{published}/retract/",      None,          (405, 405, 405, 405, 405, 405)),

    ("GET",    "rulings/{draft}/claimreview/",      None,          (404, 404, 404, 404, 404, 404)),
    ("GET",    "rulings/{review}/claimreview/",     None,          (404, 404, 404, 404, 404, 404)),
    ("GET",    "rulings/{published}/claimreview/",  None,          (200, 200, 200, 200, 200, 200)),
    ("GET",    "rulings/{retracted}/claimreview/",  None,          (200, 200, 200, 200, 200, 200)),

    # The ClaimReview DataFeed: public, for everyone; a bad `since` is named.
    ("GET",    "claimreview/feed/",                 None,          (200, 200, 200, 200, 200, 200)),
    ("GET",    "claimreview/feed/?since=yesterday", None,          (400, 400, 400, 400, 400, 400)),

    # Claim matching (issue 17): search is public (what each reader may see); an article's
    # suggestions and their dismissal are the desk's.
    ("GET",    "claims/search/?q=terrorists+trained+abroad",
                                                    None,          (200, 200, 200, 200, 200, 200)),
    ("GET",    "claims/search/",                    None,          (400, 400, 400, 400, 400, 400)),
    ("GET",    "articles/{article}/suggestions/",   None,          (401, 200, 200, 403, 200, 200)),
    ("POST",   "articles/{article}/suggestions/dismiss/",
                                                    "dismiss",     (401, 204, 204, 403, 204, 204)),

    ("GET",    "schema/",                           None,          (200, 200, 200, 200, 200, 200)),
    ("GET",    "schema/?format=json",               None,          (200, 200, 200, 200, 200, 200)),
    ("GET",    "docs/",                             None,          (200, 200, 200, 200, 200, 200)),
]
# fmt: on

# Single-object GETs must carry an ETag (SPEC.md, "REST API").
DETAIL = re.compile(r"^(articles/[^/]+|annotations/\d+|rulings/[^/]+)/$")


def _row_id(row):
    method, path, body, _ = row
    return f"{method} {path}" + (f" [{body}]" if body else "")


@pytest.fixture
def desk(world, alice, bob, erin, root, charlie, api):
    """The world plus a ruling erin wrote herself, the personas' clients, and path names."""
    span = services.span_create(
        article=world.article, kind="claim", author=erin, quote="Protests began"
    )
    own = services.ruling_create(
        **CLAIMED,
        author=erin,
        slug="erin-ruling",
        statement="Erin's own ruling",
        rating="false",
        annotations=[span],
    )
    services.ruling_submit(ruling=own, user=erin)
    users = {"alice": alice, "bob": bob, "charlie": charlie, "erin": erin, "root": root}
    clients = {"anon": api()}
    clients.update({name: api(user) for name, user in users.items()})
    for client in clients.values():
        # A crash must come back as a 500 to record, not abort the walk through the table.
        client.raise_request_exception = False
    names = {
        "article": world.article.slug,
        "unlinked": world.unlinked.pk,
        "draft_span": world.draft_claim.pk,
        "public_span": world.published_claim.pk,
        "draft": world.draft.slug,
        "review": world.in_review.slug,
        "published": world.published.slug,
        "retracted": world.retracted.slug,
        "erin_review": own.slug,
    }
    return clients, names


def _error_shape_problem(data):
    """Why `data` is not DRF's error shape, or None when it is."""
    if not isinstance(data, dict) or not data:
        return f"not a JSON object: {data!r}"
    if set(data) == {"detail"}:
        return None if isinstance(data["detail"], str) else "detail is not a string"
    for field, messages in data.items():
        if field == "detail":
            return "detail mixed with field errors"
        if not (
            isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
        ):
            return f"{field!r} is not a list of messages: {messages!r}"
    return None


def _request(client, method, path, body, headers):
    with transaction.atomic():
        # Rolled back whatever happens: the next persona meets the world as it was built.
        response = client.generic(
            method,
            path,
            json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=headers,
        )
        transaction.set_rollback(True)
    return response


def _check(method, template, body_name, expected, clients, names):
    path, _, note = template.partition(" ")
    url = API + path.format(**names)
    headers = {"If-Match": STALE.format(**names)} if "stale If-Match" in note else {}
    body = fill(BODIES[body_name], names) if body_name else None
    problems = []
    for persona, want in zip(PERSONAS, expected, strict=True):
        response = _request(clients[persona], method, url, body, headers)
        got = response.status_code
        where = f"{method} {url} [{body_name or '-'}] as {persona}"
        raw = body_of(response)
        content = raw.decode(errors="replace")[:300]
        if got != want:
            problems.append(f"{where}: expected {want}, got {got}: {content}")
        if got >= 500:
            continue
        if 400 <= got < 500:
            try:
                problem = _error_shape_problem(json.loads(raw))
            except ValueError:
                problem = f"not JSON ({response.get('Content-Type')}): {content}"
            if problem:
                problems.append(f"{where}: {got} body is not DRF's error shape: {problem}")
        detail = method == "GET" and DETAIL.match(path.format(**names))
        if detail and got == 200 and not response.has_header("ETag"):
            problems.append(f"{where}: single-object GET without an ETag")
    return problems


def test_the_table_covers_every_persona_once():
    for row in MATRIX:
        assert len(row[3]) == len(PERSONAS), row
    ids = [_row_id(row) for row in MATRIX]
    assert len(ids) == len(set(ids)), "duplicate rows"


def test_the_table_covers_every_operation_of_the_api(api, db):
    """A new endpoint or method must get its rows here: compare with the OpenAPI document."""
    document = api().get(API + "schema/?format=json").json()
    documented = {
        (method.upper(), path.removeprefix("/api/v1/"))
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }

    def documented_form(path):
        path = path.split("?")[0].split(" ")[0]
        path = re.sub(r"\{(unlinked|draft_span|public_span)\}", "{id}", path)
        return re.sub(r"\{(article|draft|review|published|retracted|erin_review)\}", "{slug}", path)

    covered = {(method, documented_form(path)) for method, path, _, _ in MATRIX}
    assert documented - covered == set()


@pytest.mark.parametrize("row", MATRIX, ids=[_row_id(row) for row in MATRIX])
def test_permission_matrix(desk, row):
    clients, names = desk
    problems = _check(*row, clients, names)
    assert not problems, "\n" + "\n".join(problems)


# --- What readers see in lists (the matrix checks statuses; this checks contents) ---------------


def test_readers_see_only_public_rulings_and_their_spans(desk, world):
    clients, _ = desk
    public_rulings = {world.published.slug, world.retracted.slug}
    public_spans = {
        world.published_claim.pk,
        world.published_evidence.pk,
        world.retracted_claim.pk,
    }
    for persona in ("anon", "charlie"):
        client = clients[persona]
        rulings = client.get(API + "rulings/").json()["results"]
        assert {r["slug"] for r in rulings} == public_rulings, persona
        spans = client.get(API + "annotations/").json()["results"]
        assert {a["id"] for a in spans} == public_spans, persona
        page = client.get(API + f"articles/{world.article.slug}/annotations/").json()
        assert {a["id"] for a in page["results"]} == public_spans, persona
        w3c = client.get(API + f"articles/{world.article.slug}/annotations/?format=jsonld")
        assert len(w3c.json()["items"]) == len(public_spans), persona
        # Filtering by a draft's slug must not reveal the draft's spans.
        by_draft = client.get(API + "annotations/", {"ruling": world.draft.slug}).json()
        assert by_draft["results"] == [], persona
    desk_spans = clients["bob"].get(API + "annotations/").json()["results"]
    assert {a["id"] for a in desk_spans} >= public_spans | {world.unlinked.pk}


def test_readers_do_not_see_the_slugs_of_private_rulings_on_public_spans(desk, world, alice):
    # One span linked to both a published ruling and a draft: readers see only the former.
    clients, _ = desk
    draft = services.ruling_create(
        **CLAIMED,
        author=alice,
        slug="second-draft",
        statement="Second draft",
        rating="false",
        annotations=[world.published_evidence],
    )
    url = API + f"annotations/{world.published_evidence.pk}/"
    assert clients["anon"].get(url).json()["rulings"] == [world.published.slug]
    assert set(clients["bob"].get(url).json()["rulings"]) == {world.published.slug, draft.slug}
