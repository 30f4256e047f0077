"""``news``, the default summarizer: a news article's lede paragraph, topped up with its central facts.

Reporters write the inverted pyramid: the first paragraph of a story (the *lede*) says what
happened, and on real news the first three sentences are a hard baseline to beat. So the score
of a sentence adds

* a lede bonus, ``lede_bonus``, for each of the first ``lede`` *content* sentences that stand in
  the *lede paragraph*, the paragraph of the first content sentence (sentences that
  :func:`translate_pipeline.nlp.boilerplate.non_content` flags -- datelines, bylines, credits,
  source lines, links, bare figures, headings -- are skipped: they are never picked, and they do
  not push the real lede down). A text without paragraph breaks is one paragraph, so its lede
  is its first ``lede`` content sentences; an article whose first paragraph is one sentence has
  a one-sentence lede, and the rest of the summary comes from the body. ``follow`` is the bonus
  of the first ``lede`` content sentences that are outside the lede paragraph;
* a position prior, ``position / sqrt(1 + k)`` for the k-th content sentence;
* centrality, ``centrality`` times the continuous LexRank degree (the summed tf-idf cosine of a
  sentence to all the others, scaled to [0, 1]; computed against the centroid, so linear in the
  article's length): what the article keeps coming back to;
* headline likeness, ``title`` times the tf-idf cosine of the sentence to the headline;
* concision, ``length`` times the natural log of the sentence's number of words (negative: of
  two sentences that say as much, the shorter one);

and sentences are picked greedily by maximal marginal relevance (each pick maximises its score
minus ``redundancy`` times its highest cosine to a sentence already picked; a near-copy of a pick,
cosine >= ``DUPLICATE``, only when nothing else is left). Ties go to the earlier sentence, so the
output is deterministic. A summary has fewer sentences than asked for only when the article has
fewer content sentences.

Which data chose which number: ``benchmarks/tune_summarizer.py`` chose every field of
:class:`Weights` (``lede`` 3, ``lede_bonus`` 1.0, ``follow`` 0, ``position`` 0, ``centrality``
1.0, ``title`` 0.5, ``length`` -0.2, ``redundancy`` 0) by a grid search on the *development
part* of the corpora only (``benchmarks/eval_summaries.py`` defines it: all of bbc-business and
bbc-politics, and half of every other set, chosen by a hash of the article id), rating each
point by the issue's goals checked on the lower bound of each gain (mean minus one standard
error: a teaser set's part has 7 articles); the idea of a lede *paragraph* came from reading
development articles (the BBC ones open with a one-sentence paragraph, and the first sentences
of the teaser sets' unparagraphed texts are often the teaser itself). ``DUPLICATE`` and the
boilerplate rules were set by hand. The held-out part (bbc-entertainment and the other half of
every other set) chose nothing; its figures are in docs/summaries.md.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .boilerplate import non_content
from .summarize_lang import LanguageResources

__all__ = ["Weights", "WEIGHTS", "Sentences", "features", "mmr", "select"]

DUPLICATE = 0.9  # cosine from which a sentence repeats a pick: taken only when nothing else is left

Vector = dict[str, float]


@dataclass(frozen=True)
class Weights:
    """The tuning of ``news`` (see the module docstring for which data chose it)."""

    lede: int = 3
    lede_bonus: float = 1.0
    follow: float = 0.0
    position: float = 0.0
    centrality: float = 1.0
    title: float = 0.5
    length: float = -0.2
    redundancy: float = 0.0


WEIGHTS = Weights()


@dataclass(frozen=True)
class Sentences:
    """An article as ``news`` sees it, per sentence: its rank among the content sentences (None
    for a sentence that is not content), whether it is in the lede paragraph (the paragraph of
    the first content sentence), its number of words, centrality, headline cosine and tf-idf
    vector."""

    ranks: tuple[int | None, ...]
    lede: tuple[bool, ...]
    words: tuple[int, ...]
    centrality: tuple[float, ...]
    title: tuple[float, ...]
    vectors: tuple[Vector, ...]

    def scores(self, weights: Weights) -> list[float]:
        scores = []
        for rank, lede, words, central, title in zip(
                self.ranks, self.lede, self.words, self.centrality, self.title):
            if rank is None:
                scores.append(-math.inf)
                continue
            early = rank < weights.lede
            scores.append(
                (weights.lede_bonus if early and lede else weights.follow if early else 0.0)
                + weights.position / math.sqrt(1.0 + rank)
                + weights.centrality * central + weights.title * title
                + weights.length * math.log(max(1, words)))
        return scores


def _terms(text: str, resources: LanguageResources) -> Counter[str]:
    stop_words, stem = resources.stop_words, resources.stemmer
    return Counter(stem(w) for w in resources.tokenizer.to_words(text) if w not in stop_words)


def _tfidf(bags: Sequence[Counter[str]], frequency: Counter[str], n: int) -> list[Vector]:
    """Unit-length tf-idf vectors (sublinear tf, smoothed idf); empty for wordless sentences."""
    vectors: list[Vector] = []
    for bag in bags:
        weights = {term: (1.0 + math.log(tf)) * math.log(1.0 + n / (frequency[term] or 1))
                   for term, tf in sorted(bag.items())}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        vectors.append({t: w / norm for t, w in weights.items()} if norm > 0 else {})
    return vectors


def _dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def _centrality(vectors: Sequence[Vector]) -> list[float]:
    """Continuous degree centrality: sum of cosine similarities to all other sentences, in [0, 1].

    sum_j cos(i, j) = v_i . (sum_j v_j) - v_i . v_i, so one pass over the centroid suffices.
    """
    centroid: Counter[str] = Counter()
    for vector in vectors:
        centroid.update(vector)
    degrees = [max(0.0, _dot(v, centroid) - _dot(v, v)) for v in vectors]
    top = max(degrees, default=0.0)
    return [d / top if top > 0 else 0.0 for d in degrees]


def features(
    paragraphs: Sequence[Sequence[str]], resources: LanguageResources, title: str = ""
) -> Sentences:
    """What ``news`` knows of every sentence of an article (the flattened sentence list)."""
    texts = [s for paragraph in paragraphs for s in paragraph]
    alone = [len(paragraph) == 1 for paragraph in paragraphs for _ in paragraph]
    where = [k for k, paragraph in enumerate(paragraphs) for _ in paragraph]
    words = [resources.tokenizer.to_words(text) for text in texts]
    stop_words, stem = resources.stop_words, resources.stemmer
    bags = [Counter(stem(w) for w in ws if w not in stop_words) for ws in words]
    frequency: Counter[str] = Counter()
    for bag in bags:
        frequency.update(bag.keys())
    vectors = _tfidf(bags, frequency, len(texts))
    headline = _terms(title, resources)
    title_vector = _tfidf([headline], frequency, len(texts))[0] if headline else {}
    kinds = [non_content(text, alone=single) if bag else "no words"
             for text, bag, single in zip(texts, bags, alone)]
    if all(kinds) and "heading" in kinds:  # lines without punctuation only (a list, a post):
        kinds = [None if kind == "heading" else kind for kind in kinds]  # they are the text
    ranks: list[int | None] = []
    rank = 0
    for kind in kinds:
        if kind is None:
            ranks.append(rank)
            rank += 1
        else:
            ranks.append(None)
    first = next((where[i] for i, r in enumerate(ranks) if r is not None), -1)
    return Sentences(tuple(ranks), tuple(k == first for k in where),
                     tuple(len(ws) for ws in words), tuple(_centrality(vectors)),
                     tuple(_dot(title_vector, v) for v in vectors), tuple(vectors))


def select(
    paragraphs: Sequence[Sequence[str]],
    resources: LanguageResources,
    count: int,
    title: str = "",
    weights: Weights = WEIGHTS,
) -> tuple[int, ...]:
    """The indices (ascending) of up to `count` content sentences that make the summary."""
    article = features(paragraphs, resources, title)
    return mmr(article.scores(weights), article.vectors, count, weights.redundancy)


def mmr(scores: Sequence[float], vectors: Sequence[Vector], count: int, redundancy: float
        ) -> tuple[int, ...]:
    """Maximal marginal relevance over the sentences with a finite score (the content ones)."""
    similarity = [0.0] * len(scores)
    remaining = [i for i in range(len(scores)) if scores[i] > -math.inf]
    chosen: list[int] = []

    def merit(i: int) -> tuple[bool, float, int]:
        return (similarity[i] < DUPLICATE, scores[i] - redundancy * similarity[i], -i)

    for _ in range(min(count, len(remaining))):
        pick = max(remaining, key=merit)
        remaining.remove(pick)
        chosen.append(pick)
        for i in remaining:
            similarity[i] = max(similarity[i], _dot(vectors[i], vectors[pick]))
    return tuple(sorted(chosen))
