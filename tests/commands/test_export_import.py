"""export_all writes everything with its history; import_all restores it exactly into an empty
database."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection

from annotations import services
from annotations.management.commands.export_all import MODELS
from annotations.models import Annotation, Article

from ..factories import PASSWORD


def everything():
    """Every row of every exported model, all fields, by primary key."""
    state = {}
    for model in MODELS:
        state[model._meta.label] = sorted(model.objects.values_list(), key=repr)
        history = model.history.model
        state[history._meta.label] = sorted(history.objects.values_list(), key=repr)
    users = get_user_model().objects.order_by("username")
    state["users"] = [
        (u.username, u.is_staff, u.is_superuser, sorted(u.groups.values_list("name", flat=True)))
        for u in users
    ]
    return state


def wipe():
    tables = [m._meta.db_table for m in MODELS] + [m.history.model._meta.db_table for m in MODELS]
    with connection.cursor() as cursor:
        # Inside the test's transaction, deferred foreign-key checks must fire before TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def busy_world(world, erin, alice):
    # More history: a body edit that re-anchors, a span moved, a draft deleted.
    services.article_update(article=world.article, body="Update: " + world.article.body, user=erin)
    services.span_update(annotation=world.unlinked, user=alice, note="Checked.")
    services.ruling_delete(ruling=world.draft, user=alice)
    return world


def test_the_round_trip_is_exact(busy_world, tmp_path):
    before = everything()
    assert before["annotations.HistoricalArticle"] and before["annotations.HistoricalReview"]
    path = tmp_path / "backup.jsonl"
    call_command("export_all", str(path), stderr=StringIO())
    lines = path.read_text(encoding="utf-8").splitlines()
    # One line a row, and one a group: users name their groups, so the groups come along.
    assert (
        len(lines)
        == sum(len(v) for k, v in before.items() if k != "users")
        + len(before["users"])
        + Group.objects.count()
    )
    assert "pbkdf2" not in path.read_text(encoding="utf-8")

    wipe()
    assert not Article.objects.exists()
    call_command("import_all", str(path), stdout=StringIO())
    assert everything() == before
    # Sequences moved past the restored ids: a new span does not collide with an old one.
    span = services.span_create(
        article=Article.objects.get(), kind="claim", author=busy_world.draft_claim.author,
        quote="Critics said",
    )  # fmt: skip
    assert span.pk > max(Annotation.objects.exclude(pk=span.pk).values_list("pk", flat=True))


def test_existing_users_keep_their_passwords(busy_world, alice, tmp_path):
    path = tmp_path / "backup.jsonl"
    call_command("export_all", str(path), stderr=StringIO())
    wipe()
    call_command("import_all", str(path), stdout=StringIO())
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_it_refuses_a_database_that_is_not_empty(busy_world, tmp_path):
    path = tmp_path / "backup.jsonl"
    call_command("export_all", str(path), stderr=StringIO())
    before = everything()
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_all", str(path), stdout=StringIO())
    assert everything() == before


def test_a_broken_file_restores_nothing(busy_world, tmp_path):
    path = tmp_path / "backup.jsonl"
    call_command("export_all", str(path), stderr=StringIO())
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-3] + ['{"model": "annotations.ruling", "pk": 1,']))
    wipe()
    with pytest.raises(CommandError):
        call_command("import_all", str(path), stdout=StringIO())
    assert not Article.objects.exists()
