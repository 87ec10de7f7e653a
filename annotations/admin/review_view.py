"""The review view: an editor reads the version under review against the one they last
reviewed (selectors.versions), and approves exactly the version shown or requests changes.

The buttons post to the ruling's workflow URLs (rulings.py), which call the services; the
version shown travels with them, so an approval never lands on a version nobody read.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from .. import selectors
from ..selectors import versions


def review_view(model_admin, request, object_id):
    ruling = model_admin.viewable_ruling(request, object_id)
    permissions = selectors.ruling_permissions(request.user, ruling)
    if not (permissions["approve"] or permissions["request_changes"]):
        model_admin.message_user(
            request,
            "Nothing to review here for you: only editors review a ruling in review, and "
            "never their own.",
            level=messages.ERROR,
        )
        return HttpResponseRedirect(model_admin.change_url(ruling))
    changes = versions.changes_for_review(ruling, request.user)
    spans = {
        s.pk: s for s in selectors.spans_by_id(request.user, changes.linked | changes.unlinked)
    }
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": ruling,
        "title": f"Review: {ruling.statement}",
        "changes": changes,
        "linked": [spans[pk] for pk in sorted(changes.linked) if pk in spans],
        "unlinked": [spans.get(pk) or pk for pk in sorted(changes.unlinked)],
        "reviews": list(selectors.reviews_of(ruling)),
        "may_approve": permissions["approve"],
        "four_eyes": permissions["request_changes"] and not permissions["approve"],
        "approve_url": model_admin.action_url("approve", ruling),
        "request_changes_url": model_admin.action_url("request_changes", ruling),
        "change_url": model_admin.change_url(ruling),
    }
    return TemplateResponse(request, "admin/annotations/ruling/review.html", context)
