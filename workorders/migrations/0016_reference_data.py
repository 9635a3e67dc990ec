"""The kind's own reasons and templates, seeded by the core's first data
migration until each kind seeded its own: rows already there are kept."""

from django.db import migrations

from workorders import reference_data


def forwards(apps, schema_editor):
    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0015_journal_refuses_delete"),
        ("itsm", "0012_audit_exports"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
