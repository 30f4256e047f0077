"""Where ``run`` puts its records: per-article files, one JSON Lines file, or standard output.

- ``json`` and ``markdown`` (the default is both): ``DIR/<id>.json`` and ``DIR/<id>.<lang>.md``,
  written per article with :func:`~translate_pipeline.writers.write_outputs`.
- ``jsonl``: ``DIR/articles.jsonl``, one compact JSON record per line. It is written to a temporary
  file as the run goes and renamed into place at the end (so no reader sees half of it); records
  of articles this run did not redo (skipped as complete, failed, or not among the inputs this
  time) are carried over from the previous file, after this run's, so the file keeps every
  article ever written into DIR, once, in its latest version. A killed run leaves the previous
  file as it was.
- ``--output -``: JSON Lines on stdout as each article is done (:func:`run_to_stdout`); no files,
  no lock, no resume.

Each kind answers :meth:`is_complete` for resuming (the fingerprint in the JSON record, in the
Markdown front matter, or in the ``articles.jsonl`` line). An output URL (``s3://bucket/news``)
gets the same kinds with the same bytes from :mod:`translate_pipeline.remote`, which
:func:`open_outputs` hands it to.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePath
from typing import BinaryIO

from translate_pipeline.errors import OutputError
from translate_pipeline.outputs import local as writers
from translate_pipeline.outputs.resume import is_complete
from translate_pipeline.records import ArticleResult

__all__ = [
    "FORMATS",
    "DEFAULT_FORMATS",
    "JSONL_NAME",
    "Outputs",
    "FileOutputs",
    "JsonlOutputs",
    "StreamOutputs",
    "open_outputs",
    "combine",
    "run_to_stdout",
]

log = logging.getLogger(__name__)

FORMATS = ("json", "jsonl", "markdown")
DEFAULT_FORMATS = ("json", "markdown")
#: The JSON Lines file ``run --format jsonl`` writes in its output folder.
JSONL_NAME = "articles.jsonl"


def _line(record: dict) -> bytes:
    # backslashreplace: a file name that is not UTF-8 is written as \udcXX, a valid JSON escape
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


class Outputs:
    """What a batch writes each result to; the default writes nothing and resumes nothing."""

    def is_complete(self, article_id: str, fingerprint: str, languages: Sequence[str]) -> bool:
        return False

    def write(self, result: ArticleResult, fingerprint: str | None) -> None:
        """Raises :class:`OutputError` (its cause the OSError) when the result cannot be written."""

    def skipped(self, article_id: str) -> None:
        """The article was complete and not redone."""

    def close(self) -> str | None:
        """Finish (after the last article, also after a stop); a problem is returned, not raised."""
        return None

    def abort(self) -> None:
        """The batch ended with an exception: leave the previous outputs as they were."""


class FileOutputs(Outputs):
    """``DIR/<id>.json`` and/or ``DIR/<id>.<lang>.md`` per article."""

    def __init__(self, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS):
        self.out_dir = out_dir
        self.formats = tuple(f for f in ("json", "markdown") if f in formats)

    def is_complete(self, article_id, fingerprint, languages) -> bool:
        return is_complete(self.out_dir, article_id, fingerprint, languages, self.formats)

    def write(self, result, fingerprint) -> None:
        writers.write_outputs(self.out_dir, result, fingerprint=fingerprint, formats=self.formats)


class JsonlOutputs(Outputs):
    """``DIR/articles.jsonl`` (see the module docstring)."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / JSONL_NAME
        self._old: dict[str, tuple[int, int, bool]] = {}  # id -> offset, length, complete
        self._fingerprints: dict[str, tuple[str, list]] = {}
        self._written: set[str] = set()
        self._previous: BinaryIO | None = None
        self._failed: OutputError | None = None
        try:
            self._previous = open(self.path, "rb")
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise writers._cannot_write(self.path, exc) from exc
        try:
            if self._previous is not None:
                self._index(self._previous)
            self._fd, self._tmp = writers._create_temp(self.path)
        except OSError as exc:
            if self._previous is not None:
                self._previous.close()
            raise writers._cannot_write(self.path, exc) from exc

    def _index(self, handle: BinaryIO) -> None:
        offset = 0
        for line in handle:
            try:
                record = json.loads(line)
                article_id = record["id"]
            except (ValueError, KeyError, TypeError):
                article_id = None
            if not isinstance(article_id, str):
                offset += len(line)
                continue  # a damaged line is dropped
            complete = not record.get("errors")
            self._old[article_id] = (offset, len(line), complete)
            self._fingerprints[article_id] = (record.get("fingerprint"),
                                              list(record.get("languages") or ()))
            offset += len(line)

    def is_complete(self, article_id, fingerprint, languages) -> bool:
        old = self._old.get(article_id)
        known = self._fingerprints.get(article_id)
        return bool(old and old[2] and known == (fingerprint, list(languages)))

    def _put(self, data: bytes) -> None:
        if self._failed is not None:
            raise self._failed
        try:
            writers._write_fd(self._fd, data)
        except OSError as exc:
            self._failed = writers._cannot_write(self.path, exc)
            raise self._failed from exc

    def write(self, result, fingerprint) -> None:
        record = result.to_dict()
        if fingerprint is not None:
            record["fingerprint"] = fingerprint
        self._put(_line(record))
        self._written.add(result.article.id)

    def _old_line(self, article_id: str) -> bytes:
        offset, length, _ = self._old[article_id]
        self._previous.seek(offset)
        return self._previous.read(length)

    def skipped(self, article_id) -> None:
        if article_id in self._old and article_id not in self._written:
            self._put(self._old_line(article_id))
            self._written.add(article_id)

    def close(self) -> str | None:
        try:
            for article_id in self._old:  # the previous file's other records, in their order
                if article_id not in self._written:
                    self._put(self._old_line(article_id))
            os.close(self._fd)
            self._fd = -1
            os.replace(self._tmp, self.path)
        except (OSError, OutputError) as exc:
            self.abort()
            error = exc if isinstance(exc, OutputError) else writers._cannot_write(self.path, exc)
            return f"{error}; the previous {JSONL_NAME} is intact"
        finally:
            if self._previous is not None:
                self._previous.close()
        return None

    def abort(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        writers._unlink(self._tmp)


class _All(Outputs):
    """Several kinds at once (``--format json --format jsonl``): complete when each is."""

    def __init__(self, parts: list[Outputs]):
        self.parts = parts

    def is_complete(self, article_id, fingerprint, languages) -> bool:
        return all(p.is_complete(article_id, fingerprint, languages) for p in self.parts)

    def write(self, result, fingerprint) -> None:
        for part in self.parts:  # files first: a JSON record on disk means the article is done
            part.write(result, fingerprint)

    def skipped(self, article_id) -> None:
        for part in self.parts:
            part.skipped(article_id)

    def close(self) -> str | None:
        problems = [p for p in (part.close() for part in self.parts) if p]
        return "; ".join(problems) or None

    def abort(self) -> None:
        for part in self.parts:
            part.abort()


def open_outputs(out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS) -> Outputs:
    """The outputs for ``--format`` values (empty: the default, JSON and Markdown files);
    ``out_dir`` may be a URL folder (:class:`translate_pipeline.remote.RemoteFolder`)."""
    if not isinstance(out_dir, PurePath):
        from translate_pipeline.outputs.remote import open_remote_outputs

        return open_remote_outputs(out_dir, formats)
    return combine(formats, lambda kinds: FileOutputs(out_dir, kinds),
                   lambda: JsonlOutputs(out_dir))


def combine(formats: Sequence[str], files: Callable[[tuple[str, ...]], Outputs],
            jsonl: Callable[[], Outputs]) -> Outputs:
    """The outputs ``formats`` ask for (none: the default ones): ``files(formats)`` for JSON
    and Markdown files per article, ``jsonl()`` for the one JSON Lines file, or both."""
    formats = tuple(formats) or DEFAULT_FORMATS
    parts: list[Outputs] = []
    if "json" in formats or "markdown" in formats:
        parts.append(files(formats))
    if "jsonl" in formats:
        parts.append(jsonl())
    return parts[0] if len(parts) == 1 else _All(parts)


class StreamOutputs(Outputs):
    """One JSON record per line on a binary stream, flushed per article (for pipes)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.closed = False  # the reader went away (``| head``)

    def write(self, result, fingerprint) -> None:
        try:
            self.stream.write(_line(result.to_dict()))
            self.stream.flush()
        except BrokenPipeError as exc:
            self.closed = True
            raise writers._cannot_write(Path("-"), exc) from exc


class _NoErrorLog:
    """``--output -`` keeps no errors.jsonl: failures go to stderr only."""

    count = 0

    def add_failure(self, failure) -> None:
        self.count += 1

    def add_missing(self, result) -> None:
        self.count += len(result.errors)


class PipeClosed(Exception):
    """The reader of stdout went away: stop quietly."""


def run_to_stdout(found: Iterable, pipeline, stream: BinaryIO,
                  on_outcome: Callable[[object, list[str]], None] | None = None):
    """``run --output -``: process every input and stream its record; returns the BatchReport.

    Raises :class:`PipeClosed` when stdout is closed (the rest is not processed).
    """
    from translate_pipeline.batch import process_batch

    outputs = StreamOutputs(stream)

    def outcome(item, problems) -> None:
        if outputs.closed:
            raise PipeClosed()
        if on_outcome is not None:
            on_outcome(item, problems)

    return process_batch(found, Path("-"), pipeline, _NoErrorLog(), outcome, force=True,
                         outputs=outputs)
