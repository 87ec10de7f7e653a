"""Personas (after healthchecks' alice/bob/charlie): who does what in the tests.

- alice: annotator, author of most spans and rulings
- bob: another annotator
- erin: editor
- frank: a second editor
- root: superuser (admin)
- charlie: a reader: signed in, with an API token through `api(charlie)`, but in no desk group
- anonymous: no user at all: `api()`, or Django's `client` before any login

Users only one test needs (staff outside the desk, demo accounts, a crowd of editors) are made
in that test. Shared texts and small helpers are in helpers.py.
"""

import os

import pytest
from hypothesis import settings

from annotations import roles, services
from annotations.models import Status

from .factories import ArticleFactory, UserFactory
from .helpers import CLAIM, CLAIMED, drive


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
def charlie(db):
    return UserFactory(username="charlie", is_staff=False)


@pytest.fixture
def fast_passwords(settings):
    """For files that make many personas per test: PBKDF2 would spend most of the run hashing
    their passwords. Used with `pytestmark = pytest.mark.usefixtures("fast_passwords")`."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def article(db):
    return ArticleFactory()


@pytest.fixture
def claim(article, alice):
    """alice's claim span of `article`: what `make_ruling` links unless told otherwise."""
    return services.span_create(article=article, kind="claim", author=alice, quote=CLAIM)


@pytest.fixture
def make_ruling(claim, alice, erin, frank):
    """`make_ruling(status)`: a ruling by `author` (alice) linking `spans` (the claim), driven to
    `status` by helpers.drive.

    `approvers` approve it on the way to published, never its author: frank, and erin too when
    the quorum needs two. The first of them retracts it.
    """

    def make(
        status=Status.DRAFT,
        *,
        author=None,
        statement="No evidence of training abroad",
        spans=None,
        approvers=None,
    ):
        author = author or alice
        ruling = services.ruling_create(
            **CLAIMED, author=author, statement=statement, rating="unsupported"
        )
        services.ruling_update(
            ruling=ruling, user=author, annotations=[claim] if spans is None else spans
        )
        return drive(ruling, status, approvers=approvers or [frank, erin])

    return make


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
