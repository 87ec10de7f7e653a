import pytest
from django.contrib.auth.models import Group

from annotations import roles

pytestmark = pytest.mark.django_db


def perms(name):
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_the_migration_creates_both_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"annotators", "editors"}


def test_annotators_may_draft_but_not_review_or_edit_articles():
    granted = perms("annotators")
    assert {"add_annotation", "change_annotation", "add_ruling", "view_article"} <= granted
    assert "add_review" not in granted
    assert "change_article" not in granted


def test_editors_have_all_an_annotator_has_plus_reviews_and_article_edits():
    assert perms("annotators") < perms("editors")
    assert {"add_review", "change_article"} <= perms("editors")


def test_role_checks(alice, erin, root, django_user_model):
    nobody = django_user_model.objects.create_user("nobody")
    assert roles.is_annotator(alice) and not roles.is_editor(alice)
    assert roles.is_annotator(erin) and roles.is_editor(erin)
    assert roles.is_editor(root)
    assert not roles.is_annotator(nobody)
    assert roles.can_edit_owned(alice, alice.pk) and not roles.can_edit_owned(alice, erin.pk)
    assert roles.can_edit_owned(erin, alice.pk)
