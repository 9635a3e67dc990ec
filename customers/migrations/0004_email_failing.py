from django.db import migrations, models

from itsm.common.search_indexes import customer_name_fts


def rebuild_name_fts(apps, schema_editor) -> None:
    """SQLite adds a column with a default by copying the table, which drops
    the triggers that keep the FTS5 name index in step: build it again."""
    fts = customer_name_fts()
    fts.reverse_code(apps, schema_editor)
    fts.code(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_tax_id_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="email_failing_since",
            field=models.DateTimeField(blank=True, null=True, verbose_name="e-mail failing since"),
        ),
        migrations.AddField(
            model_name="customer",
            name="email_failure",
            field=models.CharField(blank=True, max_length=500, verbose_name="e-mail failure"),
        ),
        migrations.RunPython(rebuild_name_fts, migrations.RunPython.noop),
    ]
