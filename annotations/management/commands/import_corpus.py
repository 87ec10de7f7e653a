import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from annotations import services
from annotations.errors import ServiceError
from annotations.models import Article
from annotations.services.spans import find_duplicate
from annotations.standards import corpora


class Command(BaseCommand):
    help = (
        "Reads a doccano JSONL file (--format doccano) or Label Studio JSON tasks (--format "
        "labelstudio): each document becomes an article (by its slug; an existing article must "
        "have the same text) and each labelled span a span of that kind, through the services. "
        "Labels must be our kinds (claim, evidence, disputed, any case). All or nothing: any "
        "problem is reported with its line or task and the reason, and nothing is stored. "
        "Importing the same file twice adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=["doccano", "labelstudio"], required=True)
        parser.add_argument("--author", default="annotator", help="username that authors the spans")
        parser.add_argument(
            "--slug-prefix",
            default="",
            help="put before every document's slug (import a copy beside the originals)",
        )

    def handle(self, *args, path, format, author, slug_prefix, **options):
        user = get_user_model().objects.filter(username=author).first()
        if user is None:
            raise CommandError(f"--author {author!r}: no such user.")
        try:
            with path.open(encoding="utf-8") as f:
                docs = (
                    corpora.parse_doccano(f)
                    if format == "doccano"
                    else corpora.parse_label_studio(json.load(f))
                )
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}.") from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason}).") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: not JSON ({exc.msg}, line {exc.lineno}).") from None
        except corpora.CorpusError as exc:
            raise CommandError(self._problems(path, exc.problems)) from None

        created = articles = 0
        problems = []
        with transaction.atomic():
            for doc in docs:
                try:
                    article, new = self._article(doc, user, slug_prefix, path)
                    articles += new
                    for span in doc.spans:
                        if find_duplicate(article, span.kind, span.start, span.end) is None:
                            services.span_create(
                                article=article, kind=span.kind, author=user,
                                start=span.start, end=span.end,
                            )  # fmt: skip
                            created += 1
                except ServiceError as exc:
                    problems.append(f"{doc.where}: {exc.message}")
                except CommandError as exc:
                    problems.append(str(exc))
            if problems:
                transaction.set_rollback(True)
        if problems:
            raise CommandError(self._problems(path, problems))
        self.stdout.write(
            f"Imported {len(docs):,} documents ({articles:,} new articles), {created:,} new "
            f"spans, from {path}."
        )

    def _article(self, doc, user, prefix, path):
        slug = doc.metadata.get("slug") or slugify(doc.metadata.get("title", ""))[:150]
        if not slug:
            slug = f"{slugify(path.stem)}-{doc.where.split()[-1]}"
        slug = prefix + slug
        existing = Article.objects.filter(slug=slug).first()
        if existing is not None:
            if existing.body != doc.text:
                raise CommandError(
                    f"{doc.where}: article {slug!r} exists with another text; give the "
                    "document another slug (or --slug-prefix) to import it beside."
                )
            return existing, False
        metadata = {k: v for k, v in doc.metadata.items() if k != "slug"}
        return services.article_create(user=None, slug=slug, body=doc.text, **metadata), True

    @staticmethod
    def _problems(path, problems):
        shown = "\n".join(f"{path}: {p}" for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more." if len(problems) > 50 else ""
        return f"Nothing imported; {len(problems)} problem(s):\n{shown}{more}"
