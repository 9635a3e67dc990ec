"""Every response carries the security headers, and a production
configuration passes Django's deployment checks as it is."""

import os
import re
import secrets
import string
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

PAGES = ["login", "home", "incidents:console", "search"]


def header_values(response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items()}


@pytest.mark.parametrize("name", PAGES)
def test_every_page_sends_the_security_headers(client, agent, name):
    client.force_login(agent)
    headers = header_values(client.get(reverse(name)))

    csp = headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert "camera=()" in headers["permissions-policy"]


def test_downloads_and_errors_carry_the_policy_too(client, agent):
    client.force_login(agent)
    response = client.get("/incidents/INC999999999999/")

    assert response.status_code == 404
    assert "content-security-policy" in header_values(response)


def test_no_template_holds_inline_script_or_event_handlers():
    """What the policy would block, caught before a browser does."""
    offenders = []
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style_attribute = re.compile(r"\sstyle\s*=", re.I)
    for path in (settings.BASE_DIR / "templates").rglob("*.html"):
        if path.parent.name == "emails":  # mail, not pages: never shown under our policy
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (inline_script, handler, style_attribute):
            if pattern.search(text):
                offenders.append(f"{path}: {pattern.pattern}")
    assert offenders == []


def _random_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


def _check_deploy(**extra) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "ITSM_HTTPS", "DEBUG"))
    }
    env.update(DEBUG="false", SECRET_KEY=_random_key(), ALLOWED_HOSTS="desk.example.org")
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issues_with_only_debug_key_and_hosts_set():
    result = _check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_plain_http_intranet_can_turn_https_off_and_check_deploy_says_so():
    result = _check_deploy(ITSM_HTTPS="false")

    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W008" in result.stderr  # no redirect


def test_the_readme_key_command_makes_a_key_check_deploy_accepts():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    command = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    assert command in readme
    key = subprocess.run(
        [sys.executable, "-c", "import secrets; print(secrets.token_urlsafe(50))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    result = _check_deploy(SECRET_KEY=key)

    assert result.returncode == 0, result.stdout + result.stderr


def test_with_debug_off_http_is_redirected_and_hsts_sent(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000

    assert client.get(reverse("login")).status_code == 301
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
