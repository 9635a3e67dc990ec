from django.db import migrations

from itsm.common.search_indexes import customer_name_fts, trigram_extension, trigram_index


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        trigram_extension(),
        # Global search, PostgreSQL: any word of the name starts with the typed word
        # (search_name LIKE 'garcia%' OR search_name LIKE '% garcia%').
        trigram_index(
            table="customers_customer",
            column="search_name",
            name="customer_search_name_trgm",
            upper=False,
        ),
        # Global search, SQLite: the same through FTS5 (search_name MATCH '"garcia"*').
        customer_name_fts(),
    ]
