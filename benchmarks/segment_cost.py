"""The cost of the long-segment logic (translate_pipeline/translation/segments.py) on its own.

On the sentences of the speed benchmark's corpus (``benchmarks/translate_speed.py``: news
sentences, none near the 200-piece limit), tokenized with a package's SentencePiece model, it
times what the engine adds per ``translate_batch`` call: ``plan`` (the length check, and the cuts
when a sentence is too long), ``decoding_length`` and ``Plan.join``, over many repetitions; and
the same for one 5,000-word paragraph without punctuation, which is cut into parts. For scale it
times ``translate_batch`` itself on the corpus with that package (int8, on this machine's cores,
batches of 32, beam 4, as the engine), and prints the logic's share of it. Last, a paired
comparison: the engine's call as it was (``translate_batch`` with CTranslate2's defaults) and as
it is (``plan``, ``translate_batch`` with ``max_input_length=0`` and ``decoding_length``, ``join``),
alternating on one translator for ``--rounds`` rounds, so that the load of a shared machine falls
on both alike; it prints every round and the ratios of the totals.

Usage::

    python benchmarks/segment_cost.py                  # the package translate_speed.py built
    python benchmarks/segment_cost.py --package FILE.argosmodel --repeat 2000

The default package is ``benchmarks/work/package/translate-de_en-1_0.argosmodel``; run
``benchmarks/translate_speed.py`` once to build it (or give any ``.argosmodel``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PACKAGE = ROOT / "benchmarks" / "work" / "package" / "translate-de_en-1_0.argosmodel"


def best_of(runs: int, function) -> float:
    """The fastest of ``runs`` timings of ``function()``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, default=DEFAULT_PACKAGE)
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1000, help="repetitions per timing")
    parser.add_argument("--rounds", type=int, default=10, help="paired rounds (default 10)")
    parser.add_argument("--paired-sentences", type=int, default=64,
                        help="sentences per paired call (default 64)")
    args = parser.parse_args(argv)
    if not args.package.is_file():
        print(f"error: {args.package}: no such file (run benchmarks/translate_speed.py once, or "
              "give --package)", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import ctranslate2
    import sentencepiece
    from translate_speed import make_corpus

    from translate_pipeline.translation import segments
    from translate_pipeline.nlp.sentences import split_sentences

    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(args.package) as zf:
            zf.extractall(tmp)
        (top,) = Path(tmp).iterdir()
        sp = sentencepiece.SentencePieceProcessor(model_file=str(top / "sentencepiece.model"))
        sentences = []
        for title, paragraphs in make_corpus("de", args.articles, 20):
            sentences.append(title)
            for paragraph in paragraphs:
                sentences.extend(split_sentences(paragraph, "de"))
        tokenized = sp.encode(sentences, out_type=str)
        words = " ".join(sentences).replace(".", "").replace(",", "").split()
        long = [sp.encode(" ".join(words[i % len(words)] for i in range(5000)), out_type=str)]

        def logic(batch):
            texts = ["x" * 40] * len(segments.plan(batch, segments.DEFAULT_MAX_PIECES).segments)

            def run():  # what _PackageRunner.translate adds around translate_batch
                plan = segments.plan(batch, segments.DEFAULT_MAX_PIECES)
                segments.decoding_length(plan.segments)
                plan.join(texts, "en")
            return run

        corpus_logic, long_logic = logic(tokenized), logic(long)
        per_call = best_of(5, lambda: [corpus_logic() for _ in range(args.repeat)]) / args.repeat
        long_repeat = max(args.repeat // 10, 1)
        long_call = best_of(5, lambda: [long_logic() for _ in range(long_repeat)]) / long_repeat
        long_plan = segments.plan(long, segments.DEFAULT_MAX_PIECES)

        cores = len(os.sched_getaffinity(0))
        translator = ctranslate2.Translator(str(top / "model"), device="cpu",
                                            compute_type="int8", inter_threads=cores,
                                            intra_threads=1)
        options = dict(max_batch_size=32, batch_type="examples", beam_size=4,
                       length_penalty=0.2, replace_unknowns=True)
        translator.translate_batch(tokenized[:4], **options)  # warm up
        translate = best_of(1, lambda: translator.translate_batch(tokenized, **options))

        # Paired: the engine's call before and after, alternating on one translator, so that
        # the load of a shared machine falls on both alike.
        batch = tokenized[:args.paired_sentences]

        def before():
            results = translator.translate_batch(batch, **options)
            return [sp.decode_pieces(r.hypotheses[0]) for r in results]

        def after():
            plan = segments.plan(batch, segments.DEFAULT_MAX_PIECES)
            parts = list(plan.segments)
            results = translator.translate_batch(
                parts, max_input_length=0, max_decoding_length=segments.decoding_length(parts),
                **options)
            return plan.join([sp.decode_pieces(r.hypotheses[0]) for r in results], "en")

        if before() != after():
            raise RuntimeError("before and after translate differently")
        paired = {"before": [], "after": []}
        for round_ in range(args.rounds):
            for name, call in (("before", before), ("after", after))[::1 if round_ % 2 else -1]:
                wall, cpu = time.perf_counter(), time.process_time()
                call()
                paired[name].append((time.perf_counter() - wall, time.process_time() - cpu))

    n = len(tokenized)
    print("Long-segment logic (plan + decoding_length + join) on its own")
    print(f"  package {args.package.name}; corpus: {n} sentences, "
          f"{sum(map(len, tokenized))} pieces, longest {max(map(len, tokenized))}; "
          f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  corpus, one call for all {n}: {per_call * 1e6:8.1f} µs "
          f"({per_call / n * 1e9:.0f} ns a sentence)")
    print(f"  translate_batch on the same {n} (int8, {cores} cores, beam 4): {translate:.2f} s "
          f"({translate / n * 1e3:.1f} ms a sentence)")
    print(f"  share of translate_batch: {per_call / translate * 100:.4f} %")
    print(f"  a 5,000-word paragraph without punctuation: {len(long[0])} pieces -> "
          f"{len(long_plan.segments)} parts of <= {segments.DEFAULT_MAX_PIECES} "
          f"(longest {max(map(len, long_plan.segments))}): {long_call * 1e3:.2f} ms")
    print(f"  paired, {args.rounds} rounds of {len(batch)} sentences, before and after "
          "alternating (wall s / CPU s):")
    for name, runs in paired.items():
        print(f"    {name:<6} " + "  ".join(f"{w:.2f}/{c:.2f}" for w, c in runs))
    total = {name: (sum(w for w, _ in runs), sum(c for _, c in runs))
             for name, runs in paired.items()}
    print(f"  after / before: wall {total['after'][0] / total['before'][0]:.4f}, "
          f"CPU {total['after'][1] / total['before'][1]:.4f} (below 1: faster); "
          f"load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
