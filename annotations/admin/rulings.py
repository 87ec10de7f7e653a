"""Rulings and reviews: the verdict workflow's buttons, offered from the ruling's permissions."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from .. import selectors, services
from ..downloads import csv_download
from ..errors import InvalidInput, ServiceError
from ..models import Decision, Kind, Review, Ruling, Status
from ..public.rulings import page_context
from . import review_view, ruling_editor
from ._common import ReadOnlyMixin
from .spans import LinkInline

# --- Rulings: the verdict workflow's buttons -----------------------------------------------------

# (action, button label, URL segment), in the order the buttons appear.
WORKFLOW_ACTIONS = [
    ("submit", "Submit for review", "submit"),
    ("approve", "Approve this version", "approve"),
    ("request_changes", "Request changes", "request-changes"),
    ("retract", "Retract", "retract"),
]


def offered_actions(permissions: dict) -> list[str]:
    """The workflow buttons that a ruling's `permissions` (selectors.ruling_permissions: the
    server's one decision) allow, in button order. The services decide again on every POST (a
    forged one included), so this never grants anything."""
    return [action for action, _, _ in WORKFLOW_ACTIONS if permissions[action]]


def _posted_version(request):
    # The version the editor read on the page: a newer version must be read before it is judged.
    try:
        return int(request.POST["ruling_version"])
    except (KeyError, ValueError):
        raise InvalidInput(
            "The form did not say which version you reviewed. Reload the page and try again.",
            field="ruling_version",
        ) from None


def _submit(request, ruling):
    services.ruling_submit(ruling=ruling, user=request.user)
    return "Submitted for review."


def _approve(request, ruling):
    review = services.review_create(
        ruling=ruling,
        reviewer=request.user,
        decision=Decision.APPROVE,
        ruling_version=_posted_version(request),
    )
    ruling.refresh_from_db(fields=["status"])
    if ruling.status == Status.PUBLISHED:
        return f"Approved version {review.ruling_version}: the ruling is published."
    return (
        f"Approved version {review.ruling_version}: "
        f"{services.approvals_of_current_version(ruling)} of "
        f"{settings.FACTCHECK_REQUIRED_APPROVALS} approvals needed to publish."
    )


def _request_changes(request, ruling):
    services.review_create(
        ruling=ruling,
        reviewer=request.user,
        decision=Decision.REQUEST_CHANGES,
        comment=request.POST.get("comment", ""),
        ruling_version=_posted_version(request),
    )
    return "Changes requested: the ruling is back in draft."


def _retract(request, ruling):
    services.ruling_retract(ruling=ruling, user=request.user, reason=request.POST.get("reason", ""))
    return "Retracted. It stays public with its reason."


_WORKFLOW_HANDLERS = {
    "submit": _submit,
    "approve": _approve,
    "request_changes": _request_changes,
    "retract": _retract,
}


class AwaitingMyReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "awaiting"

    def lookups(self, request, model_admin):
        return [("me", "Awaiting my review")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return selectors.rulings_awaiting_review(request.user, queryset)
        return queryset


@admin.register(Ruling)
class RulingAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    actions = ["download_csv"]

    @admin.action(description="Download the selected rulings as CSV")
    def download_csv(self, request, queryset):
        # The API's table (?format=csv), through the same reader's rows.
        rows = selectors.ruling_rows(request.user).filter(pk__in=queryset.values("pk"))
        return csv_download(rows, "rulings")

    # Django 6's default, chosen now (5.2 warns about the change otherwise).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "statement",
        "claim",
        "claimant_name",
        "rating",
        "status",
        "claims",
        "evidence",
        "disputed",
        "author",
        "updated_at",
    )
    list_filter = (
        "status",
        "rating",
        AwaitingMyReviewFilter,
        ("author", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("slug", "claim", "claimant_name", "statement", "summary")
    list_select_related = ("author",)
    inlines = [LinkInline]

    def get_queryset(self, request):
        counts = {
            f"_{kind}": Count("annotations", filter=Q(annotations__kind=kind))
            for kind in Kind.values
        }
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description="claims", ordering="_claim")
    def claims(self, obj):
        return obj._claim

    @admin.display(ordering="_evidence")
    def evidence(self, obj):
        return obj._evidence

    @admin.display(ordering="_disputed")
    def disputed(self, obj):
        return obj._disputed

    def get_urls(self):
        # Before the default URLs: their "<object_id>/" catch-all would match these too.
        urls = [
            path(
                f"<path:object_id>/{segment}/",
                self.admin_site.admin_view(self.workflow_view),
                {"action": action},
                name=f"{self.opts.app_label}_{self.opts.model_name}_{action}",
            )
            for action, _, segment in WORKFLOW_ACTIONS
        ]
        urls += [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_{name}",
            )
            for name, view in (
                ("edit", self.edit_view),
                ("review", self.review_view),
                ("preview", self.preview_view),
            )
        ]
        return urls + super().get_urls()

    def edit_view(self, request, object_id):
        return ruling_editor.edit_view(self, request, unquote(object_id))

    def review_view(self, request, object_id):
        return review_view.review_view(self, request, unquote(object_id))

    def preview_view(self, request, object_id):
        """The public page as it will read once published: the same template and context as
        /rulings/{slug}/, for any ruling the desk may read, marked as a preview (noindex)."""
        try:
            ruling = selectors.ruling_for_preview(request.user, unquote(object_id))
        except (Ruling.DoesNotExist, ValueError):
            raise Http404("No such ruling.") from None
        if not self.has_view_permission(request, ruling):
            raise DjangoPermissionDenied
        context = page_context(request, ruling, preview=True)
        return TemplateResponse(request, "annotations/ruling_page.html", context)

    def action_url(self, action, ruling):
        return self._url(action, ruling)

    def change_url(self, ruling):
        return self._url("change", ruling)

    def _url(self, name, ruling):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=[quote(ruling.pk)],
            current_app=self.admin_site.name,
        )

    def viewable_ruling(self, request, object_id):
        """The ruling of one of this admin's own pages, or 404 / 403 as the admin's views do."""
        ruling = self.get_object(request, object_id)
        if ruling is None:
            raise Http404("No such ruling.")
        if not self.has_view_permission(request, ruling):
            raise DjangoPermissionDenied
        return ruling

    def workflow_view(self, request, object_id, action):
        """One workflow step from a button: the service decides, its refusal becomes a message."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ruling = self.viewable_ruling(request, unquote(object_id))
        try:
            done = _WORKFLOW_HANDLERS[action](request, ruling)
        except ServiceError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
        else:
            self.message_user(request, done, level=messages.SUCCESS)
        return HttpResponseRedirect(self._url("change", ruling))

    def _workflow_context(self, request, ruling):
        reviews = list(selectors.reviews_of(ruling))
        permissions = selectors.ruling_permissions(request.user, ruling)
        offered = offered_actions(permissions)
        spans = selectors.group_by_kind(selectors.linked_spans(ruling))
        return {
            "actions": [
                {"name": action, "label": label, "url": self._url(action, ruling)}
                for action, label, _ in WORKFLOW_ACTIONS
                if action in offered
            ],
            "version": ruling.version,
            "edit_url": self._url("edit", ruling) if permissions["change"] else None,
            "preview_url": self._url("preview", ruling),
            "review_url": (
                self._url("review", ruling)
                if permissions["approve"] or permissions["request_changes"]
                else None
            ),
            # Said rather than silently missing: an editor who shaped the ruling looks for
            # the Approve button and should learn why it is not there.
            "four_eyes": (
                permissions["request_changes"]
                and not permissions["approve"]
                and selectors.is_contributor(request.user, ruling)
            ),
            "approvals": services.approvals_of_current_version(ruling),
            "required_approvals": settings.FACTCHECK_REQUIRED_APPROVALS,
            "reviews": reviews,
            "span_groups": [
                ("Claims", spans[Kind.CLAIM]),
                ("Evidence", spans[Kind.EVIDENCE]),
                ("Disputed", spans[Kind.DISPUTED]),
            ],
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ruling = self.get_object(request, unquote(object_id))
        if ruling is not None and self.has_view_permission(request, ruling):
            for warning in selectors.claim_warnings(ruling).values():
                self.message_user(request, warning, level=messages.WARNING)
            extra_context = {
                **(extra_context or {}),
                "workflow": self._workflow_context(request, ruling),
            }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Review)
class ReviewAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("ruling", "reviewer", "decision", "ruling_version", "created_at")
    list_filter = ("decision",)
    search_fields = ("ruling__slug", "ruling__statement", "comment")
    list_select_related = ("ruling", "reviewer")
