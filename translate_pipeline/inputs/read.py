"""Reading any input into articles: every article an input holds, problems as failures.

A file is one document (:mod:`~translate_pipeline.inputs.documents`) or, by suffix or first
line, JSON Lines (:mod:`~translate_pipeline.inputs.jsonl`); stdin the same; a URL (http/https) is
fetched with :func:`~translate_pipeline.inputs.fetch.fetch` (timeouts, size cap, User-Agent), its
kind from its ``Content-Type``; the article id is a slug of the URL and the URL goes into metadata.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from translate_pipeline.errors import InputError
from translate_pipeline.inputs.documents import is_json_object, parse_document
from translate_pipeline.inputs.encoding import declared_charset
from translate_pipeline.inputs.files import (
    MAX_INPUT_BYTES,
    open_input,
    read_capped,
    read_file,
)
from translate_pipeline.inputs.jsonl import numbered_lines, read_jsonl
from translate_pipeline.inputs.kinds import (
    Input,
    InputFile,
    InputStdin,
    InputURL,
    kind_of,
    where,
)
from translate_pipeline.records import Article, Failure

__all__ = ["URL_TIMEOUT", "read_input", "read_items", "expected_articles"]

log = logging.getLogger(__name__)

#: Seconds to wait for a URL given as input (per read; the whole download gets 3x).
URL_TIMEOUT = 20.0


def read_input(item: Input) -> Iterator[Article | Failure]:
    """Every article an input holds (one, or one per JSON Lines record); problems become
    failures, never exceptions."""
    subject = where(item)
    try:
        if isinstance(item, InputURL):
            yield _read_url(item)
        elif isinstance(item, InputStdin):
            yield from _read_stream(sys.stdin.buffer, name="-", id=item.id, kind=None)
        elif kind_of(item.path) in ("jsonl", None):
            with open_input(item.path) as handle:
                yield from _read_stream(handle, name=subject, id=item.id, kind=kind_of(item.path))
        else:
            yield read_file(item)
    except InputError as exc:
        yield Failure(subject, item.id, exc)
    except Exception as exc:  # a bug must cost one input, never the batch
        log.debug("unexpected error reading %s", subject, exc_info=True)
        yield Failure(subject, item.id,
                      InputError(subject, f"unexpected {type(exc).__name__}: {exc}"))


def _read_stream(handle: BinaryIO, *, name: str, id: str, kind: str | None
                 ) -> Iterator[Article | Failure]:
    """JSON Lines are streamed a line at a time; anything else is read whole (size-capped)."""
    if kind == "jsonl":
        yield from read_jsonl(numbered_lines(handle), name=name, file_id=id)
        return
    first = read_capped(handle, name, limit=MAX_INPUT_BYTES + 1, line=True)
    head = first[3:] if first.startswith(b"\xef\xbb\xbf") else first
    try:
        is_jsonl = is_json_object(head.decode("utf-8"))
    except UnicodeDecodeError:
        is_jsonl = False
    if is_jsonl:
        yield from read_jsonl(numbered_lines(handle, first), name=name, file_id=id)
        return
    data = first + read_capped(handle, name, limit=MAX_INPUT_BYTES + 1 - len(first))
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(name, f"is larger than the {MAX_INPUT_BYTES // (1024 * 1024)} MiB "
                               "limit; split it into articles")
    yield parse_document(data, source=name, id=id, kind=kind)


def _read_url(item: InputURL) -> Article:
    from translate_pipeline.inputs.fetch import ACCEPT_HTML, MAX_ARTICLE_BYTES, fetch

    page = fetch(item.url, timeout=URL_TIMEOUT, max_bytes=MAX_ARTICLE_BYTES, accept=ACCEPT_HTML)
    content_type = page.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    kind = {"text/html": "html", "application/xhtml+xml": "html", "text/markdown": "markdown",
            "text/plain": "text"}.get(media)
    return parse_document(page.body, source=item.url, id=item.id, kind=kind,
                          declared=declared_charset(page.body, content_type), url=page.url)


def expected_articles(item) -> int:
    """About how many articles an input holds (for a progress bar): a JSON Lines file's lines."""
    if isinstance(item, InputFile) and kind_of(item.path) == "jsonl":
        try:
            with open_input(item.path) as handle:  # never blocks on a FIFO
                return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        except (InputError, OSError):
            return 1
    return 1


def read_items(found: Iterable[Input | InputError]) -> Iterator[Article | Failure]:
    """Read each discovered input lazily (a JSON Lines file gives one article per line, see
    :mod:`translate_pipeline.inputs.jsonl`); unreadable inputs become failures, never exceptions, and
    so does an article whose id an earlier one has (its outputs would overwrite the other's)."""
    # Flat memory on a million inputs: a whole file's id is kept as a 16-byte digest (two
    # files with one id are caught by discover(); this only has to catch a JSON Lines record
    # after a file), a JSON Lines record's id with its source, for the message.
    records: dict[str, str] = {}
    files: set[bytes] = set()
    for item in found:
        if isinstance(item, InputError):
            yield Failure(item.subject, "", item)
            continue
        whole = where(item)
        for read in read_input(item):
            if isinstance(read, Article):
                digest = hashlib.blake2b(read.id.encode("utf-8", "surrogateescape"),
                                         digest_size=16).digest()
                first = records.get(read.id) or ("an earlier input" if digest in files else None)
                if first is not None:
                    reason = f"its outputs would overwrite those of {first} (same name {read.id!r})"
                    yield Failure(read.source, read.id, InputError(read.source, reason))
                    continue
                if read.source == whole:
                    files.add(digest)
                else:
                    records[read.id] = read.source
            yield read
