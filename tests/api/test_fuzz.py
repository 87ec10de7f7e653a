"""Schemathesis fuzzes every operation of our own OpenAPI document, in-process through Django's
WSGI handler, as an anonymous client, an annotator and an editor: zero 5xx and zero responses
that break the documented schema. `make test` runs a short pass; `make fuzz` a long one
(FUZZ_EXAMPLES per operation and persona)."""

import logging
import os
from collections import defaultdict

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import checks

from factcheck.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    # Every status and media type answered is one the document names, errors included.
    checks.status_code_conformance,
    checks.content_type_conformance,
]


@pytest.fixture
def api_schema(db, world, django_settings_for_fuzzing):
    # The test runs inside one transaction on one connection; Django closes "old" connections
    # at each request's start and end, which Django's own test client also stops it doing.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def django_settings_for_fuzzing(settings):
    # Thousands of requests from one address in one minute are the point here, not abuse.
    settings.THROTTLE_ANON = None
    settings.THROTTLE_USER = None
    settings.ALLOWED_HOSTS = ["*"]


@pytest.fixture
def personas(alice, erin):
    """Request headers of each persona: anonymous, an annotator and an editor."""
    headers = [{}]
    for user in (alice, erin):
        token, _ = Token.objects.get_or_create(user=user)
        headers.append({"Authorization": f"Token {token.key}"})
    return headers


@pytest.fixture
def known(world):
    """Real objects of the world, by path parameter: a fuzzer that only makes up slugs and ids
    meets nothing but 404s, and never reaches submit, review, retract or a span's edits."""
    spans = [
        world.draft_claim, world.review_claim, world.published_claim, world.published_evidence,
        world.retracted_claim, world.unlinked,
    ]  # fmt: skip
    rulings = [world.draft, world.in_review, world.published, world.retracted]
    return {
        # The rulings each workflow action acts on: aimed there, it can succeed.
        "submit": [world.draft.slug],
        "reviews": [world.in_review.slug],
        "retract": [world.published.slug],
        "claimreview": [world.published.slug, world.retracted.slug],
        "draft": [world.draft.slug],
        "editable": [world.draft.slug, world.in_review.slug],
        "article": [world.article.slug],
        "ruling": [r.slug for r in rulings],
        "span": [s.pk for s in spans],
        # Spans no published ruling relies on (the others are never deleted: 409).
        "deletable span": [world.draft_claim.pk, world.review_claim.pk, world.unlinked.pk],
        "quote": ["fuel prices", "Officials blamed", "2,500 troops", "no evidence was shown"],
    }


# Valid bodies by operation, for the aimed half of the cases: generated bodies are almost always
# refused (a made-up quote, kind or decision), so without these the writes would only ever be
# seen failing.
VALID_BODIES = {
    ("POST", "/api/v1/annotations/"): lambda d, k: {
        "article": d.draw(st.sampled_from(k["article"])),
        "kind": d.draw(st.sampled_from(["claim", "evidence", "disputed"])),
        "quote": d.draw(st.sampled_from(k["quote"])),
        "note": d.draw(st.text(max_size=20)),
    },
    ("PATCH", "/api/v1/annotations/{id}/"): lambda d, k: d.draw(
        st.sampled_from([{"note": "Checked."}, {"kind": "evidence"}, {"rulings": []}])
    ),
    ("POST", "/api/v1/rulings/{slug}/reviews/"): lambda d, k: d.draw(
        st.sampled_from(
            [
                {"decision": "approve", "ruling_version": d.draw(st.integers(1, 3))},
                {"decision": "request_changes", "comment": "Which source?"},
            ]
        )
    ),
    ("POST", "/api/v1/rulings/{slug}/retract/"): lambda d, k: {"reason": "A source withdrew."},
    ("PATCH", "/api/v1/rulings/{slug}/"): lambda d, k: {"summary": d.draw(st.text(max_size=40))},
    ("PATCH", "/api/v1/articles/{slug}/"): lambda d, k: {"title": d.draw(st.text(max_size=40))},
    ("POST", "/api/v1/articles/{slug}/suggestions/dismiss/"): lambda d, k: {
        "ruling": d.draw(st.sampled_from(k["ruling"])),
        "start": d.draw(st.integers(0, 20)),
        "end": d.draw(st.integers(21, 40)),
    },
}


def aim(case, data, known):
    """Points three cases in four at real objects with valid input, and leaves the rest as
    generated (bad input must be refused cleanly too)."""
    if data.draw(st.integers(0, 3)) == 0:
        return
    path, method = case.operation.path, case.operation.method.upper()
    action = path.rstrip("/").rsplit("/", 1)[-1]
    for name in list(case.path_parameters or {}):
        if name == "id":
            kind = "deletable span" if method == "DELETE" else "span"
        elif path.startswith("/api/v1/articles/"):
            kind = "article"
        elif action in known:
            kind = action
        else:
            kind = {"DELETE": "draft", "PATCH": "editable"}.get(method, "ruling")
        case.path_parameters[name] = data.draw(st.sampled_from(known[kind]))
    if case.headers:
        # A made-up If-Match is always stale: drop it, so the write itself is tried.
        case.headers.pop("If-Match", None)
    # Generated filters and cursors are nearly always refused; the aimed half reads plainly.
    case.query = {}
    valid = VALID_BODIES.get((method, path))
    if valid is not None:
        case.body = valid(data, known)
    elif isinstance(case.body, dict):
        fields = {
            "rulings": st.lists(st.sampled_from(known["ruling"]), max_size=2),
            "annotations": st.lists(st.sampled_from(known["span"]), max_size=3),
            "supersedes": st.sampled_from(known["ruling"]),
        }
        for name, strategy in fields.items():
            if name in case.body:
                case.body[name] = data.draw(strategy)


def test_fuzz(api_schema, personas, known, caplog):
    # Thousands of expected 4xx would each log a warning; failures are raised, not logged.
    caplog.set_level(logging.ERROR, logger="django.request")
    requests = 0
    statuses = defaultdict(set)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 19, "every documented operation is fuzzed"
    for operation in operations:

        @given(case=operation.as_strategy(), data=st.data())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=not os.environ.get("FUZZ_RANDOM"),
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case, data):
            nonlocal requests
            aim(case, data, known)
            for headers in personas:
                # Raises with the failing request's details on a 5xx or a schema violation.
                response = case.call_and_validate(headers=headers, checks=CHECKS)
                statuses[f"{case.operation.method.upper()} {case.operation.path}"].add(
                    response.status_code
                )
                requests += 1

        # Each operation starts from the same world: earlier operations' writes (a draft
        # deleted, a ruling published) would otherwise leave later ones nothing to act on.
        with transaction.atomic():
            fuzz()
            transaction.set_rollback(True)
    # `make fuzz` prints these lines; they are the figures the README quotes.
    reached = sum(1 for codes in statuses.values() if any(code < 400 for code in codes))
    print(f"\nfuzz: {requests} requests over {len(operations)} operations, 0 failures")
    print(f"fuzz: {reached} of {len(operations)} operations answered a success at least once")
    for operation, codes in sorted(statuses.items()):
        print(f"  {operation}: {sorted(codes)}")
    # The workflow and the writes are really exercised, not only refused: every operation
    # succeeds for someone at least once (needs a handful of examples per operation).
    if EXAMPLES >= 8:
        unreached = sorted(op for op, codes in statuses.items() if all(c >= 400 for c in codes))
        assert not unreached, unreached
