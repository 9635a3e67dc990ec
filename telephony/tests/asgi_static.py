"""The desk's ASGI application with its static files, for the browser test
against gunicorn: in production nginx serves them (docs/deployment.md)."""

import os

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

application = ASGIStaticFilesHandler(get_asgi_application())
