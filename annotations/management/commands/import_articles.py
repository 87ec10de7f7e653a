import datetime
import json
import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify
from tqdm import tqdm

from annotations import services
from annotations.errors import ServiceError
from annotations.models import Article

METADATA_KEYS = {"slug", *services.ARTICLE_FIELDS}
# Below this many articles a progress bar is more noise than help.
PROGRESS_MIN = 20


class BadFile(Exception):
    pass


def _decode(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadFile(
            f"not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        ) from None


def _clean_metadata(meta: dict, where: str) -> dict:
    if not isinstance(meta, dict):
        raise BadFile(f"{where}: expected a table/object of metadata")
    unknown = set(meta) - METADATA_KEYS - {"body"}
    if unknown:
        raise BadFile(
            f"{where}: unknown key {sorted(unknown)[0]!r} "
            f"(known: {', '.join(sorted(METADATA_KEYS))})"
        )
    clean = {}
    for key, value in meta.items():
        if key == "body":
            continue
        if key == "published_on":
            if value in (None, ""):
                value = None
            elif isinstance(value, str):
                try:
                    value = datetime.date.fromisoformat(value)
                except ValueError:
                    raise BadFile(
                        f"{where}: published_on must be a date YYYY-MM-DD; got {value!r}"
                    ) from None
            elif not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
                raise BadFile(f"{where}: published_on must be a date YYYY-MM-DD; got {value!r}")
        elif not isinstance(value, str):
            raise BadFile(f"{where}: {key} must be a string; got {value!r}")
        clean[key] = value
    return clean


def read_text_article(path: Path) -> dict:
    """A .txt body with optional metadata in a .toml file of the same name beside it."""
    body = _decode(path)
    meta_path = path.with_suffix(".toml")
    meta = {}
    if meta_path.exists():
        try:
            meta = tomllib.loads(_decode(meta_path))
        except BadFile as exc:
            raise BadFile(f"metadata {meta_path.name}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise BadFile(f"metadata {meta_path.name} cannot be parsed: {exc}") from None
    meta = _clean_metadata(meta, f"metadata {meta_path.name}")
    meta.setdefault("slug", slugify(path.stem))
    return {**meta, "body": body}


def read_json_articles(path: Path) -> list[tuple[str, dict | BadFile]]:
    """A JSON array of articles, or JSON Lines with one article per line."""
    text = _decode(path)
    if not text.strip():
        raise BadFile("empty file")
    if path.suffix == ".jsonl":
        items = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append((f"{path}:{number}", json.loads(line)))
            except json.JSONDecodeError as exc:
                items.append((f"{path}:{number}", BadFile(f"not valid JSON: {exc}")))
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadFile(f"not valid JSON: {exc}") from None
        if not isinstance(data, list):
            data = [data]
        items = [(f"{path}[{i}]", item) for i, item in enumerate(data)]
    out = []
    for where, item in items:
        if isinstance(item, BadFile):
            out.append((where, item))
            continue
        try:
            meta = _clean_metadata(item, where)
            body = item.get("body")
            if not isinstance(body, str):
                raise BadFile(f"{where}: body must be a string")
            if "slug" not in meta:
                raise BadFile(f"{where}: slug is required")
            out.append((where, {**meta, "body": body}))
        except BadFile as exc:
            out.append((where, exc))
    return out


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
