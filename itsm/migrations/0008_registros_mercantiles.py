"""Seed: one Registro Mercantil per province (and Ceuta and Melilla)."""

from django.db import migrations

from itsm import reference_data


def seed(apps, schema_editor):
    reference_data.load_registros_mercantiles(apps)


class Migration(migrations.Migration):
    dependencies = [("itsm", "0007_escalation_packet")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
