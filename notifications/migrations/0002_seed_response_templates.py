from django.db import migrations

from notifications import reference_data


def forwards(apps, schema_editor):
    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_response_templates_and_outbox"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
