"""A small HTTP/1.1 client on asyncio streams, for benchmarks that must load a
server without becoming the bottleneck themselves: one connection per
simulated user, kept open while the server allows it (gthread workers do,
sync workers close it after every answer), the cookies the server sets
(sessionid, csrftoken), bodies sized by Content-Length or sent chunked.
Standard library only; urllib's threads cost more CPU per request than the
two-core server it measures can spare."""

import asyncio
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(slots=True)
class Response:
    status: int
    # Lower-case names; Set-Cookie goes to the session's cookies instead.
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        return self.body.decode(errors="replace")


class Session:
    """One user of ``host:port``: its connection and its cookies. Not for
    concurrent use: one request at a time, as a browser tab sends them."""

    def __init__(self, host: str, port: int, timeout: float = 60) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.authority = f"{host}:{port}"
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connects = 0

    async def get(self, path: str) -> Response:
        return await self.request("GET", path)

    async def post(self, path: str, form: dict[str, str]) -> Response:
        return await self.request("POST", path, urlencode(form).encode())

    async def request(self, method: str, path: str, body: bytes | None = None) -> Response:
        """Send one request and read its answer; raises OSError (or
        TimeoutError) when the server does not answer."""
        message = self._head(method, path, body) + (body or b"")
        try:
            async with asyncio.timeout(self.timeout):
                return await self._exchange(message)
        except BaseException:
            # Whatever was left half-read on the connection is of no use.
            self.close()
            raise

    async def _exchange(self, message: bytes) -> Response:
        reused = self.writer is not None
        if not reused:
            await self._connect()
        try:
            self.writer.write(message)
            return await self._read()
        except (_ClosedBeforeAnswer, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise ConnectionError("closed without an answer") from None
        # A kept-alive connection the server closed as we wrote to it: a
        # fresh one is tried once, as browsers do.
        self.close()
        await self._connect()
        self.writer.write(message)
        try:
            return await self._read()
        except _ClosedBeforeAnswer:
            raise ConnectionError("closed without an answer") from None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            self.host, self.port, limit=1 << 20
        )
        self.connects += 1

    def _head(self, method: str, path: str, body: bytes | None) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.authority}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body is not None:
            # Django checks the Referer of unsafe requests only over HTTPS;
            # sent anyway, as a browser would.
            lines.append(f"Referer: http://{self.authority}{path}")
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _read(self) -> Response:
        try:
            raw = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            if not error.partial:
                raise _ClosedBeforeAnswer from None
            raise ConnectionError("the answer's head was cut short") from None
        lines = raw.decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._set_cookie(value)
            elif name:
                headers[name] = value
        body = await self._body(int(status), headers)
        if version == "HTTP/1.0" or headers.get("connection", "").lower() == "close":
            self.close()
        return Response(int(status), headers, body)

    async def _body(self, status: int, headers: dict[str, str]) -> bytes:
        try:
            if "content-length" in headers:
                return await self.reader.readexactly(int(headers["content-length"]))
            if headers.get("transfer-encoding", "").lower() == "chunked":
                return await self._chunked()
            if status in (204, 304) or status < 200:
                return b""
            body = await self.reader.read()  # the server closes to end it
            self.close()
            return body
        except asyncio.IncompleteReadError:
            raise ConnectionError("the answer's body was cut short") from None

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                # Trailers, if any, end with an empty line.
                while await self.reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                return b"".join(parts)
            parts.append((await self.reader.readexactly(size + 2))[:-2])

    def _set_cookie(self, header: str) -> None:
        pair, _, attributes = header.partition(";")
        name, _, value = pair.strip().partition("=")
        value = value.strip().strip('"')
        # Django deletes a cookie by sending it empty with Max-Age=0.
        if not value or "max-age=0" in attributes.lower().replace(" ", ""):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value


class _ClosedBeforeAnswer(Exception):
    """The connection ended before the first byte of an answer."""
