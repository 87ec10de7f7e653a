"""A desk like `make run`'s, and everything it shows to the outside, for the backup tests.

The round-trip tests run this in a process of their own against the database DATABASE_URL names
(`python -m tests.commands.desk COMMAND ...`); it prints one JSON object:

- `build WORKDIR`: make run's steps (import_articles seeds/, create_demo_users, load_annotations
  fixtures/), then what a desk in use has beyond them: an article body edit that moves spans,
  changes one's text and orphans another; the editor's API token (api_token); a group an admin
  adds in the admin, with a member (also added there) who gets a token there. Then export_all
  into WORKDIR twice, with and without --with-secrets.
- `restore FILE`: import_all FILE.
- `snapshot`: nothing but the snapshot, which every command prints last: every table, and every
  API response as an anonymous reader and as the editor (`--token KEY`: by that token; else
  authenticated in-process). `--credentials FILE`: which demo passwords still log in;
  `--probe-token KEY`: the status a desk-only list answers to that token.

`tables()` and `wipe()` are also used in-process, by the tests of export_all and import_all.
"""

import argparse
import json
import os
import secrets
import sys
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EDITOR = "editor"


def tables():
    """Every row of every table, as comparable across two installations: a content type or
    permission (made by migrate in each, with ids of its own) appears as its natural key, and
    the ids of auto-created many-to-many rows (a membership) are left out."""
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    content_types = {c.pk: [c.app_label, c.model] for c in ContentType.objects.all()}
    permissions = {
        p.pk: [p.codename, *content_types[p.content_type_id]] for p in Permission.objects.all()
    }
    natural = {ContentType: content_types, Permission: permissions}
    state = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        drop_pk = model in natural or meta.auto_created
        fields = [f for f in meta.concrete_fields if not (f.primary_key and drop_pk)]
        rows = []
        for values in model._base_manager.values_list(*(f.attname for f in fields)):
            row = {}
            for f, value in zip(fields, values, strict=True):
                if f.is_relation and f.related_model in natural and value is not None:
                    value = natural[f.related_model][value]
                row[f.column] = value
            rows.append(json.loads(json.dumps(row, default=str, sort_keys=True)))
        state[meta.label] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    return state


def wipe(*, users=False):
    """Empties, inside a test's transaction, every table import_all wants empty (and with
    `users`, the users and every group but the two the roles migration makes)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from annotations import backup

    User = get_user_model()
    models = [m for m in backup.exported_models() if m not in (User, Group)]
    if users:
        models.append(User)
    with connection.cursor() as cursor:
        # Deferred foreign-key checks must fire before TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(m._meta.db_table for m in models)} CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    if users:
        Group.objects.exclude(name__in=["annotators", "editors"]).delete()


# Endpoints that answer only with a query parameter (anything else is a 400).
REQUIRED_QUERY = {"/api/v1/claims/search/": "?q=terrorists+trained+abroad&page_size=50"}


def _endpoints():
    """(path template, model, lookup) of every GET endpoint of the API, from its own URLs."""
    from drf_spectacular.generators import EndpointEnumerator
    from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

    from annotations.models import Annotation, Article, Ruling

    by_basename = {
        "article": (Article, "slug"),
        "annotation": (Annotation, "pk"),
        "ruling": (Ruling, "slug"),
    }
    found = []
    for path, _, method, callback in EndpointEnumerator().get_api_endpoints():
        if method != "GET":
            continue
        view = getattr(callback, "cls", None)
        if view is not None and issubclass(view, (SpectacularAPIView, SpectacularSwaggerView)):
            continue  # the OpenAPI document and its page hold no data (test_api_schema.py)
        if "{" not in path:
            found.append((path + REQUIRED_QUERY.get(path, ""), None, None))
            continue
        # A router's views carry their basename; a plain view under a router's object names
        # its own (api/matching.py: an article's suggestions).
        basename = callback.initkwargs.get("basename") or getattr(view, "basename", None)
        if basename not in by_basename or path.count("{") != 1:
            raise SystemExit(
                f"desk.py does not know how to fill in {path}: add its model to by_basename"
            )
        model, lookup = by_basename[basename]
        found.append((path, model, lookup))
    return found


def _urls():
    """Every URL the snapshot reads: each list (all its pages are followed), each detail and
    action of each object, the W3C form of each article's spans, each public ruling page."""
    from annotations.models import Article, Ruling

    urls = []
    for path, model, lookup in _endpoints():
        if model is None:
            urls.append(path)
            continue
        param = path[path.index("{") : path.index("}") + 1]
        for value in model._base_manager.order_by("pk").values_list(lookup, flat=True):
            urls.append(path.replace(param, str(value)))
    urls += [f"/api/v1/articles/{slug}/annotations/?format=jsonld" for slug in _slugs(Article)]
    urls += [f"/rulings/{slug}/" for slug in _slugs(Ruling)]
    return urls


