"""Test helpers that are real parts: a small HTTP server on 127.0.0.1 that tests start and script.

Connectors (webhooks, Mastodon, RSS) talk to it over a real socket, so the tests exercise the
same HTTP code as production, not a patched function.
"""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: dict | list | str | bytes = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode(), self.headers.get("Content-Type", "text/plain; charset=utf-8")
        return json.dumps(self.body).encode(), "application/json"


Handler = Callable[[Received], Answer]


class LocalServer:
    """An HTTP server in a thread; `handler` decides each answer, every request is recorded."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._request_handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "LocalServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record_and_answer(self, request: Received) -> Answer:
        with self._lock:
            self.received.append(request)
            return self.handler(request)

    def _request_handler(self):
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(
                    self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
                answer = server._record_and_answer(request)
                body, content_type = answer.encoded()
                self.send_response(answer.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, format, *args):  # keep the test output quiet
                pass

        return RequestHandler


class MastodonLike:
    """Enough of Mastodon's statuses API to test idempotency: one status per Idempotency-Key.

    `fail_first` answers the first N requests with a 502 *after* creating the status, like a
    server whose answer was lost: the retry must not make a second post.
    """

    def __init__(self, *, token: str, fail_first: int = 0):
        self.statuses: dict[str, dict] = {}
        self.fail_first, self.token, self.calls = fail_first, token, 0

    def __call__(self, request: Received) -> Answer:
        if request.method != "POST" or request.path != "/api/v1/statuses":
            return Answer(404, {"error": "Record not found"})
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Answer(401, {"error": "The access token is invalid"})
        self.calls += 1
        key = request.headers.get("Idempotency-Key") or f"none-{self.calls}"
        if key not in self.statuses:
            status_id = str(100 + len(self.statuses))
            self.statuses[key] = {
                "id": status_id,
                "url": f"https://social.example/@lumen/{status_id}",
                "content": request.json()["status"],
            }
        if self.calls <= self.fail_first:
            return Answer(502, "Bad gateway")
        return Answer(200, self.statuses[key])
