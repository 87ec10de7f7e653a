"""`/robots.txt`: the public pages may be crawled; the admin and the API are not pages."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from ..absolute_urls import absolute


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        # Fact-check aggregators read the ClaimReview feed.
        f"Allow: {reverse('api:claimreview-feed')}",
        f"Sitemap: {absolute(request, reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
