"""Articles per second: ``translate-pipeline run`` in one process vs on a Dask cluster.

It builds a random-weight Argos package de->en
(:func:`translate_pipeline.testmodel.build_random_package`, ``--size medium`` by default: 3+3
layers, d_model 256, ffn 1024, 8k vocabulary, int8, 16 tokens a sentence), installs it into the
work folder, writes a corpus of German articles (every sentence distinct), and times the same
command end to end, each in its own process with its own empty translation cache:

- ``local``: ``translate-pipeline run CORPUS --from de --to en -o OUT -q``
- ``local:N``: the same with ``--cluster local:N`` (starts N worker processes here; included in the
  time, as is every worker loading the model)
- with ``--cluster ADDRESS``, also that cluster.

Each is run ``--repeat`` times (default 3), alternating, and the best time counts (the machine may
be shared). Every run's outputs are checked byte-identical to the first one's. It prints one line
per kind of run (articles, best seconds, articles/s, every time) and the speed-up against ``local``.

Usage::

    python benchmarks/cluster_speed.py                      # 40 articles, local vs local:2
    python benchmarks/cluster_speed.py --articles 400 --workers 4 --size realistic
    python benchmarks/cluster_speed.py --cluster tcp://scheduler:8786 --work /shared/tp-bench

On a real cluster, ``--work`` must be a folder every worker sees at the same path (the corpus and
the outputs live there), and every worker needs the model: the package is installed in
``WORK/home/argos-packages``; start the workers with ``ARGOS_PACKAGES_DIR`` pointing there, or
install ``WORK/package/*.argosmodel`` on each (``translate-pipeline models install FILE``).
See "Scale out" in README.md.
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

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORK = ROOT / "benchmarks" / "work" / "cluster"
SIZES = {
    "small": {"layers": 2, "d_model": 64, "heads": 4, "ffn": 128, "vocab_size": 1000,
              "output_tokens": 8},
    "medium": {"layers": 3, "d_model": 256, "heads": 4, "ffn": 1024, "vocab_size": 8000,
               "output_tokens": 16, "quantization": "int8"},
    "realistic": {"layers": 6, "d_model": 512, "heads": 8, "ffn": 2048, "vocab_size": 32000,
                  "output_tokens": 32, "quantization": "int8"},
}

CITIES = ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Leipzig", "Dresden", "Stuttgart",
          "Hannover", "Bremen", "Nürnberg", "Dortmund", "Essen", "Kiel", "Mainz", "Potsdam"]
TOPICS = ["den Ausbau der Radwege", "neue Schulen", "das Stromnetz", "den Hochwasserschutz",
          "bezahlbaren Wohnraum", "die Sanierung von Brücken", "schnelles Internet",
          "den Nahverkehr"]


def article(i: int, paragraphs: int = 4) -> str:
    """A German news article; every sentence distinct (so the cache cannot help)."""
    city = CITIES[i % len(CITIES)]
    body = []
    for j in range(paragraphs):
        topic = TOPICS[(i + j) % len(TOPICS)]
        body.append(
            f"Der Stadtrat von {city} hat am Dienstag {i * 10 + j} Millionen Euro für {topic} "
            f"beschlossen. Die Verwaltung rechnet mit einer Bauzeit von {j + 2} Jahren und "
            f"{i + 3} neuen Stellen. Kritiker aus dem Bezirk {i}-{j} bemängeln die hohen Kosten "
            f"und fordern eine Prüfung bis zum {j + 1}. März."
        )
    return f"Meldung {i}: {city} investiert in {TOPICS[i % len(TOPICS)]}\n\n" + \
        "\n\n".join(body) + "\n"


def env_for(work: Path) -> dict[str, str]:
    home = work / "home"
    env = dict(os.environ)
    # As installed for real: Python caches the bytecode of our modules (a shell that sets
    # PYTHONDONTWRITEBYTECODE would make every run compile them again: about 0.14 s each).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({
        "XDG_DATA_HOME": str(home / "xdg-data"), "XDG_CONFIG_HOME": str(home / "xdg-config"),
        "XDG_CACHE_HOME": str(home / "xdg-cache"),
        "ARGOS_PACKAGES_DIR": str(home / "argos-packages"),
        "TRANSLATE_PIPELINE_HOME": str(home / "tp-home"),
    })
    return env


def prepare(work: Path, size: str, articles: int) -> tuple[Path, dict[str, str]]:
    env = env_for(work)
    stamp = work / "package" / f"{size}.built"
    if not stamp.exists():
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # tests/support
        from support.testmodel import build_random_package

        shutil.rmtree(work / "package", ignore_errors=True)
        print(f"building a {size} random de->en package ...", flush=True)
        package = build_random_package(work / "package", "de", "en", seed=7, **SIZES[size])
        shutil.rmtree(Path(env["ARGOS_PACKAGES_DIR"]), ignore_errors=True)
        subprocess.run([sys.executable, "-m", "translate_pipeline", "models", "install",
                        str(package)], env=env, check=True, stdout=subprocess.DEVNULL)
        stamp.write_text(package.name, encoding="utf-8")
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    for i in range(articles):
        folder = corpus / f"day{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"a{i:04d}.txt").write_text(article(i), encoding="utf-8")
    return corpus, env


def measure(name: str, corpus: Path, out: Path, env: dict[str, str], extra: list[str]) -> float:
    shutil.rmtree(out, ignore_errors=True)
    cache = out.with_name(out.name + ".sqlite3")
    for path in (cache, Path(f"{cache}-wal"), Path(f"{cache}-shm")):
        path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "translate_pipeline", "run", str(corpus), "--from", "de",
               "--to", "en", "-o", str(out), "-q", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, env=dict(env, TRANSLATE_PIPELINE_CACHE=str(cache)),
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{name} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".translate-pipeline.lock"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--size", choices=sorted(SIZES), default="medium")
    parser.add_argument("--workers", type=int, default=2, help="N of --cluster local:N")
    parser.add_argument("--cluster", help="also run on this scheduler (tcp://host:8786)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help="work folder (shared storage for --cluster)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    args = parser.parse_args()

    work = args.work.resolve()
    corpus, env = prepare(work, args.size, args.articles)
    runs = [("local", []), (f"local:{args.workers}", ["--cluster", f"local:{args.workers}"])]
    if args.cluster:
        runs.append((args.cluster, ["--cluster", args.cluster]))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
          f"{load:.2f}, Python {platform.python_version()}; {args.articles} articles, {args.size} "
          "package, de -> en; end to end: start-up, model loads and cluster start included; "
          f"best of {args.repeat}")
    reference: dict[str, bytes] | None = None
    times: dict[str, list[float]] = {name: [] for name, _ in runs}
    for _ in range(max(1, args.repeat)):
        for index, (name, extra) in enumerate(runs):
            out = work / f"out-{index}"
            times[name].append(measure(name, corpus, out, env, extra))
            got = files(out)
            if reference is None:
                reference = got
            elif got != reference:
                sys.exit(f"{name}: outputs differ from the local run's")
    print(f"{'run':<28} {'articles':>8} {'seconds':>8} {'articles/s':>11} {'vs local':>9}  "
          "all runs")
    base = None
    for name, _ in runs:
        seconds = min(times[name])
        rate = args.articles / seconds
        base = base or rate
        every = " ".join(f"{t:.2f}" for t in times[name])
        print(f"{name:<28} {args.articles:>8} {seconds:>8.2f} {rate:>11.2f} {rate / base:>8.2f}x"
              f"  {every}")
    print("outputs byte-identical across runs")


if __name__ == "__main__":
    main()
