"""What the progress line costs: the same sentences through one package, in one synchronous
CTranslate2 call (no bar: what a run without a terminal, or with -q, does) and in the same call
made asynchronously, its results collected one by one to report progress (a run drawing its bar).

A randomly weighted package (``tests/support/testmodel.py``, preset ``realistic`` unless
``--small``), distinct sentences, cache off; each way timed ``--repeat`` times, alternately, and
the best kept. Prints seconds, sentences per second and the ratio; the exit status is 0 whatever
the figures say (a report).

Usage::

    python benchmarks/progress_cost.py                  # 1024 sentences, realistic model
    python benchmarks/progress_cost.py --small --sentences 4096
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small", action="store_true", help="the tests' small model")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # tests/support
    from support.testmodel import SIZES, build_random_package, generate_corpus

    from translate_pipeline.translation.engine import EngineOptions, _PackageRunner
    from translate_pipeline.translation.packages import install_file

    import os

    work = Path(tempfile.mkdtemp(prefix="tp-progress-"))
    os.environ["ARGOS_PACKAGES_DIR"] = str(work / "packages")
    size = SIZES["small" if args.small else "realistic"]
    pkg = install_file(build_random_package(work, "de", "en", **size))
    options = EngineOptions(device="cpu", threads=args.threads, compute_type="int8").resolved()
    runner = _PackageRunner(pkg, options)
    sentences = list(dict.fromkeys(generate_corpus(args.sentences * 2, 5000)))[:args.sentences]
    runner.translate(sentences[:8])  # load the model once, outside the timings

    def once(progress) -> float:
        start = time.perf_counter()
        runner.translate(sentences, progress)
        return time.perf_counter() - start

    plain, reported = [], []
    for _ in range(args.repeat):
        plain.append(once(None))
        reported.append(once(lambda n: None))
    a, b = min(plain), min(reported)
    print(f"{len(sentences)} sentences, model {'small' if args.small else 'realistic'}, "
          f"{options.threads} threads, batch {options.batch_size}")
    print(f"synchronous (no bar)   {a:8.2f} s  {len(sentences) / a:9.1f} sentences/s")
    print(f"asynchronous (bar)     {b:8.2f} s  {len(sentences) / b:9.1f} sentences/s")
    print(f"with bar / without     {b / a:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
