from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import RedirectView

from annotations.public import SITEMAPS, RulingFeed, article_page, home, robots_txt, ruling_page
from factcheck.health import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("feeds/rulings.atom", RulingFeed(), name="ruling-feed"),
    path("admin/", admin.site.urls),
    # The list of rulings is the home page; /rulings/ is where people look for it.
    path("rulings/", RedirectView.as_view(pattern_name="home", query_string=True)),
    path("rulings/<slug:slug>/", ruling_page, name="ruling-page"),
    path("articles/<slug:slug>/", article_page, name="article-page"),
    path("api/v1/", include("annotations.api.urls")),
]

handler404 = "factcheck.error_pages.not_found"
handler500 = "factcheck.error_pages.server_error"
