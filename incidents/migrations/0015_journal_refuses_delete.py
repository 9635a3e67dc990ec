"""The journal refuses DELETE at the database level too, as it refuses UPDATE."""

from django.db import migrations

from itsm.migration_ops import journal_refuses_delete


class Migration(migrations.Migration):
    dependencies = [("incidents", "0014_resolved_index")]

    operations = [journal_refuses_delete("incidents_incidentworkinfo")]
