"""Scale out: ``run`` and ``feed`` on a Dask cluster (``--cluster ADDRESS`` or ``local[:N]``).

Dask is an optional extra (``pip install -e '.[dask]'`` from the checkout); this module imports it only
inside the functions that need it, and the CLI imports this module only when ``--cluster`` is given.

``run``: the client discovers the input paths (nothing is read), groups them into *partitions* by
total file size and article count (:func:`partition_limits`), and submits one task per partition,
a few per worker thread at a time. Each task builds the same pipeline as the local path
(:func:`~translate_pipeline.pipeline.build_pipeline`, once per worker thread and run; the engine
caches each CTranslate2 model once per process) and runs
:func:`~translate_pipeline.batch.process_batch` on its partition: the same resume check and the
same atomic writes, straight into the output folder, which every worker must see at the same path
(shared storage), or to the output URL (:mod:`translate_pipeline.outputs.remote`: every worker writes
there through fsspec). A task returns small summaries only:
counts, the ``error:`` lines and the ``errors.jsonl`` entries. The client holds the output folder's
lock for the whole run (``Destination.open_batch``), feeds the progress bar as
partitions complete, and prints the lines and appends the entries in input order, so the tally,
``errors.jsonl`` and the exit code are those of the local path.

A worker that dies mid-partition loses nothing: Dask runs the partition again (retries, and the
scheduler reschedules the tasks of a lost worker), and the resume check skips what the first attempt
had written. A journal per run (``DIR/.translate-pipeline-cluster/``, removed at the end; for a URL,
one empty object per written article there) lets the retry count those articles as done rather
than skipped.

``feed``: one task per feed, holding that feed's new items; the client keeps the state, fetches and
parses the feeds, and writes the Atom feeds, as in the local path; the tasks write the items' files.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from translate_pipeline._version import __version__
from translate_pipeline.batch import BatchReport
from translate_pipeline.cluster.worker import (  # noqa: F401 (TEST_KILL_ENV: re-exported)
    TEST_KILL_ENV,
    Job,
    PartitionResult,
    for_workers,
    run_feed_items,
    run_partition,
)
from translate_pipeline.config import env_setting, usable_cores
from translate_pipeline.errors import ClusterError, DaskMissing, InputError
from translate_pipeline.inputs.kinds import InputFile, where
from translate_pipeline.outputs.destination import Destination
from translate_pipeline.outputs.journal import ErrorLog
from translate_pipeline.records import Article, Failure, Outcome

__all__ = [
    "ClusterSpec",
    "ClusterError",
    "DaskMissing",
    "Job",
    "parse_cluster",
    "require_dask",
    "partition_limits",
    "partitions",
    "connect",
    "run_on_cluster",
    "FeedProcessor",
    "SCRATCH_NAME",
]

log = logging.getLogger(__name__)

#: Per-run journals of the articles each partition wrote, under the output folder while a
#: cluster run lasts (removed at its end, and at the start of the next cluster run).
SCRATCH_NAME = ".translate-pipeline-cluster"
#: How often a task that raised is tried again (a worker that dies is handled by the scheduler:
#: its tasks go elsewhere, up to ``distributed.scheduler.allowed-failures`` times).
RETRIES = 2
#: Seconds to wait for a remote scheduler, and for it to have a worker.
CONNECT_TIMEOUT = 30

#: The Dask setting that makes a nanny set MALLOC_TRIM_THRESHOLD_ in its workers (see connect).
NO_TRIM = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"

_LOCAL = re.compile(r"^local(?::(\d+))?$")
DEFAULT_PARTITION_BYTES = 4 * 1024 * 1024
DEFAULT_PARTITION_ARTICLES = 64




# --- what to run where -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterSpec:
    """``--cluster``: a scheduler address, or ``local`` with ``workers`` processes here."""

    text: str
    address: str | None = None
    workers: int = 0

    @property
    def local(self) -> bool:
        return self.address is None


_PORT = re.compile(r":[0-9]{1,5}/?$")

def parse_cluster(value: str) -> ClusterSpec:
    """``local``, ``local:N`` or a scheduler address (``tcp://host:8786``, ``host:8786``);
    raises ValueError with the reason."""
    text = value.strip()
    match = _LOCAL.match(text)
    if match:
        workers = int(match.group(1)) if match.group(1) else usable_cores()
        if not 1 <= workers <= 256:
            raise ValueError(f"{value!r}: local:N needs 1 <= N <= 256 worker processes")
        return ClusterSpec(text, None, workers)
    if text.startswith("local"):
        raise ValueError(f"{value!r} is not local or local:N (N worker processes)")
    if not text or any(c.isspace() for c in text):
        raise ValueError(f"{value!r} is not a scheduler address (e.g. tcp://scheduler:8786)")
    if _PORT.search(text) is None:  # Dask's own message is a traceback deep in the client
        raise ValueError(f"{value!r} has no port: a scheduler address is HOST:PORT "
                         "(e.g. tcp://scheduler:8786)")
    return ClusterSpec(text, text)


def require_dask() -> None:
    """Raise :class:`DaskMissing` unless ``distributed`` can be imported."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise DaskMissing(
            "--cluster", f"needs Dask ({exc}); install it with pip install -e '.[dask]' in "
            "the translate-pipeline checkout (or pip install 'dask[distributed]' fsspec)"
        ) from None


