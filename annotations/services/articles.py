"""Articles: creating one, and editing its metadata or body (which re-anchors every span)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .. import anchoring, roles
from ..anchoring import Outcome
from ..errors import Conflict, InvalidInput
from ..models import AnchorState, Annotation, Article
from ._guards import check_known_fields, check_version, full_clean, require

ARTICLE_FIELDS = ("title", "publisher", "author", "published_on", "url", "language")


def _may_edit_articles(user):
    return user is None or roles.is_editor(user)


def _normalized_body(body) -> str:
    body = anchoring.normalize_body(body or "")
    if not body:
        raise InvalidInput("body must not be empty.", field="body", code="blank")
    return body


def body_differs(article: Article, body) -> bool:
    """Whether `body`, normalised as a stored body is, differs from the article's stored body
    (read from the database: a form or a history "revert" may hold an older one)."""
    stored = Article.objects.filter(pk=article.pk).values_list("body", flat=True).first()
    return anchoring.normalize_body(body or "") != stored


@transaction.atomic
def article_create(*, user=None, slug, body, **metadata) -> Article:
    require(_may_edit_articles(user), "Only editors may add articles.")
    check_known_fields(metadata, ARTICLE_FIELDS)
    body = _normalized_body(body)
    if Article.objects.filter(slug=slug).exists():
        raise Conflict(
            f"An article with slug {slug!r} already exists.", field="slug", code="unique"
        )
    article = Article(slug=slug, body=body, body_sha256=anchoring.body_sha256(body), **metadata)
    article._history_user = user
    full_clean(article)
    article.save()
    return article


@dataclass
class BodyEditReport:
    """What re-anchoring did to each span after a body edit."""

    counts: Counter = field(default_factory=Counter)
    # (annotation id, outcome, old (start, end, quote), new (start, end, quote))
    details: list[tuple] = field(default_factory=list)

    @property
    def total(self):
        return sum(self.counts.values())

    def summary(self) -> str:
        """ "2 kept, 1 moved": the article's history and the admin's message say it so."""
        return ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items()))


def _reanchor_reason(outcome, before, after, score):
    if outcome == Outcome.MOVED:
        return f"re-anchored: moved {before.start}-{before.end} -> {after.start}-{after.end}"
    if outcome == Outcome.CHANGED:
        return (
            f"re-anchored: text changed {before.quote!r} -> {after.quote!r} "
            f"at {after.start}-{after.end} (score {score:.2f})"
        )
    if outcome == Outcome.ORPHANED:
        return f"re-anchoring found no match above the threshold (best score {score:.2f}): orphaned"
    return "re-anchored"


@transaction.atomic
def article_update(
    *, article: Article, user=None, body=None, expected_version: int | None = None, **metadata
) -> BodyEditReport | None:
    """Changes an article's metadata and, when `body` is given, its body: every span is
    re-anchored in the same transaction (SPEC.md). Returns the re-anchoring report, or None when
    the body was not given or its normalised text is unchanged. The old body stays in the
    article's history; each span that moved, changed or was orphaned gets its own history row
    saying so."""
    require(_may_edit_articles(user), "Only editors may edit articles.")
    article = Article.objects.select_for_update().get(pk=article.pk)
    check_version(article, expected_version)
    check_known_fields(metadata, ARTICLE_FIELDS)
    changed = False
    for name, value in metadata.items():
        if getattr(article, name) != value:
            setattr(article, name, value)
            changed = True
    report = None
    if body is not None:
        report = _article_set_body(article, body, user)
        changed = changed or report is not None
    if changed and report is None:
        article.version += 1
        article._history_user = user
        full_clean(article)
        article.save()
    return report


def _article_set_body(article: Article, body: str, user) -> BodyEditReport | None:
    new_body = _normalized_body(body)
    if new_body == article.body:
        return None
    spans = list(Annotation.objects.select_for_update().filter(article=article).order_by("id"))
    placed = [anchoring.Span(a.start, a.end, a.quote, a.prefix, a.suffix) for a in spans]
    results = anchoring.reanchor(article.body, new_body, placed)
    # Spans are in id order, oldest first, as settle_collisions wants them.
    results = anchoring.settle_collisions(placed, [a.kind for a in spans], results)
    report = BodyEditReport()
    to_save = []
    leaving = []  # anchored spans that move, change or are orphaned: they leave their offsets
    for annotation, result in zip(spans, results, strict=True):
        outcome = result.outcome
        was_orphan = annotation.state == AnchorState.ORPHANED
        if outcome == Outcome.ORPHANED and was_orphan:
            report.counts["orphaned"] += 1
            continue
        if outcome == Outcome.KEPT and not was_orphan:
            report.counts["kept"] += 1
            if (annotation.prefix, annotation.suffix) != (result.prefix, result.suffix):
                # Offsets and quote hold but the context around them was edited.
                annotation.prefix, annotation.suffix = result.prefix, result.suffix
                # Its prefix and suffix are part of the span as clients read it: a new ETag.
                annotation.version += 1
                annotation._change_reason = "re-anchored: context changed"
                to_save.append(annotation)
            continue
        before = anchoring.Span(annotation.start, annotation.end, annotation.quote)
        if not was_orphan:
            leaving.append(annotation.pk)
        annotation.start, annotation.end = result.start, result.end
        annotation.quote, annotation.prefix, annotation.suffix = (
            result.quote,
            result.prefix,
            result.suffix,
        )
        annotation.state = (
            AnchorState.ORPHANED if outcome == Outcome.ORPHANED else AnchorState.ANCHORED
        )
        annotation.version += 1
        annotation._change_reason = _reanchor_reason(outcome, before, result, result.score)
        label = "recovered" if was_orphan and outcome != Outcome.ORPHANED else outcome.value
        report.counts[label] += 1
        report.details.append(
            (
                annotation.id,
                label,
                (before.start, before.end, before.quote),
                (result.start, result.end, result.quote),
            )
        )
        to_save.append(annotation)

    report.details.sort()
    article.body = new_body
    article.body_sha256 = anchoring.body_sha256(new_body)
    article.version += 1
    article._history_user = user
    article._change_reason = "body edited: " + report.summary()
    full_clean(article)
    article.save()
    now = timezone.now()
    for annotation in to_save:
        annotation.updated_at = now
    if to_save:
        # The final offsets are unique, but one UPDATE checks the unique index row by row: a span
        # moving onto offsets that another is about to leave would collide midway. So every span
        # that moves, changes or is orphaned first leaves the index (orphaned spans are not in
        # it), then all take their final places. The first step writes no history: the second
        # records each change once.
        Annotation.objects.filter(pk__in=leaving).update(state=AnchorState.ORPHANED)
        to_save.sort(key=lambda a: a.pk)
        bulk_update_with_history(
            to_save,
            Annotation,
            ["start", "end", "quote", "prefix", "suffix", "state", "version", "updated_at"],
            default_user=user,
        )
    return report
