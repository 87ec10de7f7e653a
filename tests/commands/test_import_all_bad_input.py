"""import_all of a broken backup names the line, the record, the field and the reason, and stores
nothing; a database that is not empty is refused and left as it was."""

import json
import re
from io import StringIO

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction
from rest_framework.authtoken.models import Token

from annotations import roles, services
from annotations.models import Article

from ..factories import UserFactory
from ..world import build_world
from .desk import tables

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def exported(django_db_setup, django_db_blocker, tmp_path_factory):
    """The text of an export of a small desk (tests/world.py) with a group of its own that erin
    is in. Built once and rolled back: each test starts from a freshly migrated database."""
    path = tmp_path_factory.mktemp("bad-input") / "backup.jsonl"
    with django_db_blocker.unblock(), transaction.atomic():
        alice = UserFactory(username="alice", group=roles.ANNOTATORS)
        erin = UserFactory(username="erin", group=roles.EDITORS)
        frank = UserFactory(username="frank", group=roles.EDITORS)
        build_world(alice=alice, erin=erin, frank=frank)
        interns = Group.objects.create(name="interns")
        interns.permissions.add(Permission.objects.get(codename="view_article"))
        erin.groups.add(interns)
        call_command("export_all", str(path), stderr=StringIO())
        transaction.set_rollback(True)
    return path.read_bytes()


@pytest.fixture
def backup_file(exported, tmp_path):
    path = tmp_path / "backup.jsonl"
    path.write_bytes(exported)
    return path


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def first(records, model, **fields):
    """(line number, record) of the first record of `model` whose fields match."""
    for number, record in enumerate(records, 1):
        if record["model"] == model and all(
            record["fields"].get(k) == v for k, v in fields.items()
        ):
            return number, record
    raise AssertionError(f"no {model} {fields} in the export")


def refused(path):
    """import_all's message; and that nothing was stored."""
    before = tables()
    with pytest.raises(CommandError) as caught:
        call_command("import_all", str(path), stdout=StringIO())
    assert tables() == before
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and message.endswith("Nothing was imported.")
    return message


def test_the_untouched_file_restores(backup_file):
    # The cases below break one thing each in a file that is otherwise good.
    call_command("import_all", str(backup_file), stdout=StringIO())
    assert Article.objects.exists() and Group.objects.filter(name="interns").exists()


def test_an_unknown_group_names_the_user_the_group_and_the_reason(backup_file):
    records = read(backup_file)
    line, record = first(records, "auth.user", username="erin")
    record["fields"]["groups"].append(["nobody"])
    write(backup_file, records)
    message = refused(backup_file)
    assert (
        f"line {line}, auth.User pk={record['pk']} (\"erin\"), field 'groups': "
        'no auth.Group "nobody"'
    ) in message
    assert "it must come before this line in the file or be in the database already" in message
    assert "Group matching query does not exist." in message
    # The group made from an earlier line of the same file is gone again.
    assert not Group.objects.filter(name="interns").exists()


def test_an_unknown_article_names_the_span_and_the_missing_article(backup_file):
    records = read(backup_file)
    line, record = first(records, "annotations.annotation")
    record["fields"]["article"] = 999999
    write(backup_file, records)
    message = refused(backup_file)
    assert (
        f"line {line}, annotations.Annotation pk={record['pk']}, field 'article': "
        "no annotations.Article with id=999999 in the file or the database"
    ) in message


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        (
            "published_on",
            "2022-02-30",
            "“2022-02-30” value has the correct format (YYYY-MM-DD) but it is an invalid date.",
        ),
        ("created_at", "yesterday", "“yesterday” value has an invalid format."),
        ("slug", "x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        ("version", -1, "Ensure this value is greater than or equal to 0."),
        ("version", 2**31, "Ensure this value is less than or equal to 2147483647."),
        ("colour", "red", "annotations.Article has no field 'colour'"),
    ],
)
def test_a_bad_field_names_the_record_the_field_and_the_reason(backup_file, field, value, reason):
    records = read(backup_file)
    line, record = first(records, "annotations.article")
    record["fields"][field] = value
    write(backup_file, records)
    message = refused(backup_file)
    assert f"line {line}, annotations.Article pk={record['pk']}, field '{field}': {reason}" in (
        message
    )


