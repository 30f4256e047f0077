"""ROUGE of every summary algorithm on real news with references written by others.

Inputs (paths given on the command line; nothing is bundled with the project):

* JSON Lines files, one article a line: ``id``, ``lang``, ``title``, ``text`` (paragraphs
  separated by blank lines), ``summary`` (the reference). Each file is one *set*, named after
  the file (``bbc-business.jsonl`` -> ``bbc-business``). XL-Sum, MLSUM and the BBC News Summary
  corpus come in this shape (see docs/summaries.md for where to get them).
* folders of saved web pages (``*.html``): the page's main text is read as ``run`` reads it
  (trafilatura), and the reference is the editors' teaser in ``<meta name="description">`` or
  ``og:description``. A folder is one set, named ``web-<folder name>``; a page counts when its
  teaser has at least 8 words, its text at least 5 sentences and its detected language is one
  of ``--web-langs`` (default de, en, fr), and the teaser is not the text's own opening (a
  teaser that *is* the first sentence says nothing but "take the lead").

Every article is split with the project's sentence splitter; each method picks ``--sentences``
(default 3) sentences: ``lead`` (the first N), every algorithm of
``translate_pipeline.nlp.summarize`` and ``oracle``, a greedy extractive oracle (adds the sentence
that raises ROUGE-2 F1 against the reference most, while one does).

ROUGE, so that figures compare across tools: NFKC, lower case, tokens are the Unicode regex
``\\w+``, no stemming, no stop-word removal; ROUGE-N F1 over clipped n-gram counts; ROUGE-L F1
over the longest common subsequence of the whole token sequences. Scores are x100, averaged over
the articles of a set.

**Development and held-out parts** (the same everywhere: ``split_of``): ``bbc-business`` and
``bbc-politics`` are development data whole; ``bbc-entertainment`` is held out whole; in every
other set, the articles are ordered by the SHA-256 of their id and the first half (rounded down)
is development, the rest held out. Everything tuned in ``translate_pipeline.nlp.summarize`` was
chosen on the development part only. ``--part dev|heldout|all`` says which part to score.

Usage::

    python benchmarks/eval_summaries.py ../shared/corpora/summaries/*.jsonl \\
        ../shared/corpora/web-pages --part heldout
    python benchmarks/eval_summaries.py FILES... --part dev --methods lead,news,oracle
    python benchmarks/eval_summaries.py FILES... --json results.json   # also save every figure
    python benchmarks/eval_summaries.py FILES... --speed-mib 5   # time news on a 5 MiB article
    python benchmarks/eval_summaries.py FILES... --part dev --methods lead,news,lexrank,oracle --noise
        # also each method's paired standard error against lead-3 on the teaser sets

The last lines check the goals of the default (``news``) on the part scored: on the abstractive
sets (every set but ``bbc-*``) its mean ROUGE-2 is at least lead's + 1.0 and it is no more than
1.0 below lead on any one of them; on the ``bbc-*`` sets it is at least LexRank's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, stdev

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translate_pipeline.nlp.sentences import split_sentences  # noqa: E402

_TOKEN = re.compile(r"\w+")
DEV_WHOLE = frozenset({"bbc-business", "bbc-politics"})
HELD_OUT_WHOLE = frozenset({"bbc-entertainment"})


@dataclass(frozen=True)
class Doc:
    """One article of a set, split into paragraphs of sentences, with its reference."""

    set: str
    id: str
    lang: str
    title: str
    paragraphs: tuple[tuple[str, ...], ...]
    reference: str

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(s for p in self.paragraphs for s in p)


# --- ROUGE -------------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


def _ngrams(words: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def _f1(overlap: int, candidate: int, reference: int) -> float:
    if overlap == 0 or candidate == 0 or reference == 0:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    c, r = _ngrams(candidate, n), _ngrams(reference, n)
    return _f1(sum((c & r).values()), sum(c.values()), sum(r.values()))


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    return _f1(_lcs(candidate, reference), len(candidate), len(reference))


def rouge(summary: str, reference: str) -> tuple[float, float, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F1 (x100) of one summary against one reference."""
    c, r = tokens(summary), tokens(reference)
    return 100 * rouge_n(c, r, 1), 100 * rouge_n(c, r, 2), 100 * rouge_l(c, r)


