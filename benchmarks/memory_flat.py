"""Peak memory of ``translate-pipeline run`` against the number of articles: it must stay flat.

The engine streams a folder in windows of articles and never holds the corpus (issue: "bounded
memory on a folder of 100,000 articles"). This builds a small random-weight de->en Argos package
(:func:`support.testmodel.build_random_package`, ``--size small`` from
``cluster_speed.py``, so that translation is quick and the rest of the pipeline shows), writes N
short German articles (one paragraph of four sentences and a title, every sentence distinct)
into 100 sub-folders, and runs, for each N, in its own process:

    translate-pipeline run CORPUS --from de --to en -o OUT -q --no-cache

It prints articles, seconds, articles/s and the peak RSS (``os.wait4``: the largest of the
run's process and its ``--jobs`` workers) for each N, and the ratio of the largest N's peak RSS
to the smallest's (flat: close to 1). ``--jobs N`` is passed to the run (default: not given, so
the run's default, the usable cores). The exit status is 0 whatever the figures (it is a report).

Usage::

    python benchmarks/memory_flat.py                          # 1,000, 10,000 and 100,000 articles
    python benchmarks/memory_flat.py --articles 1000 --articles 20000
    python benchmarks/memory_flat.py --jobs 2

100,000 articles take about 4 minutes on 2 cores and 700 MB of disk (corpus and outputs are
deleted after each run; the work folder is ``benchmarks/work/memory``, ignored by git).
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

from cluster_speed import SIZES, env_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORK = ROOT / "benchmarks" / "work" / "memory"
CITIES = ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Leipzig", "Dresden", "Bremen"]


def article(i: int) -> str:
    """A short German article; every sentence distinct."""
    city = CITIES[i % len(CITIES)]
    return (
        f"Meldung {i}: {city} plant neue Radwege\n\n"
        f"Der Stadtrat von {city} hat am Dienstag {i} neue Radwege beschlossen. Die Verwaltung "
        f"rechnet mit Kosten von {i + 7} Millionen Euro. Kritiker aus dem Bezirk {i} fordern "
        f"eine Prüfung. Die Arbeiten sollen im Jahr {2030 + i % 9} mit Abschnitt {i} beginnen.\n"
    )


def write_corpus(folder: Path, count: int) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for sub in range(100):
        (folder / f"d{sub:02d}").mkdir(parents=True)
    for i in range(count):
        (folder / f"d{i % 100:02d}" / f"a{i:06d}.txt").write_text(article(i), encoding="utf-8")


def ensure_package(work: Path, env: dict[str, str]) -> None:
    stamp = work / "package" / "small.built"
    if stamp.exists():
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # tests/support
    from support.testmodel import build_random_package

    shutil.rmtree(work / "package", ignore_errors=True)
    package = build_random_package(work / "package", "de", "en", seed=7, **SIZES["small"])
    shutil.rmtree(Path(env["ARGOS_PACKAGES_DIR"]), ignore_errors=True)
    subprocess.run([sys.executable, "-m", "translate_pipeline", "models", "install",
                    str(package)], env=env, check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(package.name, encoding="utf-8")


def measure(corpus: Path, out: Path, env: dict[str, str], jobs: int | None = None
            ) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, the tally line) of one run in its own process."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "translate_pipeline", "run", str(corpus), "--from", "de",
               "--to", "en", "-o", str(out), "-q", "--no-cache"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read() if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"run failed ({code}):\n{stderr}")
    return seconds, usage.ru_maxrss / 1024, stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, action="append",
                        help="corpus sizes (repeatable; default 1000, 10000, 100000)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--jobs", type=int, help="run --jobs N (default: the run's default)")
    args = parser.parse_args()
    sizes = sorted(args.articles or [1000, 10000, 100000])
    env = env_for(args.work)
    ensure_package(args.work, env)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"--jobs {args.jobs or 'default'}")
    print(f"{'articles':>9} {'seconds':>9} {'articles/s':>11} {'peak RSS MB':>12}  tally")
    rows = []
    for count in sizes:
        corpus, out = args.work / "corpus", args.work / "out"
        write_corpus(corpus, count)
        seconds, rss, tally = measure(corpus, out, env, args.jobs)
        rows.append((count, rss))
        print(f"{count:>9} {seconds:>9.1f} {count / seconds:>11.1f} {rss:>12.0f}  {tally}",
              flush=True)
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    if len(rows) > 1:
        (small, rss_small), (large, rss_large) = rows[0], rows[-1]
        print(f"peak RSS at {large} articles / at {small}: {rss_large / rss_small:.2f} "
              f"({large // small}x the articles)")


if __name__ == "__main__":
    main()
