"""export_all writes no secrets unless asked, and then only into a private file; a failed export
leaves the previous backup alone; history that names a deleted user survives the round trip."""

import json
import stat
from io import StringIO

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token, TokenProxy

from annotations import backup, roles, services

from ..factories import UserFactory
from ..helpers import CLAIMED
from .desk import tables, wipe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    # Before the personas are made: PBKDF2's 10^6 rounds a user are not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def token(world, erin, root):
    """erin's API token, made by root in the admin: the admin's log names it by its key."""
    token = Token.objects.create(user=erin)
    for model, object_id in ((TokenProxy, str(erin.pk)), (Token, token.key)):
        LogEntry.objects.create(
            user=root,
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id=object_id,
            object_repr=str(token),
            action_flag=ADDITION,
            change_message='[{"added": {}}]',
        )
    return token


def export(path, *args):
    err = StringIO()
    call_command("export_all", str(path), *args, stderr=err)
    text = path.read_text(encoding="utf-8")
    return text, [json.loads(line) for line in text.splitlines()], err.getvalue()


def test_without_secrets_no_password_hash_or_token_key_is_written(token, erin, tmp_path):
    text, records, err = export(tmp_path / "backup.jsonl")
    algorithm = erin.password.split("$")[0]
    assert f'"{algorithm}$' not in text and erin.password not in text
    assert token.key not in text
    assert not [r for r in records if r["model"] == "authtoken.token"]
    users = [r for r in records if r["model"] == "auth.user"]
    assert users and all("password" not in r["fields"] for r in users)
    entries = [r["fields"] for r in records if r["model"] == "admin.logentry"]
    assert [(e["content_type"], e["object_id"], e["object_repr"]) for e in entries] == [
        (["authtoken", "tokenproxy"], str(erin.pk), backup.WITHHELD),
        (["authtoken", "token"], None, backup.WITHHELD),
    ]
    assert "no password hashes or API token keys (--with-secrets adds them)" in err


def test_with_secrets_the_file_holds_them_and_only_its_owner_may_read_it(token, erin, tmp_path):
    path = tmp_path / "backup.jsonl"
    path.write_text("an older backup")
    path.chmod(0o644)
    text, records, err = export(path, "--with-secrets")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (user,) = [r for r in records if r["model"] == "auth.user" and r["pk"] == erin.pk]
    assert user["fields"]["password"] == erin.password
    assert [(r["pk"], r["fields"]["user"]) for r in records if r["model"] == "authtoken.token"] == [
        (token.key, ["erin"])
    ]
    entries = [r["fields"]["object_repr"] for r in records if r["model"] == "admin.logentry"]
    assert entries == [token.key, token.key]
    assert f"{path} holds password hashes and API token keys" in err and "mode 600" in err


def test_with_secrets_it_refuses_to_write_to_stdout(token):
    with pytest.raises(CommandError, match="--with-secrets writes password hashes.*give a PATH"):
        call_command("export_all", "--with-secrets", stdout=StringIO(), stderr=StringIO())


def test_to_stdout_it_writes_the_same_lines(token, tmp_path):
    out = StringIO()
    call_command("export_all", stdout=out, stderr=StringIO())
    text, _, _ = export(tmp_path / "backup.jsonl")
    assert out.getvalue() == text


def test_a_failed_export_leaves_the_previous_backup_as_it_was(token, tmp_path, monkeypatch):
    path = tmp_path / "backup.jsonl"
    path.write_text("yesterday's backup")
    write = backup.write

    def fails_halfway(out, **kwargs):
        write(out, **kwargs)
        raise OSError("No space left on device")

    monkeypatch.setattr(backup, "write", fails_halfway)
    with pytest.raises(CommandError) as caught:
        call_command("export_all", str(path), stderr=StringIO())
    assert str(caught.value) == (
        f"{path}: No space left on device; nothing was written there (an earlier file of that "
        "name is as it was)"
    )
    assert path.read_text() == "yesterday's backup"
    assert [p.name for p in tmp_path.iterdir()] == ["backup.jsonl"]


def test_history_that_names_a_deleted_user_survives_the_round_trip(world, tmp_path):
    # A draft made and deleted: its history rows name its author, who then leaves.
    temp = UserFactory(username="temp", group=roles.ANNOTATORS)
    draft = services.ruling_create(**CLAIMED, author=temp, statement="A draft", rating="mixed")
    services.ruling_delete(ruling=draft, user=temp)
    temp_id = temp.pk
    temp.delete()
    before = tables()
    history = [r for r in before["annotations.HistoricalRuling"] if r["id"] == draft.pk]
    assert [r["author_id"] for r in history] == [temp_id, temp_id]

    text, records, _ = export(tmp_path / "backup.jsonl")
    rows = [r for r in records if r["model"] == "annotations.historicalruling"]
    assert [r["fields"]["author"] for r in rows if r["fields"]["id"] == draft.pk] == [
        temp_id,
        temp_id,
    ]
    wipe()
    call_command("import_all", str(tmp_path / "backup.jsonl"), stdout=StringIO())
    assert tables() == before
