"""Scale out, the worker side: what a Dask task runs (see :mod:`translate_pipeline.cluster.client`).

A task gets a small picklable :class:`Job` and a partition; it builds the same pipeline as the
local path once per worker thread and run, runs :func:`~translate_pipeline.batch.process_batch`
into the shared output folder (or the output URL), and returns small summaries only. Kept apart
from the client code so each side reads on its own.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from translate_pipeline._version import __version__
from translate_pipeline.batch import BatchReport, process_batch, read_items, tally
from translate_pipeline.errors import ClusterError, InputError, OutputError
from translate_pipeline.inputs.kinds import InputFile, InputStdin
from translate_pipeline.outputs.destination import Destination
from translate_pipeline.outputs.journal import ErrorLog
from translate_pipeline.outputs.local import write_outputs
from translate_pipeline.pipeline import RunConfig, build_pipeline
from translate_pipeline.records import Article, ArticleResult, Failure, Outcome, Skipped
from translate_pipeline.workers import kill_for_test

__all__ = ["Job", "PartitionResult", "TEST_KILL_ENV", "run_partition", "run_feed_items", "for_workers"]


#: Test hook, never set in production: a path; the first task that writes an article (of a
#: partition of several) while this file does not exist writes the article's id there and kills
#: its own worker process with SIGKILL.
TEST_KILL_ENV = "TRANSLATE_PIPELINE_TEST_KILL_WORKER"


@dataclass(frozen=True)
class Job:
    """What a task needs to build the same pipeline as the local path: the run's
    :class:`~translate_pipeline.pipeline.RunConfig` as the CLI built it (small and picklable).

    ``token`` names the run: a worker reuses its pipeline across the tasks of one run only, so a
    later run sees newly installed models.
    """

    config: RunConfig
    version: str = __version__
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


_pipelines_lock = threading.Lock()
_pipelines: OrderedDict[tuple[str, int], Any] = OrderedDict()
_KEEP_PIPELINES = 8


def _pipeline_for(job: Job):
    """This worker thread's pipeline for this run (its engine, tokenizers, cache connection)."""
    if job.version != __version__:
        raise ClusterError("worker", f"runs translate-pipeline {__version__}, the client "
                                     f"{job.version}")
    key = (job.token, threading.get_ident())
    with _pipelines_lock:
        pipeline = _pipelines.get(key)
        if pipeline is None:
            pipeline = build_pipeline(job.config)
            _pipelines[key] = pipeline
            while len(_pipelines) > _KEEP_PIPELINES:
                _pipelines.popitem(last=False)
        return pipeline


class _Collected(ErrorLog):
    """The ``errors.jsonl`` entries of one partition, sent back to the client that writes them."""

    def __init__(self) -> None:  # no file: the client holds errors.jsonl
        self.count = 0
        self.entries: list[tuple[str, str, str, str, str]] = []

    def add(self, source: str, id: str, error: str, reason: str, message: str) -> None:
        self.count += 1
        self.entries.append((source, id, error, reason, message))


def _rebased(base: str) -> Callable[[Iterable[Any]], Iterator[Article | Failure]]:
    """``read_items`` for relative paths given on the client: read ``base/path``, but name the
    articles (and their errors) by the path as given, as the local path does. Every name an
    input gives starts with its path (``FILE``, ``FILE:LINE``, ``FILE#ID`` for JSON Lines); the
    longest path of the partition that starts a name is the input it came from."""

    def read(found):
        moved, names = [], {}
        for item in found:
            if isinstance(item, InputFile) and not item.path.is_absolute():
                there = Path(base, item.path)
                names[str(there)] = str(item.path)
                item = InputFile(there, item.id)
            moved.append(item)
        prefixes = sorted(names, key=len, reverse=True)

        def given(text: str) -> str | None:
            for there in prefixes:
                if text.startswith(there):
                    return names[there] + text[len(there):]
            return None

        for got in read_items(moved):
            if isinstance(got, Failure):
                error, subject = got.error, given(got.error.subject)
                if subject is not None:
                    error = error.with_subject(subject)
                yield Failure(given(got.source) or got.source, got.id, error)
            else:
                source = given(got.source)
                yield got if source is None else replace(got, source=source)

    return read


