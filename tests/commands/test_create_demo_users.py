"""create_demo_users gives the demo accounts passwords, and touches no account it did not create."""

import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotations import roles

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
DEMO = {"annotator", "editor", "admin"}


def run(credentials, *args):
    out, err = StringIO(), StringIO()
    call_command(
        "create_demo_users", "--credentials-file", str(credentials), *args, stdout=out, stderr=err
    )
    printed = dict(line.split() for line in out.getvalue().splitlines()[1:])
    return printed, err.getvalue()


def test_it_creates_the_three_accounts_and_prints_working_passwords(tmp_path):
    credentials = tmp_path / "accounts.txt"
    printed, _ = run(credentials)
    assert set(printed) == DEMO
    for username, password in printed.items():
        assert User.objects.get(username=username).check_password(password)
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="editor").is_superuser
    assert roles.is_editor(User.objects.get(username="editor"))
    assert roles.is_annotator(User.objects.get(username="annotator"))
    assert not roles.is_editor(User.objects.get(username="annotator"))
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert dict(line.split() for line in credentials.read_text().splitlines()) == printed


def test_a_second_run_prints_the_same_working_passwords(tmp_path):
    credentials = tmp_path / "accounts.txt"
    first, _ = run(credentials)
    second, _ = run(credentials)
    assert second == first
    for username, password in second.items():
        assert User.objects.get(username=username).check_password(password)


def test_a_lost_credentials_file_gives_its_own_accounts_new_passwords(tmp_path):
    first, _ = run(tmp_path / "accounts.txt")
    second, _ = run(tmp_path / "elsewhere.txt")
    assert set(second) == DEMO and second["editor"] != first["editor"]
    assert User.objects.get(username="editor").check_password(second["editor"])


@pytest.mark.parametrize("username", sorted(DEMO))
def test_it_leaves_an_account_it_did_not_create_alone(tmp_path, username):
    real = UserFactory(username=username, is_staff=False, is_superuser=False)
    # A stale or forged line in the credentials file does not make the account ours.
    (tmp_path / "accounts.txt").write_text(f"{username} guessed-password\n")
    printed, err = run(tmp_path / "accounts.txt")
    assert username not in printed and set(printed) == DEMO - {username}
    assert f"{username!r} already exists" in err and "--force" in err
    real.refresh_from_db()
    assert real.check_password(PASSWORD)
    assert not real.is_staff and not real.is_superuser and not real.groups.exists()
    assert username not in (tmp_path / "accounts.txt").read_text()


def test_force_takes_over_an_existing_account(tmp_path):
    UserFactory(username="admin", is_superuser=False)
    printed, _ = run(tmp_path / "accounts.txt", "--force")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(printed["admin"])
    # Taken over once, it is a demo account from then on: no --force needed.
    assert run(tmp_path / "accounts.txt")[0] == printed


def test_an_account_whose_stored_password_works_is_its_own(tmp_path):
    # Accounts made before demo accounts were marked: the password this command stored still
    # opens them, which only this command (or the person holding the file) could have set.
    UserFactory(username="editor", password="stored-before", group=roles.EDITORS)
    (tmp_path / "accounts.txt").write_text("editor stored-before\n")
    printed, err = run(tmp_path / "accounts.txt")
    assert printed["editor"] == "stored-before" and err == ""
    UserFactory(username="spare")  # not a demo name: never looked at
    assert run(tmp_path / "other.txt")[0].keys() == DEMO


def test_spans_loaded_after_the_demo_accounts_keep_them_working(tmp_path):
    # make run creates the accounts before load_annotations, which reuses them by username.
    printed, _ = run(tmp_path / "accounts.txt")
    seed = tmp_path / "a.txt"
    seed.write_text("Officials blamed terrorists trained abroad.")
    call_command("import_articles", str(seed), stdout=StringIO())
    (tmp_path / "f.toml").write_text(
        '[[users]]\nusername = "annotator"\ngroup = "annotators"\n\n'
        '[[spans]]\narticle = "a"\nkind = "claim"\nquote = "terrorists"\nauthor = "annotator"\n'
    )
    call_command("load_annotations", str(tmp_path / "f.toml"), stdout=StringIO())
    assert User.objects.get(username="annotator").check_password(printed["annotator"])
    assert run(tmp_path / "accounts.txt")[0] == printed
