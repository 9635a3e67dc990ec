import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

application = get_wsgi_application()

# Every view is imported now (the URLconf names them all), then what the
# process has loaded is left out of the collector's full passes: they
# would otherwise walk the whole of Django and the desk every few hundred
# requests, 80 ms of one request's time on a two-core machine.
get_resolver().url_patterns  # noqa: B018
gc.freeze()
