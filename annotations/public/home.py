"""`/`: published and retracted rulings, newest first, with search, filters and pages."""

import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors
from ..models import Rating

PAGE_SIZE = 20
# As the API's search: longer input is cut, not searched for.
QUERY_LENGTH = 200


def _month(value):
    """ "2026-03" as the first of that month; anything else as no filter."""
    try:
        return datetime.date.fromisoformat(f"{value}-01") if len(value) == 7 else None
    except ValueError:
        return None


@require_safe
def home(request):
    q = request.GET.get("q", "").strip()[:QUERY_LENGTH]
    rating = request.GET.get("rating", "")
    rating = rating if rating in Rating.values else ""
    outlet = request.GET.get("outlet", "")[:QUERY_LENGTH]
    month = _month(request.GET.get("month", ""))
    rulings = selectors.ruling_search(q=q, rating=rating, outlet=outlet, month=month)
    page = Paginator(rulings, PAGE_SIZE).get_page(request.GET.get("page"))
    outlets, months = selectors.ruling_facets()
    # Page links keep the filters: the query string without its page.
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "org_name": settings.FACTCHECK_ORG_NAME,
        "org_url": settings.FACTCHECK_ORG_URL,
        "page": page,
        "query": query.urlencode(),
        "q": q,
        "rating": rating,
        "outlet": outlet,
        "month": month.strftime("%Y-%m") if month else "",
        "ratings": Rating.choices,
        "outlets": outlets,
        "months": [(m.strftime("%Y-%m"), m) for m in months],
        "filtered": bool(q or rating or outlet or month),
    }
    return render(request, "annotations/home.html", context)
