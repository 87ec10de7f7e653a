"""Reading articles from files (.txt with optional .toml metadata, .json, .jsonl): the
`import_articles` command and the admin's upload read them the same way, and the import
service (services.article_create / article_update) stores them."""

import datetime
import json
import tomllib
from pathlib import Path

from django.utils.text import slugify

from annotations import services

METADATA_KEYS = {"slug", *services.ARTICLE_FIELDS}


class BadFile(Exception):
    pass


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
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
    body = decode(path.read_bytes())
    meta_path = path.with_suffix(".toml")
    meta = {}
    if meta_path.exists():
        try:
            meta = tomllib.loads(decode(meta_path.read_bytes()))
        except BadFile as exc:
            raise BadFile(f"metadata {meta_path.name}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise BadFile(f"metadata {meta_path.name} cannot be parsed: {exc}") from None
    meta = _clean_metadata(meta, f"metadata {meta_path.name}")
    meta.setdefault("slug", slugify(path.stem))
    return {**meta, "body": body}


def read_json_articles(path: Path) -> list[tuple[str, dict | BadFile]]:
    """A JSON array of articles, or JSON Lines with one article per line."""
    return json_articles(str(path), path.read_bytes(), lines=path.suffix == ".jsonl")


def json_articles(name: str, data: bytes, *, lines: bool) -> list[tuple[str, dict | BadFile]]:
    """The articles of a JSON file's bytes (an array, one object, or with `lines` JSON Lines),
    each with where it was read (`name:line` or `name[i]`) or the reason it was refused."""
    path = name
    text = decode(data)
    if not text.strip():
        raise BadFile("empty file")
    if lines:
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
