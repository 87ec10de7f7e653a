"""import_all and people's accounts: without secrets restored users cannot log in and are listed
with what to run; with them everyone logs in and API tokens keep working; users and groups are
matched by name, and the admin's log follows a user whose id had to change."""

from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.models import Annotation, Ruling

from .desk import wipe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    # Before the personas are made: PBKDF2's 10^6 rounds a user are not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


User = get_user_model()
PASSWORD = "correct horse battery staple"  # tests/factories.py


@pytest.fixture
def demo_desk(world, tmp_path):
    """The world's desk plus the demo accounts, as `make run` makes them."""
    call_command(
        "create_demo_users", "--credentials-file", str(tmp_path / "demo.txt"), stdout=StringIO()
    )
    return world


def restore(path):
    out = StringIO()
    call_command("import_all", str(path), stdout=out)
    return out.getvalue().splitlines()


def test_without_secrets_restored_users_are_listed_with_how_to_set_their_passwords(
    demo_desk, tmp_path
):
    path = tmp_path / "backup.jsonl"
    call_command("export_all", str(path), stderr=StringIO())
    wipe(users=True)
    output = restore(path)
    assert output[0].startswith("restored 3 auth.Group, 6 auth.User, ")
    assert output[1:] == [
        "6 restored users cannot log in until a password is set (the file holds no passwords, "
        "as export_all writes none without --with-secrets):",
        "  admin, annotator, editor (demo accounts): new passwords with "
        "manage.py create_demo_users --credentials-file .local/demo-accounts.txt",
        "  alice: manage.py changepassword alice",
        "  erin: manage.py changepassword erin",
        "  frank: manage.py changepassword frank",
        "API tokens are not in a file without secrets: each API client needs a new one "
        "(manage.py api_token USERNAME).",
        "Nor are webhook endpoints (each holds its receiver's signing secret): register them "
        "again in the admin.",
    ]
    assert not [u.username for u in User.objects.all() if u.has_usable_password()]

    # What the listing says works: create_demo_users takes the restored demo accounts as its own.
    printed = StringIO()
    call_command(
        "create_demo_users", "--credentials-file", str(tmp_path / "new.txt"), stdout=printed
    )
    accounts = dict(line.split() for line in printed.getvalue().splitlines()[1:])
    assert set(accounts) == {"admin", "annotator", "editor"}
    for username, password in accounts.items():
        assert User.objects.get(username=username).check_password(password)


def test_with_secrets_everyone_logs_in_and_api_tokens_keep_working(world, erin, tmp_path):
    token = Token.objects.create(user=erin)
    path = tmp_path / "backup.jsonl"
    call_command("export_all", str(path), "--with-secrets", stderr=StringIO())
    wipe(users=True)
    assert not User.objects.exists() and not Token.objects.exists()
    output = restore(path)
    assert len(output) == 1 and output[0].startswith("restored ")
    for username in ("alice", "erin", "frank"):
        assert User.objects.get(username=username).check_password(PASSWORD)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/rulings/?status=draft")
    assert response.status_code == 200
    assert [r["slug"] for r in response.json()["results"]] == ["draft-ruling"]


def test_existing_users_and_groups_are_matched_by_name_and_the_log_follows_a_new_id(
    world, alice, root, tmp_path
):
    LogEntry.objects.create(
        user=root,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(alice.pk),
        object_repr="alice",
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Groups"]}}]',
    )
    path = tmp_path / "backup.jsonl"
    call_command("export_all", str(path), stderr=StringIO())
    wipe(users=True)
    # In the new installation someone else already has alice's old id; erin is there too.
    User.objects.create(pk=alice.pk, username="mallory")
    erin_here = User.objects.create(username="erin")
    erin_here.set_password("erin's own password")
    erin_here.save()

    restore(path)
    restored = User.objects.get(username="alice")
    assert restored.pk != alice.pk
    assert User.objects.get(pk=alice.pk).username == "mallory"
    assert set(Annotation.objects.values_list("author__username", flat=True)) == {"alice"}
    assert set(Ruling.objects.values_list("author__username", flat=True)) == {"alice"}
    entry = LogEntry.objects.get(action_flag=CHANGE)
    assert (entry.object_id, entry.user.username) == (str(restored.pk), "root")
    # erin was matched, not duplicated, and keeps the password she has here.
    erin = User.objects.get(username="erin")
    assert erin.pk == erin_here.pk and erin.check_password("erin's own password")
    assert list(erin.groups.values_list("name", flat=True)) == ["editors"]
