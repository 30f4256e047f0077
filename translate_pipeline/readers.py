"""Stage 0: find input files and read them into :class:`~translate_pipeline.records.Article`.

Supported for now: ``.txt`` (first line the headline when a blank line follows it) and ``.md``
(a leading ``# Headline``). Text must be UTF-8 (a BOM is fine); CRLF line ends are normalised.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate_pipeline.errors import InputError
from translate_pipeline.records import Article

__all__ = [
    "SUFFIXES",
    "MAX_INPUT_BYTES",
    "InputFile",
    "discover",
    "read_file",
    "parse_text",
]

SUFFIXES = (".txt", ".md")
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
    seen: dict[str, Path] = {}
    for raw in inputs:
        root = Path(raw)
        if root.is_dir():
            found = _walk(root)
        elif root.exists():
            found = iter([InputFile(root, root.stem)])
        else:
            yield InputError(raw, "no such file or folder")
            continue
        for item in found:
            if item.id in seen:
                yield InputError(
                    str(item.path),
                    f"its outputs would overwrite those of {seen[item.id]} (same name {item.id!r})",
                )
                continue
            seen[item.id] = item.path
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
    """Read and parse one file; raises :class:`InputError` naming the file and the reason."""
    path = item.path
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except IsADirectoryError:
        raise InputError(str(path), "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise InputError(str(path), "is a folder, not a file")
            if not stat.S_ISREG(info.st_mode):
                raise InputError(str(path), "is not a regular file (a pipe, socket or device)")
            data = handle.read(MAX_INPUT_BYTES + 1)  # never more than the limit in memory
        except OSError as exc:
            raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            str(path),
            f"file is larger than the {_size(MAX_INPUT_BYTES)} limit; split it into articles",
        )
    markdown = path.suffix.lower() == ".md"
    return parse_text(decode(data, str(path)), source=str(path), id=item.id, markdown=markdown)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MiB"
    return f"{limit / 1024:g} KiB" if limit >= 1024 else f"{limit} bytes"


def decode(data: bytes, subject: str) -> str:
    """Bytes to text: UTF-8 (BOM removed); binary data and other encodings are refused."""
    if b"\x00" in data[:8192]:
        raise InputError(subject, "looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            subject, f"is not UTF-8 text (invalid byte at offset {exc.start}); convert it to UTF-8"
        ) from None


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
