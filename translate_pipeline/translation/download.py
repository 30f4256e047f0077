"""HTTP(S) for the Argos package index and package downloads: urllib, a timeout on every read,
size limits, and one :class:`~translate_pipeline.errors.NetworkError` naming the URL and the
reason for any failure.

Nothing here runs unless a command asks for the network (``models install FROM TO``,
``models update``, ``models available --refresh``).
"""

from __future__ import annotations

import http.client
import io
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import BinaryIO

from translate_pipeline.errors import NetworkError

__all__ = ["OFFLINE_HINT", "fetch_bytes", "download", "content_length", "network_error"]

log = logging.getLogger(__name__)

USER_AGENT = "translate-pipeline (ArgosTranslate-compatible)"
OFFLINE_HINT = (
    "are you offline? To install without network, copy the .argosmodel file here and run: "
    "translate-pipeline models install FILE.argosmodel"
)
#: What a failed request raises: URLError and timeouts are OSErrors; ValueError for a bad
#: scheme or a body over its limit.
NET_ERRORS = (OSError, http.client.HTTPException, ValueError)


def failure_reason(exc: BaseException) -> str:
    """The short reason of a failed request: ``HTTP 404 Not Found``, ``[Errno 111] Connection
    refused``, ``timed out``."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def network_error(url: str, exc: BaseException, what: str) -> NetworkError:
    cause = failure_reason(exc)
    return NetworkError(url, f"could not reach {what} ({cause}); {OFFLINE_HINT}", cause=cause)


def _open(url: str, timeout: float, method: str = "GET"):
    if not url.lower().startswith(("http://", "https://", "file:")):
        raise ValueError(f"unsupported URL scheme in {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT}, method=method)
    return urllib.request.urlopen(request, timeout=timeout)


def _copy_limited(response, out: BinaryIO, *, limit: int, deadline: float | None) -> int:
    length = response.headers.get("Content-Length") if hasattr(response, "headers") else None
    if length and length.isdigit() and int(length) > limit:
        raise ValueError(f"{int(length)} bytes is more than the {limit}-byte limit")
    total = 0
    read = getattr(response, "read1", response.read)  # returns what arrived: deadline stays live
    while True:
        chunk = read(1 << 20)
        if not chunk:
            return total
        total += len(chunk)
        if total > limit:
            raise ValueError(f"more than the {limit}-byte limit")
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError("timed out")
        out.write(chunk)


def fetch_bytes(url: str, *, limit: int, timeout: float, what: str) -> bytes:
    """The body of ``url`` (at most ``limit`` bytes, within ``timeout`` for connecting, each read
    and the whole body), or NetworkError."""
    buffer = io.BytesIO()
    try:
        with _open(url, timeout) as response:
            deadline = time.monotonic() + timeout
            _copy_limited(response, buffer, limit=limit, deadline=deadline)
    except NET_ERRORS as exc:
        raise network_error(url, exc, what) from exc
    return buffer.getvalue()


def download(links: Sequence[str], out: BinaryIO, *, limit: int, timeout: float,
             what: str) -> str:
    """Write the first of ``links`` that downloads in full into ``out`` (truncated before each
    try); returns that link. NetworkError (the last link's) when none does."""
    error: NetworkError | None = None
    for number, link in enumerate(links, 1):
        try:
            out.seek(0)
            out.truncate()
            with _open(link, timeout) as response:
                _copy_limited(response, out, limit=limit, deadline=None)
            return link
        except NET_ERRORS as exc:
            error = network_error(link, exc, what)
            if number < len(links):
                log.warning("download failed, trying the next link: %s: %s", link, error.cause)
    raise error or NetworkError("", f"no link to download {what} from")


class _KeepHeadOnRedirect(urllib.request.HTTPRedirectHandler):
    """urllib turns a redirected HEAD into a GET (a whole package download); keep it a HEAD."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and req.get_method() == "HEAD":
            new.method = "HEAD"
        return new


def content_length(url: str, timeout: float) -> int | None:
    """The size a HEAD request for ``url`` announces (``Content-Length``, redirects followed as
    HEAD requests), or None when the server does not say or cannot be reached."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT}, method="HEAD")
    try:
        opener = urllib.request.build_opener(_KeepHeadOnRedirect)
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
    except NET_ERRORS:
        return None
    return int(length) if length.isdigit() else None
