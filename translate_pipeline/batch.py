"""Batch runs: files and folders in, per-article JSON and Markdown out, a tally at the end.

A batch holds the output folder's lock for its whole run (a second run on the same folder fails at
once with :class:`~translate_pipeline.errors.OutputLockedError`), first removes temporary files a
killed run left there, and skips articles whose outputs are already complete for the same input
and settings (:mod:`translate_pipeline.resume`) unless ``force`` is set. Every failure is also a
line in ``DIR/errors.jsonl``, which describes the latest run only. A full disk (or a read-only
file system) stops the batch: nothing more could be written; what was written stays intact.
An output URL (:mod:`translate_pipeline.remote`) gets the same, less the lock.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ContextManager

from translate_pipeline.errors import InputError, OutputError
from translate_pipeline.inputs.kinds import InputFile
from translate_pipeline.outputs.local import (
    FULL_DISK_ERRNOS,
    check_writable,
    output_lock,
    remove_temp_files,
)
from translate_pipeline.outputs.resume import Fingerprinter
from translate_pipeline.pipeline import Pipeline
from translate_pipeline.records import (
    Article,
    ArticleResult,
    Detection,
    Failure,
    Outcome,
    Skipped,
    output_languages,
)

if TYPE_CHECKING:
    from translate_pipeline.outputs.formats import Outputs
    from translate_pipeline.outputs.remote import RemoteFolder

__all__ = [
    "BatchReport", "ErrorLog", "ERRORS_NAME", "read_items", "run_batch", "open_batch",
    "process_batch",
]

log = logging.getLogger(__name__)

#: The failures of the latest run, one JSON object per line, in the output folder.
ERRORS_NAME = "errors.jsonl"


@dataclass(frozen=True)
class BatchReport:
    """``done``: written complete; ``partial``: written, some target language missing;
    ``failed``: nothing written; ``skipped``: already complete from an earlier run.
    ``stopped``: why the batch ended before its last input (a full disk), else ``None``.
    ``missing_models``: ``((from, to), articles)`` for each package whose installation would
    give the written articles their missing languages, most needed first."""

    done: int = 0
    partial: int = 0
    failed: int = 0
    skipped: int = 0
    stopped: str | None = None
    missing_models: tuple[tuple[tuple[str, str], int], ...] = ()

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
    """Read each discovered input lazily (a JSON Lines file gives one article per line, see
    :mod:`translate_pipeline.sources`); unreadable inputs become failures, never exceptions, and
    so does an article whose id an earlier one has (its outputs would overwrite the other's)."""
    from translate_pipeline.inputs.read import read_input

    # Flat memory on a million inputs: a whole file's id is kept as a 16-byte digest (two
    # files with one id are caught by discover(); this only has to catch a JSON Lines record
    # after a file), a JSON Lines record's id with its source, for the message.
    records: dict[str, str] = {}
    files: set[bytes] = set()
    for item in found:
        if isinstance(item, InputError):
            yield Failure(item.subject, "", item)
            continue
        whole = str(getattr(item, "path", getattr(item, "url", "-")))
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


def run_batch(
    found: Iterable[InputFile | InputError],
    out_dir: Path | RemoteFolder,
    pipeline: Pipeline,
    on_outcome: Callable[[Outcome, list[str]], None] | None = None,
    *,
    force: bool = False,
    formats: Sequence[str] = (),
) -> BatchReport:
    """Process and write every input; ``on_outcome(outcome, problems)`` after each one.

    ``formats``: ``json``, ``jsonl``, ``markdown`` (:mod:`translate_pipeline.outputs`; empty is
    the default, JSON and Markdown files). ``out_dir`` is a folder, or a URL folder
    (:mod:`translate_pipeline.remote`). Raises :class:`OutputLockedError` when another process
    holds ``out_dir``, and :class:`OutputError` when the folder cannot be created or written;
    everything else is in the report.
    """
    from translate_pipeline.outputs.formats import open_outputs

    with open_batch(out_dir) as errors:
        outputs = open_outputs(out_dir, formats)
        try:
            report = process_batch(found, out_dir, pipeline, errors, on_outcome, force=force,
                                   outputs=outputs)
        except BaseException:
            outputs.abort()
            raise
        problem = outputs.close()
        if problem and not report.stopped:
            report = dataclasses.replace(report, stopped=f"stopped early: {problem}")
        return report


def open_batch(out_dir: Path | RemoteFolder) -> ContextManager[ErrorLog]:
    """Hold ``out_dir``'s lock, check it is writable, remove a killed run's temporary files, and
    yield a fresh ``errors.jsonl``: what every batch does before its first article, whether it
    runs here (:func:`run_batch`) or on a cluster (:mod:`translate_pipeline.cluster`).

    ``out_dir`` may be a URL (:class:`~translate_pipeline.remote.RemoteFolder`): the same, less
    the lock (see :func:`translate_pipeline.remote.open_remote_batch`)."""
    if not isinstance(out_dir, PurePath):
        from translate_pipeline.outputs.remote import open_remote_batch

        return open_remote_batch(out_dir)
    return _open_local_batch(out_dir)


@contextmanager
def _open_local_batch(out_dir: Path) -> Iterator[ErrorLog]:
    with output_lock(out_dir):
        check_writable(out_dir)  # a read-only folder is one error, not one per article
        removed = remove_temp_files(out_dir)
        if removed:
            log.info("removed %d temporary files a killed run left in %s", removed, out_dir)
        yield ErrorLog(out_dir / ERRORS_NAME)


def process_batch(
    found: Iterable[InputFile | InputError],
    out_dir: Path | RemoteFolder,
    pipeline: Pipeline,
    errors: ErrorLog,
    on_outcome: Callable[[Outcome, list[str]], None] | None = None,
    *,
    force: bool = False,
    read: Callable[[Iterable[InputFile | InputError]], Iterator[Article | Failure]] = read_items,
    outputs: Outputs | None = None,
) -> BatchReport:
    """The body of :func:`run_batch`, without the lock: process, write and report every input.

    The caller holds ``out_dir``'s lock (directly, or as the client of a cluster whose workers
    call this on their partitions); ``errors`` receives every failure; ``read`` turns ``found``
    into articles (a cluster worker reads relative paths against the client's folder);
    ``outputs`` writes each result (default: JSON and Markdown files in ``out_dir``).
    """
    if outputs is None:
        from translate_pipeline.outputs.formats import FileOutputs

        outputs = FileOutputs(out_dir)
    fingerprints = Fingerprinter(pipeline.settings, lambda: pipeline.engine.route)
    known: dict[str, str] = {}  # article id -> fingerprint, from skip() to write

    def skip(article: Article, detection: Detection) -> bool:
        known[article.id] = fingerprints(article, detection)
        if force:
            return False
        languages = output_languages(detection, pipeline.settings.targets)
        return outputs.is_complete(article.id, known[article.id], languages)

    done = partial = failed = skipped = 0
    stopped = None
    missing: Counter[tuple[str, str]] = Counter()
    for outcome in pipeline.process(read(found), skip=skip):
        problems: list[str] = []
        if isinstance(outcome, ArticleResult):
            fingerprint = known.pop(outcome.article.id, None)
            try:
                outputs.write(outcome, fingerprint)
            except OutputError as exc:
                outcome = Failure(outcome.article.source, outcome.article.id, exc)
                cause = exc.__cause__
                # a URL output whose server is gone (remote.py) stops the batch as a full disk
                if (isinstance(cause, OSError) and cause.errno in FULL_DISK_ERRNOS
                        or getattr(exc, "stops_batch", False)):
                    stopped = f"stopped early: {exc}; outputs already written are intact"
            except Exception as exc:  # a bug must cost one article, never the batch
                log.debug("unexpected error writing %s", outcome.article.id, exc_info=True)
                where = (out_dir / outcome.article.id if isinstance(out_dir, PurePath)
                         else out_dir.child(outcome.article.id))
                error = OutputError(str(where), f"unexpected {type(exc).__name__}: {exc}")
                outcome = Failure(outcome.article.source, outcome.article.id, error)
            else:
                problems = [f"{outcome.article.source}: {e}" for e in outcome.errors]
                errors.add_missing(outcome)
                missing.update(outcome.missing_models)
        else:
            known.pop(outcome.id, None)
        if isinstance(outcome, Failure):
            failed += 1
            problems = [str(outcome.error)]
            errors.add_failure(outcome)
        elif isinstance(outcome, Skipped):
            skipped += 1
            outputs.skipped(outcome.id)
            log.info("%s: skipped, its outputs are complete", outcome.source)
        elif problems:
            partial += 1
        else:
            done += 1
        if on_outcome is not None:
            on_outcome(outcome, problems)
        if stopped:
            break
    return BatchReport(done, partial, failed, skipped, stopped, most_needed(missing))


def most_needed(missing: Mapping[tuple[str, str], int]) -> tuple[tuple[tuple[str, str], int], ...]:
    """``((from, to), articles)`` pairs, the most needed first (then by pair)."""
    return tuple(sorted(missing.items(), key=lambda item: (-item[1], item[0])))

