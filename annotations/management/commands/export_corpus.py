import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from annotations.models import AnchorState, Annotation, Article
from annotations.standards import corpora

FORMATS = {"doccano": "doccano JSONL", "labelstudio": "Label Studio JSON tasks"}


class Command(BaseCommand):
    help = (
        "Writes every article with its anchored spans for another annotation tool: doccano JSONL "
        "(--format doccano) or Label Studio JSON tasks (--format labelstudio), code-point "
        "offsets, our kinds as labels, to PATH or stdout. Orphaned spans have no place in the "
        "text and are left out (the count is printed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="output file (default: stdout)")
        parser.add_argument("--format", choices=sorted(FORMATS), required=True)

    def handle(self, *args, path=None, format, **options):
        spans = {}
        for article_id, start, end, kind in (
            Annotation.objects.filter(state=AnchorState.ANCHORED)
            .order_by("article_id", "start", "end", "kind")
            .values_list("article_id", "start", "end", "kind")
        ):
            spans.setdefault(article_id, []).append((start, end, kind))
        orphaned = Annotation.objects.filter(state=AnchorState.ORPHANED).count()
        out = path.open("w", encoding="utf-8") if path else sys.stdout
        articles = Article.objects.order_by("slug")
        try:
            if format == "doccano":
                for article in articles.iterator():
                    record = corpora.doccano_line(article, spans.get(article.pk, []))
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                tasks = [
                    corpora.label_studio_task(article, spans.get(article.pk, []))
                    for article in articles.iterator()
                ]
                json.dump(tasks, out, ensure_ascii=False, indent=1)
                out.write("\n")
        finally:
            if path:
                out.close()
            else:
                out.flush()
        count = sum(len(v) for v in spans.values())
        self.stderr.write(
            f"Exported {articles.count():,} articles and {count:,} spans as {FORMATS[format]}"
            + (f"; {orphaned:,} orphaned spans left out." if orphaned else ".")
        )
