"""A real HTTP receiver on loopback, in a thread of the test: it records
every request (headers and body as received) and answers as the test asks:
200, another status, a redirect, or after a pause on the first request."""

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Behaviour:
    status: int = 200
    location: str = ""
    # Seconds to wait before answering the first request (a slow receiver).
    first_pause: float = 0.0
    requests: list[Received] = field(default_factory=list)


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.behaviour = Behaviour()
        self.lock = threading.Lock()
        self.port = port
        self.server: ThreadingHTTPServer | None = None

    @property
    def requests(self) -> list[Received]:
        with self.lock:
            return list(self.behaviour.requests)

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    behaviour = receiver.behaviour
                    behaviour.requests.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    first = len(behaviour.requests) == 1
                if first and behaviour.first_pause:
                    time.sleep(behaviour.first_pause)
                self.send_response(behaviour.status)
                if behaviour.location:
                    self.send_header("Location", behaviour.location)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                # The sender may be gone (killed mid-request).
                with contextlib.suppress(OSError):
                    self.wfile.write(b"ok" if behaviour.status < 300 else b"no")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
