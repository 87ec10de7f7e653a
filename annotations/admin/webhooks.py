"""Webhooks in the admin, for administrators only: endpoints registered through the service (its
checks are the form's), and the delivery log with a manual redeliver."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from .. import roles, services
from ..errors import ServiceError
from ..models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from ..services.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER
from ._common import ReadOnlyMixin


class AdminsOnly:
    def has_module_permission(self, request):
        return roles.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_admin(request.user)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=1000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "events", "active")
        help_texts = {
            "url": "https:// only. Private, loopback and link-local addresses are refused "
            "unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is on.",
        }

    def clean(self):
        # The service's checks, run here so a refusal shows on the form with the field named;
        # save_model below writes through the service itself.
        data = super().clean()
        if "url" in data:
            try:
                services.webhooks.check_url(data["url"])
            except ServiceError as exc:
                self.add_error("url", exc.message)
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AdminsOnly, admin.ModelAdmin):
    form = EndpointForm
    list_display = ("__str__", "url", "events_wanted", "active", "created_at")
    readonly_fields = ("signing", "created_by", "created_at")

    def has_add_permission(self, request):
        return roles.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_admin(request.user)

    @admin.display(description="events")
    def events_wanted(self, obj):
        return ", ".join(obj.events)

    @admin.display(description="secret and signature")
    def signing(self, obj):
        if not obj.pk:
            return "A secret is made when you save."
        return format_html(
            "<code>{}</code><br>Each delivery carries <code>{}</code> (Unix seconds) and "
            "<code>{}</code>: <code>sha256=</code> + HMAC-SHA256 of "
            "<code>timestamp + '.' + body</code> under this secret. The README has a "
            "verification snippet.",
            obj.secret,
            TIMESTAMP_HEADER,
            SIGNATURE_HEADER,
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.webhooks.endpoint_save(
            user=request.user,
            url=data["url"],
            events=data["events"],
            description=data.get("description", ""),
            active=data.get("active", True),
            endpoint=obj,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AdminsOnly, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "event",
        "endpoint",
        "ruling",
        "status",
        "attempts",
        "last_status_code",
        "last_response_ms",
        "delivered_at",
    )
    list_filter = ("status", "event", "endpoint")
    list_select_related = ("endpoint", "ruling")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["redeliver"]

    def get_actions(self, request):
        # Django hides actions from a user without change permission; redelivering is not a
        # change of the log, and the service decides who may.
        actions = super().get_actions(request)
        if roles.is_admin(request.user):
            actions["redeliver"] = self.get_action("redeliver")
        return actions

    @admin.action(description="Redeliver the selected deliveries")
    def redeliver(self, request, queryset):
        for delivery in queryset:
            services.webhooks.delivery_redeliver(delivery=delivery, user=request.user)
        self.message_user(
            request, f"{queryset.count()} delivery(ies) queued again.", messages.SUCCESS
        )
