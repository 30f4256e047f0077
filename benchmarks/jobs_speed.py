"""``translate-pipeline run --jobs N`` against ``--jobs 1``: a cached run and a run that translates.

Two measurements, each command in its own process, ``--repeat`` times alternating (the best
wall time counts; the machine may be shared), outputs checked byte-identical across all runs:

- **cached**: ``--articles`` German articles (default 2,000; 4 paragraphs, 13 sentences each,
  every sentence distinct, from ``cluster_speed.py``) whose translations are all in the cache
  (a warm-up run fills it; each run gets a copy), into a fresh output folder each time, with a
  small random-weight de->en package: once as the warm-up ran (``--from de``: the cache also
  knows each article's summary, so nothing is detected or summarized), once without ``--from``
  (detected and summarized again: what preparing costs in full). Goal (issue 18): ``--jobs 2``
  at least 1.7x faster than ``--jobs 1`` on 2 cores.
- **translating**: ``--translate-articles`` articles (default 100) with an empty cache each time
  and the ``--size`` package (default ``medium``: 3+3 layers, d_model 256). Goal: ``--jobs 2``
  within 5% of ``--jobs 1`` (today's one-process path).

For each run it prints the wall seconds, the CPU seconds of the run and its workers (user +
system, from ``wait4``), articles per second, and peak RSS (the largest process); and the load
average, and how much faster N processes run a pure CPU loop than one right now (the ceiling of
any speed-up), because wall figures on a shared machine mean little without them.

Usage::

    python benchmarks/jobs_speed.py                       # --jobs 1 vs 2, both measurements
    python benchmarks/jobs_speed.py --jobs 4 --articles 5000 --repeat 5
    python benchmarks/jobs_speed.py --skip-translating --quick
    python benchmarks/jobs_speed.py --work /dev/shm/jobs   # outputs on tmpfs, not on the disk

Work folder ``benchmarks/work/jobs`` (ignored by git); ``--quick``: 300 and 20 articles, 1 repeat.
The fully cached measurement (2 s a run, the noisiest) is repeated ``--repeat-cached`` times.

Every run writes into a folder of its own, and the outputs of the runs are deleted only at the
end. On an ext4 file system without a journal (this project's machine), creating a file within
about 30 s of deleting many others is several times slower: the inode allocator skips the
recently deleted ones (``recently_deleted()`` was half the CPU time of ``perf record`` on a
loop creating files). Deleting the previous run's 6,000 files right before each run measured
that, not the run: cProfile of the same ``--jobs 1`` run showed 0.68 ms of ``open()`` per
output file right after such a delete and about 0.05 ms without one. Before the first measured run the benchmark
also waits until 30 s have passed since it deleted its old corpus and outputs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster_speed import files, prepare  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORK = ROOT / "benchmarks" / "work" / "jobs"


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def filesystem(path: Path) -> str:
    """The type of the file system that holds ``path`` (from /proc/mounts; "unknown" elsewhere)."""
    best, kind = "", "unknown"
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return kind
    for line in mounts:
        fields = line.split()
        if len(fields) > 2 and str(path).startswith(fields[1].rstrip("/") + "/") \
                and len(fields[1]) > len(best):
            best, kind = fields[1], fields[2]
    return kind


def capacity(jobs: int, n: int = 20_000_000) -> float:
    """How much faster ``jobs`` processes do a pure CPU loop than one process, right now: the
    most any ``--jobs`` can gain on this machine at this moment (on a shared machine, far less
    than ``jobs``; Linux's autogroup scheduling also gives each session one share)."""
    import multiprocessing

    started = time.perf_counter()
    _burn(jobs * n)
    one = time.perf_counter() - started
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    workers = [context.Process(target=_burn, args=(n,)) for _ in range(jobs)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return one / (time.perf_counter() - started)


#: Seconds after deleting many files during which ext4 without a journal creates new ones slowly.
RECENT = 30.0


class Folders:
    """Output folders, a new one for every run, all deleted at the end (see the module docstring).
    ``deleted`` is when this benchmark last deleted many files."""

    def __init__(self, work: Path):
        self.root = work / "runs"
        self.count = 0
        self.deleted = time.monotonic()
        shutil.rmtree(self.root, ignore_errors=True)

    def new(self, name: str) -> Path:
        self.count += 1
        return self.root / f"{self.count:03d}-{name}"

    def settle(self) -> None:
        """Wait until the files deleted before are no longer "recently deleted"."""
        wait = self.deleted + RECENT - time.monotonic()
        if wait > 0:
            print(f"(waiting {wait:.0f} s: files deleted less than {RECENT:.0f} s ago slow down "
                  "creating new ones on ext4 without a journal)", flush=True)
            time.sleep(wait)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def measure(corpus: Path, out: Path, env: dict[str, str], jobs: int, cache: Path,
            pristine: Path | None, extra: list[str]) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak RSS MB, tally) of one ``run`` in its own process into the new folder
    ``out``, its cache a copy of ``pristine`` (None: empty)."""
    for path in (cache, Path(f"{cache}-wal"), Path(f"{cache}-shm")):
        path.unlink(missing_ok=True)
    if pristine is not None:
        shutil.copyfile(pristine, cache)
    command = [sys.executable, "-m", "translate_pipeline", "run", str(corpus), "--to", "en",
               "-o", str(out), "-q", "--jobs", str(jobs), *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=dict(env, TRANSLATE_PIPELINE_CACHE=str(cache)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"--jobs {jobs} failed:\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, \
        stderr.strip().splitlines()[-1]


def warm_cache(corpus: Path, work: Path, env: dict[str, str], folders: Folders) -> Path:
    """A cache holding every translation of the corpus, and its articles' detection and
    summaries for ``--from de``; checkpointed into one file, to be copied before each run."""
    import sqlite3

    pristine = work / "warm.sqlite3"
    measure(corpus, folders.new("warm"), env, 1, pristine, None, ["--from", "de"])
    with sqlite3.connect(pristine) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    return pristine


def compare(name: str, corpus: Path, work: Path, env: dict[str, str], jobs: list[int],
            repeat: int, pristine: Path | None, extra: list[str], articles: int,
            folders: Folders) -> dict[int, float]:
    folders.settle()
    reference = None
    rows: dict[int, list[tuple[float, float, float]]] = {j: [] for j in jobs}
    for _ in range(repeat):
        for j in jobs:
            out = folders.new(f"jobs{j}")
            wall, cpu, rss, tally = measure(corpus, out, env, j, work / "run.sqlite3", pristine,
                                            extra)
            rows[j].append((wall, cpu, rss))
            got = files(out)
            if reference is None:
                reference = got
            elif got != reference:
                sys.exit(f"{name}: the outputs of --jobs {j} differ from those of --jobs {jobs[0]}")
    tally = tally.rsplit("; outputs in", 1)[0]
    print(f"\n{name}: {articles} articles ({tally}), load average now {load()}")
    print(f"{'jobs':>5} {'wall s':>8} {'CPU s':>7} {'articles/s':>11} {'peak RSS MB':>12} "
          f"{'vs jobs ' + str(jobs[0]):>11}  every wall time")
    best = {j: min(r[0] for r in rows[j]) for j in jobs}
    for j in jobs:
        wall, cpu, rss = min(rows[j])
        every = " ".join(f"{r[0]:.2f}" for r in rows[j])
        print(f"{j:>5} {wall:>8.2f} {cpu:>7.2f} {articles / wall:>11.1f} {rss:>12.0f} "
              f"{best[jobs[0]] / wall:>10.2f}x  {every}")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="cached run (default 2000)")
    parser.add_argument("--translate-articles", type=int, default=100,
                        help="translating run (default 100)")
    parser.add_argument("--size", default="medium", help="package of the translating run")
    parser.add_argument("--jobs", type=int, default=2, help="N of --jobs N (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (the best counts)")
    parser.add_argument("--repeat-cached", type=int, default=7,
                        help="runs of each in the fully cached measurement (2 s each)")
    parser.add_argument("--skip-cached", action="store_true")
    parser.add_argument("--skip-translating", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args()
    if args.quick:
        args.articles, args.translate_articles, args.repeat, args.repeat_cached = 300, 20, 1, 1
    jobs = [1, args.jobs]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores "
          f"({len(os.sched_getaffinity(0))} usable), Python {platform.python_version()}, "
          f"load average {load()}; best of {args.repeat}, end to end (start-up included); "
          "CPU s: the run's process and its workers")
    n = args.jobs
    print(f"a pure CPU loop in {n} processes runs {capacity(n):.2f}x as fast as in one, now "
          "(the ceiling for every figure below)")
    made: list[Folders] = []
    if not args.skip_cached:
        work = args.work.resolve() / "cached"
        folders = Folders(work)
        made.append(folders)
        corpus, env = prepare(work, "small", args.articles)
        folders.deleted = time.monotonic()  # prepare() deleted the old corpus
        print(f"work folder {work} on {filesystem(work)}", flush=True)
        pristine = warm_cache(corpus, work, env, folders)
        best = compare("cached (translations, detection and summaries)", corpus, work, env, jobs,
                       args.repeat_cached, pristine, ["--from", "de"], args.articles, folders)
        print(f"cached: --jobs {n} is {best[1] / best[n]:.2f}x --jobs 1 (goal on 2 cores: 1.7x)")
        best = compare("cached translations, detected and summarized again (no --from)", corpus,
                       work, env, jobs, args.repeat, pristine, [], args.articles, folders)
        print(f"cached translations: --jobs {n} is {best[1] / best[n]:.2f}x --jobs 1 "
              "(goal on 2 cores: 1.7x)")
    if not args.skip_translating:
        work = args.work.resolve() / f"translating-{args.size}"
        folders = Folders(work)
        made.append(folders)
        corpus, env = prepare(work, args.size, args.translate_articles)
        folders.deleted = time.monotonic()
        best = compare("translating (empty cache)", corpus, work, env, jobs, args.repeat, None,
                       ["--from", "de"], args.translate_articles, folders)
        print(f"translating: --jobs {n} takes {best[n] / best[1]:.3f} of the time of --jobs 1 "
              "(goal: at most 1.05)")
    for folders in made:
        folders.remove()

if __name__ == "__main__":
    main()
