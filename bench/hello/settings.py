"""Settings of the hello-world floor: only what Django needs to answer."""

DEBUG = False
SECRET_KEY = "hello-world-floor-only-" + "k" * 40
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.hello.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True
WSGI_APPLICATION = "bench.hello.wsgi.application"
