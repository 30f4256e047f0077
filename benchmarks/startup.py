"""Start-up time of the one-off commands: `summarize` of one article (no translation) and `detect`.

Runs each command as a whole new process ``--runs`` times (default 7) and prints the median wall
time, after one warm-up run (the first process ever also writes langdetect's compact profiles;
that run is printed apart), then the import-time breakdown of one ``summarize`` (``python -X
importtime``: the top-level imports that cost the most, cumulative). The article is English, 18
sentences, written to a temporary folder; the project's data directory is a temporary one too, so
the figures do not depend on what this machine has cached.

    python benchmarks/startup.py
    python benchmarks/startup.py --runs 15

Goals (issue: speed where users wait): summarize at most 0.3 s, detect at most 0.25 s, median,
on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARTICLE = """Flood waters close the main bridge in Riverton

Heavy rain overnight pushed the Riverton river two metres above its normal level on Monday.
The city closed the main bridge at six in the morning and sent traffic over the northern ring
road. Schools in the lower town stayed shut, and the council opened two sports halls for people
who had to leave their homes.

The weather service expects more rain until Wednesday. Engineers checked the old flood walls
along the harbour and found one section leaking. Volunteers filled sandbags through the night.
The mayor said the damage would be counted once the water was gone.

Rail services to the coast were cut after a landslide near the tunnel. Buses replace trains
between Riverton and Porthaven. The operator warned that repairs could take a week.

Farmers in the valley lost most of their winter crops. Insurers said claims were already
arriving. The regional government promised emergency aid for families and small businesses.
Opposition councillors asked why the new flood barrier, planned since 2019, is still not built.
"""


def _time(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _imports(command: list[str], env: dict[str, str], top: int) -> list[tuple[float, str]]:
    """(cumulative seconds, module) of the costliest imports that no other listed one contains."""
    result = subprocess.run([sys.executable, "-X", "importtime", *command[1:]], env=env,
                            check=True, capture_output=True, text=True)
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        try:
            rows.append((int(cumulative) / 1e6, name.rstrip()))
        except ValueError:
            continue  # the header line
    outermost = [(s, n.strip()) for s, n in rows if len(n) - len(n.lstrip()) == 1]
    return sorted(outermost, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=12, help="import rows to show")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tp-startup-") as tmp:
        article = Path(tmp) / "article.txt"
        article.write_text(ARTICLE, encoding="utf-8")
        env = dict(os.environ, TRANSLATE_PIPELINE_HOME=str(Path(tmp) / "home"))
        # As installed for real: Python caches our modules' bytecode (the warm-up run writes
        # it); a shell with PYTHONDONTWRITEBYTECODE would compile them at every start.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        base = [sys.executable, "-m", "translate_pipeline"]
        commands = {"summarize": [*base, "summarize", str(article)],
                    "detect": [*base, "detect", str(article)]}
        first = _time(commands["detect"], env)
        print(f"first process ever (writes langdetect's compact profiles): {first:.3f} s")
        for name, command in commands.items():
            times = [_time(command, env) for _ in range(args.runs)]
            print(f"{name:<10} median {statistics.median(times):.3f} s  "
                  f"(min {min(times):.3f}, max {max(times):.3f}, {args.runs} runs)")
        print(f"imports of one summarize (cumulative, the {args.top} costliest outermost):")
        for seconds, module in _imports(commands["summarize"], env, args.top):
            print(f"  {seconds:.3f} s  {module}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
