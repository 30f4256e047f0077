"""Reading a file safely: regular files only (never a FIFO or device), at most so many bytes.

:func:`read_file` reads one document (text, Markdown or HTML, by suffix or content; see
:mod:`~translate_pipeline.inputs.documents`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from translate_pipeline.errors import InputError
from translate_pipeline.inputs.documents import parse_document
from translate_pipeline.inputs.kinds import InputFile, kind_of
from translate_pipeline.records import Article

__all__ = ["MAX_INPUT_BYTES", "read_file", "open_input", "read_capped"]

#: Inputs larger than this are refused (a news article is a few KB; this is a book). Only this
#: much is ever read; an article this long is summarized in seconds (see the README).
MAX_INPUT_BYTES = 5 * 1024 * 1024


def read_file(item: InputFile) -> Article:
    """Read and parse one document (text, Markdown or HTML, by suffix or content); raises
    :class:`InputError` naming the file and the reason."""
    path = item.path
    with open_input(path) as handle:
        data = read_capped(handle, str(path), limit=MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            str(path),
            f"file is larger than the {_size(MAX_INPUT_BYTES)} limit; split it into articles",
        )
    return parse_document(data, source=str(path), id=item.id, kind=kind_of(path))


def open_input(path: Path) -> BinaryIO:
    """Open a regular file for reading; :class:`InputError` for folders, FIFOs, devices, ..."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except IsADirectoryError:
        raise InputError(str(path), "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(str(path), "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(str(path), "is not a regular file (a pipe, socket or device)")
    except OSError as exc:
        os.close(fd)
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    except InputError:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_capped(handle: BinaryIO, subject: str, *, limit: int, line: bool = False) -> bytes:
    """At most ``limit`` bytes (one line at most with ``line``): never more in memory."""
    try:
        return handle.readline(limit) if line else handle.read(limit)
    except OSError as exc:
        raise InputError(subject, f"cannot read: {exc.strerror or exc}") from exc


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MiB"
    return f"{limit / 1024:g} KiB" if limit >= 1024 else f"{limit} bytes"
