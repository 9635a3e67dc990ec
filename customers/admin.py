from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from customers.forms import CustomerForm
from customers.models import CUSTOMER_FIELDS, Customer, CustomerPhone
from customers.services import customer_create, customer_note_set, customer_update
from itsm.common.admin import ReadOnlyAdminMixin
from itsm.common.phones import normalise_phone


class CustomerAdminForm(CustomerForm):
    class Meta(CustomerForm.Meta):
        fields = (*CustomerForm.Meta.fields, "active", "agent_note")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ("full_name", "kind", *CUSTOMER_FIELDS[3:], "email_failing_since", "active")
    list_filter = ("kind", "active", ("email_failing_since", admin.EmptyFieldListFilter))
    search_fields = ("search_name", "tax_id", "email", "flei_code")
    ordering = ("surnames", "first_name")
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """A phone in any spelling finds its customers too."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        e164 = normalise_phone(search_term)
        if e164 is not None:
            results |= queryset.filter(phones__e164=e164)
            may_have_duplicates = True
        return results, may_have_duplicates

    @admin.display(description=_("name"), ordering="search_name")
    def full_name(self, customer: Customer) -> str:
        return customer.full_name

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in CustomerForm.Meta.fields}
        phones = form.cleaned_data["phones"]
        if change:
            customer_update(customer=obj, active=form.cleaned_data["active"], phones=phones, **data)
        else:
            obj.pk = customer_create(phones=phones, **data).pk
        customer_note_set(customer=obj, note=form.cleaned_data["agent_note"])


@admin.register(CustomerPhone)
class CustomerPhoneAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only view of every phone (they are edited on their customer):
    who has a number, the switchboards several customers share."""

    list_display = ("number", "e164", "kind", "customer")
    list_filter = ("kind",)
    search_fields = ("e164", "number")
    raw_id_fields = ("customer",)
    list_select_related = ("customer",)
    show_full_result_count = False
