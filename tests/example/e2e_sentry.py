"""A stand-in for Sentry's ingest endpoint on 127.0.0.1: it keeps every envelope the real
sentry-sdk HTTP transport posts to ``/api/<project>/envelope/`` and reads its events."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.recording_server import serving


def decoded(body: bytes, encoding: str) -> bytes:
    """The envelope as sent before compression (gzip, deflate or brotli)."""
    encoding = encoding.strip().lower()
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli  # only when sentry-sdk found it installed and chose it

        return brotli.decompress(body)
    return body


def envelope_items(envelope: bytes) -> Iterator[tuple[dict, bytes]]:
    """``(item header, payload)`` of each item: a header line, then the envelope's header,
    then per item a header line and a payload of ``length`` bytes (or up to the newline)."""
    _envelope_header, _, rest = envelope.partition(b"\n")
    while rest.strip():
        line, _, rest = rest.partition(b"\n")
        header = json.loads(line)
        length = header.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length + 1 :]
        yield header, payload


@dataclass
class SentryIngest:
    port: int
    envelopes: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def dsn(self, project: int = 1) -> str:
        return f"http://public@127.0.0.1:{self.port}/{project}"

    def events(self) -> list[dict]:
        """The error events received so far (sessions, transactions and the rest left out)."""
        with self.lock:
            envelopes = list(self.envelopes)
        return [
            json.loads(payload)
            for envelope in envelopes
            for header, payload in envelope_items(envelope)
            if header.get("type") == "event"
        ]


@contextmanager
def sentry_ingest() -> Iterator[SentryIngest]:
    """The endpoint on a free port, answering 200 as Sentry does; stopped when the block ends."""
    ingest = SentryIngest(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.rstrip("/").endswith("/envelope"):
                with ingest.lock:
                    ingest.envelopes.append(
                        decoded(body, self.headers.get("Content-Encoding") or "")
                    )
            content = b'{"id": null}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format, *args):
            pass

    with serving(Handler) as port:
        ingest.port = port
        yield ingest
