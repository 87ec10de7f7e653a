"""The product's URLs plus /bench/minimal: the least a Django JSON response costs on the same
server (same middleware, no database), which the rulings list's throughput is compared with."""

from django.http import JsonResponse
from django.urls import path

from factcheck.urls import handler404, handler500  # noqa: F401
from factcheck.urls import urlpatterns as product_urls


def minimal(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/minimal", minimal), *product_urls]
