"""What a batch notes as it goes: ``errors.jsonl``, and the articles a cluster partition wrote."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from translate_pipeline.errors import with_advice
from translate_pipeline.records import ArticleResult, Failure

__all__ = ["ERRORS_NAME", "ErrorLog", "NoErrorLog", "FileJournal"]

log = logging.getLogger(__name__)

#: The failures of the latest run, one JSON object per line, in the output folder.
ERRORS_NAME = "errors.jsonl"


class ErrorLog:
    """``DIR/errors.jsonl``: removed when a run starts, then one line appended per failure.

    Each line is one ``write()`` on a file opened for appending, so a reader (or a killed run)
    sees whole lines only. Fields: ``source``, ``id``, ``error`` (the exception class, or
    ``NotTranslated`` for a missing target language), ``reason``, ``message`` (the stderr line, and what to do about it: the commands that
    install a missing model).
    A failure to write it (full disk) is logged, never fatal.
    """

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self._broken = False
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            self._give_up(exc)

    def _give_up(self, exc: OSError) -> None:
        if not self._broken:
            log.warning("cannot write %s: %s", self.path, exc.strerror or exc)
        self._broken = True

    def add(self, source: str, id: str, error: str, reason: str, message: str) -> None:
        self.count += 1
        if self._broken:
            return
        entry = {"source": source, "id": id, "error": error, "reason": reason, "message": message}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        except OSError as exc:
            self._give_up(exc)

    def add_failure(self, failure: Failure) -> None:
        exc = failure.error
        self.add(failure.source, failure.id, type(exc).__name__, exc.reason, with_advice(exc))

    def add_missing(self, result: ArticleResult) -> None:
        advice = result.advice or ("",) * len(result.errors)
        for problem, hint in zip(result.errors, advice):
            message = f"{result.article.source}: {problem}" + (f"; {hint}" if hint else "")
            self.add(result.article.source, result.article.id, "NotTranslated", problem, message)


class NoErrorLog:
    """``--output -`` keeps no errors.jsonl: failures go to stderr only."""

    count = 0

    def add_failure(self, failure) -> None:
        self.count += 1

    def add_missing(self, result) -> None:
        self.count += len(result.errors)


class FileJournal:
    """The articles one partition wrote, one JSON string per line in a local file (a folder on
    shared storage); :class:`translate_pipeline.outputs.remote.RemoteJournal` for URL outputs."""

    def __init__(self, path: Path):
        self.path = path
        try:
            with open(path, encoding="ascii") as handle:
                self._before = {json.loads(line) for line in handle if line.endswith("\n")}
        except (OSError, ValueError):
            self._before = set()

    def written_before(self, article_id: str) -> bool:
        return article_id in self._before

    def add(self, article_id: str) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
            try:
                os.write(fd, (json.dumps(article_id) + "\n").encode("ascii"))
            finally:
                os.close(fd)
        except OSError:
            pass  # only the tally of a retried partition depends on it
