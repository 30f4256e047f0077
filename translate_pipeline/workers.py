"""``run --jobs N``: worker processes that read and prepare articles while this process translates.

The batch runner (:mod:`translate_pipeline.batch`) cuts the inputs, in order, into *chunks* of a
few inputs (or of articles it read itself: JSON Lines and stdin) and hands each chunk to a pool of
``N`` processes, a bounded number of chunks ahead, so memory stays flat on any number of inputs.
For each input of its chunk a worker does what the one-process path does before translation:
read it, detect the language, decide whether the article is already complete (resume), split
and summarize it (:meth:`~translate_pipeline.pipeline.Pipeline.prepare`). It then finishes every
article whose translations are all in the translation memory, or that needs none
(:meth:`~translate_pipeline.pipeline.Pipeline.finish_cached`), and writes that article's own files
(JSON record, Markdown, translated documents) where the destination allows it
(:attr:`~translate_pipeline.outputs.destination.Destination.workers`). Everything comes back as
a :class:`Unit` per input, in order; the runner forms the same translation windows as the
one-process path, so the engine translates exactly the same batches, and writes the rest: the
articles it translated, ``articles.jsonl``, ``errors.jsonl``, the progress and the tally. The
outputs are byte for byte those of ``--jobs 1``.

Workers are made with ``fork`` before any model is loaded, so they start in milliseconds with
everything imported; each opens its own translation-cache connection. A worker ignores Ctrl-C
(the run's process stops the pool) and dies with the run's process (``PR_SET_PDEATHSIG`` on
Linux, else a watchdog thread), so a killed run leaves no process writing or holding the
folder's lock. A worker that dies (killed, out of memory) stops the batch with one clear line;
what was written stays, and the same command finishes the rest.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from translate_pipeline.errors import OutputError
from translate_pipeline.inputs.kinds import where
from translate_pipeline.outputs.local import FULL_DISK_ERRNOS
from translate_pipeline.outputs.resume import Fingerprinter
from translate_pipeline.records import Article, ArticleResult, Failure, Skipped, output_languages

__all__ = ["Unit", "Pool", "CHUNK", "TEST_KILL_ENV", "available", "write_failed", "item_id",
           "kill_for_test"]

log = logging.getLogger(__name__)

#: Inputs (or articles) per chunk: large enough that handing one over costs little, small enough
#: that the workers stay balanced and a window fills soon.
CHUNK = 16

#: Test hook, never set in production: a path; the first worker that writes an article while
#: this file does not exist writes the article's id there and kills itself with SIGKILL.
TEST_KILL_ENV = "TRANSLATE_PIPELINE_TEST_KILL_JOB"


@dataclass(frozen=True)
class Unit:
    """What a worker sends back for one input of a chunk. ``outcome``: a Failure, a Skipped,
    the prepared article (for this process to translate) or a
    :class:`~translate_pipeline.pipeline.Finished` one; ``fingerprint``: the article's (for its
    outputs); ``read``: the input was read into an article (the duplicate-name check counts it);
    ``written``: the worker wrote the finished article's own files; ``failed``: or the
    ``(Failure, stop)`` its write ended in (:func:`write_failed`)."""

    outcome: Any
    fingerprint: str | None = None
    read: bool = False
    written: bool = False
    failed: tuple[Failure, str | None] | None = None


def write_failed(exc: Exception, result: ArticleResult,
                 where_is: Callable[[str], str]) -> tuple[Failure, str | None]:
    """What a failed write of ``result`` makes of it: a Failure, and why the batch stops (a full
    disk, a URL output whose server is gone), else ``None``. ``where_is(id)`` names the outputs."""
    article = result.article
    if isinstance(exc, OutputError):
        cause = exc.__cause__
        stops = (isinstance(cause, OSError) and cause.errno in FULL_DISK_ERRNOS
                 or exc.stops_batch)
        stopped = f"stopped early: {exc}; outputs already written are intact" if stops else None
        return Failure(article.source, article.id, exc), stopped
    log.debug("unexpected error writing %s", article.id, exc_info=True)  # a bug: one article
    error = OutputError(where_is(article.id), f"unexpected {type(exc).__name__}: {exc}")
    return Failure(article.source, article.id, error), None


# --- in the worker -----------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _die_with_parent(parent: int) -> None:
    """SIGKILL this process when the run's process ends, however it ends."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: watch for it
        def watch() -> None:
            while os.getppid() == parent:
                threading.Event().wait(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(1)


def _start(pipeline, destination, formats: Sequence[str], force: bool, parent: int) -> None:
    """The initializer of each worker (inherited by ``fork``, never pickled)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    pipeline.after_fork()
    outputs = destination.open_worker_outputs(formats) if destination is not None else None
    _worker.update(pipeline=pipeline, outputs=outputs, force=force, where=destination,
                   fingerprints=Fingerprinter(pipeline.settings, lambda: pipeline.engine.route),
                   kill=os.environ.get(TEST_KILL_ENV))


def _prepare_chunk(units: list) -> list[Unit]:
    """A chunk in a worker: read, prepare, finish from the cache, write; one Unit per unit."""
    from translate_pipeline.inputs.read import read_input

    pipeline, outputs, force = _worker["pipeline"], _worker["outputs"], _worker["force"]
    fingerprints = _worker["fingerprints"]
    known: dict[str, str] = {}

    def skip(article: Article, detection) -> bool:
        known[article.id] = fingerprints(article, detection)
        if force or outputs is None:
            return False
        languages = output_languages(detection, pipeline.settings.targets)
        return outputs.is_complete(article.id, known[article.id], languages)

    staged: list[tuple[Any, bool]] = []
    for unit in units:
        if isinstance(unit, Failure):
            staged.append((unit, False))
            continue
        article = unit if isinstance(unit, Article) else next(iter(read_input(unit)))
        if isinstance(article, Failure):
            staged.append((article, False))
        else:
            staged.append((pipeline.prepare(article, skip), not isinstance(unit, Article)))
    finished = pipeline.finish_cached([item for item, _ in staged])
    results = []
    for item, (_, read) in zip(finished, staged):
        result = getattr(item, "result", None)
        article_id = item_id(item)
        fingerprint = known.get(article_id)
        if result is None or outputs is None:
            results.append(Unit(item, fingerprint, read))
            continue
        try:
            outputs.write(result, fingerprint)
        except Exception as exc:
            failed = write_failed(exc, result, _worker["where"].where)
            results.append(Unit(item, fingerprint, read, failed=failed))
            continue
        results.append(Unit(item, fingerprint, read, written=True))
        if _worker["kill"]:
            kill_for_test(_worker["kill"], article_id)
    return results


def kill_for_test(marker: str, article_id: str) -> None:
    """The test hook of :data:`TEST_KILL_ENV` (and of the cluster's): the first caller writes
    ``article_id`` to ``marker`` and kills its own process with SIGKILL; later callers do nothing."""
    try:
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return
    os.write(fd, article_id.encode("utf-8", "surrogateescape"))
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)


# --- in the run's process ----------------------------------------------------------------------


def available() -> bool:
    """Whether worker processes can be made here (``fork``: Linux and other Unixes, not
    Windows); where they cannot, ``--jobs`` runs in one process."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


class Pool:
    """``jobs`` worker processes preparing chunks (see the module docstring). ``destination``
    is given where the workers write the articles' own files, else ``None``."""

    def __init__(self, jobs: int, pipeline, destination, formats: Sequence[str], force: bool):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._executor = ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("fork"), initializer=_start,
            initargs=(pipeline, destination, tuple(formats), force, os.getpid()))
        self._processes: list[Any] = []

    def submit(self, units: list):
        future = self._executor.submit(_prepare_chunk, units)
        if not self._processes:  # with fork every worker starts at the first submit
            self._processes = list(getattr(self._executor, "_processes", {}).values())
        return future

    def died(self, units: list) -> str:
        """The line a batch stops with when a worker died (how, when its exit status can still
        be read: something else in the process may have reaped it)."""
        how = ""
        for process in self._processes:
            process.join(1)
            code = process.exitcode
            if code is not None and code < 0 and -code != signal.SIGTERM:
                how = f" (killed by signal {-code}: {signal.Signals(-code).name})"
                break
            if code not in (None, 0, -signal.SIGTERM):
                how = f" (exit status {code})"
                break
        first = next((_name(u) for u in units), "its articles")
        return (f"stopped early: a worker process preparing articles died{how}, at {first}; "
                "outputs already written are intact; run the same command again to finish the "
                "rest")

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def _name(unit) -> str:
    if isinstance(unit, (Failure, Article, Skipped)):
        return unit.source
    return where(unit)


def item_id(item) -> str:
    """The article id of a prepared item, a Finished one, a Failure or a Skipped."""
    if hasattr(item, "result"):
        return item.result.article.id
    return item.article.id if hasattr(item, "article") else item.id
