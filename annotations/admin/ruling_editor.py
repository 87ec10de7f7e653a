"""The ruling editor: a draft's (or a ruling in review's) claim, headline, claimant, rating,
summary, sources and linked spans, written in the admin with the rules the API applies.

Every change goes through `services.ruling_update`, with the version the form was opened at as
its `expected_version` (the API's If-Match): a save over someone else's newer version is
refused, and the page then shows their version beside the text typed here, which is kept.
Saving again after reading theirs is a deliberate overwrite, so the form then carries the new
version. The forms only shape input; the services decide and their refusals name the field.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from .. import selectors, services
from ..errors import PreconditionFailed, ServiceError
from ..models import CLAIM_DISPLAY_LENGTH, ClaimantKind, Rating, Ruling
from ..services.rulings import MAX_SOURCES, SOURCE_FIELDS

# The ruling's fields the main form edits, as the services name them.
FIELDS = (
    "claim", "statement", "claimant_name", "claimant_kind", "claimant_url", "rating", "summary",
)  # fmt: skip


class RulingForm(forms.Form):
    claim = forms.CharField(
        max_length=200,
        required=False,
        strip=False,
        help_text=f"The claim as checked, in neutral words; required before submission. "
        f"ClaimReview readers show about {CLAIM_DISPLAY_LENGTH} characters without wrapping.",
    )
    statement = forms.CharField(
        label="Headline",
        max_length=500,
        strip=False,
        help_text="The verdict's headline: the title of the fact-check.",
    )
    claimant_name = forms.CharField(
        label="Claimant",
        max_length=200,
        required=False,
        strip=False,
        help_text='Who made the claim; "unknown" if unknown. Required before submission.',
    )
    claimant_kind = forms.ChoiceField(label="Claimant is a", choices=ClaimantKind.choices)
    # Text, not URLField: the service is the one judge of a URL (http and https only), so its
    # refusal reads the same here as in the API.
    claimant_url = forms.CharField(label="Claimant's page", max_length=1000, required=False)
    rating = forms.ChoiceField(choices=Rating.choices)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=50_000,
        required=False,
        strip=False,
        help_text="The reasoning, shown on the public page, in Markdown: a blank line starts "
        "a new paragraph, [words](https://example.org) makes a link, *emphasis*, **strong**, "
        "lists with - or 1. Raw HTML is shown as text.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SourceForm(forms.Form):
    # The rows sit under one header row, so each input names itself to screen readers.
    url = forms.CharField(
        label="URL",
        max_length=SOURCE_FIELDS["url"],
        required=False,
        widget=forms.TextInput(attrs={"aria-label": "Source URL"}),
    )
    title = forms.CharField(
        max_length=SOURCE_FIELDS["title"],
        required=False,
        widget=forms.TextInput(attrs={"aria-label": "Source title"}),
    )
    publisher = forms.CharField(
        max_length=SOURCE_FIELDS["publisher"],
        required=False,
        widget=forms.TextInput(attrs={"aria-label": "Source publisher"}),
    )
    accessed = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "aria-label": "Source accessed on"}),
        help_text="YYYY-MM-DD",
    )
    note = forms.CharField(
        max_length=SOURCE_FIELDS["note"],
        required=False,
        widget=forms.TextInput(attrs={"aria-label": "Note on the source"}),
    )


class _SourceRows(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this source"


SourceFormSet = forms.formset_factory(
    SourceForm,
    formset=_SourceRows,
    extra=2,
    can_delete=True,
    max_num=MAX_SOURCES,
    validate_max=True,
)


def _initial(ruling):
    return {**{name: getattr(ruling, name) for name in FIELDS}, "version": ruling.version}


def _sources_of(formset) -> list[dict]:
    # A row left empty is no source; a row with only a title is one (without a URL), and the
    # service refuses it by number, so nothing typed vanishes silently.
    sources = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        item = {name: data.get(name) or "" for name in SOURCE_FIELDS}
        if any(item.values()):
            sources.append(item)
    return sources


def _linked_ids(request, ruling) -> list[int]:
    if request.method != "POST":
        return list(ruling.links.values_list("annotation_id", flat=True))
    ids = []
    for raw in request.POST.getlist("span"):
        try:
            ids.append(int(raw))
        except ValueError:
            continue  # not an id any page of ours sends; nothing to link
    return list(dict.fromkeys(ids))


def edit_view(model_admin, request, object_id):
    ruling = model_admin.viewable_ruling(request, object_id)
    change_url = model_admin.change_url(ruling)
    if not selectors.ruling_permissions(request.user, ruling)["change"]:
        model_admin.message_user(
            request,
            f"You may not edit this ruling now: it is {ruling.get_status_display().lower()}"
            + (", and not yours" if ruling.author_id != request.user.pk else "")
            + ". Drafts and rulings in review change; published ones are retracted and "
            "superseded.",
            level=messages.ERROR,
        )
        return HttpResponseRedirect(change_url)

    theirs = None  # the newer version someone else saved, when a save was refused for it
    searched = None
    if request.method != "POST":
        form = RulingForm(initial=_initial(ruling))
        formset = SourceFormSet(initial=ruling.sources, prefix="sources")
        span_ids = _linked_ids(request, ruling)
    else:
        form = RulingForm(request.POST)
        formset = SourceFormSet(request.POST, prefix="sources")
        span_ids = _linked_ids(request, ruling)
        spans = list(selectors.spans_for(request.user).filter(pk__in=span_ids))
        gone = sorted(set(span_ids) - {span.pk for span in spans})
        span_ids = [pk for pk in span_ids if pk not in gone]
        if "_search" in request.POST:
            # A search keeps everything typed and saves nothing.
            searched = request.POST.get("span_search", "").strip()
        elif gone:
            form.add_error(
                None,
                "Deleted since you opened this page, so no longer linked: span "
                + ", ".join(f"#{pk}" for pk in gone)
                + ". Check the list below and save again.",
            )
        elif form.is_valid() & formset.is_valid():  # both, so both show their errors
            try:
                updated = services.ruling_update(
                    ruling=ruling,
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                    annotations=spans,
                    sources=_sources_of(formset),
                    **{name: form.cleaned_data[name] for name in FIELDS},
                )
            except PreconditionFailed:
                theirs = ruling = Ruling.objects.get(pk=ruling.pk)
                form = _kept_over(request.POST, ruling)
            except ServiceError as exc:
                _add_service_error(form, formset, exc)
            else:
                model_admin.message_user(
                    request, f"Saved: version {updated.version}.", level=messages.SUCCESS
                )
                for warning in selectors.claim_warnings(updated).values():
                    model_admin.message_user(request, warning, level=messages.WARNING)
                return HttpResponseRedirect(change_url)

    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": ruling,
        "title": f"Edit ruling: {ruling.statement}",
        "form": form,
        "sources": formset,
        "linked": list(selectors.spans_by_id(request.user, span_ids)),
        "searched": searched,
        "found": (
            list(selectors.spans_to_link(request.user, searched, exclude=span_ids))
            if searched
            else []
        ),
        "theirs": theirs,
        "change_url": change_url,
        "preview_url": model_admin.action_url("preview", ruling),
    }
    return TemplateResponse(request, "admin/annotations/ruling/edit.html", context)


def _kept_over(posted, current):
    """The form as typed, now carrying `current`'s version: saving it again replaces the newer
    version, knowingly, after it has been shown."""
    data = posted.copy()
    opened = data.get("version")
    data["version"] = current.version
    form = RulingForm(data)
    form.is_valid()
    form.add_error(
        None,
        f"Someone else saved version {current.version} after you opened version {opened}, so "
        "your changes were not saved. Your text is kept below and theirs is beside it: save "
        "again to replace theirs with yours, or copy what you need.",
    )
    return form


def _add_service_error(form, formset, exc):
    if exc.field == "sources":
        formset._non_form_errors = formset.error_class([exc.message])
    elif exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        form.add_error(None, exc.message)
