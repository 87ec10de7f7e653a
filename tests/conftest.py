"""Personas (after healthchecks' alice/bob/charlie): who does what in the tests.

- alice: annotator, author of most spans and rulings
- bob: another annotator
- erin: editor
- frank: a second editor
- root: superuser (admin)
- anonymous: no user at all
"""

import os

import pytest
from hypothesis import settings

from annotations import roles

from .factories import ArticleFactory, UserFactory


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", group=roles.ANNOTATORS)


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", group=roles.ANNOTATORS)


@pytest.fixture
def erin(db):
    return UserFactory(username="erin", group=roles.EDITORS)


@pytest.fixture
def frank(db):
    return UserFactory(username="frank", group=roles.EDITORS)


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def article(db):
    return ArticleFactory()


# `HYPOTHESIS_PROFILE=thorough make test` runs every property many more times.
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.register_profile("default", deadline=None)
# CI runs the same examples on every run (Hypothesis' advice for CI): a red build then means a
# change broke something, and new examples are explored by local runs and the thorough profile.
settings.register_profile("ci", deadline=None, derandomize=True, database=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)


@pytest.fixture
def api(db):
    """`api(user)`: a REST client authenticated by that user's DRF token; `api()` is anonymous."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def client(user=None):
        c = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return client


@pytest.fixture
def world(alice, erin, frank):
    """A small desk: one article (with an emoji and CRLF input) and a ruling in each state."""
    from .world import build_world

    return build_world(alice=alice, erin=erin, frank=frank)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts live in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()