def _fit_threads(job: Job, spec: ClusterSpec) -> Job:
    """On ``local:N`` the N workers share this machine's cores: unless threads were set, give
    each worker's engine its share instead of all of them."""
    engine = job.config.engine
    if spec.local and engine.threads == 0:
        share = max(1, usable_cores() // spec.workers)
        return replace(job, config=replace(job.config, engine=replace(engine, threads=share)))
    return job


# --- partitions --------------------------------------------------------------------------------


def partition_limits() -> tuple[int, int | None]:
    """(bytes, articles) per partition from ``TRANSLATE_PIPELINE_PARTITION_BYTES`` (default
    4 MiB) and ``TRANSLATE_PIPELINE_PARTITION_ARTICLES`` (default: up to 64, fewer on a small
    batch so that every worker gets about four partitions); raises ValueError for bad values."""
    limits = []
    for name, default in (("TRANSLATE_PIPELINE_PARTITION_BYTES", str(DEFAULT_PARTITION_BYTES)),
                          ("TRANSLATE_PIPELINE_PARTITION_ARTICLES", None)):
        value = env_setting(name, default)
        if value is not None and (not value.isdigit() or int(value) < 1):
            raise ValueError(f"{name} must be a whole number >= 1, not {value!r}")
        limits.append(int(value) if value is not None else None)
    return limits[0], limits[1]


def partitions(found: Sequence[InputFile | InputError], base: str, slots: int,
               max_bytes: int, max_articles: int | None) -> list[list[InputFile | InputError]]:
    """Consecutive runs of ``found`` (input order kept) of at most ``max_bytes`` of files (a
    larger file is a partition of its own) and ``max_articles`` inputs; by default that is
    ``min(64, ceil(n / (4 * slots)))``, so a small batch still keeps every worker busy."""
    if max_articles is None:
        max_articles = min(DEFAULT_PARTITION_ARTICLES,
                           max(1, math.ceil(len(found) / (4 * max(1, slots)))))
    parts: list[list[InputFile | InputError]] = []
    current: list[InputFile | InputError] = []
    size = 0
    for item in found:
        item_size = 0
        if isinstance(item, InputFile):
            try:
                item_size = os.stat(os.path.join(base, item.path)).st_size
            except OSError:
                pass  # the task reports it
        if current and (len(current) >= max_articles or size + item_size > max_bytes):
            parts.append(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        parts.append(current)
    return parts


# --- the cluster -------------------------------------------------------------------------------


@contextmanager
def connect(spec: ClusterSpec) -> Iterator[Any]:
    """A ``distributed.Client`` on ``spec`` (starting a LocalCluster on 127.0.0.1 for ``local``),
    checked to have workers that run this version of translate-pipeline; closed at the end."""
    require_dask()
    import dask
    import distributed

    quiet = logging.WARNING if logging.getLogger().isEnabledFor(logging.INFO) else logging.ERROR
    cluster = client = None
    environ = dict(os.environ)  # the nannies of a local cluster set variables here (see below)
    try:
        try:
            if spec.local:
                # Dask's nanny sets MALLOC_TRIM_THRESHOLD_ for its workers, which turns off
                # glibc's dynamic mmap threshold: CTranslate2's buffers then cost an mmap and
                # page faults each, and translation runs about 2.5 times slower. Not here.
                # The scheduler's HTTP server (health, metrics) listens on 127.0.0.1:8787, or
                # any free port when that is taken (another cluster here): no need to warn.
                with dask.config.set({NO_TRIM: None}), warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="Port .* is already in use")
                    cluster = distributed.LocalCluster(
                        n_workers=spec.workers, threads_per_worker=1, processes=True,
                        host="127.0.0.1", dashboard_address=None, silence_logs=quiet,
                    )
                client = distributed.Client(cluster)
            else:
                logging.getLogger("distributed").setLevel(quiet)
                client = distributed.Client(spec.address, timeout=CONNECT_TIMEOUT)
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, RuntimeError) as exc:  # RuntimeError: failed to start
            raise ClusterError(f"--cluster {spec.text}",
                               f"cannot use the Dask cluster: {exc or type(exc).__name__}") from exc
        _check_workers(client, spec)
        yield client
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
            for name in set(os.environ) - set(environ):  # OMP_NUM_THREADS, PYTHONHASHSEED, ...
                del os.environ[name]
            os.environ.update(environ)


