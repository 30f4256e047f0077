"""A real HTTP server on 127.0.0.1 for the feed tests: ETag/Last-Modified with 304, gzip,
redirects, and a record of every request (path and headers)."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
from dataclasses import dataclass

from loopback import serve_on_loopback


@dataclass
class Route:
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    gzip: bool


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    status: int


class FeedServer:
    """``serve(path, body, ...)`` publishes a document (a new body gets a new ETag);
    ``redirect(path, to)`` answers 301; ``requests`` lists what came in and what was answered."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.redirects: dict[str, str] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server API)
                server._answer(self)

            def log_message(self, *args):
                pass

        self.httpd, self.base_url, self.thread = serve_on_loopback(Handler)

    def url(self, path: str) -> str:
        return self.base_url + path

    def serve(self, path: str, body: bytes | str, *,
              content_type: str = "application/rss+xml; charset=utf-8", etag: bool = True,
              last_modified: str | None = "Mon, 02 Jun 2025 10:00:00 GMT",
              gzip: bool = False) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        tag = f'"{hashlib.sha1(data).hexdigest()[:16]}"' if etag else None
        self.routes[path] = Route(data, content_type, tag, last_modified, gzip)

    def redirect(self, path: str, to: str) -> None:
        self.redirects[path] = to

    def for_path(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def _log(self, handler, status: int) -> None:
        """Record a request before answering it, so a client that got its answer sees it."""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self.requests.append(Request(handler.path, headers, status))
        handler.send_response(status)

    def _answer(self, handler) -> None:
        path = handler.path
        if path in self.redirects:
            self._log(handler, 301)
            handler.send_header("Location", self.redirects[path])
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        route = self.routes.get(path)
        if route is None:
            body = b"not found"
            self._log(handler, 404)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        match = handler.headers.get("If-None-Match")
        since = handler.headers.get("If-Modified-Since")
        if (route.etag and match == route.etag) or (
            match is None and since and route.last_modified == since
        ):
            self._log(handler, 304)
            if route.etag:
                handler.send_header("ETag", route.etag)
            handler.end_headers()
            return
        body = route.body
        self._log(handler, 200)
        handler.send_header("Content-Type", route.content_type)
        if route.etag:
            handler.send_header("ETag", route.etag)
        if route.last_modified:
            handler.send_header("Last-Modified", route.last_modified)
        if route.gzip and "gzip" in handler.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
