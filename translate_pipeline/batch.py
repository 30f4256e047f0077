"""Batch runs: inputs in, each article's outputs written to a destination, a tally at the end.

A batch holds its :class:`~translate_pipeline.outputs.destination.Destination` for its whole run
(a folder's lock: a second run on the same folder fails at once with
:class:`~translate_pipeline.errors.OutputLockedError`; a killed run's temporary files removed),
and skips articles whose outputs are already complete for the same input and settings
(:mod:`translate_pipeline.outputs.resume`) unless ``force`` is set. Every failure is also a line
in ``DIR/errors.jsonl``, which describes the latest run only. A full disk (or a read-only file
system) stops the batch: nothing more could be written; what was written stays intact. An
output URL gets the same, less the lock; ``--output -`` streams records and keeps no files.

With ``jobs`` above 1 (``run --jobs``), worker processes read and prepare the articles, and write
those whose translations are all cached, while this process translates
(:mod:`translate_pipeline.workers`); the outputs, ``errors.jsonl`` and the report are the same.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from translate_pipeline.errors import InputError, PipeClosed, with_advice
from translate_pipeline.inputs.kinds import Input, InputFile, InputURL, kind_of, where
from translate_pipeline.inputs.read import read_items
from translate_pipeline.outputs.destination import Destination
from translate_pipeline.outputs.formats import Outputs
from translate_pipeline.outputs.journal import ErrorLog, NoErrorLog
from translate_pipeline.outputs.resume import Fingerprinter
from translate_pipeline.pipeline import Pipeline
from translate_pipeline.workers import CHUNK, Pool, item_id, write_failed
from translate_pipeline.workers import available as workers_available
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


def run_batch(
    found: Iterable[Input | InputError],
    destination: Destination,
    pipeline: Pipeline,
    on_outcome: Callable[[Outcome, list[str]], None] | None = None,
    *,
    force: bool = False,
    formats: Sequence[str] = (),
    on_progress: Callable[[float], None] | None = None,
    jobs: int = 1,
) -> BatchReport:
    """Process and write every input; ``on_outcome(outcome, problems)`` after each one.

    ``formats``: ``json``, ``jsonl``, ``markdown`` (:mod:`translate_pipeline.outputs.formats`;
    empty is the default, JSON and Markdown files). ``on_progress(articles)``: see
    :meth:`Pipeline.process` (``progress``). ``jobs``: processes that read and prepare articles
    (1: this one only; see :mod:`translate_pipeline.workers`). Raises :class:`OutputLockedError` when
    another process holds the destination, :class:`OutputError` when it cannot be created or
    written, and :class:`~translate_pipeline.errors.PipeClosed` when the reader of stdout went away; everything else is in
    the report.
    """
    with destination.open_batch() as errors:
        outputs = destination.open_outputs(formats)
        try:
            report = process_batch(found, destination, pipeline, errors, on_outcome,
                                   force=force or not destination.resumable, outputs=outputs,
                                   on_progress=on_progress, jobs=jobs, formats=formats)
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
    jobs: int = 1,
    formats: Sequence[str] = (),
) -> BatchReport:
    """The body of :func:`run_batch`, without opening the destination: process, write and report
    every input.

    The caller holds the destination (directly, or as the client of a cluster whose workers
    call this on their partitions); ``errors`` receives every failure; ``read`` turns ``found``
    into articles (a cluster worker reads relative paths against the client's folder);
    ``outputs`` writes each result (default: the destination's JSON and Markdown files);
    ``jobs`` and ``formats`` (what ``outputs`` writes) as in :func:`run_batch`.
    """
    if outputs is None:
        outputs = destination.open_outputs(formats)
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
    feeder = None
    if jobs > 1 and destination.workers and read is read_items and workers_available():
        feeder = _Feeder(found, pipeline, destination, formats, force, jobs, skip, known)
        outcomes = pipeline.windows(feeder.items(), on_progress)
    else:
        outcomes = pipeline.process(read(found), skip=skip, progress=on_progress)
    try:
        for outcome in outcomes:
            problems: list[str] = []
            if isinstance(outcome, ArticleResult):
                fingerprint = known.pop(outcome.article.id, None)
                wrote = feeder.wrote(outcome.article.id) if feeder is not None else False
                try:
                    if isinstance(wrote, tuple):  # a worker's write failed
                        outcome, stopped = wrote
                    elif wrote:  # a worker wrote its files: the rest (articles.jsonl) here
                        outputs.written(outcome, fingerprint)
                    else:
                        outputs.write(outcome, fingerprint)
                except Exception as exc:  # a bug must cost one article, never the batch
                    # a full disk, or a URL output whose server is gone, stops the batch
                    outcome, stopped = write_failed(exc, outcome, destination.where)
                if isinstance(outcome, ArticleResult):
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
    finally:
        if feeder is not None:
            feeder.close()
    if feeder is not None and feeder.broken and not stopped:
        stopped = feeder.broken
    return BatchReport(**counts, stopped=stopped, missing_models=most_needed(missing))


def _digest(article_id: str) -> bytes:
    return hashlib.blake2b(article_id.encode("utf-8", "surrogateescape"), digest_size=16).digest()


@dataclass
class _Chunk:
    """Units (inputs for a worker to read, articles read here, failures) handed over together."""

    units: list = field(default_factory=list)
    future: Any = None
    _results: list | None = None

    def results(self) -> list:
        if self._results is None:
            self._results = self.future.result()
        return self._results


class _Feeder:
    """``jobs`` > 1: the inputs, in chunks, to the worker processes, and their prepared items
    back in input order, for :meth:`Pipeline.windows`. Reads here what a worker must not: JSON
    Lines and stdin (their records' names must be checked against every earlier article before
    anything is written: the duplicate rule of :func:`read_items`, applied exactly), and any
    input whose name an earlier one has. A batch of a single chunk never starts the workers."""

    def __init__(self, found, pipeline: Pipeline, destination: Destination, formats, force: bool,
                 jobs: int, skip, known: dict[str, str]):
        self.found, self.pipeline, self.destination = found, pipeline, destination
        self.formats, self.force, self.jobs, self.skip, self.known = formats, force, jobs, skip, known
        self.limit = -(-pipeline.window_articles // CHUNK) + 2 * jobs  # chunks in flight
        self.broken: str | None = None
        self._pool: Pool | None = None
        self._pending: deque[_Chunk] = deque()
        self._current = _Chunk()
        self._records: dict[str, str] = {}  # a JSON Lines record's id -> its source
        self._files: dict[bytes, Any] = {}  # a whole input's id digest -> None (read), or
        #                                     (chunk, index) while a worker has it
        self._wrote: dict[str, Any] = {}  # article id -> True, or (Failure, stop) of a write

    def wrote(self, article_id: str):
        """Whether a worker wrote the article's files: ``True``, ``False``, or the
        ``(Failure, stop)`` of its failed write."""
        return self._wrote.pop(article_id, False)

    def items(self) -> Iterator[Any]:
        for item in self.found:
            for unit in self._units(item):
                self._current.units.append(unit)
                if len(self._current.units) >= CHUNK:
                    self._flush()
                while len(self._pending) > self.limit:
                    yield from self._drain(self._pending.popleft())
                    if self.broken:
                        return
        if self._current.units:
            if self._pool is None:  # one chunk in all: not worth a process
                for unit in self._current.units:
                    yield from self._here(unit)
            else:
                self._flush()
        while self._pending:
            yield from self._drain(self._pending.popleft())
            if self.broken:
                return

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    # --- handing over ---------------------------------------------------------------------

    def _flush(self) -> None:
        if self._pool is None:
            writes = self.destination if self.destination.workers == "write" else None
            self._pool = Pool(self.jobs, self.pipeline, writes, self.formats, self.force)
        chunk, self._current = self._current, _Chunk()
        chunk.future = self._pool.submit(chunk.units)
        self._pending.append(chunk)

    def _units(self, item) -> Iterator[Any]:
        if isinstance(item, InputError):
            yield Failure(item.subject, "", item)
            return
        if _whole(item) and item.id not in self._records and not self._is_file(_digest(item.id)):
            self._files[_digest(item.id)] = (self._current, len(self._current.units))
            yield item  # a worker reads it
            return
        yield from self._read_here(item)

    def _read_here(self, item) -> Iterator[Any]:
        """:func:`read_items` for one input, here."""
        from translate_pipeline.inputs.read import read_input

        whole = where(item)
        for read in read_input(item):
            if isinstance(read, Article):
                digest = _digest(read.id)
                first = self._records.get(read.id) or (
                    "an earlier input" if self._is_file(digest) else None)
                if first is not None:
                    reason = f"its outputs would overwrite those of {first} (same name {read.id!r})"
                    yield Failure(read.source, read.id, InputError(read.source, reason))
                    continue
                if read.source == whole:
                    self._files[digest] = None
                else:
                    self._records[read.id] = read.source
            yield read

    def _is_file(self, digest: bytes) -> bool:
        """Whether a whole input of that id was read (waiting for the worker that has it)."""
        if digest not in self._files:
            return False
        held = self._files[digest]
        if held is None:
            return True
        chunk, index = held
        if chunk.future is None:
            self._flush()
        try:
            return chunk.results()[index].read
        except Exception:  # the worker died: the batch stops at that chunk anyway
            return False

    # --- taking back ----------------------------------------------------------------------

    def _drain(self, chunk: _Chunk) -> Iterator[Any]:
        from concurrent.futures.process import BrokenProcessPool

        try:
            results = chunk.results()
        except BrokenProcessPool:
            self.broken = self._pool.died(chunk.units)
            return
        except Exception:  # a bug in a worker (not in an article): do the chunk here
            log.debug("a worker failed on a chunk; preparing it here", exc_info=True)
            for unit in chunk.units:
                yield from self._here(unit)
            return
        for unit, result in zip(chunk.units, results):
            if _whole(unit):
                self._settle(unit, result.read)
            item = result.outcome
            article_id = item_id(item)
            if result.fingerprint is not None:
                self.known[article_id] = result.fingerprint
            if result.failed is not None:
                self._wrote[article_id] = result.failed
            elif result.written:
                self._wrote[article_id] = True
            yield item

    def _here(self, unit) -> Iterator[Any]:
        """One unit prepared in this process, as a worker would (less its cache and writes)."""
        from translate_pipeline.inputs.read import read_input

        if isinstance(unit, Failure):
            yield unit
            return
        articles = [unit] if isinstance(unit, Article) else list(read_input(unit))
        if _whole(unit):
            self._settle(unit, isinstance(articles[0], Article))
        for article in articles:
            yield article if isinstance(article, Failure) else self.pipeline.prepare(article,
                                                                                     self.skip)

    def _settle(self, unit, read: bool) -> None:
        digest = _digest(unit.id)
        if isinstance(self._files.get(digest), tuple):
            if read:
                self._files[digest] = None
            else:
                del self._files[digest]


def _whole(item) -> bool:
    """An input that is one article named by the input's own id (a worker may read it)."""
    return isinstance(item, InputURL) or (
        isinstance(item, InputFile) and kind_of(item.path) in ("text", "markdown", "html"))


def most_needed(missing: Mapping[tuple[str, str], int]) -> tuple[tuple[tuple[str, str], int], ...]:
    """``((from, to), articles)`` pairs, the most needed first (then by pair)."""
    return tuple(sorted(missing.items(), key=lambda item: (-item[1], item[0])))