def _slugs(model):
    return model._base_manager.order_by("pk").values_list("slug", flat=True)


def responses(client):
    """url -> what the service answered: status, media type, ETag and the body, byte for byte;
    lists are followed page by page through `next`."""
    answers = {}
    todo = _urls()
    while todo:
        url = todo.pop(0)
        if url in answers:
            continue
        response = client.get(url)
        streamed = getattr(response, "streaming", False)
        raw = b"".join(response.streaming_content) if streamed else response.content
        body = raw.decode()
        answers[url] = {
            "status": response.status_code,
            "type": response.get("Content-Type"),
            "etag": response.get("ETag"),
            "body": body,
        }
        if response.status_code == 200 and response.get("Content-Type") == "application/json":
            data = json.loads(body)
            if isinstance(data, dict) and data.get("next"):
                todo.insert(0, data["next"].removeprefix("http://testserver"))
    return answers


def api(token=None):
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    anonymous = APIClient()
    editor = APIClient()
    if token:
        editor.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    else:
        editor.force_authenticate(get_user_model().objects.get(username=EDITOR))
    return {"anonymous": responses(anonymous), "editor": responses(editor)}


def snapshot(args):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    state = {"tables": tables(), "unapplied_migrations": [str(m) for m, _ in unapplied]}
    state["api"] = api(args.token)
    if args.probe_token:
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {args.probe_token}")
        state["probe_token"] = client.get("/api/v1/rulings/?status=draft").status_code
    if args.credentials:
        users = get_user_model().objects
        state["logins"] = {
            name: users.filter(username=name).first().check_password(password)
            for name, password in (
                line.split(" ", 1) for line in Path(args.credentials).read_text().splitlines()
            )
        }
    return state


