"""Mail backends the tests send through."""


class FailingBackend:
    """An SMTP backend that raises what the test wants."""

    error: Exception = ConnectionRefusedError(111, "Connection refused")
    calls = 0

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def send_messages(self, messages) -> int:
        type(self).calls += 1
        raise type(self).error