def test_an_unknown_author_names_the_span_and_the_user(backup_file):
    records = read(backup_file)
    line, record = first(records, "annotations.annotation")
    record["fields"]["author"] = ["mallory"]
    write(backup_file, records)
    message = refused(backup_file)
    assert (
        f"line {line}, annotations.Annotation pk={record['pk']}, field 'author': "
        'no auth.User "mallory"'
    ) in message


def test_a_broken_constraint_names_the_constraint_and_its_fields(backup_file):
    records = read(backup_file)
    line, record = first(records, "annotations.annotation")
    record["fields"]["end"] = record["fields"]["start"]
    write(backup_file, records)
    message = refused(backup_file)
    assert (
        f"line {line}, annotations.Annotation pk={record['pk']}, field 'end, start': "
        'new row for relation "annotations_annotation" violates check constraint '
        '"annotation_start_before_end"'
    ) in message


def test_a_record_given_twice_names_both_lines(backup_file):
    records = read(backup_file)
    line, record = first(records, "annotations.ruling")
    records.append(record)
    write(backup_file, records)
    message = refused(backup_file)
    assert (
        f"line {len(records)}, annotations.Ruling pk={record['pk']}: appears twice "
        f"(first on line {line})"
    ) in message


def test_a_record_without_its_key_is_refused(backup_file):
    records = read(backup_file)
    line, record = first(records, "annotations.review")
    del record["pk"]
    write(backup_file, records)
    message = refused(backup_file)
    assert f'line {line}, annotations.Review pk=null: has no "pk"' in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"model": "annotations.ruling", "pk": 1,', "not a JSON object: Expecting"),
        ("[1, 2]", 'not a record: expected {"model": ..., "fields": {...}}'),
        ('{"model": "annotations.source", "pk": 1, "fields": {}}', "unknown model"),
        (
            '{"model": "sessions.session", "pk": "x", "fields": {}}',
            "sessions.Session: export_all never writes sessions.Session rows; a backup holds "
            "auth.Group, auth.User, authtoken.Token, annotations.Article",
        ),
        ('{"model": "annotations.article", "pk": 1, "fields": []}', '"fields" must be an object'),
    ],
)
def test_a_line_that_is_not_a_backup_record_is_named(backup_file, text, reason):
    records = read(backup_file)
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(5, text)
    backup_file.write_text("\n".join(lines) + "\n")
    message = refused(backup_file)
    assert "line 6" in message and reason in message


def test_a_file_that_is_not_utf8_is_named_with_its_line(backup_file):
    data = backup_file.read_bytes().splitlines(keepends=True)
    data.insert(3, b'{"model": "annotations.article", "fields": {"title": "\xff"}}\n')
    backup_file.write_bytes(b"".join(data))
    message = refused(backup_file)
    assert "line 4: not UTF-8 text" in message


# ---------------------------------------------------------------------------------------------
# A database that is not empty
# ---------------------------------------------------------------------------------------------


def _an_article(erin):
    services.article_create(slug="already-here", body="Someone started working here.")


def _history_only(erin):
    services.article_create(slug="gone", body="Made and deleted.")
    Article.objects.filter(slug="gone").delete()
    assert not Article.objects.exists()


def _a_token(erin):
    Token.objects.create(user=erin)


def _an_admin_log_entry(erin):
    LogEntry.objects.create(
        user=erin,
        content_type=ContentType.objects.get_for_model(Group),
        object_id="1",
        object_repr="annotators",
        action_flag=ADDITION,
    )


@pytest.mark.parametrize(
    ("make", "table"),
    [
        (_an_article, "annotations.Article"),
        (_history_only, "annotations.HistoricalArticle"),
        (_a_token, "authtoken.Token"),
        (_an_admin_log_entry, "admin.LogEntry"),
    ],
)
def test_a_database_that_is_not_empty_is_refused_and_left_as_it_was(backup_file, make, table):
    make(UserFactory(username="erin", group=roles.EDITORS))
    message = refused(backup_file)
    present = re.search(r"the database is not empty \((.+?) present\)", message)
    assert present and table in present[1].split(", "), message
    assert "run `migrate` on a new, empty database first" in message
