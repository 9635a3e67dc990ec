from django.db import migrations

from itsm.common.search_indexes import customer_name_fts


def rebuild_name_fts(apps, schema_editor) -> None:
    """SQLite drops a column by copying the table, which drops the triggers
    that keep the FTS5 name index in step: build it again."""
    fts = customer_name_fts()
    fts.reverse_code(apps, schema_editor)
    fts.code(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_move_phones_to_customer_phone"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customer_phone_idx"),
        migrations.RemoveField(model_name="customer", name="phone"),
        migrations.RunPython(rebuild_name_fts, rebuild_name_fts),
    ]
