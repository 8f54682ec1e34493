"""A real HTTP server on 127.0.0.1 that records the headers of every request it receives."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    headers: dict[str, str]

    def header(self, name):
        return self.headers.get(name.lower())


@dataclass
class RecordingServer:
    """``url(path, host=...)`` names the server as ``127.0.0.1`` or as ``localhost``."""

    port: int
    received: list[Received] = field(default_factory=list)
    # GET /search answers these, whatever the query; set by a test.
    search_results: list[dict] = field(default_factory=list)

    def url(self, path="/", host="127.0.0.1"):
        return f"http://{host}:{self.port}{path}"

    def only(self):
        """The one request received."""
        assert len(self.received) == 1, [r.path for r in self.received]
        return self.received[0]


def handler_for(server: RecordingServer):
    class Handler(BaseHTTPRequestHandler):
        """``/redirect?to=URL`` 302s there, ``/status/N`` answers N, ``/slow?s=N`` waits N
        seconds, ``/search`` answers the results; anything else is ``{"ok": true}``."""

        def do_GET(self):
            self.answer()

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.answer()

        def answer(self):
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            server.received.append(
                Received(self.path, {name.lower(): value for name, value in self.headers.items()})
            )
            if parts.path == "/redirect":
                self.send_response(int(query.get("status", ["302"])[0]))
                self.send_header("Location", query["to"][0])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, body = 200, {"ok": True}
            if parts.path.startswith("/status/"):
                status = int(parts.path.rsplit("/", 1)[1])
            elif parts.path == "/slow":
                time.sleep(float(query["s"][0]))
            elif parts.path == "/search":
                body = {"results": server.search_results}
            content = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format, *args):
            pass  # the tests read what was received, not a log

    return Handler


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def without_proxies(monkeypatch):
    """Straight to the server, whatever proxy the environment names (upper or lower case)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """``handler`` served on a free port of 127.0.0.1 (the port), stopped when the block ends."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    # A short poll, so stopping the server does not wait half a second.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@contextmanager
def recording_server() -> Iterator[RecordingServer]:
    """A server on a free port of 127.0.0.1, stopped when the block ends."""
    server = RecordingServer(port=0)
    with serving(handler_for(server)) as port:
        server.port = port
        yield server
