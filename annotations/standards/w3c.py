"""W3C Web Annotation: our spans written as Annotations and AnnotationPages, and Annotations
from other tools (or our own exports) parsed back into what placing a span needs.

The writers take already-fetched objects and absolute URL builders; they run no queries of
their own, so list exports stay at a fixed number of queries. The parser is pure: it names
articles and rulings by URL and slug, and the caller looks them up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from ..models import Kind

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
W3C_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'

# W3C motivation of each kind: a claim is questioned, evidence is identified as support for a
# ruling, a disputed passage is assessed as contested. The kind itself is a classifying body.
MOTIVATIONS = {"claim": "questioning", "evidence": "identifying", "disputed": "assessing"}


def w3c_annotation(annotation, *, article_url: str, annotation_url: str, ruling_url: Callable):
    kind = {"type": "TextualBody", "purpose": "classifying", "value": annotation.kind}
    if annotation.speaker:
        # Reported speech: the words are the speaker's, so the classifying body (the claim,
        # evidence or disputed passage) names them as its creator. Documented in the README.
        kind["creator"] = {"name": annotation.speaker}
    body = [kind]
    if annotation.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": annotation.note})
    for ruling in annotation.visible_rulings:
        body.append(
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": ruling_url(ruling.slug),
                "label": ruling.statement,
            }
        )
    return {
        "id": annotation_url,
        "type": "Annotation",
        "motivation": MOTIVATIONS[annotation.kind],
        "created": annotation.created_at.isoformat(),
        "modified": annotation.updated_at.isoformat(),
        "creator": {"type": "Person", "nickname": annotation.author.username},
        "body": body,
        "target": {
            "source": article_url,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": annotation.quote,
                    "prefix": annotation.prefix,
                    "suffix": annotation.suffix,
                },
                # W3C positions count code points, as we store them.
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
            ],
        },
    }


def w3c_page(items: list, *, page_url: str, total: int):
    return {
        "@context": W3C_CONTEXT,
        "id": page_url,
        "type": "AnnotationPage",
        "partOf": {"id": page_url, "type": "AnnotationCollection", "total": total},
        "startIndex": 0,
        "items": items,
    }


# --- Parsing ------------------------------------------------------------------------------------

LINKING_PURPOSES = {"linking"}
KIND_PURPOSES = ("classifying", "tagging")


class W3CError(ValueError):
    """Why an Annotation cannot be read; the caller says where it is."""


@dataclass
class ParsedSpan:
    """What an Annotation says of a span: the article's URL (`source`), its kind, its quote and
    context, its position (`start`, a hint: the text may have changed since), its note and the
    slugs of the rulings it links to."""

    source: str
    kind: str
    quote: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    note: str = ""
    speaker: str = ""
    rulings: list[str] = field(default_factory=list)


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(obj) -> set:
    return {t for t in _as_list(obj.get("type", obj.get("@type"))) if isinstance(t, str)}


def slug_after(url: str, segment: str) -> list[str]:
    """The path segments of `url` after its last `/<segment>/`, percent-decoded."""
    path = urlparse(url).path if "://" in url else url.split("?")[0].split("#")[0]
    marker = f"/{segment}/"
    if marker not in "/" + path.lstrip("/"):
        return []
    rest = ("/" + path.lstrip("/")).rsplit(marker, 1)[1]
    return [unquote(part) for part in rest.split("/") if part]


def page_items(data) -> list:
    """The Annotations of a document: an Annotation, a list of them, an AnnotationPage, or an
    AnnotationCollection with its first page embedded."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        types = _types(data)
        if "AnnotationCollection" in types and isinstance(data.get("first"), dict):
            data = data["first"]
            types = _types(data)
        if "AnnotationPage" in types or ("items" in data and "Annotation" not in types):
            items = data.get("items")
            if not isinstance(items, list):
                raise W3CError("an AnnotationPage's items must be a list")
            return items
        return [data]
    raise W3CError("expected an Annotation, a list of them or an AnnotationPage")


def parse_annotation(item) -> ParsedSpan:
    """The inverse of w3c_annotation: parse_annotation(w3c_annotation(span)) gives back the
    span's kind, quote, context, start, note, speaker and ruling slugs. Reads what other tools write
    too: a kind as a classifying or tagging TextualBody, a note as a commenting one (or
    bodyValue), rulings as linking bodies whose URL ends in /rulings/<slug>/."""
    if not isinstance(item, dict) or "Annotation" not in _types(item):
        raise W3CError("not a W3C Annotation (type Annotation).")
    targets = _as_list(item.get("target"))
    if len(targets) != 1 or not isinstance(targets[0], dict):
        raise W3CError("target must be one object with source and selector.")
    target = targets[0]
    source = target.get("source", "")
    if not isinstance(source, str) or not source:
        raise W3CError("target.source (the article's URL) is required.")
    selectors = [s for s in _as_list(target.get("selector")) if isinstance(s, dict)]
    quote_selector = next((s for s in selectors if "TextQuoteSelector" in _types(s)), None)
    if quote_selector is None:
        raise W3CError("target has no TextQuoteSelector.")
    quote = quote_selector.get("exact")
    if not isinstance(quote, str) or not quote:
        raise W3CError("the TextQuoteSelector's exact is required.")
    position = next((s for s in selectors if "TextPositionSelector" in _types(s)), None)

    kind, note, speaker, rulings = None, "", "", []
    if isinstance(item.get("bodyValue"), str):
        note = item["bodyValue"]
    for body in _as_list(item.get("body")):
        if not isinstance(body, dict):
            continue
        purposes = set(_as_list(body.get("purpose")))
        types = _types(body)
        if "TextualBody" in types and purposes & set(KIND_PURPOSES):
            value = body.get("value")
            if value in Kind.values and kind is None:
                kind = value
                creator = body.get("creator")
                if isinstance(creator, dict) and isinstance(creator.get("name"), str):
                    speaker = creator["name"]
            elif "classifying" in purposes:
                raise W3CError(f"unknown kind {value!r} (known: {', '.join(Kind.values)}).")
        elif "TextualBody" in types and "commenting" in purposes:
            if isinstance(body.get("value"), str):
                note = body["value"]
        elif purposes & LINKING_PURPOSES:
            url = body.get("source") or body.get("id")
            parts = slug_after(url, "rulings") if isinstance(url, str) else []
            if not parts:
                raise W3CError(f"linking body {url!r} does not name a ruling (/rulings/<slug>/).")
            rulings.append(parts[0])
    if kind is None:
        raise W3CError(
            "no kind: give a TextualBody with purpose classifying and value "
            f"{', '.join(Kind.values)}."
        )
    return ParsedSpan(
        source=source,
        kind=kind,
        quote=quote,
        prefix=quote_selector.get("prefix") or "",
        suffix=quote_selector.get("suffix") or "",
        start=position.get("start") if position else None,
        note=note,
        speaker=speaker,
        rulings=list(dict.fromkeys(rulings)),
    )


def article_slugs(source: str) -> list[str]:
    """Slugs an Annotation's target source may name, most likely first: `.../articles/<slug>/`
    names the article last; `.../articles/<slug>/annotations/` (our own export) first."""
    parts = slug_after(source, "articles")
    return list(dict.fromkeys([parts[-1], parts[0]] if parts else []))