def _worker_version() -> str:
    return __version__


def _check_workers(client, spec: ClusterSpec) -> None:
    try:
        versions = client.run(_worker_version)
    except Exception as exc:
        raise ClusterError(
            f"--cluster {spec.text}",
            f"a worker cannot run translate-pipeline ({type(exc).__name__}: {exc}); install "
            f"translate-pipeline {__version__} in every worker's environment",
        ) from exc
    for worker, version in sorted(versions.items()):
        if version != __version__:
            raise ClusterError(
                f"--cluster {spec.text}",
                f"worker {worker} runs translate-pipeline {version}, this is {__version__}; "
                "install the same version everywhere",
            )


def _slots(client) -> int:
    return max(1, sum(client.nthreads().values()))


# --- on the client: run ------------------------------------------------------------------------


def _absolute(path: Path, base: str) -> str:
    return str(path if path.is_absolute() else Path(base, path))


def _lost(part: list, exc: BaseException) -> PartitionResult:
    """The result of a partition that failed on every try: each of its inputs failed."""
    lines, entries = [], []
    why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    for item in part:
        if isinstance(item, InputError):
            source, id, error, reason = item.subject, "", type(item).__name__, item.reason
        else:
            source = where(item)
            id, error = item.id, "ClusterError"
            reason = f"lost on the cluster ({why}); a rerun redoes it"
        message = f"{source}: {reason}"
        lines.append(message)
        entries.append((source, id, error, reason, message))
    return PartitionResult(len(part), BatchReport(failed=len(part)), tuple(lines), tuple(entries))


