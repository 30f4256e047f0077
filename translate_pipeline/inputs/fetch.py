"""Fetching over HTTP with limits (article pages, feeds, OPML lists), and local feed files.

- HTTP with urllib only (feedparser never fetches anything itself): a per-read timeout and an
  overall deadline, a User-Agent that names us, conditional GET (``If-None-Match`` from the ETag,
  ``If-Modified-Since`` from Last-Modified), redirects (http/https only, at most 10), gzip and
  deflate, and a size cap on what is downloaded *and* on what it decompresses to.
- A ``304 Not Modified`` comes back as a :class:`Fetched` with ``status=304`` and no body.
- :func:`read_opml` lists the feeds of an OPML file (``<outline xmlUrl=...>``, nested or not).
- :func:`fetch_article` gets an item's web page and extracts its main text with trafilatura,
  imported only there (``--fetch-article``).
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from translate_pipeline._version import __version__
from translate_pipeline.errors import InputError
from translate_pipeline.inputs.names import is_url

__all__ = [
    "USER_AGENT",
    "MAX_FEED_BYTES",
    "MAX_ARTICLE_BYTES",
    "Fetched",
    "is_url",
    "fetch",
    "read_local",
    "looks_like_opml",
    "read_opml",
    "fetch_article",
]

USER_AGENT = f"translate-pipeline/{__version__} (+feed reader)"
MAX_FEED_BYTES = 10 * 1024 * 1024
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
_ACCEPT_FEED = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Fetched:
    """What a fetch brought: ``status`` 200 (or 304 with an empty body), the body (decompressed),
    the response headers that matter (lower-case names) and the final URL after redirects."""

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http and https only (urllib would also follow ftp)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to {newurl} refused", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Deadline:
    """A total deadline for one request, redirects included: when it passes, every socket the
    request opened is shut down, which ends any read at once, however slowly the server drips
    bytes (a per-read timeout never fires on a server that sends one byte a second)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _bounded(base: type, deadline: _Deadline) -> type:
    class Connection(base):
        def connect(self):
            super().connect()
            deadline.register(self.sock)

    return Connection


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self._deadline = deadline

    def http_open(self, req):
        return self.do_open(_bounded(http.client.HTTPConnection, self._deadline), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self._deadline = deadline

    def https_open(self, req):
        return self.do_open(_bounded(http.client.HTTPSConnection, self._deadline), req,
                            context=self._context)


def _opener(deadline: _Deadline | None = None) -> urllib.request.OpenerDirector:
    if deadline is None:
        return urllib.request.build_opener(_Redirects())
    return urllib.request.build_opener(_Redirects(), _HTTP(deadline), _HTTPS(deadline))


def total_deadline(timeout: float) -> float:
    """The most one request may take in all (connect, headers, redirects, body): three times the
    per-read ``timeout``, and at least ``timeout`` + 10 s."""
    return max(timeout * 3, timeout + 10)


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 30.0,
    max_bytes: int = MAX_FEED_BYTES,
    accept: str = _ACCEPT_FEED,
    deadline: float | None = None,
) -> Fetched:
    """GET ``url``; raises :class:`InputError` naming the URL and the reason on any failure.

    ``timeout`` bounds each read; ``deadline`` (default :func:`total_deadline`) the whole
    request, whatever the server does.
    """
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": accept,
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers, method="GET")
    seconds = total_deadline(timeout) if deadline is None else deadline
    watchdog = _Deadline(seconds)
    try:
        return _fetch(request, url, timeout, max_bytes, time.monotonic() + seconds, watchdog)
    except InputError:
        if watchdog.expired:
            raise InputError(url, f"cannot fetch: timed out (no complete response within "
                             f"{seconds:g} s)") from None
        raise
    finally:
        watchdog.cancel()


