"""Messages queued or failed before documents were copied get their copies
now, so a document changed from here on no longer changes them. Sent
messages are left alone: what they carried cannot be known for sure."""

from pathlib import PurePath

from django.core.files import File
from django.db import migrations


def forwards(apps, schema_editor):
    OutgoingEmail = apps.get_model("notifications", "OutgoingEmail")
    OutgoingEmailDocument = apps.get_model("notifications", "OutgoingEmailDocument")
    ResponseTemplateDocument = apps.get_model("notifications", "ResponseTemplateDocument")
    waiting = OutgoingEmail.objects.filter(status__in=["queued", "sending", "failed"])
    for email in waiting.iterator():
        if OutgoingEmailDocument.objects.filter(email=email).exists():
            continue
        for document in ResponseTemplateDocument.objects.filter(
            template_id=email.template_id
        ).order_by("pk"):
            frozen = OutgoingEmailDocument(email=email, name=document.name)
            try:
                with document.file.open("rb") as handle:
                    frozen.file.save(PurePath(document.file.name).name, File(handle), save=False)
            except FileNotFoundError:
                continue
            frozen.save()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_frozen_standard_documents")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
