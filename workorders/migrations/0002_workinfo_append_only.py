from django.db import migrations

from itsm.db import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]

    operations = [append_only_trigger("workorders_workorderworkinfo")]