def _fetch(request, url, timeout, max_bytes, deadline, watchdog) -> Fetched:
    try:
        with _opener(watchdog).open(request, timeout=timeout) as response:
            raw = _read_capped(response, max_bytes, deadline, url)
            found = {k.lower(): v for k, v in response.headers.items()}
            final = response.geturl()
            status = response.status
        if watchdog.expired:  # the body ended because the deadline shut the socket
            raise InputError(url, "cannot fetch: timed out")
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304:
            return Fetched(url, 304, b"", {k.lower(): v for k, v in (exc.headers or {}).items()})
        reason = exc.reason if isinstance(exc.reason, str) else str(exc.reason or "")
        reason = " ".join(reason.split())  # urllib's redirect-loop reason spans three lines
        if "infinite loop" in reason:
            reason = f"redirect loop (or more than {_Redirects.max_redirections} redirects)"
        raise InputError(url, f"HTTP {exc.code} {reason}".rstrip()) from None
    except urllib.error.URLError as exc:
        raise InputError(url, f"cannot fetch: {_describe(exc.reason)}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise InputError(url, f"cannot fetch: {_describe(exc)}") from None
    body = _decompress(raw, found.get("content-encoding", ""), max_bytes, url)
    return Fetched(final, status, body, found)


def _describe(reason: object) -> str:
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _read_capped(response, max_bytes: int, deadline: float, url: str) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise InputError(url, f"is larger than the {max_bytes // (1024 * 1024)} MiB limit")
    chunks, size = [], 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise InputError(url, f"is larger than the {max_bytes // (1024 * 1024)} MiB limit")
        if time.monotonic() > deadline:
            raise InputError(url, "cannot fetch: timed out (download too slow)")
        chunks.append(chunk)


def _decompress(raw: bytes, encoding: str, max_bytes: int, url: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif encoding == "deflate":  # zlib-wrapped per the RFC; some servers send raw deflate
        wbits = zlib.MAX_WBITS if raw[:1] == b"\x78" else -zlib.MAX_WBITS
    else:
        raise InputError(url, f"unsupported Content-Encoding {encoding!r}")
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(url, f"corrupt {encoding} body: {exc}") from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise InputError(url, f"decompresses to more than {max_bytes // (1024 * 1024)} MiB")
    return out


def read_local(path: str, max_bytes: int = MAX_FEED_BYTES) -> bytes:
    """A feed or OPML file from disk; :class:`InputError` when it cannot be read."""
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(path, "is a folder, not a feed file")
        if p.stat().st_size > max_bytes:
            raise InputError(path, f"is larger than the {max_bytes // (1024 * 1024)} MiB limit")
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file, and not an http(s) URL") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


_ROOT = re.compile(rb"<\s*(?:[A-Za-z_][\w.-]*:)?(opml|rss|feed|RDF|channel|html)\b", re.I)


def looks_like_opml(data: bytes) -> bool:
    """Whether the first element of a document is ``<opml>`` (comments and DOCTYPE skipped)."""
    head = data[:4096].replace(b"\x00", b"")  # crude but enough for UTF-16 too
    head = re.sub(rb"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>", b"", head, flags=re.S)
    found = _ROOT.search(head)
    return bool(found) and found.group(1).lower() == b"opml"


def read_opml(data: bytes, subject: str) -> list[str]:
    """The feed URLs (or paths) an OPML document lists, in document order, without duplicates."""
    if b"<!ENTITY" in data[:65536].upper():
        raise InputError(subject, "OPML with entity declarations is refused")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(subject, f"is not valid OPML: {exc}") from None
    urls: dict[str, None] = {}
    for outline in root.iter("outline"):
        for name in ("xmlUrl", "xmlurl", "url"):
            value = (outline.get(name) or "").strip()
            if value and (name != "url" or outline.get("type", "").lower() in ("rss", "atom")):
                urls[value] = None
                break
    if not urls:
        raise InputError(subject, "OPML lists no feeds (no <outline xmlUrl=...>)")
    return list(urls)


def fetch_article(
    url: str, *, timeout: float = 20.0, max_bytes: int = MAX_ARTICLE_BYTES
) -> list[str]:
    """The main text of the web page at ``url``, as paragraphs.

    Raises :class:`InputError` when the page cannot be fetched or holds no extractable text.
    trafilatura is imported here only, so feeds without ``--fetch-article`` never load it.
    """
    if not is_url(url):
        raise InputError(url or "(no link)", "the item has no http(s) link to fetch")
    page = fetch(url, timeout=timeout, max_bytes=max_bytes, accept=ACCEPT_HTML)
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a dependency; fall back to plain HTML to text
        from translate_pipeline.inputs.htmltext import html_paragraphs

        charset = _charset(page.headers.get("content-type", "")) or "utf-8"
        paragraphs = html_paragraphs(page.body.decode(charset, "replace"))
    else:
        text = trafilatura.extract(
            page.body, url=page.url, include_comments=False, include_tables=False,
            favor_precision=True, output_format="txt",
        ) or ""
        paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    if not paragraphs:
        raise InputError(url, "no article text found in the page")
    return paragraphs


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type, re.I)
    if not match:
        return None
    try:
        import codecs

        return codecs.lookup(match.group(1)).name
    except LookupError:
        return None
