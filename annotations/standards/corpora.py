"""Other annotation tools' corpus formats, written and read: doccano's JSONL and Label Studio's
JSON tasks. Pure: no database here; the commands export_corpus and import_corpus use these.

Both tools count offsets in code points of the text, as we do (Python `str` indices, end
exclusive), so offsets pass through unchanged.

- doccano (sequence labeling), one document a line: `{"text": ..., "label": [[start, end,
  "claim"], ...]}`. doccano's import takes every other key as the document's metadata and its
  export writes the metadata back as top-level keys, so our `slug`, `title`, `publisher`, `url`
  and `language` travel as such (also read from a `meta` object, the shape of doccano's
  examples).
- Label Studio, a JSON list of tasks: `{"data": {"text": ..., "slug": ...}, "annotations":
  [{"result": [{"type": "labels", "from_name": "label", "to_name": "text", "value": {"start",
  "end", "text", "labels": ["claim"]}}]}]}`. On import, the results of every annotation not
  marked `was_cancelled` are read, then those of `predictions` when there are no annotations.

A label is one of our kinds, in any case ("Claim", "EVIDENCE"); anything else is refused with
where it is and why, never guessed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..anchoring import normalize_body
from ..models import Kind

METADATA = ("slug", "title", "publisher", "author", "url", "language")
LABEL_STUDIO_RESULT = {"from_name": "label", "to_name": "text", "type": "labels"}


@dataclass(frozen=True)
class CorpusSpan:
    start: int
    end: int
    kind: str


@dataclass
class CorpusDocument:
    where: str  # "line 3" or "task 3": what a refusal names
    text: str
    metadata: dict = field(default_factory=dict)
    spans: list[CorpusSpan] = field(default_factory=list)


class CorpusError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# --- Writing -------------------------------------------------------------------------------------


def doccano_line(article, spans) -> dict:
    """One article as a doccano JSONL record; `spans` are (start, end, kind) in code points."""
    record = {"text": article.body, "label": [[s, e, k] for s, e, k in spans]}
    record.update({name: getattr(article, name) or "" for name in METADATA})
    return record


def label_studio_task(article, spans) -> dict:
    return {
        "data": {"text": article.body, **{n: getattr(article, n) or "" for n in METADATA}},
        "annotations": [
            {
                "result": [
                    {
                        "id": f"{article.slug}-{number}",
                        **LABEL_STUDIO_RESULT,
                        "value": {
                            "start": s,
                            "end": e,
                            "text": article.body[s:e],
                            "labels": [k],
                        },
                    }
                    for number, (s, e, k) in enumerate(spans, 1)
                ]
            }
        ],
    }


# --- Reading -------------------------------------------------------------------------------------


def _kind(label, where, problems):
    if isinstance(label, str) and label.strip().lower() in Kind.values:
        return label.strip().lower()
    problems.append(
        f"{where}: label {label!r} is not a kind here ({', '.join(Kind.values)}); "
        "rename it in the file or leave the span out."
    )
    return None


def _check_span(doc, start, end, quote, where, problems):
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)):
        problems.append(f"{where}: start and end must be integers; got {start!r}, {end!r}.")
        return False
    if not 0 <= start < end <= len(doc.text):
        problems.append(
            f"{where}: offsets {start}..{end} are not inside the text "
            f"({len(doc.text)} characters, end exclusive)."
        )
        return False
    if quote is not None and doc.text[start:end] != quote:
        problems.append(
            f"{where}: the text at {start}..{end} is {doc.text[start:end]!r}, "
            f"not the span's text {quote!r}."
        )
        return False
    return True


def _check_text(doc, problems):
    # The body is stored normalised and offsets count in it: a text that normalisation changes
    # before a span's end would move the span, so it is refused rather than silently shifted.
    if not isinstance(doc.text, str) or not doc.text.strip():
        problems.append(f"{doc.where}: text is missing or empty.")
        return False
    normal = normalize_body(doc.text)
    if normal != doc.text and not (
        doc.text.startswith(normal) and all(s.end <= len(normal) for s in doc.spans)
    ):
        problems.append(
            f"{doc.where}: the text is not in normal form (CRLF line ends, or characters not "
            "in Unicode NFC), so its offsets would not hold here; normalise it first."
        )
        return False
    doc.text = normal
    return True


def _add_span(doc, start, end, quote, label, at, problems):
    kind = _kind(label, at, problems)
    # Checked even when the label is wrong: every problem of the line is reported.
    placed = isinstance(doc.text, str) and _check_span(doc, start, end, quote, at, problems)
    if placed and kind:
        doc.spans.append(CorpusSpan(start, end, kind))


def _finish(doc, docs, problems):
    if _check_text(doc, problems):
        docs.append(doc)


def _metadata(source, where, problems) -> dict:
    meta = {}
    for name in METADATA:
        value = source.get(name)
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            problems.append(f"{where}: {name} must be text; got {value!r}.")
            continue
        meta[name] = value
    return meta


def parse_doccano(lines) -> list[CorpusDocument]:
    """doccano JSONL (an iterable of lines) as documents; raises CorpusError listing every
    problem, each with its line, when any line is wrong."""
    docs, problems = [], []
    for number, raw in enumerate(lines, 1):
        where = f"line {number}"
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not JSON ({exc.msg} at column {exc.colno}).")
            continue
        if not isinstance(record, dict):
            problems.append(f"{where}: must be a JSON object with text and label.")
            continue
        source = (
            {**(record.get("meta") or {}), **record}
            if isinstance(record.get("meta"), dict)
            else record
        )
        doc = CorpusDocument(where, record.get("text"), _metadata(source, where, problems))
        labels = record.get("label", record.get("labels", []))
        if not isinstance(labels, list):
            problems.append(f"{where}: label must be a list of [start, end, label].")
            continue
        for i, item in enumerate(labels, 1):
            at = f"{where}, label {i}"
            if not (isinstance(item, list | tuple) and len(item) == 3):
                problems.append(f"{at}: must be [start, end, label]; got {item!r}.")
                continue
            start, end, label = item
            _add_span(doc, start, end, None, label, at, problems)
        _finish(doc, docs, problems)
    if problems:
        raise CorpusError(problems)
    return docs


def _results(task):
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict)]
    kept = [a for a in annotations if not a.get("was_cancelled")]
    if not kept:
        kept = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    for annotation in kept:
        yield from annotation.get("result") or []


def parse_label_studio(data) -> list[CorpusDocument]:
    """Label Studio's JSON tasks (the decoded file) as documents; raises CorpusError listing
    every problem, each with its task and result number."""
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise CorpusError(["the file must hold a JSON list of tasks."])
    docs, problems = [], []
    for number, task in enumerate(data, 1):
        where = f"task {number}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            problems.append(f"{where}: must be an object with data.text.")
            continue
        doc = CorpusDocument(
            where, task["data"].get("text"), _metadata(task["data"], where, problems)
        )
        for i, result in enumerate(_results(task), 1):
            at = f"{where}, result {i}"
            value = result.get("value") if isinstance(result, dict) else None
            if not isinstance(value, dict) or result.get("type", "labels") != "labels":
                problems.append(f"{at}: only text spans with labels (type labels) are read.")
                continue
            labels = value.get("labels")
            if not (isinstance(labels, list) and len(labels) == 1):
                problems.append(f"{at}: a span must carry exactly one label; got {labels!r}.")
                continue
            start, end = value.get("start"), value.get("end")
            _add_span(doc, start, end, value.get("text"), labels[0], at, problems)
        _finish(doc, docs, problems)
    if problems:
        raise CorpusError(problems)
    return docs
