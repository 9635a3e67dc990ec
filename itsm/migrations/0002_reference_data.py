from django.db import migrations

from itsm import reference_data


def forwards(apps, schema_editor):
    # The core's rows only. Each kind's reasons and templates, seeded here
    # before kinds seeded their own, come from the kind's data migration
    # (incidents 0016, workorders 0016), which finds them on databases
    # migrated before.
    reference_data.load_core(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("itsm", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
