"""The request id travels with the tasks a request starts: written into the
message's headers when it is published, bound again in the worker while the
task runs, so the task's log lines carry the web request's id."""

import logging

from celery.signals import before_task_publish, task_postrun, task_prerun

from itsm.ops.logs import (
    bind_request_id,
    current_request_id,
    new_request_id,
    sane_request_id,
    unbind_request_id,
)

log = logging.getLogger(__name__)

HEADER = "request_id"
_tokens: dict[str, object] = {}


def _publish(headers: dict | None = None, **kwargs) -> None:
    request_id = current_request_id()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def _prerun(task_id: str, task, **kwargs) -> None:
    given = task.request.get(HEADER) or (task.request.headers or {}).get(HEADER)
    # Run in-process (no broker) the task simply keeps the caller's id.
    request_id = sane_request_id(given) if given else current_request_id() or new_request_id()
    _tokens[task_id] = bind_request_id(request_id)
    # The line that ties the task to the request that started it.
    log.info("Task %s started", task.name, extra={"task_id": task_id})


def _postrun(task_id: str, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        unbind_request_id(token)


def connect() -> None:
    before_task_publish.connect(_publish, dispatch_uid="itsm.ops.request_id.publish")
    task_prerun.connect(_prerun, dispatch_uid="itsm.ops.request_id.prerun")
    task_postrun.connect(_postrun, dispatch_uid="itsm.ops.request_id.postrun")
