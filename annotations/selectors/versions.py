"""A ruling as it stood at an earlier version, and what changed since: the review view's reads.

Versions come from the ruling's history (django-simple-history): the last record of a version is
the ruling as that version ended (a status change keeps the version). Linked spans come from the
links' own history at that moment. Linking or unlinking a span always makes a new version, so
the links at a version's last record are that version's links.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..anchoring import Piece, word_diff
from ..models import AnnotationRuling, Rating, Review, Ruling, Status

TEXT_FIELDS = (("claim", "Claim"), ("statement", "Headline"), ("claimant_name", "Claimant"),
               ("summary", "Summary"))  # fmt: skip


def ruling_at(ruling: Ruling, version: int):
    """The history record that ends `version` of `ruling`, or None if it has none."""
    return ruling.history.filter(version=version).order_by("history_date", "history_id").last()


def links_at(ruling: Ruling, when) -> set[int]:
    return set(
        AnnotationRuling.history.as_of(when)
        .filter(ruling_id=ruling.pk)
        .values_list("annotation_id", flat=True)
    )


def baseline_version(ruling: Ruling, reviewer) -> int | None:
    """What `reviewer` compares the version under review with: the version they last reviewed,
    else the version submitted before this one (a first review of a resubmitted ruling sees what
    changed since its last submission), else None (a first submission: all of it is new)."""
    last = (
        Review.objects.filter(ruling=ruling, reviewer=reviewer)
        .order_by("-created_at", "-id")
        .values_list("ruling_version", flat=True)
        .first()
    )
    if last is not None:
        return last
    return (
        ruling.history.filter(status=Status.IN_REVIEW, version__lt=ruling.version)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )


def source_lines(sources) -> str:
    """The sources as one line each, so that a word diff shows an added, removed or edited
    source as such."""
    return "\n".join(
        " · ".join(s.get(name) for name in ("url", "title", "publisher", "accessed", "note")
                   if s.get(name))
        for s in sources
    )  # fmt: skip


@dataclass
class Changes:
    """What changed from version `since` (None: nothing reviewed or submitted before) to the
    version under review."""

    version: int
    since: int | None
    texts: list[tuple[str, list[Piece]]] = field(default_factory=list)
    sources: list[Piece] = field(default_factory=list)
    rating: tuple[str, str] | None = None  # (old label, new label) when it changed
    linked: set[int] = field(default_factory=set)
    unlinked: set[int] = field(default_factory=set)

    @property
    def any(self) -> bool:
        changed = any(p.op != "same" for _, pieces in self.texts for p in pieces)
        return bool(
            changed
            or any(p.op != "same" for p in self.sources)
            or self.rating
            or self.linked
            or self.unlinked
        )


def changes_for_review(ruling: Ruling, reviewer) -> Changes:
    since = baseline_version(ruling, reviewer)
    old = ruling_at(ruling, since) if since is not None else None
    now = set(ruling.links.values_list("annotation_id", flat=True))
    before = links_at(ruling, old.history_date) if old is not None else set()
    changes = Changes(version=ruling.version, since=since if old is not None else None)
    for name, label in TEXT_FIELDS:
        changes.texts.append((label, word_diff(getattr(old, name, ""), getattr(ruling, name))))
    changes.sources = word_diff(
        source_lines(old.sources if old else []), source_lines(ruling.sources)
    )
    if old is not None and old.rating != ruling.rating:
        changes.rating = (Rating(old.rating).label, Rating(ruling.rating).label)
    changes.linked, changes.unlinked = now - before, before - now
    return changes