def for_workers(item):
    """An input as a task takes it (inputs and their errors pickle as they are); standard input
    stays on the client, an error."""
    if isinstance(item, InputStdin):
        return InputError("-", "standard input cannot be read on a cluster; save it to a file "
                               "on shared storage")
    return item


@dataclass(frozen=True)
class PartitionResult:
    """What a partition's task sends back: its report (counted by
    :func:`~translate_pipeline.batch.tally`, as a local run counts), its ``error:`` lines, and
    its ``errors.jsonl`` entries ``(source, id, error, reason, message)``, in input order."""

    count: int
    report: BatchReport
    lines: tuple[str, ...] = ()
    entries: tuple[tuple[str, str, str, str, str], ...] = ()


def run_partition(job: Job, base: str, destination: Destination, items: list, force: bool,
                  journal: str) -> PartitionResult:
    """One partition, on a worker: :func:`process_batch` into ``destination`` (as
    :meth:`~translate_pipeline.outputs.destination.Destination.for_workers` gave it); returns
    its :class:`PartitionResult`; an exception goes back to the client as it is. ``journal``
    notes the articles written (from ``make_scratch``)."""
    pipeline = _pipeline_for(job)
    outputs, written = destination.open_partition(job.config.formats, journal)
    kill_marker = os.environ.get(TEST_KILL_ENV)
    lines: list[str] = []
    counts = {"done": 0, "partial": 0, "failed": 0, "skipped": 0}

    def on_outcome(outcome, problems: list[str]) -> None:
        lines.extend(problems)
        kind = tally(outcome, problems)
        if kind == "skipped" and written.written_before(outcome.id):
            kind = "done"  # written by an attempt of this run that died
        counts[kind] += 1
        if kind == "done" and not isinstance(outcome, Skipped):
            written.add(outcome.article.id)
            if kill_marker and counts["done"] == 1 and len(items) > 1:
                kill_for_test(kill_marker, outcome.article.id)

    errors = _Collected()
    try:
        report = process_batch(items, destination, pipeline, errors, on_outcome,
                               force=force, read=_rebased(base), outputs=outputs)
    except BaseException:
        outputs.abort()
        raise
    stopped = report.stopped
    problem = outputs.close()
    if problem and not stopped:
        stopped = f"stopped early: {problem}"
    totals = BatchReport(**counts, stopped=stopped, missing_models=report.missing_models)
    return PartitionResult(sum(counts.values()), totals, tuple(lines), tuple(errors.entries))


def run_feed_items(job: Job, folder: str, articles: list[Article]) -> list[Outcome]:
    """One feed's new items, on a worker: process them, write each one's files into ``folder``
    (as :func:`translate_pipeline.feeds.run.run_feeds` does), and return each item's outcome,
    in order: a :class:`~translate_pipeline.records.Failure`, or the result less its full texts
    (the client needs the titles and summaries, for the state and the Atom feeds)."""
    pipeline = _pipeline_for(job)
    results: list[Outcome] = []
    for outcome in pipeline.process(articles):
        if isinstance(outcome, ArticleResult):
            try:
                write_outputs(Path(folder), outcome)
            except OutputError as exc:
                outcome = Failure(outcome.article.source, outcome.article.id, exc)
            except Exception as exc:  # a bug must cost one item, never the feed
                error = OutputError(os.path.join(folder, outcome.article.id),
                                    f"unexpected {type(exc).__name__}: {exc}")
                outcome = Failure(outcome.article.source, outcome.article.id, error)
        if isinstance(outcome, ArticleResult):
            outcome = ArticleResult(
                article=outcome.article, detection=outcome.detection,
                languages=tuple((lang, replace(v, paragraphs=())) for lang, v in outcome.languages),
                errors=outcome.errors, advice=outcome.advice,
                missing_models=outcome.missing_models, seconds=outcome.seconds,
            )
        results.append(outcome)
    return results
