"""sitemap.xml: every public ruling page and every article page with a public span."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .. import selectors


class RulingSitemap(Sitemap):
    def items(self):
        return selectors.public_rulings().only("slug", "updated_at")

    def location(self, item):
        return reverse("ruling-page", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class ArticleSitemap(Sitemap):
    def items(self):
        return selectors.public_articles().only("slug", "updated_at")

    def location(self, item):
        return reverse("article-page", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"rulings": RulingSitemap, "articles": ArticleSitemap}
