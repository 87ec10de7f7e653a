from django.contrib import admin
from django.urls import include, path

from annotations.public import ruling_page
from factcheck.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("rulings/<slug:slug>/", ruling_page, name="ruling-page"),
    path("api/v1/", include("annotations.api.urls")),
]

handler404 = "factcheck.error_pages.not_found"
handler500 = "factcheck.error_pages.server_error"
