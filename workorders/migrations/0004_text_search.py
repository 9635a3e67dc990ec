from django.db import migrations

from itsm.common.search_indexes import trigram_extension, trigram_index


class Migration(migrations.Migration):
    dependencies = [("workorders", "0003_console_indexes")]

    # Advanced search "summary or notes contain …" on PostgreSQL, where icontains is
    # UPPER(col) LIKE UPPER('%…%'). SQLite has no such index and scans.
    operations = [
        trigram_extension(),
        trigram_index(
            table="workorders_workorder",
            column="summary",
            name="workorder_summary_trgm",
            upper=True,
        ),
        trigram_index(
            table="workorders_workorder",
            column="description",
            name="workorder_description_trgm",
            upper=True,
        ),
    ]