def oracle(doc: Doc, count: int) -> tuple[int, ...]:
    """Greedy extractive oracle: add the sentence that raises ROUGE-2 F1 most, while one does
    (ROUGE-1 breaks ties, and rates the first pick when no sentence shares a bigram)."""
    reference = tokens(doc.reference)
    sentences = [tokens(s) for s in doc.sentences]
    chosen: list[int] = []
    best = (0.0, 0.0)
    while len(chosen) < count:
        candidates = []
        for i in range(len(sentences)):
            if i in chosen:
                continue
            words = [w for j in sorted(chosen + [i]) for w in sentences[j]]
            candidates.append(((rouge_n(words, reference, 2), rouge_n(words, reference, 1)), i))
        if not candidates:
            break
        score, pick = max(candidates, key=lambda c: (c[0], -c[1]))
        if score <= best:
            break
        best = score
        chosen.append(pick)
    return tuple(sorted(chosen))


# --- corpora -----------------------------------------------------------------------------------


def split_of(doc_set: str, ids: Sequence[str]) -> dict[str, str]:
    """``{id: "dev" | "heldout"}`` for the articles of one set (see the module docstring)."""
    if doc_set in DEV_WHOLE:
        return dict.fromkeys(ids, "dev")
    if doc_set in HELD_OUT_WHOLE:
        return dict.fromkeys(ids, "heldout")
    ranked = sorted(ids, key=lambda i: hashlib.sha256(i.encode()).hexdigest())
    half = len(ranked) // 2
    return {i: ("dev" if k < half else "heldout") for k, i in enumerate(ranked)}


def _paragraphs(paragraphs: Iterable[str], lang: str) -> tuple[tuple[str, ...], ...]:
    split = (tuple(split_sentences(p, lang)) for p in paragraphs)
    return tuple(p for p in split if p)


def load_jsonl(path: Path) -> list[Doc]:
    name = path.name.removesuffix(".jsonl")
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", row["text"]) if p.strip()]
        docs.append(Doc(name, str(row["id"]), row["lang"], row.get("title") or "",
                        _paragraphs(paragraphs, row["lang"]), row["summary"]))
    return docs


def _teaser(html: str) -> str:
    import lxml.html

    tree = lxml.html.fromstring(html)
    for xpath in ('//meta[@name="description"]/@content',
                  '//meta[@property="og:description"]/@content'):
        for value in tree.xpath(xpath):
            text = " ".join(str(value).split())
            if text:
                return text
    return ""


def load_pages(folder: Path, langs: frozenset[str]) -> list[Doc]:
    from translate_pipeline.nlp.detect import detect_language
    from translate_pipeline.errors import PipelineError
    from translate_pipeline.inputs.documents import html_article

    docs = []
    for path in sorted(folder.glob("*.html")):
        html = path.read_bytes().decode("utf-8", errors="replace")
        teaser = _teaser(html)
        if len(tokens(teaser)) < 8:
            continue
        try:
            article = html_article(html, source=str(path), id=path.stem)
            lang = detect_language(article.text, str(path)).code
        except PipelineError:
            continue
        if lang not in langs:
            continue
        paragraphs = _paragraphs(article.paragraphs, lang)
        sentences = [s for p in paragraphs for s in p]
        if len(sentences) < 5 or tokens(sentences[0])[:8] == tokens(teaser)[:8]:
            continue
        docs.append(Doc(folder.name if folder.name.startswith("web") else f"web-{folder.name}", path.stem, lang, article.title, paragraphs,
                        teaser))
    return docs


