"""Admin pages. Every write goes through services, so the admin obeys the same rules as the API."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from . import anchoring, roles, selectors, services
from .errors import InvalidInput, ServiceError
from .models import (
    AnchorState,
    Annotation,
    AnnotationRuling,
    Article,
    Decision,
    Kind,
    Rating,
    Review,
    Ruling,
    Status,
)


class ReadOnlyMixin:
    """Objects that change only through their own workflow (services), never by a raw form."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrphanedFilter(admin.SimpleListFilter):
    title = "orphaned spans"
    parameter_name = "orphans"

    def lookups(self, request, model_admin):
        return [("yes", "Has orphaned spans")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(annotations__state=AnchorState.ORPHANED).distinct()
        return queryset


class ArticleForm(forms.ModelForm):
    """The article form, carrying the version it was rendered from.

    Saving a stale form would put its old body and metadata back over someone else's newer
    edit. So the form names the version it showed, and the save is refused when the article
    has moved on since (the service checks again under a row lock: this is the early, friendly
    refusal that keeps the user's text in the form).
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # A scheme-less URL typed in is taken as https (Django 6's default, chosen here rather than
    # through the transitional FORMS_URLFIELD_ASSUME_HTTPS setting, which is itself deprecated).
    url = forms.URLField(
        max_length=Article._meta.get_field("url").max_length, required=False, assume_scheme="https"
    )

    class Meta:
        model = Article
        fields = ("slug", *services.ARTICLE_FIELDS, "body")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].required = True
            # The stored row's version, not the instance's: a history "revert" form is built on
            # an old version's instance, but overwrites the current one.
            self.initial["expected_version"] = self.current_version()

    def current_version(self):
        return Article.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            current = self.current_version()
            if current != expected:
                raise forms.ValidationError(
                    "Not saved: someone else changed this article after you opened it (it is "
                    f"now version {current}; this form shows version {expected}). Your text is "
                    "still in the form below: copy what you need, reload the page and make your "
                    "change again.",
                    code="stale",
                )
        return cleaned


class _Refused(Exception):
    """A service refused a save after the form was valid: nothing was saved."""


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleForm
    list_display = (
        "slug",
        "title",
        "publisher",
        "author",
        "published_on",
        "span_count",
        "orphan_count",
    )
    list_filter = ("publisher", "language", OrphanedFilter)
    search_fields = ("slug", "title", "publisher", "author")
    date_hierarchy = "published_on"
    readonly_fields = ("body_sha256", "created_at", "updated_at")
    prepopulated_fields = {"slug": ("title",)}

    def get_queryset(self, request):
        # Counts in the list come from one aggregate query, not one query per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                _spans=Count("annotations"),
                _orphans=Count("annotations", filter=Q(annotations__state=AnchorState.ORPHANED)),
            )
        )

    @admin.display(description="spans", ordering="_spans")
    def span_count(self, obj):
        return obj._spans

    @admin.display(description="orphaned", ordering="_orphans")
    def orphan_count(self, obj):
        return obj._orphans

    def get_urls(self):
        # Before the default URLs: their "<object_id>/" catch-all would match this too.
        annotate = path(
            "<path:object_id>/annotate/",
            self.admin_site.admin_view(self.annotate_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_annotate",
        )
        return [annotate, *super().get_urls()]

    def annotate_view(self, request, object_id):
        """The Annotate workspace: a page shell. Its JavaScript reads and writes everything
        through the REST API, so the admin obeys the same rules as any other client."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, article):
            raise DjangoPermissionDenied
        config = {
            "article": article.slug,
            "articleUrl": reverse("api:article-detail", args=[article.slug]),
            "articleAnnotationsUrl": reverse("api:article-annotations", args=[article.slug]),
            "annotationsUrl": reverse("api:annotation-list"),
            "rulingsUrl": reverse("api:ruling-list"),
            "canAnnotate": roles.is_annotator(request.user),
            # With these the page offers only what the services allow this user (annotators
            # change their own spans and drafts, editors anyone's); the services still decide.
            "user": request.user.get_username(),
            "isEditor": roles.is_editor(request.user),
            "kinds": dict(Kind.choices),
            "statuses": dict(Status.choices),
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Annotate: {article.title or article.slug}",
            "annotate_config": config,
            "kinds": Kind.choices,
            "ratings": Rating.choices,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/annotations/article/annotate.html", context)

    def get_readonly_fields(self, request, obj=None):
        # The slug is an identifier in URLs and fixtures: fixed once the article exists.
        return self.readonly_fields + (("slug", "version") if obj else ())

    def get_prepopulated_fields(self, request, obj=None):
        # A read-only field cannot be prepopulated (the admin fails with KeyError 'slug').
        return {} if obj else super().get_prepopulated_fields(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as exc:
            return self._refused(request, exc)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except _Refused as exc:
            return self._refused(request, exc)

    def _refused(self, request, exc):
        # Only a refusal the form could not foresee ends here (a race within the save itself):
        # the transaction is rolled back, so the message says plainly that nothing was saved.
        self.message_user(request, f"Not saved: {exc}", level=messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name]
            for name in services.ARTICLE_FIELDS
            if name in form.cleaned_data
        }
        try:
            if change:
                # A body edit re-anchors every span, so the body goes to the service only when
                # it differs from the stored one (compared normalised: browsers post CRLF line
                # ends). The stored row, not the form's initial text: a history "revert" form
                # starts from an old body. Whatever changes here, the version check still holds.
                body = form.cleaned_data.get("body")
                stored = Article.objects.filter(pk=obj.pk).values_list("body", flat=True).first()
                if body is not None and anchoring.normalize_body(body) == stored:
                    body = None
                report = services.article_update(
                    article=obj,
                    user=request.user,
                    body=body,
                    expected_version=form.cleaned_data["expected_version"],
                    **data,
                )
                if report is not None:
                    summary = (
                        ", ".join(f"{n} {k}" for k, n in sorted(report.counts.items()))
                        or "no spans"
                    )
                    self.message_user(request, f"Body changed; spans re-anchored: {summary}.")
            else:
                created = services.article_create(
                    user=request.user, slug=obj.slug, body=form.cleaned_data["body"], **data
                )
                obj.pk = created.pk
        except ServiceError as exc:
            raise _Refused(exc.message) from None


class LinkInline(admin.TabularInline):
    model = AnnotationRuling
    extra = 0
    fields = ("annotation", "ruling", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "id",
        "article",
        "kind",
        "short_quote",
        "start",
        "end",
        "state",
        "author",
        "updated_at",
    )
    list_filter = ("kind", "state", "article__publisher")
    search_fields = ("quote", "note", "article__slug", "article__title")
    list_select_related = ("article", "author")
    raw_id_fields = ("article",)
    inlines = [LinkInline]

    @admin.display(description="quote")
    def short_quote(self, obj):
        return obj.quote if len(obj.quote) <= 80 else obj.quote[:77] + "..."


# --- Rulings: the verdict workflow's buttons -----------------------------------------------------

# (action, button label, URL segment), in the order the buttons appear.
WORKFLOW_ACTIONS = [
    ("submit", "Submit for review", "submit"),
    ("approve", "Approve this version", "approve"),
    ("request_changes", "Request changes", "request-changes"),
    ("retract", "Retract", "retract"),
]


def allowed_actions(user, ruling, *, approved_current_version=False, contributor=False):
    """The workflow buttons to offer `user` on `ruling`, from roles, status and author, and
    whether they already approved this version or wrote part of the ruling (`contributor`:
    four eyes, they may request changes but not approve).

    Only a convenience: it hides buttons the services would certainly refuse. The services
    decide again on every POST (a forged one included), so this never grants anything.
    """
    actions = []
    if ruling.status == Status.DRAFT and roles.can_edit_owned(user, ruling.author_id):
        actions.append("submit")
    reviewer = roles.is_editor(user) and user.pk != ruling.author_id
    if ruling.status == Status.IN_REVIEW and reviewer:
        if not approved_current_version and not contributor:
            actions.append("approve")
        actions.append("request_changes")
    if ruling.status == Status.PUBLISHED and roles.is_editor(user):
        actions.append("retract")
    return actions


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
    list_display = (
        "statement",
        "rating",
        "status",
        "claims",
        "evidence",
        "disputed",
        "author",
        "updated_at",
    )
    list_filter = ("status", "rating", AwaitingMyReviewFilter)
    search_fields = ("slug", "statement", "summary")
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
        return urls + super().get_urls()

    def _url(self, name, ruling):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=[quote(ruling.pk)],
            current_app=self.admin_site.name,
        )

    def workflow_view(self, request, object_id, action):
        """One workflow step from a button: the service decides, its refusal becomes a message."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ruling = self.get_object(request, unquote(object_id))
        if ruling is None:
            raise Http404("No such ruling.")
        if not self.has_view_permission(request, ruling):
            raise DjangoPermissionDenied
        try:
            done = _WORKFLOW_HANDLERS[action](request, ruling)
        except ServiceError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
        else:
            self.message_user(request, done, level=messages.SUCCESS)
        return HttpResponseRedirect(self._url("change", ruling))

    def _workflow_context(self, request, ruling):
        reviews = list(selectors.reviews_of(ruling))
        approved = selectors.live_approvals(ruling).filter(reviewer_id=request.user.pk).exists()
        contributor = selectors.is_contributor(request.user, ruling)
        offered = allowed_actions(
            request.user, ruling, approved_current_version=approved, contributor=contributor
        )
        spans = {kind: [] for kind in Kind.values}
        for span in selectors.linked_spans(ruling):
            spans[span.kind].append(span)
        return {
            "actions": [
                {"name": action, "label": label, "url": self._url(action, ruling)}
                for action, label, _ in WORKFLOW_ACTIONS
                if action in offered
            ],
            "version": ruling.version,
            # Said rather than silently missing: an editor who shaped the ruling looks for
            # the Approve button and should learn why it is not there.
            "four_eyes": (
                ruling.status == Status.IN_REVIEW
                and roles.is_editor(request.user)
                and request.user.pk != ruling.author_id
                and contributor
                and "approve" not in offered
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


@admin.register(AnnotationRuling)
class AnnotationRulingAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("annotation", "ruling", "created_at")
    list_select_related = ("annotation", "ruling")
    search_fields = ("ruling__slug", "annotation__quote")
