"""A small asyncio HTTP/1.1 client for the soak: keep-alive connections,
Content-Length, chunked and close-delimited bodies, and etcd's watch streams.

Standard library only. Every call takes a timeout; nothing here retries.
"""

import asyncio
import json


class HttpError(Exception):
    """The connection failed, closed early or answered something that is not HTTP."""


class Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # dict, lower-case names
        self.body = body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Conn:
    """One keep-alive connection to host:port, opened on first use and again
    after the server closed it. Not for concurrent requests."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    @property
    def is_open(self):
        return self.writer is not None

    async def _open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self):
        if self.writer is not None:
            self.writer.transport.abort()  # RST-free enough, and never blocks
            self.reader = self.writer = None

    async def _send(self, method, target, body, headers):
        if self.writer is None:
            await self._open()
        head = ["%s %s HTTP/1.1" % (method, target), "Host: %s:%d" % (self.host, self.port)]
        data = b""
        if body is not None:
            data = body.encode() if isinstance(body, str) else body
            head.append("Content-Type: application/x-www-form-urlencoded")
            head.append("Content-Length: %d" % len(data))
        for k, v in (headers or {}).items():
            head.append("%s: %s" % (k, v))
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        await self.writer.drain()

    async def _head(self):
        line = await self.reader.readline()
        if not line:
            raise HttpError("connection closed before a status line")
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise HttpError("bad status line %r" % line[:80])
        status = int(parts[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n"):
                return status, headers
            if not line:
                raise HttpError("connection closed inside the headers")
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()

    async def _chunks(self):
        """Yields the chunks of a chunked body until the last one."""
        while True:
            line = await self.reader.readline()
            if not line:
                raise HttpError("connection closed inside a chunked body")
            size = int(line.split(b";")[0], 16)
            if size == 0:
                await self.reader.readline()  # no trailers from etcd or kvraft
                return
            data = await self.reader.readexactly(size + 2)
            yield data[:-2]

    async def request(self, method, target, body=None, headers=None, timeout=10.0):
        """One request; raises HttpError, OSError or asyncio.TimeoutError (the
        connection is then closed, so the next call opens a new one)."""
        try:
            return await asyncio.wait_for(self._request(method, target, body, headers), timeout)
        except BaseException:
            self.close()
            raise

    async def _request(self, method, target, body, headers):
        try:
            await self._send(method, target, body, headers)
            status, hdrs = await self._head()
            if method == "HEAD" or status in (204, 304):
                data = b""
            elif "chunked" in hdrs.get("transfer-encoding", "").lower():
                data = b"".join([c async for c in self._chunks()])
            elif "content-length" in hdrs:
                data = await self.reader.readexactly(int(hdrs["content-length"]))
            else:
                data = await self.reader.read()
                self.close()
        except asyncio.IncompleteReadError as e:
            raise HttpError("connection closed inside the body") from e
        except ValueError as e:
            raise HttpError("bad framing: %s" % e) from e
        if hdrs.get("connection", "").lower() == "close":
            self.close()
        return Response(status, hdrs, data)

    async def stream(self, target, on_head, timeout=10.0):
        """A watch stream (?stream=true): calls on_head(status, headers) once,
        then yields each event (a dict) as it arrives. The caller ends it by
        cancelling; the server ends it by closing (HttpError)."""
        try:
            await asyncio.wait_for(self._send("GET", target, None, None), timeout)
            status, hdrs = await asyncio.wait_for(self._head(), timeout)
            on_head(status, hdrs)
            if "chunked" not in hdrs.get("transfer-encoding", "").lower():  # an error answer
                n = hdrs.get("content-length", "")
                read = self.reader.readexactly(int(n)) if n.isdigit() else self.reader.read()
                yield json.loads(await asyncio.wait_for(read, timeout))
                return
            buf = b""
            async for chunk in self._chunks():
                buf += chunk
                while b"\n" in buf:  # one JSON event a line, as etcd writes them
                    line, buf = buf.split(b"\n", 1)
                    if line.strip():
                        yield json.loads(line)
            raise HttpError("the server ended the stream")
        except asyncio.IncompleteReadError as e:
            raise HttpError("connection closed inside a stream") from e
        finally:
            self.close()
