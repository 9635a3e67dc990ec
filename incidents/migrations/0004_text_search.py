from django.db import migrations

from itsm.common.search_indexes import trigram_extension, trigram_index


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_console_indexes")]

    # Advanced search "summary or notes contain …" on PostgreSQL, where icontains is
    # UPPER(col) LIKE UPPER('%…%'). SQLite has no such index and scans.
    operations = [
        trigram_extension(),
        trigram_index(
            table="incidents_incident", column="summary", name="incident_summary_trgm", upper=True
        ),
        trigram_index(
            table="incidents_incident",
            column="description",
            name="incident_description_trgm",
            upper=True,
        ),
    ]
