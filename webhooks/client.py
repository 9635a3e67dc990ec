"""The one HTTP client of webhooks: no proxies from the environment, no
redirects (a 3xx is an answer like any other, and a failure), short
timeouts, the response read only up to a limit, and every connection checked
after it is made: the address it reached must be one webhooks may use."""

import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from webhooks.addresses import RefusedDestination, address_problem

# What a receiver's answer may hold before we stop reading (the log keeps less).
MAX_RESPONSE_BYTES = 64 * 1024


def _checked(sock):
    problem = address_problem(sock.getpeername()[0])
    if problem:
        sock.close()
        raise RefusedDestination(problem, code="refused_address")
    return sock


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        return _checked(super()._new_conn())


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        return _checked(super()._new_conn())


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: str
    elapsed_ms: int


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST ``body``; the receiver's answer, whatever its status. Raises
    RefusedDestination for an address webhooks may not reach and
    ``requests.RequestException`` when no answer came."""
    session = requests.Session()
    session.trust_env = False  # a proxy would hide the address we reach
    adapter = _GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    began = time.monotonic()
    # The guard's RefusedDestination is no network error: urllib3 and
    # requests let it through as raised.
    try:
        with session.post(
            url,
            data=body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        ) as response:
            content = response.raw.read(MAX_RESPONSE_BYTES, decode_content=True) or b""
            elapsed = round((time.monotonic() - began) * 1000)
            return Answer(response.status_code, _text(content, response.encoding), elapsed)
    finally:
        session.close()


def _text(content: bytes, encoding: str | None) -> str:
    try:
        return content.decode(encoding or "utf-8", errors="replace")
    except LookupError:  # a charset the receiver made up
        return content.decode("utf-8", errors="replace")
