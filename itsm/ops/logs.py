"""Log lines as JSON (one object a line, for the log collector) or plain text
(development), each carrying the id of the request it belongs to: the web
request's, or the one a Celery task inherited from the request that started
it, so one grep finds them all."""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

_request_id: ContextVar[str] = ContextVar("request_id", default="")

# An incoming X-Request-ID is kept only if it is short and harmless in a log
# line and a header; anything else is replaced by one of ours.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def sane_request_id(value: str | None) -> str:
    """The caller's id if it looks like one, else a new one."""
    if value and SANE_REQUEST_ID.match(value):
        return value
    return new_request_id()


def current_request_id() -> str:
    return _request_id.get()


def bind_request_id(value: str):
    """Make ``value`` the id of what this thread does now; returns the token
    to give back to ``unbind_request_id``."""
    return _request_id.set(value)


def unbind_request_id(token) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = _request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    # What a record carries by itself; anything else was passed in extra={}.
    _STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in self._STANDARD and not key.startswith("_"):
                line[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
