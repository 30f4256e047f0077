"""Batch runs: files and folders in, per-article JSON and Markdown out, a tally at the end.

A batch holds the output folder's lock for its whole run (a second run on the same folder fails at
once with :class:`~translate_pipeline.errors.OutputLockedError`), first removes temporary files a
killed run left there, and skips articles whose outputs are already complete for the same input
and settings (:mod:`translate_pipeline.resume`) unless ``force`` is set. Every failure is also a
line in ``DIR/errors.jsonl``, which describes the latest run only. A full disk (or a read-only
file system) stops the batch: nothing more could be written; what was written stays intact.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from translate_pipeline.errors import InputError, OutputError
from translate_pipeline.pipeline import Failure, Outcome, Pipeline, Skipped
from translate_pipeline.readers import InputFile, read_file
from translate_pipeline.records import Article, ArticleResult, Detection
from translate_pipeline.resume import Fingerprinter, is_complete, output_languages
from translate_pipeline.writers import (
    FULL_DISK_ERRNOS,
    check_writable,
    output_lock,
    remove_temp_files,
    write_outputs,
)

__all__ = ["BatchReport", "ErrorLog", "ERRORS_NAME", "read_items", "run_batch"]

log = logging.getLogger(__name__)

#: The failures of the latest run, one JSON object per line, in the output folder.
ERRORS_NAME = "errors.jsonl"


@dataclass(frozen=True)
class BatchReport:
    """``done``: written complete; ``partial``: written, some target language missing;
    ``failed``: nothing written; ``skipped``: already complete from an earlier run.
    ``stopped``: why the batch ended before its last input (a full disk), else ``None``."""

    done: int = 0
    partial: int = 0
    failed: int = 0
    skipped: int = 0
    stopped: str | None = None

    @property
    def ok(self) -> bool:
        return self.partial == 0 and self.failed == 0 and self.stopped is None

    def tally(self) -> str:
        """``done N, skipped N, failed N`` (failed counts the partial ones too, and says so)."""
        line = f"done {self.done}, skipped {self.skipped}, failed {self.failed + self.partial}"
        if self.partial:
            line += f" ({self.partial} written without some languages)"
        return line


class ErrorLog:
    """``DIR/errors.jsonl``: removed when a run starts, then one line appended per failure.

    Each line is one ``write()`` on a file opened for appending, so a reader (or a killed run)
    sees whole lines only. Fields: ``source``, ``id``, ``error`` (the exception class, or
    ``NotTranslated`` for a missing target language), ``reason``, ``message`` (the stderr line).
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
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        except OSError as exc:
            self._give_up(exc)

    def add_failure(self, failure: Failure) -> None:
        exc = failure.error
        self.add(failure.source, failure.id, type(exc).__name__, exc.reason, str(exc))

    def add_missing(self, result: ArticleResult) -> None:
        for problem in result.errors:
            message = f"{result.article.source}: {problem}"
            self.add(result.article.source, result.article.id, "NotTranslated", problem, message)


def read_items(found: Iterable[InputFile | InputError]) -> Iterator[Article | Failure]:
    """Read each discovered file lazily; unreadable inputs become failures, never exceptions."""
    for item in found:
        if isinstance(item, InputError):
            yield Failure(item.subject, "", item)
            continue
        try:
            yield read_file(item)
        except InputError as exc:
            yield Failure(str(item.path), item.id, exc)
        except Exception as exc:  # a bug must cost one input, never the batch
            log.debug("unexpected error reading %s", item.path, exc_info=True)
            error = InputError(str(item.path), f"unexpected {type(exc).__name__}: {exc}")
            yield Failure(str(item.path), item.id, error)


def run_batch(
    found: Iterable[InputFile | InputError],
    out_dir: Path,
    pipeline: Pipeline,
    on_outcome: Callable[[Outcome, list[str]], None] | None = None,
    *,
    force: bool = False,
) -> BatchReport:
    """Process and write every input; ``on_outcome(outcome, problems)`` after each one.

    Raises :class:`OutputLockedError` when another process holds ``out_dir``, and
    :class:`OutputError` when the folder cannot be created or written; everything else is in the
    report.
    """
    with output_lock(out_dir):
        check_writable(out_dir)  # a read-only folder is one error, not one per article
        removed = remove_temp_files(out_dir)
        if removed:
            log.info("removed %d temporary files a killed run left in %s", removed, out_dir)
        errors = ErrorLog(out_dir / ERRORS_NAME)
        fingerprints = Fingerprinter(pipeline.settings, lambda: pipeline.engine.route)
        known: dict[str, str] = {}  # article id -> fingerprint, from skip() to write

        def skip(article: Article, detection: Detection) -> bool:
            known[article.id] = fingerprints(article, detection)
            if force:
                return False
            languages = output_languages(detection, pipeline.settings.targets)
            return is_complete(out_dir, article.id, known[article.id], languages)

        done = partial = failed = skipped = 0
        stopped = None
        for outcome in pipeline.process(read_items(found), skip=skip):
            problems: list[str] = []
            if isinstance(outcome, ArticleResult):
                fingerprint = known.pop(outcome.article.id, None)
                try:
                    write_outputs(out_dir, outcome, fingerprint=fingerprint)
                except OutputError as exc:
                    outcome = Failure(outcome.article.source, outcome.article.id, exc)
                    cause = exc.__cause__
                    if isinstance(cause, OSError) and cause.errno in FULL_DISK_ERRNOS:
                        stopped = f"stopped early: {exc}; outputs already written are intact"
                except Exception as exc:  # a bug must cost one article, never the batch
                    log.debug("unexpected error writing %s", outcome.article.id, exc_info=True)
                    error = OutputError(str(out_dir / outcome.article.id),
                                        f"unexpected {type(exc).__name__}: {exc}")
                    outcome = Failure(outcome.article.source, outcome.article.id, error)
                else:
                    problems = [f"{outcome.article.source}: {e}" for e in outcome.errors]
                    errors.add_missing(outcome)
            else:
                known.pop(outcome.id, None)
            if isinstance(outcome, Failure):
                failed += 1
                problems = [str(outcome.error)]
                errors.add_failure(outcome)
            elif isinstance(outcome, Skipped):
                skipped += 1
                log.info("%s: skipped, its outputs are complete", outcome.source)
            elif problems:
                partial += 1
            else:
                done += 1
            if on_outcome is not None:
                on_outcome(outcome, problems)
            if stopped:
                break
    return BatchReport(done, partial, failed, skipped, stopped)

