"""CSV tables of spans and rulings, for spreadsheets: built from the rows the lists already read
(selectors' SpanRow and RulingRow), no queries of their own. One column per field, the API's
names, offsets in the unit asked for (`offsets(article_id, position)`, code points by default);
several values in one cell (ruling slugs, source URLs) are joined by
a space or " | "."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

SPAN_COLUMNS = (
    "id", "article", "kind", "start", "end", "quote", "prefix", "suffix", "note", "speaker",
    "author", "state", "version", "rulings", "created_at", "updated_at",
)  # fmt: skip
RULING_COLUMNS = (
    "slug", "claim", "claimant", "claimant_kind", "claimant_url", "statement", "rating",
    "status", "summary", "sources", "spans", "author", "version", "published_at",
    "retraction_reason", "supersedes", "superseded_by", "created_at", "updated_at",
)  # fmt: skip

# A cell a spreadsheet would run as a formula (OWASP's "CSV injection"): an article's text or a
# note starting with "=" could call out of the reader's machine. Such a cell gets a leading
# apostrophe, which spreadsheets hide and show the text as typed.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _as_stored(article_id, position):
    return position


def span_record(row, offsets=_as_stored) -> list[str]:
    return [
        _cell(v)
        for v in (
            row.id,
            row.article.slug,
            row.kind,
            offsets(row.article_id, row.start),
            offsets(row.article_id, row.end),
            row.quote,
            row.prefix,
            row.suffix,
            row.note,
            row.speaker,
            row.author.username,
            row.state,
            row.version,
            " ".join(r.slug for r in row.visible_rulings),
            row.created_at,
            row.updated_at,
        )  # fmt: skip
    ]


def ruling_record(row, offsets=_as_stored) -> list[str]:
    sources = " | ".join(s.get("url", "") for s in (row.sources or []))
    spans = " ".join(
        f"{s.article.slug}:{offsets(s.article_id, s.start)}-{offsets(s.article_id, s.end)}"
        for s in row.linked_spans
    )
    return [
        _cell(v)
        for v in (
            row.slug,
            row.claim,
            row.claimant_name,
            row.claimant_kind,
            row.claimant_url,
            row.statement,
            row.rating,
            row.status,
            row.summary,
            sources,
            spans,
            row.author.username,
            row.version,
            row.published_at,
            row.retraction_reason,
            row.supersedes.slug if row.supersedes else "",
            row.successor_slug or "",
            row.created_at,
            row.updated_at,
        )  # fmt: skip
    ]


def csv_lines(columns: tuple[str, ...], records: Iterable[list[str]]) -> Iterator[str]:
    """The header line, then one line per record (RFC 4180: CRLF, quotes where needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values):
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(columns)
    for record in records:
        yield line(record)
