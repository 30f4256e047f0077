"""Does a sentence's translation depend on its batch-mates, and what would independence cost?

Builds a random Argos package (tests/support/testmodel.py; ``--size realistic`` by default: 6+6
layers, d512, 32k vocabulary, int8), tokenizes ``--sentences`` news-like sentences with its
SentencePiece model and translates them with CTranslate2 as the engine does (beam 4, length
penalty 0.2): one sentence at a time (``max_batch_size=1``, each translation independent of every
other sentence), then in batches of 32 (the CPU default) and of 5. For each batched run it prints
the seconds taken, the ratio to the one-at-a-time run, and how many translations differ from the
one-at-a-time ones.

This is the measurement behind docs/scale-out.md's *Batching* paragraph: on a realistic model a
few translations differ with the batch, and the only way CTranslate2 offers to make them
independent (batches of one) costs about ten times the time, so the project states what is
guaranteed instead.

Usage::

    python benchmarks/batch_independence.py [--size realistic|small] [--sentences 300]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("realistic", "small"), default="realistic")
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    import ctranslate2
    import sentencepiece as spm
    from support.testmodel import SIZES, build_random_package, generate_corpus

    work = Path(tempfile.mkdtemp(prefix="batch-independence-"))
    started = time.perf_counter()
    package = build_random_package(work, "en", "de", **SIZES[args.size])
    with zipfile.ZipFile(package) as archive:
        archive.extractall(work / "unpacked")
    root = next((work / "unpacked").iterdir())
    print(f"package: {args.size} {SIZES[args.size]}, built in {time.perf_counter() - started:.0f} s")
    processor = spm.SentencePieceProcessor(model_file=str(root / "sentencepiece.model"))
    translator = ctranslate2.Translator(str(root / "model"), device="cpu", inter_threads=1,
                                        intra_threads=args.threads)
    tokens = [processor.encode(s, out_type=str)
              for s in generate_corpus(args.sentences, 2000, seed=3)]

    def translate(batch_size: int) -> tuple[list[tuple[str, ...]], float]:
        begun = time.perf_counter()
        results = translator.translate_batch(tokens, beam_size=4, length_penalty=0.2,
                                             max_batch_size=batch_size)
        return [tuple(r.hypotheses[0]) for r in results], time.perf_counter() - begun

    alone, alone_seconds = translate(1)
    print(f"{len(tokens)} sentences, one at a time: {alone_seconds:.2f} s")
    for batch_size in (32, 5):
        batched, seconds = translate(batch_size)
        differ = sum(a != b for a, b in zip(batched, alone))
        print(f"batches of {batch_size}: {seconds:.2f} s (one at a time takes "
              f"{alone_seconds / seconds:.1f}x as long); {differ} of {len(tokens)} translations "
              "differ from one at a time")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
