"""A fake Fabrica (hosted background removal) on 127.0.0.1 that tests script answer by answer.

    with running_fabrica() as fabrica:
        fabrica.plan(Answer.with_status(503), Answer.success())
        ...  # POST {fabrica.url}/v1/remove-background
        assert fabrica.requests[0].files["image_file"].data == photo

Planned answers are used in order, one per request; with none left it answers success: the
upload as RGBA with a centred opaque ellipse as its alpha. Every request is recorded.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import pytest
from multipart import (  # type: ignore[import-untyped]
    MultipartError,
    MultipartParser,
    parse_options_header,
)
from PIL import Image, ImageDraw

Kind = Literal["success", "status", "slow", "garbage", "empty", "drop"]


@dataclass(frozen=True)
class Answer:
    """What the fake says to one request."""

    kind: Kind = "success"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    delay: float = 0.0  # "slow": seconds before it answers (success)

    @classmethod
    def success(cls) -> Answer:
        return cls()

    @classmethod
    def with_status(cls, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Answer:
        return cls("status", status, tuple((headers or {}).items()), body)

    @classmethod
    def error(cls, status: int, title: str, headers: dict[str, str] | None = None) -> Answer:
        """An error in Fabrica's JSON shape: ``{"errors": [{"title": ...}]}``."""
        body = json.dumps({"errors": [{"title": title}]}).encode()
        return cls.with_status(status, body, {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def slow(cls, delay: float = 1.0) -> Answer:
        return cls("slow", delay=delay)

    @classmethod
    def garbage(cls, size: int = 512) -> Answer:
        return cls("garbage", body=b"GARBAGE!" + os.urandom(size))  # never a PNG signature

    @classmethod
    def empty(cls) -> Answer:
        return cls("empty")

    @classmethod
    def drop(cls) -> Answer:
        """Read the request, then close the connection without a word."""
        return cls("drop")


@dataclass(frozen=True)
class UploadedFile:
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    fields: dict[str, str] = field(default_factory=dict)  # plain form fields
    files: dict[str, UploadedFile] = field(default_factory=dict)

    @property
    def field_names(self) -> set[str]:
        return set(self.fields) | set(self.files)


def cutout(image: bytes) -> bytes:
    """The upload as an RGBA PNG whose alpha is a centred opaque ellipse."""
    with Image.open(io.BytesIO(image)) as source:
        rgba = source.convert("RGBA")
    mask = Image.new("L", rgba.size, 0)
    width, height = rgba.size
    ImageDraw.Draw(mask).ellipse((width // 5, height // 5, width * 4 // 5, height * 4 // 5), fill=255)
    rgba.putalpha(mask)
    out = io.BytesIO()
    rgba.save(out, format="PNG")
    return out.getvalue()


class FakeFabrica:
    """The server: ``start()``, ``plan(...)``, look at ``requests``, ``stop()`` (idempotent)."""

    def __init__(self, *, api_key: str | None = None) -> None:
        self.api_key = api_key  # when set, any other X-Api-Key gets a 403
        self.requests: list[RecordedRequest] = []
        self._answers: deque[Answer] = deque()
        self._changed = threading.Condition()
        self.stopping = threading.Event()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-fabrica",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def plan(self, *answers: Answer) -> None:
        with self._changed:
            self._answers.extend(answers)

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """The requests once at least ``count`` have arrived (a handler may still be reading)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"expected {count} requests, got {len(self.requests)}")
            return list(self.requests)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()  # slow answers give up at once
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()  # joins the handler threads too

    def take(self, request: RecordedRequest) -> Answer:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()
            if self.api_key is not None and request.headers.get("x-api-key") != self.api_key:
                return Answer.error(403, "API key invalid")
            return self._answers.popleft() if self._answers else Answer.success()


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # handler threads are joined on close: none outlives the fixture
    block_on_close = True

    def __init__(self, fabrica: FakeFabrica) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fabrica = fabrica

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client that hung up is expected here
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10  # no client can hold a handler thread (and so stop()) for ever

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fabrica = self.server.fabrica
        request = _parse(self.command, self.path, dict(self.headers.items()), body)
        answer = fabrica.take(request)
        self.close_connection = True
        if answer.kind == "drop" or (answer.kind == "slow" and fabrica.stopping.wait(answer.delay)):
            return
        status, headers, payload = answer.status, dict(answer.headers), answer.body
        if answer.kind in ("success", "slow"):
            upload = request.files.get("image_file")
            try:
                payload, headers = cutout(upload.data if upload else b""), {"Content-Type": "image/png"}
            except Exception:  # what the real service says to a file that is no image
                refusal = Answer.error(400, "Could not read the image")
                status, headers, payload = refusal.status, dict(refusal.headers), refusal.body
        elif answer.kind in ("garbage", "empty"):
            headers.setdefault("Content-Type", "image/png")  # it says PNG, it is not
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (a slow answer after its time-out)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _parse(method: str, path: str, headers: dict[str, str], body: bytes) -> RecordedRequest:
    lowered = {name.lower(): value for name, value in headers.items()}
    request = RecordedRequest(method, path, lowered)
    content_type, options = parse_options_header(lowered.get("content-type", ""))
    if content_type != "multipart/form-data" or "boundary" not in options:
        return request
    try:
        for part in MultipartParser(io.BytesIO(body), options["boundary"], content_length=len(body)):
            if part.filename is None:
                request.fields[part.name] = part.value
            else:
                request.files[part.name] = UploadedFile(part.filename, part.content_type, part.raw)
            part.close()
    except MultipartError:
        pass  # recorded as far as it could be read; the answer (no image) tells the client
    return request


@contextmanager
def running_fabrica(*, api_key: str | None = None) -> Iterator[FakeFabrica]:
    """A started fake, always stopped afterwards."""
    server = FakeFabrica(api_key=api_key)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fabrica_server() -> Iterator[FakeFabrica]:
    """The fake as a fixture (import it into a conftest, or use ``running_fabrica`` directly)."""
    with running_fabrica() as server:
        yield server
