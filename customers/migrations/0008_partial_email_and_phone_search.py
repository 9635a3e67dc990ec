from django.db import migrations

from itsm.common.search_indexes import trigram_extension, trigram_index


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_remove_customer_phone")]

    operations = [
        trigram_extension(),
        # The magnifier, PostgreSQL: part of an e-mail address (email icontains).
        trigram_index(
            table="customers_customer", column="email", name="customer_email_trgm", upper=True
        ),
        # ... and part of a phone number (e164 LIKE '%600123%').
        trigram_index(
            table="customers_customerphone",
            column="e164",
            name="customerphone_e164_trgm",
            upper=False,
        ),
    ]
