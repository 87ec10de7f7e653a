from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import feeds, matching, views

app_name = "api"

router = DefaultRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("annotations", views.AnnotationViewSet, basename="annotation")
router.register("rulings", views.RulingViewSet, basename="ruling")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
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
]
