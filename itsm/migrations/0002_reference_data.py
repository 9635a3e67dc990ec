from django.db import migrations

from itsm import reference_data


def forwards(apps, schema_editor):
    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("itsm", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
