"""Write every output the CLI makes of samples/ into one folder, to compare two versions.

A restructuring must not change behaviour: run this before and after, then ``diff -r`` the two
folders (it must print nothing)::

    .venv/bin/python scripts/sample_outputs.py /tmp/before
    ... change the code ...
    .venv/bin/python scripts/sample_outputs.py /tmp/after
    diff -r /tmp/before /tmp/after

Two rounds: ``no-models`` (nothing installed: detection and source-language summaries, the
"not translated" lines), and ``models`` (small random-weight Argos packages for each sample
language -> en and en -> uk, built with tests/support/testmodel.py, fixed seeds: the translations
are garbage but deterministic). Each round runs ``run`` (default, ``--format jsonl``, ``--html``,
``-o -``), ``detect``, ``summarize`` (text, json, markdown) and ``models list``, in a fresh data
directory, and keeps stdout, stderr and the exit code of each. Paths of the temporary folders are
replaced by placeholders, and so are the process ids in the lock files, so that two runs compare.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = (("de", "en"), ("fr", "en"), ("es", "en"), ("pl", "en"), ("uk", "en"), ("en", "uk"))
SEEDS = {pair: 11 + i for i, pair in enumerate(PAIRS)}


def _builder():
    """build_random_package and SIZES from tests/support (after the move) or the package (before)."""
    support = ROOT / "tests" / "support" / "testmodel.py"
    if support.exists():
        sys.path.insert(0, str(ROOT / "tests"))
        from support.testmodel import SIZES, build_random_package
    else:
        from translate_pipeline.testmodel import SIZES, build_random_package
    return build_random_package, SIZES


def commands(out: Path) -> list[tuple[str, list[str]]]:
    sample = "samples/europe/berlin-transport.txt"
    return [
        ("run-default", ["run", "samples", "--to", "en", "--to", "uk", "-o", str(out / "run-default")]),
        ("run-jsonl", ["run", "samples", "--to", "en", "--to", "uk", "--format", "jsonl",
                       "-o", str(out / "run-jsonl")]),
        ("run-html", ["run", "samples", "--to", "en", "--to", "uk", "--html",
                      "-o", str(out / "run-html")]),
        ("run-rerun", ["run", "samples", "--to", "en", "--to", "uk", "-o", str(out / "run-default")]),
        ("run-stdout", ["run", "samples", "--to", "en", "-o", "-"]),
        ("run-summary-mode", ["run", "samples", "--to", "en", "--translate", "summary", "-n", "2",
                              "--algorithm", "lexrank", "-o", str(out / "run-summary-mode")]),
        ("detect-text", ["detect", "samples"]),
        ("detect-json", ["detect", "samples", "--format", "json"]),
        ("summarize-text", ["summarize", sample, "--to", "en", "--to", "uk"]),
        ("summarize-json", ["summarize", sample, "--to", "en", "--format", "json"]),
        ("summarize-markdown", ["summarize", sample, "--to", "uk", "--format", "markdown"]),
        ("models-list", ["models", "list"]),
        ("cache-stats", ["cache", "stats", "--format", "json"]),
        ("bad-output", ["run", "samples", "--to", "en", "-o", "-", "--html"]),
    ]


def run_round(name: str, target: Path, packages: list[Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="tp-samples-") as tmp:
        home = Path(tmp)
        env = dict(os.environ, XDG_DATA_HOME=str(home / "xdg"), TRANSLATE_PIPELINE_HOME=str(home / "tp"),
                   ARGOS_PACKAGES_DIR=str(home / "argos"), TRANSLATE_PIPELINE_DEVICE="cpu")
        env.pop("TRANSLATE_PIPELINE_CACHE", None)
        tp = [sys.executable, "-m", "translate_pipeline"]
        for package in packages:
            subprocess.run([*tp, "models", "install", str(package)], env=env, check=True,
                           stdout=subprocess.DEVNULL, cwd=ROOT)
        work = home / "out"
        work.mkdir()
        logs = target / name / "logs"
        logs.mkdir(parents=True)
        for label, args in commands(work):
            done = subprocess.run([*tp, *args], env=env, cwd=ROOT, capture_output=True)

            def clean(data: bytes) -> bytes:
                return data.replace(str(home).encode(), b"<HOME>")

            (logs / f"{label}.stdout").write_bytes(clean(done.stdout))
            (logs / f"{label}.stderr").write_bytes(clean(done.stderr))
            (logs / f"{label}.rc").write_text(f"{done.returncode}\n")
        shutil.copytree(work, target / name / "outputs", symlinks=True)
        for lock in (target / name / "outputs").rglob(".translate-pipeline.lock"):
            lock.write_text("<pid of the run>\n")  # the only byte that differs run to run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="empty or missing folder to write into")
    args = parser.parse_args()
    if args.target.exists() and any(args.target.iterdir()):
        parser.error(f"{args.target} is not empty")
    build, sizes = _builder()
    with tempfile.TemporaryDirectory(prefix="tp-packages-") as tmp:
        packages = [build(Path(tmp) / f"{a}_{b}", a, b, seed=SEEDS[(a, b)], **sizes["small"])
                    for a, b in PAIRS]
        run_round("no-models", args.target, [])
        run_round("models", args.target, packages)
    print(f"outputs in {args.target}; compare two with diff -r")
    return 0


if __name__ == "__main__":
    sys.exit(main())