def run_on_cluster(
    spec: ClusterSpec,
    found: Iterable[InputFile | InputError],
    destination: Destination,
    job: Job,
    *,
    force: bool = False,
    on_problem: Callable[[str], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> BatchReport:
    """:func:`~translate_pipeline.batch.run_batch` on a Dask cluster (see the module docstring).

    ``destination`` is a folder every worker sees, or a URL folder the workers write to
    directly. ``on_problem(line)`` for each ``error:`` line, in input order; ``on_progress(n)``
    when a partition completes, ``n`` its articles. Raises what ``run_batch`` raises, and
    :class:`ClusterError` when the cluster cannot be used.
    """
    found = list(found)
    base = os.getcwd()
    job = _fit_threads(job, spec)
    if "jsonl" in job.config.formats:  # one file for the whole folder: not from many writers
        raise ClusterError("--cluster", "cannot write --format jsonl; use json or markdown")
    max_bytes, max_articles = partition_limits()
    with connect(spec) as client:
        _check_workers_can_write(client, spec, destination)
        with destination.open_batch() as errors:
            # A killed cluster run's journals go first.
            journals = destination.make_scratch(SCRATCH_NAME, job.token, base)
            try:
                parts = partitions(found, base, _slots(client), max_bytes, max_articles)
                log.info("%d inputs in %d partitions on %s", len(found), len(parts), spec.text)
                report = _drive(client, parts, job, base, destination.for_workers(base), journals,
                                force, errors, on_problem, on_progress)
            finally:
                destination.remove_scratch(SCRATCH_NAME)
            # Every task has ended: what a killed worker was writing is garbage now.
            destination.remove_temp_files()
    return report


def _check_workers_can_write(client, spec: ClusterSpec, destination: Destination) -> None:
    """Every worker must be able to write the destination (for a URL: have fsspec and the URL's
    file system, s3fs for s3://, ...)."""
    try:
        problems = client.run(destination.worker_problem)
    except Exception as exc:
        raise ClusterError(f"--cluster {spec.text}", f"cannot check the workers: {exc}") from exc
    for worker, problem in sorted(problems.items()):
        if problem:
            raise ClusterError(f"--cluster {spec.text}",
                               f"worker {worker} cannot write the output URL: {problem}")


def _drive(client, parts, job, base, out_dir, journals, force, errors: ErrorLog,
           on_problem, on_progress) -> BatchReport:
    """Submit partitions (a few per worker thread at a time), gather their summaries, report
    them in input order; after a full disk, submit no more and let the running ones end."""
    import distributed

    totals = BatchReport()
    stopped: str | None = None
    queue = iter(enumerate(parts))
    running: dict[str, tuple[int, list]] = {}
    finished: dict[int, PartitionResult] = {}
    next_report = 0
    completed = distributed.as_completed()

    def submit_more() -> None:
        limit = 2 * _slots(client) + 2
        while stopped is None and len(running) < limit:
            nxt = next(queue, None)
            if nxt is None:
                return
            index, part = nxt
            future = client.submit(
                run_partition, job, base, out_dir, [for_workers(i) for i in part], force,
                f"{journals}/{index}",
                key=f"translate-pipeline-{job.token}-{index}", retries=RETRIES, pure=False,
            )
            running[future.key] = (index, part)
            completed.add(future)

    def report(result: PartitionResult) -> None:
        nonlocal totals
        for line in result.lines:
            if on_problem is not None:
                on_problem(line)
        for entry in result.entries:
            errors.add(*entry)
        totals += dataclasses.replace(result.report, stopped=None)

    submit_more()
    for future in completed:
        index, part = running.pop(future.key)
        try:
            result = future.result()
        except Exception as exc:  # failed on every try (a worker died each time, a bug)
            log.debug("partition %d lost", index, exc_info=True)
            result = _lost(part, exc)
        future.release()
        log.debug("partition %d: %s", index, result.report.tally())
        if on_progress is not None:
            on_progress(result.count)
        finished[index] = result
        while next_report in finished:
            report(finished.pop(next_report))
            next_report += 1
        if result.report.stopped and stopped is None:
            stopped = result.report.stopped
        submit_more()
    for index in sorted(finished):  # after a stop: what ran beyond the gap
        report(finished.pop(index))
    return dataclasses.replace(totals, stopped=stopped)


# --- on the client: feed -----------------------------------------------------------------------


class FeedProcessor:
    """``process`` for :func:`~translate_pipeline.feeds.run.run_feeds`: one task per feed.

    Connects on first use (a run with nothing new never starts a cluster); use it as a context
    manager so the connection (and a local cluster) is closed at the end.
    """

    def __init__(self, spec: ClusterSpec, job: Job):
        self.spec = spec
        self.job = _fit_threads(job, spec)
        self._connection = None
        self._client = None

    def __enter__(self) -> "FeedProcessor":
        return self

    def __exit__(self, *exc) -> None:
        if self._connection is not None:
            self._connection.__exit__(*exc)
            self._connection = self._client = None

    def _connect(self):
        if self._client is None:
            connection = connect(self.spec)
            self._client = connection.__enter__()
            self._connection = connection
        return self._client

    def __call__(self, work: list[tuple[Path, Article]]) -> Iterator[Any]:
        if not work:
            return
        client = self._connect()
        base = os.getcwd()
        groups: list[tuple[Path, list[Article]]] = []
        for folder, article in work:
            if groups and groups[-1][0] == folder:
                groups[-1][1].append(article)
            else:
                groups.append((folder, [article]))
        futures = [
            client.submit(run_feed_items, self.job, _absolute(folder, base), articles,
                          key=f"translate-pipeline-feed-{self.job.token}-{i}",
                          retries=RETRIES, pure=False)
            for i, (folder, articles) in enumerate(groups)
        ]
        for future, (folder, articles) in zip(futures, groups):
            try:
                results: list[Outcome] = future.result()
            except Exception as exc:  # failed on every try: each item failed, retried next run
                why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                results = [Failure(a.source, a.id,
                                   ClusterError(a.source, f"lost on the cluster ({why})"))
                           for a in articles]
            future.release()
            yield from results

    def close(self) -> None:
        self.__exit__(None, None, None)

