import django.db.models.deletion
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
        ("customers", "0004_email_failing"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="agent_note",
            field=models.TextField(blank=True, verbose_name="note for agents"),
        ),
        migrations.AddField(
            model_name="customer",
            name="phones_summary",
            field=models.CharField(
                blank=True, editable=False, max_length=200, verbose_name="phones"
            ),
        ),
        migrations.CreateModel(
            name="CustomerPhone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("mobile", "Mobile"),
                            ("landline", "Landline"),
                            ("switchboard", "Switchboard"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("number", models.CharField(max_length=40, verbose_name="number")),
                (
                    "e164",
                    models.CharField(blank=True, max_length=16, verbose_name="E.164 number"),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="phones",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
            ],
            options={
                "verbose_name": "customer phone",
                "verbose_name_plural": "customer phones",
                "indexes": [models.Index(fields=["e164"], name="customer_phone_e164_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("e164", ""), _negated=True),
                        fields=("customer", "e164"),
                        name="customer_phone_unique_per_customer",
                    )
                ],
            },
        ),
        migrations.RunPython(rebuild_name_fts, migrations.RunPython.noop),
    ]
