"""Outgoing mail names its ticket by number, as relations do, instead of
one foreign key per kind of ticket."""

from django.db import migrations, models


def copy_numbers(apps, schema_editor):
    OutgoingEmail = apps.get_model("notifications", "OutgoingEmail")
    for field in ("incident", "work_order"):
        rows = OutgoingEmail.objects.filter(**{f"{field}__isnull": False}).values_list(
            "pk", f"{field}__number"
        )
        for pk, number in rows.iterator():
            OutgoingEmail.objects.filter(pk=pk).update(ticket_number=number)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_seed_response_templates"),
        ("incidents", "0007_protect_journal_from_ticket_deletion"),
        ("workorders", "0007_protect_journal_from_ticket_deletion"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="ticket_number",
            field=models.CharField(default="", max_length=15, verbose_name="ticket"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_numbers, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="outgoingemail", name="outgoingemail_one_ticket"),
        migrations.RemoveIndex(model_name="outgoingemail", name="outgoingemail_incident_idx"),
        migrations.RemoveIndex(model_name="outgoingemail", name="outgoingemail_workorder_idx"),
        migrations.RemoveField(model_name="outgoingemail", name="incident"),
        migrations.RemoveField(model_name="outgoingemail", name="work_order"),
        migrations.AddIndex(
            model_name="outgoingemail",
            index=models.Index(fields=["ticket_number", "-created_at"], name="outgoingemail_ticket_idx"),
        ),
    ]
