from csp.decorators import csp_update
from django.urls import include, path, re_path
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from factcheck.error_pages import not_found

from . import feeds, matching, views
from .base import OptionsAsJSON

app_name = "api"


class SchemaView(OptionsAsJSON, SpectacularAPIView):
    pass


# The split view serves its start-up script as a file of its own: no inline script, so the
# Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) holds on the docs page too.
# Swagger UI sets styles inline as it draws: allowed on this page alone (styles, never scripts).
@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class DocsView(OptionsAsJSON, SpectacularSwaggerSplitView):
    pass


router = DefaultRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("annotations", views.AnnotationViewSet, basename="annotation")
router.register("rulings", views.RulingViewSet, basename="ruling")

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("claimreview/feed/", feeds.ClaimReviewFeed.as_view(), name="claimreview-feed"),
    # Claim matching (issue 17); before the router, whose article routes would not take these.
    path("claims/search/", matching.ClaimSearch.as_view(), name="claim-search"),
    path(
        "articles/<slug:slug>/suggestions/",
        matching.ArticleSuggestions.as_view(),
        name="article-suggestions",
    ),
    path(
        "articles/<slug:slug>/suggestions/dismiss/",
        matching.DismissSuggestion.as_view(),
        name="article-suggestions-dismiss",
    ),
    path("", include(router.urls)),
    # Whatever else ends in a slash here is the API's JSON 404, with DEBUG on too (Django's
    # debug page is HTML, which no API client asked for). Paths without the slash still
    # resolve to nothing, so APPEND_SLASH redirects them as before. CSRF-exempt, as DRF's views
    # are: a POST with a cookie is told "not found", not sent Django's HTML CSRF page.
    # `[\s\S]`, not `.`: a path may hold an encoded newline (%0A).
    re_path(r"^[\s\S]*/$", csrf_exempt(not_found), {"exception": None}, name="not-found"),
]
