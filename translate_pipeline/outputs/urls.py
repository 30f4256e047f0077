"""URL output folders (``s3://bucket/news``, ``ftp://host/out``, ...): parsed from ``--output``
and checked before any work (fsspec and the protocol's package must be importable).

Nothing here connects anywhere or imports fsspec at import time; the writing itself is in
:mod:`~translate_pipeline.outputs.remote`.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from translate_pipeline.errors import OutputUsageError

__all__ = ["RemoteFolder", "parse_output", "looks_like_url", "check_protocol",
           "fsspec_module", "worker_problem"]

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)(?:://|::)")  # also fsspec's chained URLs (a::b://)


@dataclass(frozen=True)
class RemoteFolder:
    """An output folder given as a URL (small and picklable: it travels to cluster workers).

    ``str()`` is :attr:`display`: the URL with its password hidden, for messages.
    """

    url: str

    @property
    def protocols(self) -> list[str]:
        """The URL's protocol; for a chained URL (``simplecache::s3://...``) each one's."""
        return [part.split("://", 1)[0].lower() for part in self.url.split("::")]

    @property
    def display(self) -> str:
        parts = urllib.parse.urlsplit(self.url)
        if parts.password is None:
            return self.url
        user, host = parts.netloc.rsplit("@", 1)
        return urllib.parse.urlunsplit(parts._replace(
            netloc=f"{user.split(':', 1)[0]}:***@{host}"))

    def child(self, relative: str) -> str:
        """The displayed URL of ``relative`` (a ``/`` path) in this folder."""
        return f"{self.display}/{relative}"

    def __str__(self) -> str:
        return self.display


def looks_like_url(text: str) -> bool:
    """Whether ``--output`` could be a URL (else it is a folder, and nothing else is imported)."""
    return "://" in text or text.lower().startswith("file:")


def parse_output(text: str) -> Path | RemoteFolder:
    """``run --output``: a folder, a ``file://`` URL (a folder too), or any other URL."""
    match = _URL.match(text)
    if match is None:
        if text.lower().startswith("file:/"):
            return Path("/" + text[len("file:"):].lstrip("/"))
        return Path(text)
    if match.group(1).lower() == "file":
        parts = urllib.parse.urlsplit(text)
        if parts.netloc not in ("", "localhost"):
            raise OutputUsageError(text, "a file:// URL names a folder on this machine; give "
                                         "file:///PATH")
        return Path(parts.path or "/")
    return RemoteFolder(text.rstrip("/") if not text.endswith("://") else text)


def fsspec_module(folder: RemoteFolder):
    try:
        import fsspec
    except ImportError:
        raise OutputUsageError(str(folder), "URL outputs need fsspec; install it with pip "
                               "install fsspec (and the package for the protocol, e.g. s3fs "
                               "for s3://)") from None
    return fsspec


def check_protocol(folder: RemoteFolder) -> None:
    """Raise :class:`OutputUsageError` unless fsspec and its implementation of the URL's protocol
    can be imported here (nothing is connected to)."""
    fsspec = fsspec_module(folder)
    for protocol in folder.protocols:
        try:
            fsspec.get_filesystem_class(protocol)
        except ValueError:
            raise OutputUsageError(
                str(folder), f"unknown protocol {protocol!r}: fsspec has no file system for it "
                "(e.g. s3, gcs, az, ftp, sftp, webdav)"
            ) from None
        except ImportError as exc:
            from fsspec.registry import known_implementations

            known = known_implementations.get(protocol, {})
            module = str(known.get("class", "")).split(".", 1)[0]
            if module in ("", "fsspec"):  # fsspec's own class needs another package (paramiko)
                module = getattr(exc.__cause__, "name", None) or ""
            hint = f"; pip install {module.split('.')[0]}" if module else ""
            raise OutputUsageError(str(folder), f"the {protocol}:// file system is not "
                                   f"installed: {exc}{hint}") from None


def worker_problem(url: str) -> str | None:
    """On a cluster worker: why it cannot write ``url``, or ``None`` (see :func:`check_protocol`)."""
    try:
        check_protocol(RemoteFolder(url))
    except OutputUsageError as exc:
        return str(exc)
    return None
