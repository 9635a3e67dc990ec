from django.db import migrations

from itsm.common.permissions import DATA_PROTECTION_GROUP


def create_role(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.get_or_create(name=DATA_PROTECTION_GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_data_protection_requests"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_role, migrations.RunPython.noop)]
