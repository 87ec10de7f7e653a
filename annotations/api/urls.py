from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from factcheck.errors import not_found

from . import views

app_name = "api"

router = DefaultRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("annotations", views.AnnotationViewSet, basename="annotation")
router.register("rulings", views.RulingViewSet, basename="ruling")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    # Whatever else ends in a slash here is the API's JSON 404, with DEBUG on too (Django's
    # debug page is HTML, which no API client asked for). Paths without the slash still
    # resolve to nothing, so APPEND_SLASH redirects them as before.
    re_path(r"^.*/$", not_found, {"exception": None}, name="not-found"),
]
