"""Batch runs: inputs in, each article's outputs written to a destination, a tally at the end.

A batch holds its :class:`~translate_pipeline.outputs.destination.Destination` for its whole run
(a folder's lock: a second run on the same folder fails at once with
:class:`~translate_pipeline.errors.OutputLockedError`; a killed run's temporary files removed),
and skips articles whose outputs are already complete for the same input and settings
(:mod:`translate_pipeline.outputs.resume`) unless ``force`` is set. Every failure is also a line
in ``DIR/errors.jsonl``, which describes the latest run only. A full disk (or a read-only file
system) stops the batch: nothing more could be written; what was written stays intact. An
output URL gets the same, less the lock; ``--output -`` streams records and keeps no files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from translate_pipeline.errors import InputError, OutputError, PipeClosed, with_advice
from translate_pipeline.inputs.kinds import Input, where
from translate_pipeline.outputs.destination import Destination
from translate_pipeline.outputs.formats import Outputs
from translate_pipeline.outputs.journal import ErrorLog, NoErrorLog
from translate_pipeline.outputs.local import FULL_DISK_ERRNOS
from translate_pipeline.outputs.resume import Fingerprinter
from translate_pipeline.pipeline import Pipeline
from translate_pipeline.records import (
    Article,
    ArticleResult,
    Detection,
    Failure,
    Outcome,
    Skipped,
    outcome_line,
    output_languages,
)

__all__ = ["BatchReport", "tally", "read_items", "run_batch", "process_batch",
           "most_needed"]

log = logging.getLogger(__name__)

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

    def __add__(self, other: BatchReport) -> BatchReport:
        """Two parts of one batch (a cluster's partitions): counts and models summed, the first
        stop kept."""
        missing = Counter(dict(self.missing_models))
        missing.update(dict(other.missing_models))
        return BatchReport(self.done + other.done, self.partial + other.partial,
                           self.failed + other.failed, self.skipped + other.skipped,
                           self.stopped or other.stopped, most_needed(missing))

    def tally(self) -> str:
        """``done N, skipped N, failed N``, then ``incomplete N (written without some
        languages)`` when there are such: each article counted once, as what it is."""
        line = f"done {self.done}, skipped {self.skipped}, failed {self.failed}"
        if self.partial:
            line += f", incomplete {self.partial} (written without some languages)"
        return line


def tally(outcome: Outcome, problems: Sequence[str]) -> str:
    """What an outcome counts as in a :class:`BatchReport`: ``failed`` (nothing written),
    ``skipped`` (complete from an earlier run), ``partial`` (written, with ``problems``: some
    target language missing) or ``done``. Local runs and cluster partitions count alike."""
    if isinstance(outcome, Failure):
        return "failed"
    if isinstance(outcome, Skipped):
        return "skipped"
    return "partial" if problems else "done"


def read_items(found: Iterable[Input | InputError]) -> Iterator[Article | Failure]:
    """Read each discovered input lazily (a JSON Lines file gives one article per line, see
    :mod:`translate_pipeline.inputs.jsonl`); unreadable inputs become failures, never exceptions, and
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


def run_batch(
    found: Iterable[Input | InputError],
    destination: Destination,
    pipeline: Pipeline,
    on_outcome: Callable[[Outcome, list[str]], None] | None = None,
    *,
    force: bool = False,
    formats: Sequence[str] = (),
    on_progress: Callable[[float], None] | None = None,
) -> BatchReport:
    """Process and write every input; ``on_outcome(outcome, problems)`` after each one.

    ``formats``: ``json``, ``jsonl``, ``markdown`` (:mod:`translate_pipeline.outputs.formats`;
    empty is the default, JSON and Markdown files). ``on_progress(articles)``: see
    :meth:`Pipeline.process` (``progress``). Raises :class:`OutputLockedError` when
    another process holds the destination, :class:`OutputError` when it cannot be created or
    written, and :class:`~translate_pipeline.errors.PipeClosed` when the reader of stdout went away; everything else is in
    the report.
    """
    with destination.open_batch() as errors:
        outputs = destination.open_outputs(formats)
        try:
            report = process_batch(found, destination, pipeline, errors, on_outcome,
                                   force=force or not destination.resumable, outputs=outputs,
                                   on_progress=on_progress)
        except BaseException:
            outputs.abort()
            raise
        problem = outputs.close()
        if problem and not report.stopped:
            report = dataclasses.replace(report, stopped=f"stopped early: {problem}")
        return report


def process_batch(
    found: Iterable[Input | InputError],
    destination: Destination,
    pipeline: Pipeline,
    errors: ErrorLog | NoErrorLog,
    on_outcome: Callable[[Outcome, list[str]], None] | None = None,
    *,
    force: bool = False,
    read: Callable[[Iterable[Input | InputError]], Iterator[Article | Failure]] = read_items,
    outputs: Outputs | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> BatchReport:
    """The body of :func:`run_batch`, without opening the destination: process, write and report
    every input.

    The caller holds the destination (directly, or as the client of a cluster whose workers
    call this on their partitions); ``errors`` receives every failure; ``read`` turns ``found``
    into articles (a cluster worker reads relative paths against the client's folder);
    ``outputs`` writes each result (default: the destination's JSON and Markdown files).
    """
    if outputs is None:
        outputs = destination.open_outputs()
    fingerprints = Fingerprinter(pipeline.settings, lambda: pipeline.engine.route)
    known: dict[str, str] = {}  # article id -> fingerprint, from skip() to write

    def skip(article: Article, detection: Detection) -> bool:
        known[article.id] = fingerprints(article, detection)
        if force:
            return False
        languages = output_languages(detection, pipeline.settings.targets)
        return outputs.is_complete(article.id, known[article.id], languages)

    counts = dict.fromkeys(("done", "partial", "failed", "skipped"), 0)
    stopped = None
    missing: Counter[tuple[str, str]] = Counter()
    for outcome in pipeline.process(read(found), skip=skip, progress=on_progress):
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
                        or exc.stops_batch):
                    stopped = f"stopped early: {exc}; outputs already written are intact"
            except Exception as exc:  # a bug must cost one article, never the batch
                log.debug("unexpected error writing %s", outcome.article.id, exc_info=True)
                error = OutputError(destination.where(outcome.article.id),
                                    f"unexpected {type(exc).__name__}: {exc}")
                outcome = Failure(outcome.article.source, outcome.article.id, error)
            else:
                if outcome.errors:  # one line per article, however many languages it lacks
                    problems = [f"{outcome.article.source}: {outcome.problem()}"]
                errors.add_missing(outcome)
                missing.update(outcome.missing_models)
        else:
            known.pop(outcome.id, None)
        if isinstance(outcome, Failure):
            problems = [with_advice(outcome.error)]
            errors.add_failure(outcome)
        elif isinstance(outcome, Skipped):
            outputs.skipped(outcome.id)
            log.info("%s: skipped, its outputs are complete", outcome.source)
        kind = tally(outcome, problems)
        counts[kind] += 1
        if kind != "skipped":
            log.info("%s", outcome_line(outcome))
        if outputs.gone():
            raise PipeClosed()
        if on_outcome is not None:
            on_outcome(outcome, problems)
        if stopped:
            break
    return BatchReport(**counts, stopped=stopped, missing_models=most_needed(missing))


def most_needed(missing: Mapping[tuple[str, str], int]) -> tuple[tuple[tuple[str, str], int], ...]:
    """``((from, to), articles)`` pairs, the most needed first (then by pair)."""
    return tuple(sorted(missing.items(), key=lambda item: (-item[1], item[0])))

