"""What a POST that redirects tells the user on the next page: the service's
refusal, or that it went through."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def report_outcome(request: HttpRequest, perform: Callable[[], object], success: str = "") -> bool:
    """Run ``perform`` (the service call): its refusal (a ValidationError)
    becomes an error message, else ``success``, if any, a success message.
    True when it went through."""
    try:
        perform()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    if success:
        messages.success(request, success)
    return True
