"""Fill the structured columns of entries written before them; the stored
text is never touched (see itsm.journal_backfill)."""

from django.db import migrations

from itsm.journal_backfill import backfill


def forwards(apps, schema_editor):
    backfill(apps, schema_editor, app_label="incidents", model_name="IncidentWorkInfo", kind="INC")


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0009_structured_journal"),
        ("itsm", "0004_kind_choices_from_the_registry"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
