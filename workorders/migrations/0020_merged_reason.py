"""The *Cerrado* reason *Fusionada* that a merged ticket takes (code
``merged``): loaded with the kind's other reference rows, which are kept."""

from django.db import migrations

from workorders import reference_data


def forwards(apps, schema_editor):
    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("workorders", "0019_merged_into")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
