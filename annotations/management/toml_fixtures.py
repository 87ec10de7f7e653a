"""Curated fixtures in TOML ([[users]], [[rulings]], [[spans]]): what load_annotations reads
from a .toml file, entry by entry, through the services. Errors name the file, line and entry."""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError

from annotations import services
from annotations.errors import ServiceError
from annotations.management.fixture_files import TOML_TABLES, TomlLines, file_line, read_text
from annotations.models import (
    PUBLIC_STATUSES,
    Annotation,
    Article,
    ClaimantKind,
    Kind,
    Rating,
    Ruling,
    Status,
)
from annotations.services import STATUS_ORDER

DEFAULT_AUTHOR = "annotator"

USER_KEYS = {"username", "group"}
RULING_KEYS = {
    "slug",
    "claim",
    "claimant",
    "claimant_kind",
    "claimant_url",
    "sources",
    "statement",
    "rating",
    "summary",
    "status",
    "author",
    "reviewer",
    "retraction_reason",
    "supersedes",
}
SPAN_KEYS = {
    "article", "kind", "quote", "prefix", "suffix", "near", "note", "speaker", "rulings", "author",
}  # fmt: skip
W3C_SUFFIXES = {".json", ".jsonld"}
SUFFIXES = {".toml", *W3C_SUFFIXES}


class Problem(Exception):
    """Why one entry cannot be loaded; the caller prefixes where the entry is."""


# What a ruling in the file is compared on when it already exists (the loader never changes an
# author: no service does).
RULING_CONTENT = (
    "claim", "claimant", "claimant_kind", "claimant_url", "statement", "rating", "summary",
    "sources",
)  # fmt: skip
# A file's key where the ruling's field is named otherwise.
RULING_FIELD = {"claimant": "claimant_name"}


def fields_of(ruling, key):
    return getattr(ruling, RULING_FIELD.get(key, key))


# What to do instead when a ruling past draft differs from its file.
HELD_HINTS = {
    Status.IN_REVIEW: "an editor's request for changes sends it back to draft",
    Status.PUBLISHED: "a published ruling is retracted and superseded, never edited",
    Status.RETRACTED: "a retracted ruling is never edited",
}


@dataclass
class Counts:
    rulings: int = 0
    updated: int = 0
    spans: int = 0
    links: int = 0
    unchanged: int = 0
    warnings: int = 0

    def __str__(self):
        return (
            f"{self.rulings} rulings created, {self.updated} rulings updated, "
            f"{self.spans} spans created, {self.links} links created, "
            f"{self.unchanged} unchanged, {self.warnings} warnings"
        )


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _string(row: dict, key: str, *, required=False, default="") -> str:
    value = row.get(key)
    if value is None:
        if required:
            raise Problem(f"{key} is required.")
        return default
    if not isinstance(value, str):
        raise Problem(f"{key} must be a string; got {value!r}.")
    if required and not value.strip():
        raise Problem(f"{key} must not be empty.")
    return value


def _check_keys(row, known: set, what: str):
    if not isinstance(row, dict):
        raise Problem(f"a {what} must be a table.")
    unknown = sorted(set(row) - known)
    if unknown:
        raise Problem(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(known))}).")


def _article(slug: str) -> Article:
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        raise Problem(f"unknown article {slug!r}.")
    return article


def _ruling(slug: str) -> Ruling:
    ruling = Ruling.objects.filter(slug=slug).first()
    if ruling is None:
        raise Problem(f"unknown ruling {slug!r}.")
    return ruling


