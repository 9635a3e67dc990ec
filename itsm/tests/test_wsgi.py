"""What a web worker loads before its first request."""

import json
import subprocess
import sys

from django.conf import settings


def test_a_worker_loads_every_view_and_keeps_it_out_of_full_collections():
    script = (
        "import gc, json, sys; import itsm.wsgi; "
        "print(json.dumps([gc.get_freeze_count(), 'itsm.views.consoles' in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    frozen, views_loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert views_loaded
    # Django, the desk and their libraries: tens of thousands of objects.
    assert frozen > 10_000
