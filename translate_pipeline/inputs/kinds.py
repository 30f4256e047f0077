"""What an input is before it is read: a file, a URL or stdin, and the kind its name says.

A file's kind comes from its suffix (:data:`SUFFIX_KINDS`: ``.txt``; ``.md``/``.markdown``;
``.html``/``.htm``/``.xhtml``; ``.jsonl``/``.ndjson``); one without a known suffix is sniffed
from its content when it is read (:func:`translate_pipeline.inputs.documents.sniff`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from translate_pipeline.inputs.names import feed_slug

__all__ = ["SUFFIX_KINDS", "SUFFIXES", "InputFile", "InputURL", "InputStdin", "Input", "kind_of",
           "split_suffix", "url_id", "where"]

SUFFIX_KINDS = {
    ".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
    ".xhtml": "html", ".jsonl": "jsonl", ".ndjson": "jsonl",
}
#: The suffixes a folder's files are taken with.
SUFFIXES = tuple(SUFFIX_KINDS)


@dataclass(frozen=True)
class InputFile:
    """A file to process and the id its outputs are named by (``x/y`` for ``ROOT/x/y.txt``)."""

    path: Path
    id: str


@dataclass(frozen=True)
class InputURL:
    """A web page to fetch; ``id`` (a slug of the URL) names its outputs."""

    url: str
    id: str


@dataclass(frozen=True)
class InputStdin:
    """Standard input (``-``)."""

    id: str = "stdin"


Input = InputFile | InputURL | InputStdin


def split_suffix(name: str) -> tuple[str, str]:
    """``(stem, suffix)`` of a file name, as :class:`pathlib.PurePath` splits it (``a.b.txt`` ->
    ``("a.b", ".txt")``; ``.txt`` and ``a.`` have none), without making a path object: a batch
    does this for every input."""
    i = name.rfind(".")
    if 0 < i < len(name) - 1:
        return name[:i], name[i:]
    return name, ""


def kind_of(path: Path | str) -> str | None:
    """The kind a file's suffix says, or ``None`` (to be sniffed)."""
    name = path.name if isinstance(path, Path) else os.path.basename(path)
    return SUFFIX_KINDS.get(split_suffix(name)[1].lower())


def url_id(url: str) -> str:
    """A URL's article id: its host and path as a slug plus a short hash (as feeds are named)."""
    return feed_slug(url)


def where(item: Input) -> str:
    """What names an input in messages: its path, its URL, or ``-``."""
    if isinstance(item, InputFile):
        return str(item.path)
    return item.url if isinstance(item, InputURL) else "-"
