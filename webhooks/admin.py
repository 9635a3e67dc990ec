"""The admin of webhooks: subscriptions (their secret to copy, turned on and
off) and the delivery log with *Reenviar*. Every change goes through the
services, so the cache of who listens to what follows it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from itsm.common.admin import ReadOnlyAdminMixin
from itsm.events import EVENT_TYPES
from webhooks.addresses import check_destination
from webhooks.delivery import delivery_resend
from webhooks.models import Attempt, Delivery, DeliveryStatus, Subscription
from webhooks.outbox import subscription_send_test
from webhooks.services import (
    EDITABLE,
    subscription_create,
    subscription_delete,
    subscription_update,
)
from webhooks.tasks import publish_deliveries


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=capfirst(_("events")),
        choices=[(name, name) for name in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Subscription
        fields = ("name", "url", "events", "active")

    def clean(self) -> dict:
        cleaned = super().clean()
        url = cleaned.get("url")
        # As the services decide: the address is checked when it changes or
        # the subscription is turned on, never to turn one off.
        turned_on = cleaned.get("active") and not (self.instance.pk and self.instance.active)
        if url and ("url" in self.changed_data or turned_on or not self.instance.pk):
            try:
                check_destination(url)
            except ValidationError as error:
                self.add_error("url", error)
        return cleaned


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("name", "url", "active", "consecutive_failures", "disabled_at")
    list_filter = ("active",)
    search_fields = ("name", "url")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = ("secret", *Subscription.RECORDED_FIELDS)
    actions = ("send_test", "disable")

    def get_readonly_fields(self, request, obj=None):
        # The secret exists once the subscription does.
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        editable = ["name", "url", "events", "active"]
        return editable + list(self.readonly_fields) if obj is not None else editable

    def save_model(self, request, obj, form, change) -> None:
        values = {name: form.cleaned_data[name] for name in EDITABLE}
        try:
            if change:
                subscription_update(subscription=obj, **values)
                return
            values.pop("active")
            created = subscription_create(owner=request.user, **values)
        except ValidationError as error:
            # The form checked the same rules a moment ago; a name that
            # started resolving elsewhere in between lands here.
            raise forms.ValidationError(error.messages) from None
        obj.pk, obj.secret, obj.owner = created.pk, created.secret, created.owner
        obj.created_at = created.created_at

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request, _("Copy the secret shown here into the receiver to verify signatures.")
        )
        # To the change page, where the new secret is shown.
        request.POST = request.POST.copy()
        request.POST["_continue"] = "1"
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj) -> None:
        subscription_delete(subscription=obj)

    def delete_queryset(self, request, queryset) -> None:
        for subscription in queryset:
            subscription_delete(subscription=subscription)

    @admin.action(description=_("Send a test event"), permissions=["view"])
    def send_test(self, request, queryset) -> None:
        active = list(queryset.filter(active=True))
        for subscription in active:
            subscription_send_test(subscription=subscription)
        self.message_user(
            request,
            ngettext(
                "A webhook.test event goes to %(count)d subscription; its delivery log shows "
                "what the receiver answered.",
                "A webhook.test event goes to %(count)d subscriptions; their delivery logs show "
                "what the receivers answered.",
                len(active),
            )
            % {"count": len(active)},
            messages.SUCCESS,
        )
        if len(active) < queryset.count():
            self.message_user(
                request,
                _("Disabled subscriptions were left out: turn them on first."),
                messages.INFO,
            )

    @admin.action(description=_("Disable the selected subscriptions"))
    def disable(self, request, queryset) -> None:
        for subscription in queryset.filter(active=True):
            subscription_update(subscription=subscription, active=False)


class AttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = (
        "number",
        "started_at",
        "status_code",
        "response_ms",
        "error",
        "response_body",
        "request_headers",
        "next_retry_at",
    )
    readonly_fields = fields
    ordering = ("number",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The delivery log: read-only, with *Reenviar*."""

    # The webhook-id is on each delivery's page and searchable.
    list_display = ("created_at", "event_type", "subscription_name", "status", "attempts")
    list_filter = ("status", "event__type", "subscription")
    search_fields = ("event__webhook_id", "subscription__name")
    list_select_related = ("event", "subscription")
    raw_id_fields = ("event", "subscription")
    fields = (
        "webhook_id",
        "event_type",
        "body",
        "subscription",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    )
    readonly_fields = fields
    inlines = (AttemptInline,)
    actions = ("resend",)

    @admin.display(description=_("event"), ordering="event__type")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.type

    @admin.display(description=_("subscription"), ordering="subscription__name")
    def subscription_name(self, delivery: Delivery) -> str:
        return delivery.subscription.name

    @admin.display(description=_("webhook-id"))
    def webhook_id(self, delivery: Delivery) -> str:
        return delivery.event.webhook_id

    @admin.display(description=_("body"))
    def body(self, delivery: Delivery) -> str:
        return delivery.event.body

    @admin.action(description=_("Resend the selected deliveries"), permissions=["view"])
    def resend(self, request, queryset) -> None:
        with transaction.atomic():
            resent = [d.pk for d in queryset if delivery_resend(delivery=d)]
            transaction.on_commit(lambda: publish_deliveries(resent))
        busy = queryset.filter(status=DeliveryStatus.SENDING).count()
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again with the same webhook-id.",
                "%(count)d deliveries will be sent again with the same webhook-id.",
                len(resent),
            )
            % {"count": len(resent)},
            messages.SUCCESS,
        )
        if busy:
            self.message_user(
                request, _("Deliveries being sent right now were left as they are."), messages.INFO
            )
