"""Seed: SLA targets per priority, Madrid working hours and national holidays."""

from django.db import migrations

from itsm import reference_data


def seed(apps, schema_editor):
    reference_data.load_sla(apps)


class Migration(migrations.Migration):
    dependencies = [("itsm", "0009_sla_targets_and_business_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
