"""The public site (SPEC.md: published and retracted rulings only, server-rendered, every text
escaped): the list of rulings, a ruling's page, an article's page, the Atom feed, the sitemap
and robots.txt. Reads go through `selectors.public`."""

from .articles import article_page
from .feeds import RulingFeed
from .home import home
from .robots import robots_txt
from .rulings import json_ld_script, ruling_page
from .sitemaps import SITEMAPS

__all__ = [
    "SITEMAPS",
    "RulingFeed",
    "article_page",
    "home",
    "json_ld_script",
    "robots_txt",
    "ruling_page",
]
