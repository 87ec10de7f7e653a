"""Backups that restore, on real databases of their own (issue 23).

A desk like `make run`'s is built once, in a database of its own, by tests/commands/desk.py run
as a process of its own (as an operator's manage.py runs). Then:

- export_all, and import_all into a freshly migrated database (a copy of a database on which
  `migrate` ran, made with CREATE DATABASE ... TEMPLATE): every table's rows equal, history
  included, and every API answer equal, as an anonymous reader and as the editor; with
  --with-secrets by the editor's own token, and everyone's password still works; without, only
  passwords and tokens are missing, and the restore says who cannot log in;
- pg_dump, and pg_restore into a new PostgreSQL cluster started here (scripts/pg.sh): the
  service answers exactly the same, and every table is equal, sessions and all.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from annotations import backup

from .. import helpers

ROOT = Path(__file__).resolve().parents[2]
TAG = f"backup_test_{os.getpid()}"
DEMO_LOGINS = {"annotator": True, "editor": True, "admin": True}
# Left out of a backup but made by `migrate` in every installation: equal all the same.
MADE_BY_MIGRATE = {"contenttypes.ContentType", "auth.Permission"}
NOT_IN_A_BACKUP = set(backup.LEFT_OUT) - MADE_BY_MIGRATE


def url_for(name):
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


def run(*args, url, **env):
    process = subprocess.run(  # noqa: S603 (our own programs, arguments from this file)
        [str(a) for a in args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "factcheck.settings",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "backup-test-secret-key",
            # The in-process test client's host, plain HTTP, and a few hundred reads a second.
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "THROTTLE_ANON": "off",
            "THROTTLE_USER": "off",
            "LOG_LEVEL": "ERROR",
            # No connection kept open: a database is dropped or copied right after.
            "DB_CONN_MAX_AGE": "0",
            **env,
        },
    )
    if process.returncode:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {process.returncode}:\n{process.stderr[-6000:]}"
        )
    return process.stdout


def desk(url, *args):
    return json.loads(run(sys.executable, "-m", "tests.commands.desk", *args, url=url))


def postgres_program(name):
    """A PostgreSQL client program, found as scripts/pg.sh finds the server's."""
    found = shutil.which(name) or max(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), default="")
    if not found:
        pytest.fail(f"{name} not found: install PostgreSQL's client programs (postgresql-client)")
    return found


@pytest.fixture(scope="module")
def new_database():
    """new_database(name, template=None) -> the URL of a new database on DATABASE_URL's server;
    every one is dropped at the end."""
    admin = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    made = []

    def create(name, template=None):
        made.append(f"{TAG}_{name}")
        like = f' TEMPLATE "{TAG}_{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{made[-1]}"{like}')
        return url_for(made[-1])

    yield create
    for name in reversed(made):
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="module")
def migrated(new_database):
    """A database on which `migrate` ran and nothing else: each restore goes into a copy."""
    run(sys.executable, "manage.py", "migrate", "--no-input", "-v", "0", url=new_database("new"))
    return "new"


@dataclass
class Desk:
    url: str
    workdir: Path
    token: str
    edit: dict
    exports: dict
    snapshot: dict

    @property
    def credentials(self):
        return self.workdir / "demo-accounts.txt"


@pytest.fixture(scope="module")
def made(new_database, migrated, tmp_path_factory):
    url = new_database("desk", template=migrated)
    workdir = tmp_path_factory.mktemp("desk")
    built = desk(url, "build", workdir, "--credentials", workdir / "demo-accounts.txt")
    return Desk(url=url, workdir=workdir, **built)


def short(value, limit=400):
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def assert_same_tables(before, after, *, skip=frozenset()):
    problems = []
    for label in sorted(set(before) | set(after)):
        if label in skip:
            continue
        old, new = before.get(label, []), after.get(label, [])
        if old != new:
            gone = [row for row in old if row not in new][:2]
            added = [row for row in new if row not in old][:2]
            problems.append(
                f"{label}: {len(old)} rows before, {len(new)} after; "
                f"only before: {short(gone)}; only after: {short(added)}"
            )
    assert not problems, "tables differ:\n" + "\n".join(problems)


