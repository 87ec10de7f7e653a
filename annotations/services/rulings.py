"""Rulings: drafting, editing and deleting them, and the workflow steps that are not reviews
(submitting for review, retracting). Reviews are in reviews.py."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from .. import roles
from ..errors import Conflict, InvalidInput
from ..models import ClaimantKind, Kind, Rating, Ruling, Status, WebhookEvent, web_url
from . import webhooks
from ._guards import (
    UNSET,
    check_choice,
    check_known_fields,
    check_open,
    check_version,
    full_clean,
    lock_ruling,
    lock_spans,
    require,
)
from .links import ruling_set_spans, spans_affected

RULING_FIELDS = (
    "claim", "claimant_name", "claimant_kind", "claimant_url", "statement", "rating", "summary",
    "sources",
)  # fmt: skip
# Trimmed of surrounding whitespace when set; the others are stored as given.
_TRIMMED = ("claim", "claimant_name", "claimant_url", "statement")

SOURCE_FIELDS = {"url": 1000, "title": 500, "publisher": 200, "accessed": 10, "note": 2000}
MAX_SOURCES = 100


def clean_sources(sources) -> list[dict]:
    """The ruling's sources as stored: a list of {url, title, publisher, accessed, note}, each
    url http(s), `accessed` an ISO date (YYYY-MM-DD) or empty. Refusals name the source."""
    if not isinstance(sources, list | tuple):
        raise InvalidInput("sources must be a list of sources.", field="sources")
    if len(sources) > MAX_SOURCES:
        raise InvalidInput(f"At most {MAX_SOURCES} sources.", field="sources")
    cleaned = []
    for number, source in enumerate(sources, 1):

        def refuse(message, number=number):
            raise InvalidInput(f"Source {number}: {message}", field="sources")

        if not isinstance(source, dict):
            refuse("must be an object with url, title, publisher, accessed and note.")
        unknown = sorted(set(source) - set(SOURCE_FIELDS))
        if unknown:
            refuse(f"unknown field {unknown[0]!r}.")
        item = {}
        for name, limit in SOURCE_FIELDS.items():
            value = source.get(name)
            value = "" if value is None else value
            if isinstance(value, datetime.date):
                value = value.isoformat()
            if not isinstance(value, str):
                refuse(f"{name} must be text.")
            value = value.strip()
            if len(value) > limit:
                refuse(f"{name} has {len(value)} characters; at most {limit}.")
            item[name] = value
        if not item["url"]:
            refuse("url is required.")
        try:
            web_url(item["url"])
        except ValidationError:
            refuse(f"url must be an http:// or https:// URL; got {item['url'][:80]!r}.")
        if item["accessed"]:
            try:
                datetime.date.fromisoformat(item["accessed"])
            except ValueError:
                refuse(f"accessed must be a date, YYYY-MM-DD; got {item['accessed']!r}.")
        cleaned.append(item)
    return cleaned


def _clean(name, value):
    if name == "sources":
        return clean_sources(value)
    if name == "claimant_kind":
        check_choice("claimant_kind", value, ClaimantKind)
    if name in _TRIMMED:
        return (value or "").strip()
    return value


def _unique_ruling_slug(statement):
    base = slugify(statement)[:180] or "ruling"
    slug, n = base, 1
    while Ruling.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_supersedes(old: Ruling, user, ruling: Ruling | None = None):
    require(roles.is_editor(user), "Only editors may replace a retracted ruling.")
    if old.status != Status.RETRACTED:
        raise Conflict(
            f"Only a retracted ruling can be superseded; {old.slug!r} is {old.status_words}. "
            "Retract it first, with a reason.",
            field="supersedes",
        )
    taken = Ruling.objects.filter(supersedes=old)
    if ruling is not None:
        taken = taken.exclude(pk=ruling.pk)
    if taken.exists():
        raise Conflict(f"Ruling {old.slug!r} is already superseded.", field="supersedes")


_MAY_CHANGE = "Annotators may change only their own drafts; editors may change any."


def _require_owner(user, ruling, message=_MAY_CHANGE):
    require(roles.can_edit_owned(user, ruling.author_id), message)


@transaction.atomic
def ruling_create(
    *,
    author,
    statement,
    rating,
    summary="",
    slug=None,
    supersedes: Ruling | None = None,
    annotations=(),
    **content,
) -> Ruling:
    """A new draft by `author`. `content`: claim, claimant_name, claimant_kind, claimant_url,
    sources (all optional until the draft is submitted)."""
    require(
        author is not None and roles.is_annotator(author),
        "Only annotators and editors may draft rulings.",
    )
    check_choice("rating", rating, Rating)
    check_known_fields(content, RULING_FIELDS)
    content = {name: _clean(name, value) for name, value in content.items()}
    if supersedes is not None:
        _check_supersedes(supersedes, author)
    if slug and Ruling.objects.filter(slug=slug).exists():
        raise Conflict(f"A ruling with slug {slug!r} already exists.", field="slug", code="unique")
    ruling = Ruling(
        slug=slug or _unique_ruling_slug(statement),
        statement=(statement or "").strip(),
        rating=rating,
        summary=summary or "",
        author=author,
        supersedes=supersedes,
        **content,
    )
    ruling._history_user = author
    full_clean(ruling)
    ruling.save()
    ruling_set_spans(ruling, author, annotations)
    return ruling


@transaction.atomic
def ruling_update(
    *,
    ruling: Ruling,
    user,
    expected_version: int | None = None,
    supersedes=UNSET,
    annotations=UNSET,
    **changes,
) -> Ruling:
    """Changes a draft or a ruling in review: its text, rating, the ruling it supersedes and its
    linked spans (`annotations`). Any change is a new version, so approvals of the old one no
    longer count."""
    if annotations is not UNSET:
        lock_spans(spans_affected(ruling, annotations))
    ruling = lock_ruling(ruling)
    _require_owner(user, ruling)
    check_version(ruling, expected_version)
    check_open(ruling)
    check_known_fields(changes, RULING_FIELDS)
    if "rating" in changes:
        check_choice("rating", changes["rating"], Rating)
    changed = False
    for name, value in changes.items():
        value = _clean(name, value)
        if getattr(ruling, name) != value:
            setattr(ruling, name, value)
            changed = True
    if supersedes is not UNSET and supersedes != ruling.supersedes:
        if supersedes is not None:
            _check_supersedes(supersedes, user, ruling)
        ruling.supersedes = supersedes
        changed = True
    relinked = annotations is not UNSET and ruling_set_spans(ruling, user, annotations)
    if changed or relinked:
        ruling.version += 1
        ruling._history_user = user
        if not changed:
            ruling._change_reason = "linked spans changed"
        full_clean(ruling)
        ruling.save()
    return ruling


@transaction.atomic
def ruling_delete(*, ruling: Ruling, user, expected_version: int | None = None) -> None:
    ruling = lock_ruling(ruling)
    _require_owner(
        user, ruling, "Annotators may delete only their own drafts; editors may delete any."
    )
    check_version(ruling, expected_version)
    if ruling.status != Status.DRAFT:
        raise Conflict(f"Only drafts can be deleted; this ruling is {ruling.status_words}.")
    if ruling.reviews.exists():
        raise Conflict("This draft has reviews on record and cannot be deleted; edit it instead.")
    for link in ruling.links.all():
        link._history_user = user
        link.delete()
    ruling._history_user = user
    ruling.delete()


@transaction.atomic
def ruling_submit(*, ruling: Ruling, user) -> Ruling:
    ruling = lock_ruling(ruling)
    _require_owner(user, ruling, "Only the ruling's author or an editor may submit it for review.")
    if ruling.status != Status.DRAFT:
        raise Conflict(f"Only drafts can be submitted; this ruling is {ruling.status_words}.")
    if not ruling.annotations.filter(kind=Kind.CLAIM).exists():
        raise Conflict("A ruling must link at least one claim span before it is submitted.")
    if not ruling.claim.strip():
        raise Conflict(
            "Name the claim as checked, in neutral words, before submitting.", field="claim"
        )
    if not ruling.claimant_name.strip():
        raise Conflict(
            'Name who made the claim (or "unknown") before submitting.', field="claimant_name"
        )
    ruling.status = Status.IN_REVIEW
    ruling._history_user = user
    ruling._change_reason = f"submitted for review (version {ruling.version})"
    ruling.save(update_fields=["status", "updated_at"])
    return ruling


@transaction.atomic
def ruling_retract(*, ruling: Ruling, user, reason) -> Ruling:
    ruling = lock_ruling(ruling)
    require(roles.is_editor(user), "Only editors may retract rulings.")
    if ruling.status != Status.PUBLISHED:
        raise Conflict(
            f"Only published rulings can be retracted; this ruling is {ruling.status_words}."
        )
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput(
            "A reason is required to retract a ruling.", field="reason", code="blank"
        )
    ruling.status = Status.RETRACTED
    ruling.retraction_reason = reason
    ruling._history_user = user
    ruling._change_reason = "retracted"
    ruling.save(update_fields=["status", "retraction_reason", "updated_at"])
    webhooks.emit(WebhookEvent.RETRACTED, ruling)
    return ruling
