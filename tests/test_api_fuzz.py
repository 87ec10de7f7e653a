"""Schemathesis fuzzes every operation of our own OpenAPI document, in-process through Django's
WSGI handler, as an anonymous client, an annotator and an editor: zero 5xx and zero responses
that break the documented schema. `make test` runs a short pass; `make fuzz` a long one
(FUZZ_EXAMPLES per operation and persona)."""

import logging
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks

from factcheck.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [checks.not_a_server_error, checks.response_schema_conformance]


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


def test_fuzz(api_schema, personas, caplog):
    # Thousands of expected 4xx would each log a warning; failures are raised, not logged.
    caplog.set_level(logging.ERROR, logger="django.request")
    requests = 0
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 19, "every documented operation is fuzzed"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=not os.environ.get("FUZZ_RANDOM"),
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case):
            nonlocal requests
            for headers in personas:
                # Raises with the failing request's details on a 5xx or a schema violation.
                case.call_and_validate(headers=headers, checks=CHECKS)
                requests += 1

        fuzz()
    # `make fuzz` prints this line; it is the figure the README quotes.
    print(f"\nfuzz: {requests} requests over {len(operations)} operations, 0 failures")
