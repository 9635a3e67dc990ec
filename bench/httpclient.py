"""A small HTTP/1.1 client on asyncio, for benchmarks that must load a server
without becoming the bottleneck themselves: one connection per simulated
user, kept open while the server allows it (gthread workers do, sync
workers close it after every answer), the cookies the server sets
(sessionid, csrftoken), bodies sized by Content-Length or sent chunked.
Standard library only. It reads and writes the loop's non-blocking sockets
directly (``loop.sock_recv``…): on two cores urllib's threads, or even
asyncio's streams, cost the client a good part of what they measure (about
200 µs of CPU per request with a new connection each, against 160 here)."""

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import urlencode

CHUNK = 1 << 16


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
        self.sock: socket.socket | None = None
        self.buffer = b""
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

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    async def _exchange(self, message: bytes) -> Response:
        reused = self.sock is not None
        if not reused:
            await self._connect()
        try:
            await asyncio.get_running_loop().sock_sendall(self.sock, message)
            return await self._read()
        except (_ClosedBeforeAnswer, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise ConnectionError("closed without an answer") from None
        # A kept-alive connection the server closed as we wrote to it: a
        # fresh one is tried once, as browsers do.
        self.close()
        await self._connect()
        await asyncio.get_running_loop().sock_sendall(self.sock, message)
        try:
            return await self._read()
        except _ClosedBeforeAnswer:
            raise ConnectionError("closed without an answer") from None

    async def _connect(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await asyncio.get_running_loop().sock_connect(sock, (self.host, self.port))
        except BaseException:
            sock.close()
            raise
        self.sock, self.buffer = sock, b""
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

    async def _fill(self) -> bool:
        """More bytes into the buffer; False when the server has closed."""
        data = await asyncio.get_running_loop().sock_recv(self.sock, CHUNK)
        self.buffer += data
        return bool(data)

    async def _until(self, marker: bytes) -> bytes:
        """The buffer up to and including ``marker``."""
        while (found := self.buffer.find(marker)) < 0:
            if not await self._fill():
                raise ConnectionError("the answer was cut short")
        end = found + len(marker)
        part, self.buffer = self.buffer[:end], self.buffer[end:]
        return part

    async def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not await self._fill():
                raise ConnectionError("the answer was cut short")
        part, self.buffer = self.buffer[:size], self.buffer[size:]
        return part

    async def _read(self) -> Response:
        while (found := self.buffer.find(b"\r\n\r\n")) < 0:
            if not await self._fill():
                if not self.buffer:
                    raise _ClosedBeforeAnswer
                raise ConnectionError("the answer's head was cut short")
        raw, self.buffer = self.buffer[:found], self.buffer[found + 4 :]
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
        if "content-length" in headers:
            return await self._exactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return await self._chunked()
        if status in (204, 304) or status < 200:
            return b""
        while await self._fill():  # the server closes to end the body
            pass
        body = self.buffer
        self.close()
        return body

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self._until(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                # Trailers, if any, end with an empty line.
                while await self._until(b"\r\n") != b"\r\n":
                    pass
                return b"".join(parts)
            parts.append((await self._exactly(size + 2))[:-2])

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
