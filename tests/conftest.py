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
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
