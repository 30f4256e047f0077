"""JSON Lines inputs: one article per line, ``{"id", "title", "text"}`` and optional ``language``,
``url``, ``date``, ``author``.

Streamed, so the file has no size limit (each line has the 5 MiB one). Its article ids are
``<file id>/<record id>`` (the record id made file-name safe); a bad line is a
:class:`~translate_pipeline.records.Failure` naming ``FILE:LINE``, and the other lines go on.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from translate_pipeline.errors import InputError
from translate_pipeline.inputs.documents import declared_language, metadata_of, one_line
from translate_pipeline.inputs.files import MAX_INPUT_BYTES
from translate_pipeline.inputs.htmltext import text_paragraphs
from translate_pipeline.inputs.names import record_name
from translate_pipeline.records import Article, Failure

__all__ = ["numbered_lines", "read_jsonl"]

log = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")


def numbered_lines(handle: BinaryIO, first: bytes | None = None) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)``, ``None`` for a line over the size limit (skipped unread)."""
    stream = itertools.chain([first] if first is not None else [], iter(
        lambda: handle.readline(MAX_INPUT_BYTES + 1), b""))
    for number, line in enumerate(stream, 1):
        if len(line) > MAX_INPUT_BYTES and not line.endswith(b"\n"):
            while True:  # skip the rest of the line
                more = handle.readline(1024 * 1024)
                if not more or more.endswith(b"\n"):
                    break
            yield number, None
        else:
            yield number, line


def read_jsonl(lines: Iterable[tuple[int, bytes | None]], *, name: str, file_id: str
           ) -> Iterator[Article | Failure]:
    taken: dict[str, int] = {}
    for number, line in lines:
        subject = f"{name}:{number}"
        if line is not None and not line.strip():
            continue
        try:
            record_id, article = _jsonl_record(line, number, subject, name, file_id)
            if article.id in taken:
                raise InputError(subject, f"repeats the id {record_id!r} of line "
                                          f"{taken[article.id]}")
            taken[article.id] = number
        except InputError as exc:
            yield Failure(subject, "", exc)
        except Exception as exc:  # a bug must cost one line, never the file
            log.debug("unexpected error reading %s", subject, exc_info=True)
            error = InputError(subject, f"unexpected {type(exc).__name__}: {exc}")
            yield Failure(subject, "", error)
        else:
            yield article


def _jsonl_record(line: bytes | None, number: int, subject: str, name: str, file_id: str
                  ) -> tuple[str, Article]:
    if line is None:
        raise InputError(subject, f"line is longer than the {MAX_INPUT_BYTES // (1024 * 1024)} "
                                  "MiB limit")
    if number == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(subject, f"is not UTF-8 (byte {exc.start + 1}); JSON Lines are UTF-8"
                         ) from None
    except RecursionError:
        raise InputError(subject, "is not valid JSON: nested too deeply") from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            reason = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
        else:
            reason = str(exc)
        raise InputError(subject, f"is not valid JSON: {reason}") from None
    if not isinstance(record, dict):
        raise InputError(subject, f"is a JSON {type(record).__name__}, not an object "
                                  "with \"id\", \"title\" and \"text\"")
    if b"\\u" in line.lower():  # a lone surrogate (\ud800) is no character: U+FFFD instead
        record = {key: _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value
                  for key, value in record.items()}
    raw_id = record.get("id")
    if raw_id is None or isinstance(raw_id, (bool, dict, list)) or str(raw_id).strip() == "":
        raise InputError(subject, "has no \"id\" (a string or a number)")
    raw_id = str(raw_id).strip()
    safe = record_name(raw_id)
    if not safe:
        raise InputError(subject, f"its id {raw_id!r} cannot name a file")
    source = f"{name}#{raw_id}"
    for key in ("title", "text"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise InputError(subject, f"its \"{key}\" is not a string")
    text = record.get("text") or ""
    if not text.strip():
        raise InputError(subject, "has no \"text\": nothing to process")
    paragraphs = text_paragraphs(text)
    if not paragraphs:
        raise InputError(subject, "has no \"text\": nothing to process")
    language = record.get("language")
    metadata = metadata_of(record)
    if safe != raw_id:
        metadata = {"id": raw_id, **metadata}
    article = Article(
        id=f"{file_id}/{safe}", source=source, title=one_line(record.get("title") or ""),
        paragraphs=tuple(paragraphs),
        language=declared_language(language, subject) if language not in (None, "") else None,
        metadata=tuple(metadata.items()),
    )
    return raw_id, article
