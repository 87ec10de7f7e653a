import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotations import services, standards
from annotations.errors import ServiceError
from annotations.management.fixture_files import read_text
from annotations.management.toml_fixtures import (
    DEFAULT_AUTHOR,
    SUFFIXES,
    W3C_SUFFIXES,
    Counts,
    Problem,
    TomlFixtures,
    _ruling,
    _user,
)
from annotations.models import Annotation, Article
from annotations.standards import W3CError


class Command(TomlFixtures, BaseCommand):
    help = (
        "Loads curated rulings and spans: TOML fixtures ([[users]], [[rulings]], [[spans]]) and "
        "W3C Web Annotation JSON-LD (.json/.jsonld: an Annotation, a list, or an AnnotationPage); "
        "a folder loads every such file in it. Every write goes through the services: a span is "
        "placed by its quote (prefix and near choose among repeats), and each ruling is driven "
        "to its status by submit, an approval by its reviewer, and retraction. Idempotent: a "
        "span already anchored at the same article, kind and offsets only gains missing links, "
        "and a ruling already at its status is left alone. A ruling that exists is compared with "
        "the file: a draft whose statement, rating or summary differs is updated to match; any "
        "other ruling is left as it is (published rulings are not edited) with a warning naming "
        "the file, line and ruling, as is a ruling linked to spans the file does not link to it. "
        "Any error (file, line or item, and reason) stops the load and leaves the database as it "
        "was."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument(
            "--author",
            default=DEFAULT_AUTHOR,
            help="username that authors spans read from W3C JSON-LD files (default: annotator)",
        )

    def handle(self, *args, paths, author, **options):
        self.verbosity = options["verbosity"]
        files = []
        for path in paths:
            if path.is_dir():
                files.extend(sorted(p for p in path.iterdir() if p.suffix in SUFFIXES))
            else:
                files.append(path)
        counts = self.counts = Counts()
        # The whole load is one transaction: an error anywhere leaves the database as it was.
        with transaction.atomic():
            for path in files:
                if path.suffix == ".toml":
                    self.load_toml(path, counts)
                elif path.suffix in W3C_SUFFIXES:
                    self.load_w3c(path, author, counts)
                else:
                    raise CommandError(
                        f"{path}: unknown file type (expected .toml, .json or .jsonld)"
                    )
        self.stdout.write(str(counts))

    def _say(self, message):
        if self.verbosity >= 2:
            self.stdout.write(message)

    def _warn(self, message):
        self.counts.warnings += 1
        self.stderr.write(f"warning: {message}")

    # --- spans (both formats) -------------------------------------------------------------------

    def place_span(self, *, counts, **span) -> tuple[str, Annotation]:
        """Creates the span, or adds missing links to the same span made by an earlier load.

        Returns what happened ("created", "linked" or "unchanged") and the span.
        """
        placed = services.span_place_or_find(**span)
        for ruling in placed.closed:
            self._warn(
                f"span {placed.span.pk} is not linked to {ruling.status} ruling "
                f"{ruling.slug!r}, which can no longer change: link left out."
            )
        counts.spans += placed.outcome == "created"
        counts.unchanged += placed.outcome == "unchanged"
        counts.links += placed.links_added
        return placed.outcome, placed.span

    # --- W3C Web Annotation JSON-LD -------------------------------------------------------------

    def load_w3c(self, path: Path, author_name: str, counts: Counts):
        text = read_text(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        try:
            author = _user(author_name, "--author")
        except Problem as exc:
            raise CommandError(f"{path}: {exc}") from None
        try:
            items = standards.page_items(data)
        except W3CError as exc:
            raise CommandError(f"{path}: {exc}") from None
        for index, item in enumerate(items):
            place = f"{path}[{index}]"
            try:
                outcome, _span = self._load_w3c_item(item, author, counts)
            except (Problem, ServiceError, W3CError) as exc:
                reason = exc.message if isinstance(exc, ServiceError) else str(exc)
                raise CommandError(f"{place}: {reason}") from None
            self._say(f"{place}: span {outcome}")

    def _load_w3c_item(self, item, author, counts) -> tuple[str, Annotation]:
        parsed = standards.parse_annotation(item)
        return self.place_span(
            article=self._w3c_article(parsed.source),
            kind=parsed.kind,
            author=author,
            quote=parsed.quote,
            prefix=parsed.prefix,
            suffix=parsed.suffix,
            near=parsed.start,
            note=parsed.note,
            speaker=parsed.speaker,
            rulings=[_ruling(slug) for slug in parsed.rulings],
            counts=counts,
        )

    def _w3c_article(self, source: str) -> Article:
        article = Article.objects.filter(url=source).first()
        if article is not None:
            return article
        for slug in standards.article_slugs(source):
            article = Article.objects.filter(slug=slug).first()
            if article is not None:
                return article
        raise Problem(f"unknown article {source!r}: no article has this url or slug.")
