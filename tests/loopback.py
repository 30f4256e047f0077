"""Start a quiet, threaded HTTP server on 127.0.0.1 for a test (the only address tests may use)."""

from __future__ import annotations

import http.server
import threading


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # clients that hang up early
        pass


def serve_on_loopback(handler: type[http.server.BaseHTTPRequestHandler]):
    """Serve ``handler`` on a free loopback port; returns ``(httpd, base_url, thread)``.

    ``base_url`` has no trailing slash; stop with ``httpd.shutdown(); httpd.server_close()``.
    """
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}", thread
