from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from customers.forms import CustomerForm
from customers.models import CUSTOMER_FIELDS, Customer
from customers.services import customer_create, customer_update


class CustomerAdminForm(CustomerForm):
    class Meta(CustomerForm.Meta):
        fields = (*CustomerForm.Meta.fields, "active")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ("full_name", "kind", *CUSTOMER_FIELDS[3:], "email_failing_since", "active")
    list_filter = ("kind", "active", ("email_failing_since", admin.EmptyFieldListFilter))
    search_fields = ("search_name", "tax_id", "email", "phone", "flei_code")
    ordering = ("surnames", "first_name")
    show_full_result_count = False

    @admin.display(description=_("name"), ordering="search_name")
    def full_name(self, customer: Customer) -> str:
        return customer.full_name

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in CustomerForm.Meta.fields}
        if change:
            customer_update(customer=obj, active=form.cleaned_data["active"], **data)
        else:
            obj.pk = customer_create(**data).pk