def load(paths: Sequence[Path], web_langs: frozenset[str]) -> dict[str, list[Doc]]:
    sets: dict[str, list[Doc]] = {}
    for path in paths:
        docs = load_pages(path, web_langs) if path.is_dir() else load_jsonl(path)
        for doc in docs:
            sets.setdefault(doc.set, []).append(doc)
    return sets


def part(sets: dict[str, list[Doc]], which: str) -> dict[str, list[Doc]]:
    """The development or held-out part of every set (``all``: everything)."""
    if which == "all":
        return sets
    chosen = {}
    for name, docs in sets.items():
        parts = split_of(name, [d.id for d in docs])
        kept = [d for d in docs if parts[d.id] == which]
        if kept:
            chosen[name] = kept
    return chosen


# --- scoring -----------------------------------------------------------------------------------


def pick(doc: Doc, method: str, count: int) -> tuple[int, ...]:
    if method == "oracle":
        return oracle(doc, count)
    from translate_pipeline.nlp.summarize import select_sentences

    return select_sentences(doc.paragraphs, doc.lang, count, method, title=doc.title)


def score_set(docs: Sequence[Doc], method: str, count: int) -> tuple[float, float, float]:
    rows = []
    for doc in docs:
        sentences = doc.sentences
        summary = " ".join(sentences[i] for i in pick(doc, method, count))
        rows.append(rouge(summary, doc.reference))
    return tuple(mean(column) for column in zip(*rows))  # type: ignore[return-value]


def evaluate(sets: dict[str, list[Doc]], methods: Sequence[str], count: int
             ) -> dict[str, dict[str, tuple[float, float, float]]]:
    return {name: {m: score_set(docs, m, count) for m in methods}
            for name, docs in sets.items()}


def is_abstractive(name: str) -> bool:
    return not name.startswith("bbc-")


def goals(results: dict[str, dict[str, tuple[float, float, float]]],
          default: str = "news") -> Iterator[tuple[bool, str]]:
    """(met, text) for each goal of the default, on ROUGE-2."""
    abstractive = [n for n in results if is_abstractive(n)]
    if abstractive and "lead" in results[abstractive[0]]:
        ours = mean(results[n][default][1] for n in abstractive)
        lead = mean(results[n]["lead"][1] for n in abstractive)
        yield ours >= lead + 1.0, (f"abstractive sets: {default} {ours:.2f} vs lead {lead:.2f}"
                                   f" (goal: lead + 1.0)")
        worst = min(abstractive, key=lambda n: results[n][default][1] - results[n]["lead"][1])
        gap = results[worst][default][1] - results[worst]["lead"][1]
        yield gap >= -1.0, f"worst abstractive set {worst}: {gap:+.2f} vs lead (goal: >= -1.0)"
    for name in results:
        if not is_abstractive(name) and "lexrank" in results[name]:
            ours, theirs = results[name][default][1], results[name]["lexrank"][1]
            yield ours >= theirs, f"{name}: {default} {ours:.2f} vs lexrank {theirs:.2f}"


def paired(ours: Sequence[float], theirs: Sequence[float]) -> tuple[float, float]:
    """(mean, standard error) of the per-article difference ``ours - theirs``."""
    diffs = [a - b for a, b in zip(ours, theirs)]
    return mean(diffs), (stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else 0.0)


def pooled_error(errors: Sequence[float]) -> float:
    """The standard error of the mean of independent sets' means, from each one's."""
    return sum(e * e for e in errors) ** 0.5 / len(errors)


def noise(sets: dict[str, list[Doc]], methods: Sequence[str], count: int) -> Iterator[str]:
    """How far chance moves the teaser goal's figure: for each method, the standard error of its
    ROUGE-2 difference from lead-3, paired by article, on each abstractive set, and of the mean
    over those sets."""
    names = [n for n in sets if is_abstractive(n)]

    def r2(doc: Doc, method: str) -> float:
        sentences = doc.sentences
        return rouge(" ".join(sentences[i] for i in pick(doc, method, count)), doc.reference)[1]

    lead = {n: [r2(doc, "lead") for doc in sets[n]] for n in names}
    for method in methods:
        if method == "lead" or not names:
            continue
        errors = {n: paired([r2(doc, method) for doc in sets[n]], lead[n])[1] for n in names}
        each = ", ".join(f"{n} {e:.1f}" for n, e in errors.items())
        yield (f"{method} - lead: standard error {pooled_error(list(errors.values())):.2f} for "
               f"the mean of the sets ({each})")