def _user(username: str, role: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise Problem(
            f"unknown {role} {username!r}: no such user, and the file does not list it "
            "under [[users]]."
        )
    return user


def _check_choice(what: str, value: str, choices):
    # A file's words for a bad value: "unknown kind 'opinion' (known: claim, ...)".
    if value not in choices.values:
        raise Problem(f"unknown {what} {value!r} (known: {', '.join(choices.values)}).")


class TomlFixtures:
    """The TOML half of load_annotations (a mixin of its Command: `_say`, `_warn`, `counts`
    and `place_span` come from there)."""

    def load_toml(self, path: Path, counts: Counts):
        text = read_text(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # Python 3.11's error carries its position only in the message.
            match = re.search(r"at line (\d+)", str(exc))
            line = match.group(1) if match else None
            raise CommandError(f"{file_line(path, line)}: not valid TOML: {exc}") from None
        lines = TomlLines(text, data)
        unknown = sorted(set(data) - set(TOML_TABLES))
        if unknown:
            raise CommandError(
                f"{path}: unknown table {unknown[0]!r} (expected [[users]], [[rulings]], [[spans]])"
            )
        tables = {}
        for table in TOML_TABLES:
            rows = data.get(table, [])
            if not isinstance(rows, list):
                raise CommandError(f"{path}: {table} must be an array of tables ([[{table}]])")
            tables[table] = rows

        def fail(table, index, label, exc, key=None):
            line = lines.key(table, index, key) if key else lines.header(table, index)
            reason = exc.message if isinstance(exc, ServiceError) else str(exc)
            noun = table[:-1]
            return CommandError(f"{file_line(path, line)}: {noun} {index + 1} ({label}): {reason}")

        # (a) users
        for index, row in enumerate(tables["users"]):
            label = row.get("username") if isinstance(row, dict) else None
            try:
                self._load_user(row)
            except Problem as exc:
                raise fail("users", index, label, exc) from None

        # (b) rulings: each new one created as a draft by its author, each existing one compared
        # with the file (a draft is brought up to date; any other is held back, with a warning)
        rulings, created, updated, held = {}, set(), set(), set()
        for index, row in enumerate(tables["rulings"]):
            label = row.get("slug") if isinstance(row, dict) else None

            def where(key, index=index):
                return file_line(path, lines.key("rulings", index, key))

            try:
                slug, outcome, differing = self._load_ruling(row, where)
            except (Problem, ServiceError) as exc:
                raise fail("rulings", index, label, exc) from None
            if slug in rulings:
                raise fail("rulings", index, label, Problem("slug appears twice in this file."))
            rulings[slug] = (index, row)
            if outcome == "created":
                created.add(slug)
                counts.rulings += 1
            elif outcome == "updated":
                updated.add(slug)
                counts.updated += 1
                self._say(f"{where(differing[0])}: ruling {slug} updated ({', '.join(differing)})")
            elif outcome == "held":
                held.add(slug)

        # (c) spans; which spans the file links to each of its rulings
        linked = {slug: set() for slug in rulings}
        for index, row in enumerate(tables["spans"]):
            label = row.get("article") if isinstance(row, dict) else None
            try:
                outcome, span = self._load_span(row, counts)
            except (Problem, ServiceError) as exc:
                raise fail("spans", index, label, exc, key="quote") from None
            for slug in row.get("rulings", []):
                linked.setdefault(slug, set()).add(span.pk)
            self._say(f"{file_line(path, lines.key('spans', index, 'quote'))}: span {outcome}")

        # A link the file no longer lists is never removed (someone may have made it in the
        # admin, and a published ruling's links cannot change), but it is not passed over either.
        for slug, (index, _row) in rulings.items():
            ruling = Ruling.objects.get(slug=slug)
            extra = ruling.annotations.exclude(pk__in=linked[slug]).select_related("article")
            for span in extra.order_by("article__slug", "start", "kind"):
                self._warn(
                    f"{file_line(path, lines.header('rulings', index))}: ruling {slug!r} is linked "
                    f"to span {span.pk} ({span.kind} in {span.article.slug}: "
                    f"{_excerpt(span.quote)!r}), which the file does not link to it: left as it is."
                )

        # (d) each ruling to its status, in file order (a superseded ruling first)
        done, started = {}, set()

        def drive(slug):
            if slug in done or slug in held:
                return
            index, row = rulings[slug]
            if slug in started:
                raise fail("rulings", index, slug, Problem("supersedes forms a cycle."))
            started.add(slug)
            old_slug = row.get("supersedes")
            if old_slug in rulings:
                drive(old_slug)
            try:
                done[slug] = self._drive_ruling(slug, row)
            except (Problem, ServiceError) as exc:
                raise fail("rulings", index, slug, exc) from None

        for slug in rulings:
            drive(slug)
        for slug, changed in done.items():
            if changed:
                self._say(f"ruling {slug}: now {Ruling.objects.get(slug=slug).status}")
            elif slug not in created and slug not in updated:
                counts.unchanged += 1
        counts.unchanged += len(held)

    def _load_user(self, row):
        _check_keys(row, USER_KEYS, "user")
        username = _string(row, "username", required=True)
        group_name = _string(row, "group")
        group = None
        if group_name:
            group = Group.objects.filter(name=group_name).first()
            if group is None:
                raise Problem(f"unknown group {group_name!r}.")
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, is_staff=True)
            # create_demo_users gives the demo accounts their passwords.
            user.set_unusable_password()
            user.save()
            self._say(f"user {username}: created")
        if group is not None and not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)

    def _load_ruling(self, row, where) -> tuple[str, str, list[str]]:
        """Creates the ruling as a draft by its author, or compares it with the one that exists.

        Returns (slug, outcome, differing keys): "created"; "unchanged"; "updated" (a draft
        whose statement, rating or summary differed, changed through the service by its
        author); or "held" (a ruling past draft that differs from the file: left as it is, with
        a warning). `where(key)` is the file and line of the ruling's key, for warnings.
        """
        _check_keys(row, RULING_KEYS, "ruling")
        slug = _string(row, "slug", required=True)
        status = _string(row, "status", default=Status.DRAFT)
        _check_choice("status", status, Status)
        for key in ("summary", "reviewer", "retraction_reason", "supersedes"):
            _string(row, key)
        author = _user(_string(row, "author", default=DEFAULT_AUTHOR), "author")
        if row.get("reviewer"):
            _user(row["reviewer"], "reviewer")
        wanted = {
            "claim": _string(row, "claim").strip(),
            "claimant": _string(row, "claimant").strip(),
            "claimant_kind": _string(row, "claimant_kind", default=ClaimantKind.UNKNOWN),
            "claimant_url": _string(row, "claimant_url").strip(),
            "statement": _string(row, "statement", required=True).strip(),
            "rating": _string(row, "rating", required=True),
            "summary": _string(row, "summary"),
            # As the service stores them, so that a reload compares like with like.
            "sources": services.clean_sources(row.get("sources", [])),
        }
        _check_choice("rating", wanted["rating"], Rating)
        _check_choice("claimant kind", wanted["claimant_kind"], ClaimantKind)
        fields = {RULING_FIELD.get(key, key): value for key, value in wanted.items()}
        ruling = Ruling.objects.filter(slug=slug).select_related("author").first()
        if ruling is None:
            services.ruling_create(author=author, slug=slug, **fields)
            return slug, "created", []
        differing = [
            key
            for key in RULING_CONTENT
            if getattr(ruling, RULING_FIELD.get(key, key)) != wanted[key]
        ]
        # A retraction's reason is part of what the public sees of a retracted ruling.
        reason = row.get("retraction_reason")
        retracted = ruling.status == Status.RETRACTED
        if retracted and reason is not None and ruling.retraction_reason != reason.strip():
            differing.append("retraction_reason")
        if ruling.author_id != author.pk:
            # No service changes a ruling's author, so this one is only reported.
            self._warn(
                f"{where('author')}: ruling {slug!r} is by "
                f"{ruling.author.username!r}, not {author.username!r} as the file says; the "
                "loader does not change authors: left as it is."
            )
        if not differing:
            return slug, "unchanged", []
        if ruling.status != Status.DRAFT:
            self._warn(
                f"{where(differing[0])}: ruling {slug!r} is {ruling.status_words} and differs "
                f"from the file in {', '.join(differing)}; only drafts are updated from a file "
                f"({HELD_HINTS[ruling.status]}): left as it is, and its status is not advanced."
            )
            return slug, "held", differing
        services.ruling_update(
            ruling=ruling,
            user=ruling.author,
            **{RULING_FIELD.get(key, key): wanted[key] for key in differing},
        )
        return slug, "updated", differing

    def _load_span(self, row, counts) -> tuple[str, Annotation]:
        _check_keys(row, SPAN_KEYS, "span")
        article = _article(_string(row, "article", required=True))
        kind = _string(row, "kind", required=True)
        _check_choice("kind", kind, Kind)
        quote = _string(row, "quote", required=True)
        slugs = row.get("rulings", [])
        if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
            raise Problem("rulings must be a list of ruling slugs.")
        return self.place_span(
            article=article,
            kind=kind,
            author=_user(_string(row, "author", default=DEFAULT_AUTHOR), "author"),
            quote=quote,
            prefix=_string(row, "prefix"),
            suffix=_string(row, "suffix"),
            near=row.get("near"),
            note=_string(row, "note"),
            speaker=_string(row, "speaker"),
            rulings=[_ruling(slug) for slug in dict.fromkeys(slugs)],
            counts=counts,
        )

    def _drive_ruling(self, slug, row) -> bool:
        """Moves the ruling forward to the file's status; True if anything changed."""
        ruling = Ruling.objects.select_related("author").get(slug=slug)
        target = row.get("status", Status.DRAFT)
        reviewer = _user(row["reviewer"], "reviewer") if row.get("reviewer") else None
        changed = False
        old_slug = row.get("supersedes")
        if old_slug:
            old = _ruling(old_slug)
            if ruling.supersedes_id != old.pk:
                if ruling.status in PUBLIC_STATUSES:
                    self._warn(
                        f"ruling {slug!r} is {ruling.status_words}: its supersedes cannot be "
                        f"set to {old_slug!r} any more; left as it is."
                    )
                else:
                    # Replacing a retracted ruling is an editor's act, and whoever makes that
                    # change may not approve the result (four eyes): the author does it, and
                    # the service refuses an author who is not an editor.
                    ruling = services.ruling_update(
                        ruling=ruling, user=ruling.author, supersedes=old
                    )
                    changed = True
        position, wanted = STATUS_ORDER.index(ruling.status), STATUS_ORDER.index(target)
        if position > wanted:
            self._warn(
                f"ruling {slug!r} is already {ruling.status_words}, past the file's {target}; "
                "left as it is."
            )
            return changed
        before = ruling.status
        ruling = services.ruling_advance(
            ruling=ruling,
            status=target,
            reviewer=reviewer,
            reason=row.get("retraction_reason", ""),
        )
        return changed or ruling.status != before
