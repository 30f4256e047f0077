"""Choose the weights of the ``news`` summarizer on the development part of real corpora.

Reads the corpora that ``benchmarks/eval_summaries.py`` reads (paths as arguments) and uses their
**development part only** (``eval_summaries.part(..., "dev")``). For every point of a small grid
of :class:`translate_pipeline.nlp.summarize_news.Weights` it scores ROUGE-2 F1 at ``--sentences``
(default 3) per article and rates the point by the issue's goals, each checked on the *lower
bound* of a gain (its mean over the set's articles minus one standard error, ``low``):

    violation = max(0, 1.0 - low(mean over the abstractive sets of news - lead))
                + sum over the abstractive sets of max(0, -1.0 - low(news - lead))
                + sum over the bbc sets of max(0, -low(news - lexrank))
    objective = -violation + 0.1 * mean over the abstractive sets of (news - lead)

i.e. on the abstractive sets at least lead + 1.0 on average and never more than 1.0 below lead
on one set, on the BBC extractive sets at least LexRank, each shortfall counted in ROUGE-2
points, with the mean gain over lead to break ties. The lower bound is there because a teaser
set's development part has 7 articles: a point that meets a goal by the luck of one of them
should not beat one that meets it surely. It prints the ten best points and the best one; copy
that into ``summarize_news.Weights``.

    python benchmarks/tune_summarizer.py ../shared/corpora/summaries/*.jsonl \\
        ../shared/corpora/web-pages
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_summaries as ev  # noqa: E402

from translate_pipeline.nlp import summarize_news as news  # noqa: E402
from translate_pipeline.nlp.summarize import select_sentences  # noqa: E402
from translate_pipeline.nlp.summarize_lang import resources_for  # noqa: E402

GRID = {
    "lede": (2, 3),
    "lede_bonus": (1.0, 2.0),
    "follow": (0.0, 0.25, 0.5),
    "position": (0.0, 0.5),
    "centrality": (0.5, 1.0),
    "title": (0.5, 1.0),
    "length": (0.0, -0.1, -0.2),
    "redundancy": (0.0,),
}


_SCORED: dict[tuple[int, tuple[int, ...]], float] = {}


def _r2(doc: ev.Doc, picks: Sequence[int]) -> float:
    """ROUGE-2 of some sentences of `doc` (remembered: most grid points pick the same ones)."""
    key = (id(doc), tuple(picks))
    if key not in _SCORED:
        _SCORED[key] = ev.rouge(" ".join(doc.sentences[i] for i in picks), doc.reference)[1]
    return _SCORED[key]


def objective(ours: dict[str, list[float]], lead: dict[str, list[float]],
              lexrank: dict[str, list[float]]) -> tuple[float, float, float]:
    """(objective, mean abstractive gain over lead, worst abstractive set's gain), from the
    ROUGE-2 of every article of every set; every goal is checked on the gain's lower bound
    (mean minus one standard error), so that a point that meets a goal by the luck of a few
    articles does not beat one that meets it surely."""
    abstractive = [n for n in ours if ev.is_abstractive(n)]
    bounds = [ev.paired(ours[n], lead[n]) for n in abstractive]
    gains = [g for g, _ in bounds]
    low = mean(gains) - ev.pooled_error([se for _, se in bounds])
    violation = max(0.0, 1.0 - low) + sum(max(0.0, -1.0 - (g - se)) for g, se in bounds)
    for name in ours:
        if not ev.is_abstractive(name):
            g, se = ev.paired(ours[name], lexrank[name])
            violation += max(0.0, -(g - se))
    return -violation + 0.1 * mean(gains), mean(gains), min(gains)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--web-langs", default="de,en,fr")
    args = parser.parse_args(argv)
    count = args.sentences
    sets = ev.part(ev.load(args.paths, frozenset(args.web_langs.split(","))), "dev")
    docs = [(name, doc, news.features(doc.paragraphs, resources_for(doc.lang), doc.title))
            for name, items in sets.items() for doc in items]
    baselines = {}
    for method in ("lead", "lexrank"):
        per: dict[str, list[float]] = {}
        for name, doc, _ in docs:
            per.setdefault(name, []).append(
                _r2(doc, select_sentences(doc.paragraphs, doc.lang, count, method)))
        baselines[method] = per
    rated = []
    for values in itertools.product(*GRID.values()):
        weights = news.Weights(**dict(zip(GRID, values)))
        per = {}
        for name, doc, article in docs:
            picks = news.mmr(article.scores(weights), article.vectors, count, weights.redundancy)
            per.setdefault(name, []).append(_r2(doc, picks))
        rated.append((objective(per, baselines["lead"], baselines["lexrank"]), weights,
                      {n: mean(v) for n, v in per.items()}))
    rated.sort(key=lambda r: -r[0][0])
    print(f"dev part: {len(docs)} articles in {len(sets)} sets, {count} sentences, ROUGE-2 F1")
    for (value, gain, worst), weights, ours in rated[:10]:
        bbc = " ".join(f"{n} {ours[n] - mean(baselines['lexrank'][n]):+.1f} vs lexrank"
                       for n in ours if not ev.is_abstractive(n))
        print(f"{value:+.2f}  abstractive {gain:+.2f} vs lead (worst {worst:+.2f})  {bbc}  "
              f"{weights}")
    print(f"best: {rated[0][1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