def speed(sets: dict[str, list[Doc]], mib: float, count: int) -> str:
    """Time ``news`` on one article of `mib` MiB made of every paragraph of the sets, repeated
    (it must stay linear in the article's length)."""
    from translate_pipeline.nlp.summarize import select_sentences

    paragraphs: list[tuple[str, ...]] = []
    size = 0
    english = [d for docs in sets.values() for d in docs if d.lang == "en"]
    if not english:
        raise SystemExit("--speed-mib needs English articles among the inputs")
    while size < mib * 2**20:
        for doc in english:
            for paragraph in doc.paragraphs:
                paragraphs.append(paragraph)
                size += sum(len(s.encode()) + 1 for s in paragraph)
    started = time.perf_counter()
    select_sentences(paragraphs, "en", count, title="A headline about the dollar and the euro")
    took = time.perf_counter() - started
    total = sum(len(p) for p in paragraphs)
    return f"news on a {size / 2**20:.1f} MiB article ({total} sentences): {took:.2f} s"


def main(argv: Sequence[str] | None = None) -> int:
    from translate_pipeline.nlp.summarize import ALGORITHMS, DEFAULT_ALGORITHM

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="JSON Lines files, page folders")
    parser.add_argument("--part", choices=("dev", "heldout", "all"), default="heldout",
                        type=lambda v: "heldout" if v == "held-out" else v,  # as eval_sentences
                        help="which part to score (held-out is accepted too)")
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--methods", default=",".join(("lead", *[a for a in ALGORITHMS
                                                                 if a != "lead"], "oracle")))
    parser.add_argument("--web-langs", default="de,en,fr")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--speed-mib", type=float, help="only time news on an article this big")
    parser.add_argument("--noise", action="store_true",
                        help="also print each method's paired standard error against lead-3")
    args = parser.parse_args(argv)
    methods = [m for m in args.methods.split(",") if m]
    started = time.perf_counter()
    sets = load(args.paths, frozenset(args.web_langs.split(",")))
    if args.speed_mib:
        print(speed(sets, args.speed_mib, args.sentences))
        return 0
    sets = part(sets, args.part)
    results = evaluate(sets, methods, args.sentences)
    print(f"part: {args.part}, {args.sentences} sentences, ROUGE-1 / ROUGE-2 / ROUGE-L F1 x100")
    print(f"{'set':<20} {'docs':>5}  " + "  ".join(f"{m:>16}" for m in methods))
    for name, row in results.items():
        cells = "  ".join(f"{'/'.join(f'{v:4.1f}' for v in row[m]):>16}" for m in methods)
        print(f"{name:<20} {len(sets[name]):>5}  {cells}")
    for label, names in (("mean abstractive", [n for n in results if is_abstractive(n)]),
                         ("mean bbc", [n for n in results if not is_abstractive(n)])):
        if names:
            cells = "  ".join(
                f"{'/'.join(f'{mean(results[n][m][k] for n in names):4.1f}' for k in range(3)):>16}"
                for m in methods)
            print(f"{label:<20} {sum(len(sets[n]) for n in names):>5}  {cells}")
    if DEFAULT_ALGORITHM in methods:
        for met, text in goals(results, DEFAULT_ALGORITHM):
            print(f"{'met' if met else 'NOT MET'}: {text}")
    if args.noise:
        for line in noise(sets, methods, args.sentences):
            print(line)
    print(f"({time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps({"part": args.part, "sentences": args.sentences,
                                         "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
