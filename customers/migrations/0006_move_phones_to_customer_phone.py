from django.db import migrations

from itsm.common.phones import display_phone, is_mobile, normalise_phone

BATCH = 2000


def move_phones(apps, schema_editor) -> None:
    """Each customer's one phone becomes their first CustomerPhone. A number
    phonenumbers cannot read is kept as typed, with no E.164 form."""
    Customer = apps.get_model("customers", "Customer")
    CustomerPhone = apps.get_model("customers", "CustomerPhone")
    rows = []
    customers = Customer.objects.exclude(phone="").values_list("pk", "phone")
    for customer_id, number in customers.iterator(chunk_size=BATCH):
        e164 = normalise_phone(number) or ""
        kind = "mobile" if e164 and is_mobile(e164) else "landline"
        rows.append(CustomerPhone(customer_id=customer_id, kind=kind, number=number, e164=e164))
        if len(rows) >= BATCH:
            CustomerPhone.objects.bulk_create(rows)
            rows = []
    CustomerPhone.objects.bulk_create(rows)
    # One phone each: the summary is that phone as shown.
    summaries = Customer.objects.exclude(phone="").values_list("pk", "phone")
    batch = []
    for customer_id, number in summaries.iterator(chunk_size=BATCH):
        e164 = normalise_phone(number)
        batch.append(Customer(pk=customer_id, phones_summary=display_phone(e164) if e164 else number))
        if len(batch) >= BATCH:
            Customer.objects.bulk_update(batch, ["phones_summary"])
            batch = []
    Customer.objects.bulk_update(batch, ["phones_summary"])


def restore_phones(apps, schema_editor) -> None:
    """Back to one phone per customer: the first one."""
    Customer = apps.get_model("customers", "Customer")
    CustomerPhone = apps.get_model("customers", "CustomerPhone")
    for phone in CustomerPhone.objects.order_by("-pk").iterator(chunk_size=BATCH):
        Customer.objects.filter(pk=phone.customer_id).update(phone=phone.number[:20])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_customer_phones"),
    ]

    operations = [
        migrations.RunPython(move_phones, restore_phones),
    ]
