"""Stage 0: find inputs and read them into :class:`~translate_pipeline.records.Article`.

Files and folders (folders recursively: ``.txt``, ``.md``, ``.html``/``.htm``, ``.jsonl``), URLs
and ``-`` (stdin). Bytes in any encoding are decoded (:mod:`~translate_pipeline.encoding`); binary
files are refused. ``.txt``: the first line is the headline when a blank line follows it; ``.md``:
a leading ``# Headline`` or YAML front matter; HTML, JSON Lines and URLs: see
:mod:`~translate_pipeline.sources`, which reads every kind (:func:`read_file` reads one document).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from translate_pipeline.errors import InputError
from translate_pipeline.records import Article

__all__ = [
    "SUFFIXES",
    "MAX_INPUT_BYTES",
    "InputFile",
    "discover",
    "read_file",
    "open_input",
    "read_capped",
    "parse_text",
]

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".jsonl", ".ndjson")
#: Inputs larger than this are refused (a news article is a few KB; this is a book). Only this
#: much is ever read; an article this long is summarized in seconds (see the README).
MAX_INPUT_BYTES = 5 * 1024 * 1024

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


@dataclass(frozen=True)
class InputFile:
    """A file to process and the id its outputs are named by (``x/y`` for ``ROOT/x/y.txt``)."""

    path: Path
    id: str


def discover(inputs: Sequence[str]) -> Iterator[InputFile | InputError]:
    """Walk files and folders (recursively, sorted) in order; yield files or the error for an input.

    A folder contributes its ``.txt``/``.md`` files with ids relative to it; a file given by name is
    taken whatever its suffix (its id is its stem). Two inputs with the same id are an error for the
    second: its outputs would overwrite the first's.
    """
    from translate_pipeline.inputs.fetch import is_url
    from translate_pipeline.inputs.sources import InputStdin, InputURL, url_id

    # Memory stays flat on a folder of a million files: ids are kept, as text, only where a
    # later one could repeat them (for every input but the last, whose files are only checked
    # against the earlier inputs' and against their own folder's: a.txt and a.md are both "a").
    seen: dict[str, str] = {}
    for position, raw in enumerate(inputs):
        keep = seen if position < len(inputs) - 1 else None
        folder_ids: dict[str, str] = {}
        folder = None
        root = Path(raw)
        if raw == "-":
            found = iter([InputStdin()])
        elif is_url(raw):
            found = iter([InputURL(raw, url_id(raw))])
        elif root.is_dir():
            found = _walk(root)
        elif root.exists():
            found = iter([InputFile(root, root.stem)])
        else:
            yield InputError(raw, "no such file or folder")
            continue
        for item in found:
            where = str(getattr(item, "path", getattr(item, "url", "-")))
            first = seen.get(item.id) or folder_ids.get(item.id)
            if first is not None:
                yield InputError(
                    where, f"its outputs would overwrite those of {first} (same name {item.id!r})"
                )
                continue
            parent = item.id.rpartition("/")[0]
            if parent != folder:  # a folder's files come together: its ids recur nowhere else
                folder_ids.clear()
                folder = parent
            (keep if keep is not None else folder_ids)[item.id] = where
            yield item


def _walk(root: Path) -> Iterator[InputFile]:
    for folder, dirs, files in os.walk(root):  # does not follow symlinked folders: no loops
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix.lower() in SUFFIXES:
                rel = path.relative_to(root).with_suffix("")
                yield InputFile(path, rel.as_posix())


def read_file(item: InputFile) -> Article:
    """Read and parse one document (text, Markdown or HTML, by suffix or content); raises
    :class:`InputError` naming the file and the reason."""
    from translate_pipeline.inputs.sources import kind_of, parse_document

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


def decode(data: bytes, subject: str) -> str:
    """Bytes to text in whatever encoding they are (BOM removed); binary data is refused.

    See :mod:`translate_pipeline.encoding`.
    """
    from translate_pipeline.inputs.encoding import decode_text

    return decode_text(data, subject)[0]


def parse_text(text: str, *, source: str, id: str, markdown: bool = False) -> Article:
    """Split text into a headline and paragraphs (blank-line separated, inner lines joined)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b.strip() for b in _BLANK_LINES.split(text.strip())]
    blocks = [b for b in blocks if b]
    if not blocks:
        raise InputError(source, "is empty: no text to process")
    title = ""
    if markdown:
        first_line, _, rest = blocks[0].partition("\n")
        if _MD_HEADING.match(first_line):
            title = _plain_markdown(first_line)
            blocks = ([rest] if rest.strip() else []) + blocks[1:]
        blocks = [_plain_markdown(b) for b in blocks]
    elif len(blocks) > 1 and "\n" not in blocks[0]:
        title, blocks = blocks[0], blocks[1:]
    paragraphs = tuple(
        " ".join(line.strip() for line in b.split("\n") if line.strip()) for b in blocks
    )
    paragraphs = tuple(p for p in paragraphs if p)
    if not paragraphs:
        raise InputError(source, "has a headline but no text to process")
    return Article(id=id, source=source, title=title, paragraphs=paragraphs)


def _plain_markdown(block: str) -> str:
    lines = [_MD_HEADING.sub("", line) for line in block.split("\n")]
    return _MD_EMPHASIS.sub(r"\2", "\n".join(lines))
