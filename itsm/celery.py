import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

app = Celery("itsm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request id of the web request that publishes a task follows it into the worker.
from itsm.ops import task_context  # noqa: E402 (after the app, which loads the settings)

task_context.connect()