def _edit_an_article():
    """A body edit that moves every span after it, changes one span's text (re-anchored by the
    fuzzy search) and removes another's sentence (orphaned)."""
    from django.contrib.auth import get_user_model

    from annotations import services
    from annotations.models import Annotation, Article

    article = Article.objects.get(slug="timenews-situation-under-control")
    spans = list(Annotation.objects.filter(article=article).order_by("start"))
    changed, orphaned = spans[0], spans[-1]
    body = article.body
    body = body[: orphaned.start] + "[This passage was removed.]" + body[orphaned.end :]
    # One word of the first span's quote replaced: the quote is still found, approximately.
    words = changed.quote.split(" ")
    words[len(words) // 2] = words[len(words) // 2].upper() + "S"
    body = body[: changed.start] + " ".join(words) + body[changed.end :]
    body = "Editor's note: this article was corrected on publication.\n\n" + body
    editor = get_user_model().objects.get(username=EDITOR)
    report = services.article_update(article=article, body=body, user=editor)
    assert report.counts["moved"] and report.counts["changed"] and report.counts["orphaned"], (
        report.counts
    )
    return dict(report.counts)


def _admin_work():
    """What an admin does in the admin: a group with permissions, a user, the user's token."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.test import Client
    from rest_framework.authtoken.models import Token

    users = get_user_model().objects
    client = Client()
    client.force_login(users.get(username="admin"))

    def post(url, data):
        response = client.post(url, data)
        if response.status_code != 302:
            raise SystemExit(f"{url}: {response.status_code}\n{response.content.decode()[:3000]}")

    readers = Permission.objects.filter(
        content_type__app_label="annotations", codename__in=["view_article", "view_ruling"]
    )
    post(
        "/admin/auth/group/add/",
        {"name": "interns", "permissions": [p.pk for p in readers]},
    )
    password = secrets.token_urlsafe(16)
    post(
        "/admin/auth/user/add/",
        {"username": "intern", "usable_password": "true", "password1": password,
         "password2": password},
    )  # fmt: skip
    intern = users.get(username="intern")
    intern.groups.add(Group.objects.get(name="interns"))
    intern.user_permissions.add(Permission.objects.get(codename="view_review"))
    post("/admin/authtoken/tokenproxy/add/", {"user": intern.pk})
    assert Token.objects.filter(user=intern).exists()


def _register_a_webhook():
    """An admin registers a webhook endpoint in the admin, before the rulings are published:
    their publications, retraction and supersession each leave a delivery row."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from annotations.models import WebhookEndpoint

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.post(
        "/admin/annotations/webhookendpoint/add/",
        {
            # An address literal: resolves without DNS, and is a public one (the check refuses
            # private addresses). Nothing is sent: no worker runs here.
            "url": "https://93.184.215.14/hooks/factcheck",
            "description": "aggregator",
            "events": ["ruling.published", "ruling.retracted", "ruling.superseded"],
            "active": "on",
        },
    )
    if response.status_code != 302:
        raise SystemExit(f"webhook endpoint: {response.status_code}\n{response.content[:3000]}")
    assert WebhookEndpoint.objects.count() == 1


def _dismiss_a_suggestion():
    """The editor dismisses one of an article's claim-matching suggestions (issue 17)."""
    from django.contrib.auth import get_user_model

    from annotations import services
    from annotations.models import Article, Ruling

    article = Article.objects.order_by("pk").first()
    services.suggestion_dismiss(
        article=article,
        ruling=Ruling.objects.order_by("pk").first(),
        start=0,
        end=min(40, len(article.body)),
        user=get_user_model().objects.get(username=EDITOR),
    )


def build(args):
    from django.core.management import call_command

    workdir = Path(args.workdir)
    out = StringIO()
    os.chdir(ROOT)
    call_command("import_articles", "seeds/", stdout=out, stderr=out)
    call_command(
        "create_demo_users", "--credentials-file", str(workdir / "demo-accounts.txt"), stdout=out
    )
    _register_a_webhook()
    call_command("load_annotations", "fixtures/", stdout=out, stderr=out)
    edit = _edit_an_article()
    _dismiss_a_suggestion()
    token = StringIO()
    call_command("api_token", EDITOR, stdout=token)
    _admin_work()
    exports = {}
    for name, extra in (("full", ["--with-secrets"]), ("bare", [])):
        err = StringIO()
        call_command("export_all", str(workdir / f"{name}.jsonl"), *extra, stderr=err)
        exports[name] = err.getvalue()
    return {"edit": edit, "token": token.getvalue().strip(), "exports": exports}


def restore(args):
    from django.core.management import CommandError, call_command

    out = StringIO()
    try:
        call_command("import_all", args.file, stdout=out)
    except CommandError as exc:
        return {"output": out.getvalue(), "error": str(exc)}
    return {"output": out.getvalue(), "error": None}


def main():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    django.setup()
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["build", "restore", "snapshot"])
    parser.add_argument("target", nargs="?", help="build: WORKDIR; restore: FILE")
    parser.add_argument("--token")
    parser.add_argument("--credentials")
    parser.add_argument("--probe-token")
    args = parser.parse_args()
    result = {}
    if args.command == "build":
        args.workdir = args.target
        result = build(args)
        args.token = args.token or result["token"]
    elif args.command == "restore":
        args.file = args.target
        result = restore(args)
    result["snapshot"] = snapshot(args)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