def assert_same_answers(before, after):
    problems = []
    for who in ("anonymous", "editor"):
        for url, answer in before[who].items():
            if after[who].get(url) != answer:
                problems.append(
                    f"{who} GET {url}: {short(answer)}, then {short(after[who].get(url))}"
                )
        problems += [f"{who} GET {url}: new" for url in after[who].keys() - before[who].keys()]
    assert not problems, "answers differ:\n" + "\n".join(problems[:20])


def test_the_desk_is_one_like_make_runs_in_use(made):
    """What the comparisons below compare: make run's data and more, in every exported table."""
    tables = made.snapshot["tables"]
    exported = {t._meta.label for m in backup.exported_models() for t in backup.table_models(m)}
    assert [label for label in sorted(exported) if not tables[label]] == []
    # The five seed articles and every curated span (one more body edit does not add spans).
    curated = len(tomllib.loads((helpers.ROOT / "fixtures" / "curated.toml").read_text())["spans"])
    assert len(tables["annotations.Article"]) == 5
    assert len(tables["annotations.Annotation"]) == curated
    # The body edit: spans moved, one's text changed, one orphaned; all of it in history.
    assert made.edit["moved"] and made.edit["changed"] == 1 and made.edit["orphaned"] == 1
    assert [a["state"] for a in tables["annotations.Annotation"]].count("orphaned") == 1
    reasons = [h["history_change_reason"] or "" for h in tables["annotations.HistoricalAnnotation"]]
    assert any(r.startswith("re-anchored: moved") for r in reasons)
    edited = "timenews-situation-under-control"
    history = tables["annotations.HistoricalArticle"]
    assert sorted(h["history_type"] for h in history if h["slug"] == edited) == ["+", "~"]
    rulings = {r["slug"]: r for r in tables["annotations.Ruling"]}
    assert {r["status"] for r in rulings.values()} == {
        "draft",
        "in_review",
        "published",
        "retracted",
    }
    retracted = rulings["csto-contingent-3600-overstated"]
    assert retracted["status"] == "retracted" and retracted["retraction_reason"]
    assert rulings["csto-contingent-size"]["supersedes_id"] == retracted["id"]
    assert {r["decision"] for r in tables["annotations.Review"]} >= {"approve"}
    # The editor's token (api_token) and the group, member and token an admin made in the admin.
    assert len(tables["authtoken.Token"]) == 2 and made.token
    assert [g["name"] for g in tables["auth.Group"] if g["name"] == "interns"] == ["interns"]
    # Those three, and the webhook endpoint registered there.
    assert len(tables["admin.LogEntry"]) == 4
    assert len(tables["annotations.WebhookEndpoint"]) == 1
    published = [r for r in rulings.values() if r["status"] in ("published", "retracted")]
    events = sorted(d["event"] for d in tables["annotations.WebhookDelivery"])
    assert events.count("ruling.published") == len(published)
    assert events.count("ruling.retracted") == events.count("ruling.superseded") == 1
    # The answers compared: every object read, some of them refused to the anonymous reader.
    statuses = {
        who: [a["status"] for a in answers.values()]
        for who, answers in made.snapshot["api"].items()
    }
    assert statuses["editor"].count(200) > 100 and set(statuses["anonymous"]) == {200, 401, 404}


