from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotations import services
from annotations.article_files import BadFile, read_json_articles, read_text_article
from annotations.errors import ServiceError
from annotations.models import Article

# Below this many articles a progress bar is more noise than help.
PROGRESS_MIN = 20


class Command(BaseCommand):
    help = (
        "Imports articles from .txt files (metadata in a .toml file of the same name) and from "
        ".json/.jsonl files; a folder imports every such file in it. Bodies are normalised once "
        "(CRLF/CR to LF, Unicode NFC, trailing whitespace trimmed). Idempotent: an article whose "
        "slug exists is updated only if something differs (a metadata key left out means empty), "
        "and a body change re-anchors its spans. A bad file, or a slug already read from another "
        "file in the same run, is reported and skipped; the command then exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)

    def _collect(self, paths):
        files = []
        for path in paths:
            if path.is_dir():
                files.extend(
                    sorted(p for p in path.iterdir() if p.suffix in {".txt", ".json", ".jsonl"})
                )
            elif path.exists():
                files.append(path)
            else:
                files.append(path)  # reported as missing below
        return files

    def _read(self, files):
        items = []
        for path in files:
            try:
                if not path.exists():
                    raise BadFile("no such file")
                if path.suffix in {".json", ".jsonl"}:
                    items.extend(read_json_articles(path))
                elif path.suffix == ".txt":
                    items.append((str(path), read_text_article(path)))
                else:
                    raise BadFile("unknown file type (expected .txt, .json or .jsonl)")
            except BadFile as exc:
                items.append((str(path), exc))
            except OSError as exc:
                items.append((str(path), BadFile(f"cannot be read: {exc.strerror}")))
        return items

    def _import_one(self, data):
        body = data.pop("body")
        if not body.strip():  # what normalising leaves of it
            raise BadFile("empty body")
        slug = data.pop("slug")
        existing = Article.objects.filter(slug=slug).first()
        if existing is None:
            services.article_create(slug=slug, body=body, **data)
            return "created"
        # The file is the whole record: a key deleted from it empties the field (the model's
        # default, as a new article would get) rather than keeping the old value.
        wanted = {
            name: data.get(name, Article._meta.get_field(name).get_default())
            for name in services.ARTICLE_FIELDS
        }
        metadata = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
        new_body = services.body_differs(existing, body)
        if not metadata and not new_body:
            return "unchanged"
        services.article_update(article=existing, body=body if new_body else None, **metadata)
        return "updated"

    def handle(self, *args, paths, **options):
        items = self._read(self._collect(paths))
        counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        failures = []
        first_read = {}  # slug -> where it was first read
        progress = tqdm(
            total=len(items),
            disable=len(items) < PROGRESS_MIN,
            file=self.stderr._out,
            unit="article",
            desc="importing",
        )
        for where, data in items:
            try:
                if isinstance(data, BadFile):
                    raise data
                # A second file with the same slug would silently replace the first one's text.
                earlier = first_read.setdefault(data["slug"], where)
                if earlier != where:
                    raise BadFile(
                        f"slug {data['slug']!r} repeats the one in {earlier}; one file per slug"
                    )
                outcome = self._import_one(dict(data))
            except (BadFile, ServiceError) as exc:
                outcome = "failed"
                failures.append(f"{where}: {getattr(exc, 'message', exc)}")
            counts[outcome] += 1
            if outcome != "failed" and options["verbosity"] >= 2:
                self.stdout.write(f"{where}: {outcome}")
            progress.update(1)
        progress.close()
        for failure in failures:
            self.stderr.write(f"error: {failure}")
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        self.stdout.write(summary)
        if failures:
            raise CommandError(f"{len(failures)} article file(s) could not be imported")
