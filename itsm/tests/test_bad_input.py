"""Bad input everywhere: every form field and query parameter of every page
(found by reading the forms each page renders, plus the parameters the views
read from the URL) gets hostile values — NUL bytes, lone surrogates and
invalid UTF-8, 1 MB strings, huge and negative numbers, malformed keyset
cursors and dates. The answer is a 4xx or a page with a form error, never a
5xx, on SQLite and on PostgreSQL (which refuses NUL in text)."""

import base64
import json
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urljoin, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsm.tests.desk import url_patterns

CSRF_SECRET = "s3cr3tCsrfTokenForBadInput000000"
# What some views read from the URL besides their forms' fields.
QUERY_PARAMETERS = ["q", "o", "f", "after", "before", "template", "status", "relation_q", "next"]
# Views that end the session are tried by the matrix, not here.
SKIPPED = {"logout", "admin:logout"}


def cursor(values) -> str:
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MEGABYTE = b"x" * (1024 * 1024)
# Tried on every field of every target at once; the megabyte goes into the
# first field of each target (the others get 64 KB), to keep the run short.
HOSTILE: list[bytes] = [
    b"INC\x00000000000001",
    "\ud800".encode("utf-8", "surrogatepass"),  # a lone surrogate, as UTF-8 bytes
    b"\xff\xfe\xc3\x28",  # invalid UTF-8
    b"99999999999999999999999999999999",
    b"-9223372036854775809",
    b"0000-00-00T25:61:61",
    cursor(["2026-01-01T00:00:00+00:00", "INC\x00"]).encode(),
    cursor([10**40, -(10**40)]).encode(),
    b"{{ 7|add:7 }}{% debug %}",
]
# Drawn from by the property test.
MORE_HOSTILE: list[bytes] = [
    b"\x00",
    b"\xed\xbf\xbf\xf4\x90\x80\x80",
    b"-1",
    b"1e309",
    b"NaN",
    b"2026-02-30",
    b"99999-12-31",
    cursor(["not a date", 1]).encode(),
    cursor([None, {}, []]).encode(),
    b"!!!not-base64!!!",
    b"%%%%",
    b"' OR 1=1 --",
    b"../../../../etc/passwd",
]


class FormReader(HTMLParser):
    """The forms of a page: their method, action and field names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attributes.get("method") or "get").lower(),
                    "action": attributes.get("action") or "",
                    "fields": set(),
                }
            )
        elif (
            tag in ("input", "select", "textarea")
            and self.forms
            and attributes.get("name")
            and attributes.get("type") not in ("file", "submit", "button", "image")
        ):
            self.forms[-1]["fields"].add(attributes["name"])


def targets_of(client: Client, desk) -> list[tuple[str, str, tuple[str, ...]]]:
    """(method, path, field names) of every form on every page, and of every
    page with the query parameters the views read."""
    found: dict[tuple[str, str], set[str]] = {}
    for name, pattern in url_patterns():
        if name.startswith("admin:") or name in SKIPPED:
            continue
        url = desk.url(name, pattern)
        found.setdefault(("get", url), set()).update(QUERY_PARAMETERS)
        found.setdefault(("post", url), set())
        response = client.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        reader = FormReader()
        reader.feed(response.content.decode())
        for form in reader.forms:
            action = urlparse(urljoin(url, form["action"])).path
            if action in (reverse("logout"),):
                continue
            fields = form["fields"] - {"csrfmiddlewaretoken"}
            found.setdefault((form["method"], action), set()).update(fields)
            found.setdefault(("post", action), set()).update(fields)
    return [(method, path, tuple(sorted(fields))) for (method, path), fields in found.items()]


def encode(pairs: list[tuple[str, bytes]]) -> str:
    return "&".join(f"{quote_from_bytes(k.encode())}={quote_from_bytes(v)}" for k, v in pairs)


def send(client: Client, method: str, path: str, pairs: list[tuple[str, bytes]]):
    if method == "get":
        return client.get(f"{path}?{encode(pairs)}")
    body = encode([("csrfmiddlewaretoken", CSRF_SECRET.encode()), *pairs])
    return client.generic(
        "POST", path, body.encode(), content_type="application/x-www-form-urlencoded"
    )


@pytest.fixture
def coordinator_client(users) -> Client:
    """Coordinators reach every page outside the admin."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    client.force_login(users["coordinator"])
    return client


def check(response, method: str, path: str, value: bytes) -> None:
    assert response.status_code < 500, (method, path, value[:80], response.status_code)


def test_every_field_and_parameter_survives_each_hostile_value(coordinator_client, desk):
    targets = targets_of(coordinator_client, desk)
    assert len(targets) > 60  # the pages and their forms were found
    assert sum(len(fields) for _m, _p, fields in targets) > 200
    for method, path, fields in targets:
        for value in HOSTILE:
            response = send(coordinator_client, method, path, [(f, value) for f in fields])
            check(response, method, path, value)
        big = [(f, MEGABYTE if i == 0 else MEGABYTE[: 64 * 1024]) for i, f in enumerate(fields)]
        check(send(coordinator_client, method, path, big), method, path, MEGABYTE)


def test_a_nul_byte_is_refused_once_at_the_door_in_spanish(coordinator_client):
    response = coordinator_client.get(reverse("search") + "?q=%00")

    assert response.status_code == 400
    assert "carácter nulo" in response.content.decode()


# Text of every kind, written as bytes the way a client could send them.
hostile_text = st.one_of(
    st.sampled_from(HOSTILE + MORE_HOSTILE),
    st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=120),
    st.integers().map(lambda number: str(number).encode()),
    st.lists(
        st.one_of(st.none(), st.integers(), st.text(max_size=20), st.floats()), max_size=4
    ).map(lambda values: cursor(values).encode()),
    st.datetimes().map(lambda moment: moment.isoformat().encode()),
)


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_mix_of_hostile_values_never_answers_5xx(coordinator_client, desk, data):
    targets = desk.__dict__.setdefault("bad_input_targets", None) or targets_of(
        coordinator_client, desk
    )
    desk.bad_input_targets = targets
    method, path, fields = data.draw(st.sampled_from(targets))
    chosen = data.draw(st.lists(st.sampled_from(fields or ("q",)), max_size=6))
    pairs = [(name, data.draw(hostile_text)) for name in chosen]

    response = send(coordinator_client, method, path, pairs)

    assert response.status_code < 500, (method, path, pairs)