def test_a_backup_with_secrets_restores_every_row_and_every_answer(made, new_database, migrated):
    url = new_database("full", template=migrated)
    path = made.workdir / "full.jsonl"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    restored = desk(url, "restore", path, "--token", made.token, "--credentials", made.credentials)
    assert restored["error"] is None
    after = restored["snapshot"]
    assert_same_tables(made.snapshot["tables"], after["tables"], skip=NOT_IN_A_BACKUP)
    assert [label for label in NOT_IN_A_BACKUP if after["tables"][label]] == []
    # By the editor's own token: it still works, for every endpoint.
    assert_same_answers(made.snapshot["api"], after["api"])
    assert after["logins"] == DEMO_LOGINS
    # editor2 (from the fixtures) never had a usable password: the restore says so.
    assert restored["output"].splitlines()[1:] == [
        "1 restored user cannot log in until a password is set "
        "(no usable password in the backup either):",
        "  editor2: manage.py changepassword editor2",
    ]


def without_secrets(tables):
    """The tables with what a backup without secrets leaves out blanked."""
    tables = {label: rows for label, rows in tables.items() if label not in backup.SECRET_MODELS}
    tables["auth.User"] = [{**u, "password": "(not compared)"} for u in tables["auth.User"]]
    tables["admin.LogEntry"] = [
        {**e, "object_id": None, "object_repr": None}
        if e["content_type_id"][0] == "authtoken"
        else e
        for e in tables["admin.LogEntry"]
    ]
    return tables


def test_a_backup_without_secrets_restores_all_but_passwords_tokens_and_webhooks(
    made, new_database, migrated
):
    url = new_database("bare", template=migrated)
    path = made.workdir / "bare.jsonl"
    args = ["--credentials", made.credentials, "--probe-token", made.token]
    restored = desk(url, "restore", path, *args)
    assert restored["error"] is None
    after = restored["snapshot"]
    assert_same_tables(
        without_secrets(made.snapshot["tables"]),
        without_secrets(after["tables"]),
        skip=NOT_IN_A_BACKUP,
    )
    # The editor's answers (authenticated in-process: there are no tokens now) are the same.
    assert_same_answers(made.snapshot["api"], after["api"])
    assert after["tables"]["authtoken.Token"] == [] and after["probe_token"] == 401
    assert after["tables"]["annotations.WebhookEndpoint"] == []
    assert after["tables"]["annotations.WebhookDelivery"] == []
    assert all(u["password"].startswith("!") for u in after["tables"]["auth.User"])
    assert after["logins"] == dict.fromkeys(DEMO_LOGINS, False)
    assert restored["output"].splitlines()[1:] == [
        "5 restored users cannot log in until a password is set (the file holds no passwords, "
        "as export_all writes none without --with-secrets):",
        "  admin, annotator, editor (demo accounts): new passwords with "
        "manage.py create_demo_users --credentials-file .local/demo-accounts.txt",
        "  editor2: manage.py changepassword editor2",
        "  intern: manage.py changepassword intern",
        "API tokens are not in a file without secrets: each API client needs a new one "
        "(manage.py api_token USERNAME).",
        "Nor are webhook endpoints (each holds its receiver's signing secret): register them "
        "again in the admin.",
    ]


def test_pg_dump_and_pg_restore_into_a_new_cluster_answer_the_same(made, tmp_path):
    dump = tmp_path / "factcheck.dump"
    run(postgres_program("pg_dump"), "--format=custom", f"--file={dump}", made.url, url=made.url)
    # Not under pytest's tmp_path: when root, the server runs as `postgres`, who must reach it.
    cluster = Path(tempfile.mkdtemp(prefix="factcheck-restore-pg."))
    try:
        url = run("scripts/pg.sh", "start", cluster, url="", PG_FSYNC="off").strip()
        run(
            postgres_program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={url}",
            dump,
            url=url,
        )
        args = ["--token", made.token, "--credentials", made.credentials]
        after = desk(url, "snapshot", *args)["snapshot"]
    finally:
        run("scripts/pg.sh", "stop", cluster, url="")
        shutil.rmtree(cluster, ignore_errors=True)
    assert after["unapplied_migrations"] == []
    assert_same_tables(made.snapshot["tables"], after["tables"])  # all of them: sessions too
    assert_same_answers(made.snapshot["api"], after["api"])
    assert after["logins"] == DEMO_LOGINS
