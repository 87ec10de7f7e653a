import sys
from pathlib import Path

import orjson
from django.contrib.postgres.expressions import ArraySubquery
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F, OuterRef

from annotations.models import Annotation, AnnotationRuling

FIELDS = (
    "id",
    "article",
    "kind",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "note",
    "author",
    "state",
    "version",
    "rulings",
    "created_at",
    "updated_at",
)
# Rows fetched per round trip of the server-side cursor: memory stays flat whatever the count.
CHUNK = 5000


def span_rows():
    slugs = (
        AnnotationRuling.objects.filter(annotation=OuterRef("pk"))
        .order_by("ruling_id")
        .values("ruling__slug")
    )
    return (
        Annotation.objects.order_by("id")
        .annotate(
            article_slug=F("article__slug"),
            author_name=F("author__username"),
            ruling_slugs=ArraySubquery(slugs),
        )
        .values_list(
            "id",
            "article_slug",
            "kind",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "note",
            "author_name",
            "state",
            "version",
            "ruling_slugs",
            "created_at",
            "updated_at",
        )
    )


class Command(BaseCommand):
    help = (
        "Writes every span (anchored and orphaned, with the slugs of all its rulings) as JSON "
        "Lines, in the API's field names and code-point offsets, to PATH or stdout. Streamed "
        "from a server-side cursor, so memory does not grow with the number of spans."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="output file (default: stdout)")

    def handle(self, *args, path=None, **options):
        out = path.open("wb") if path else sys.stdout.buffer
        count = 0
        try:
            # Inside a transaction the cursor is a plain one; in autocommit Django declares it
            # WITH HOLD, which makes PostgreSQL materialise the whole result first.
            with transaction.atomic():
                for row in span_rows().iterator(chunk_size=CHUNK):
                    out.write(orjson.dumps(dict(zip(FIELDS, row, strict=True))) + b"\n")
                    count += 1
        finally:
            if path:
                out.close()
            else:
                out.flush()
        self.stderr.write(f"Exported {count:,} spans.")
