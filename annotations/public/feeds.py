"""The Atom feed of published, retracted and superseded rulings (django.contrib.syndication)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .. import selectors
from ..models import Status

FEED_SIZE = 50


class RulingFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return f"{settings.FACTCHECK_ORG_NAME}: fact checks"

    def link(self):
        return reverse("home")

    def subtitle(self):
        return "Published, retracted and superseded rulings, newest first."

    def items(self):
        return (
            selectors.public_rulings()
            .select_related("superseded_by")
            .only(
                "slug", "statement", "rating", "summary", "status", "published_at",
                "updated_at", "claim", "superseded_by__slug", "superseded_by__status",
            )[:FEED_SIZE]
        )  # fmt: skip

    def _successor(self, item):
        try:
            successor = item.superseded_by
        except type(item).DoesNotExist:
            return None
        return successor if successor.status == Status.PUBLISHED else None

    def item_title(self, item):
        # Atom titles are plain text: Django's feed writer escapes them as XML, nothing more.
        prefix = ""
        if item.status == Status.RETRACTED:
            prefix = "Superseded: " if self._successor(item) else "Retracted: "
        return f"{prefix}{item.statement} ({item.get_rating_display()})"

    def item_description(self, item):
        # Atom summaries are HTML (type="html"): user text is escaped for it first.
        return escape(item.summary or item.claim)

    def item_link(self, item):
        return reverse("ruling-page", args=[item.slug])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_rating_display(), item.get_status_display()]
