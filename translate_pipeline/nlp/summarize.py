"""Extractive summaries built on sumy: choose which sentences of an article make its summary.

The pipeline summarizes the *source* text only and reuses the chosen indices in every target
language (translated sentences are aligned one to one with the source), so the summaries are
aligned across languages.

Algorithms (``ALGORITHMS``): ``lexrank``, ``lsa``, ``textrank``, ``luhn``, ``sumbasic`` and ``kl``
run sumy's summarizers on a document model built here (no NLTK tokenizer data, see
:mod:`translate_pipeline.summarize_lang`), with exact speed-ups for LexRank, LSA and KL (same
choices, 300 sentences in well under a second); ``lead`` is the first-N-sentences baseline;
``news``, the default, is ours.

``news`` -- news puts its facts first, so the score of a sentence adds

* a position prior (inverted pyramid): ``1 / sqrt(1 + i)`` for the i-th sentence, times
  ``1 + PARAGRAPH_START_BONUS`` when the sentence opens a paragraph (reporters open each paragraph
  with its new fact and follow it with detail, colour and quotes);
* centrality, weighted ``CENTRALITY_WEIGHT``: continuous-degree LexRank, the summed tf-idf cosine
  similarity of a sentence to all the others (what the article keeps coming back to), scaled to
  [0, 1]; computed against the centroid of the sentences, so it is linear in the article's length;

then scales it down for a sentence with fewer than ``MIN_TERMS`` content words (a wordless one,
"—" or "123", is chosen last), and picks sentences greedily by maximal marginal relevance: each pick
maximises its score minus ``REDUNDANCY`` times its highest similarity to the sentences already
picked, and a near-copy of a pick (cosine >= ``DUPLICATE``) is taken only when nothing else is
left, so a summary does not say the same thing twice.

Evaluation (``python tests/eval/evaluate.py``): 24 news articles written for the purpose (12 en,
2 each de, es, fr, pl, ru, uk; 320 sentences), each with the 3-4 sentences an editor would keep
marked; mean key-sentence recall when choosing as many sentences as there are keys (@K) and 3::

    algorithm   @K     @3          algorithm   @K     @3
    news        0.562  0.479       kl          0.448  0.406
    textrank    0.479  0.406       lead        0.448  0.375
    luhn        0.479  0.385       lexrank     0.427  0.354
                                   lsa 0.396 / 0.333, sumbasic 0.292 / 0.229

The weights were chosen on half of the articles (dev 0.604, against lead 0.438 and LexRank 0.479)
and hold on the other half (0.521, against lead 0.458 and LexRank 0.375); recall stays within
0.53-0.57 for centrality weights 0.75-1.5 and opener bonuses 0.6-1.0, and redundancy and
``MIN_TERMS`` barely move it on articles this short (they guard longer and messier input).
Every algorithm breaks ties by position, so the output is deterministic.
"""

from __future__ import annotations

import importlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

from ..errors import PipelineError
from .summarize_lang import LanguageResources, resources_for

__all__ = ["ALGORITHMS", "DEFAULT_ALGORITHM", "select_sentences"]

ALGORITHMS: tuple[str, ...] = (
    "news", "lexrank", "lsa", "textrank", "luhn", "sumbasic", "kl", "lead",
)
DEFAULT_ALGORITHM = "news"

# The tuning of "news" (see the module docstring and tests/eval/evaluate.py).
POSITION_WEIGHT = 1.0
CENTRALITY_WEIGHT = 1.0
PARAGRAPH_START_BONUS = 0.75
MIN_TERMS = 4
REDUNDANCY = 0.5
DUPLICATE = 0.9  # cosine from which a sentence repeats a pick: taken only when nothing else is left

#: sumy's LexRank, TextRank and SumBasic cost the square of the length or worse (LexRank needs
#: 7 GB at 14,000 sentences, TextRank 7 s at 1,000): on longer articles they rate only the first
#: this many sentences (1.6 s for TextRank), so any input up to the reader's size limit is
#: summarized in bounded memory and time. The other algorithms are linear and rate every sentence.
MAX_RATED_SENTENCES = 500
_QUADRATIC = frozenset({"lexrank", "textrank", "sumbasic"})

_SUMY_SUMMARIZERS: dict[str, tuple[str, str]] = {
    "lexrank": ("sumy.summarizers.lex_rank", "LexRankSummarizer"),
    "lsa": ("sumy.summarizers.lsa", "LsaSummarizer"),
    "textrank": ("sumy.summarizers.text_rank", "TextRankSummarizer"),
    "luhn": ("sumy.summarizers.luhn", "LuhnSummarizer"),
    "sumbasic": ("sumy.summarizers.sum_basic", "SumBasicSummarizer"),
    "kl": ("sumy.summarizers.kl", "KLSummarizer"),
}
# What sumy's summarizers raise on degenerate input (no content words, one word, ...);
# numpy's LinAlgError is a ValueError.
_SUMY_FAILURES = (ArithmeticError, ValueError, LookupError, AssertionError, IndexError)

Vector = dict[str, float]


def select_sentences(
    paragraphs: Sequence[Sequence[str]],
    lang: str,
    count: int,
    algorithm: str = DEFAULT_ALGORITHM,
) -> tuple[int, ...]:
    """Choose `count` sentences of an article already split into paragraphs of sentences.

    Returns indices into the flattened sentence list, ascending (text order), no duplicates,
    len == min(count, number of sentences). ``lang`` is an ISO code (any code works; unknown ones
    get no stemming and no stop words). Raises :class:`PipelineError` for an unknown algorithm.
    """
    if algorithm not in ALGORITHMS:
        raise PipelineError(
            "algorithm",
            f"unknown summary algorithm {algorithm!r}; choose one of: {', '.join(ALGORITHMS)}",
        )
    paragraphs = tuple(tuple(str(sentence) for sentence in paragraph) for paragraph in paragraphs)
    total = sum(len(paragraph) for paragraph in paragraphs)
    if count <= 0 or total == 0:
        return ()
    if count >= total:
        return tuple(range(total))
    if algorithm == "lead":
        return tuple(range(count))
    if algorithm in _QUADRATIC and total > max(MAX_RATED_SENTENCES, count):
        paragraphs = _first_sentences(paragraphs, max(MAX_RATED_SENTENCES, count))
    resources = resources_for(lang)
    if algorithm == "news":
        return _news(paragraphs, resources, count)
    return _best(_sumy_ratings(algorithm, paragraphs, resources, count), count)


def _first_sentences(
    paragraphs: tuple[tuple[str, ...], ...], limit: int
) -> tuple[tuple[str, ...], ...]:
    kept: list[tuple[str, ...]] = []
    for paragraph in paragraphs:
        if limit <= 0:
            break
        kept.append(paragraph[:limit])
        limit -= len(kept[-1])
    return tuple(kept)


def _best(ratings: Sequence[float], count: int) -> tuple[int, ...]:
    """The `count` best-rated indices in text order; equal ratings go to the earlier sentence."""
    ranked = sorted(range(len(ratings)), key=lambda i: (-ratings[i], i))
    return tuple(sorted(ranked[:count]))


def _clean(rating: Any) -> float:
    """A comparable float: NaN/inf/garbage rank last, and the last bits (which vary with the
    order sumy sums over sets of words, i.e. with PYTHONHASHSEED) are rounded off."""
    try:
        value = float(rating)
    except (TypeError, ValueError):
        return -math.inf
    if not math.isfinite(value):
        return -math.inf
    return float(f"{value:.9g}")


# --- sumy --------------------------------------------------------------------------------------


def _document(
    paragraphs: Sequence[Sequence[str]], resources: LanguageResources
) -> ObjectDocumentModel:
    tokenizer = resources.tokenizer
    return ObjectDocumentModel(
        Paragraph(Sentence(text, tokenizer) for text in paragraph) for paragraph in paragraphs
    )


def _summarizer(algorithm: str, resources: LanguageResources, count: int) -> Any:
    summarizer = _summarizer_class(algorithm)(resources.stemmer)
    summarizer.stop_words = resources.stop_words
    summarizer.limit = count
    return summarizer


@lru_cache(maxsize=None)
def _summarizer_class(algorithm: str) -> type:
    """sumy's class, with the speed-up below mixed in where it has one (imported on first use)."""
    module_name, class_name = _SUMY_SUMMARIZERS[algorithm]
    base = getattr(importlib.import_module(module_name), class_name)
    speedup = _SPEEDUPS.get(algorithm)
    return type(f"Fast{class_name}", (speedup, base), {}) if speedup else base


class _LexRankSpeedup:
    """sumy's LexRank with its pure-Python O(n^2) loops done by numpy: the same idf-modified
    cosine matrix, thresholded and divided by the degrees (300 sentences: 0.4 s -> 30 ms)."""

    @staticmethod
    def _compute_idf(sentences: Sequence[Sequence[str]]) -> dict[str, float]:
        n = len(sentences)
        frequency = Counter(term for words in sentences for term in set(words))
        return {term: math.log(n / (1 + df)) for term, df in frequency.items()}

    def _create_matrix(
        self, sentences: Sequence[Any], threshold: float, tf_metrics: Sequence[dict[str, float]],
        idf_metrics: dict[str, float],
    ) -> Any:
        column = {term: k for k, term in enumerate(idf_metrics)}
        weights = numpy.zeros((len(sentences), len(column)))
        for row, tf in enumerate(tf_metrics):
            for term, value in tf.items():
                weights[row, column[term]] = value * idf_metrics[term]
        norms = numpy.sqrt((weights**2).sum(axis=1))
        scale = numpy.outer(norms, norms)
        products = weights @ weights.T
        cosine = numpy.divide(products, scale, out=numpy.zeros_like(products), where=scale > 0)
        matrix = (cosine > threshold).astype(float)
        degrees = matrix.sum(axis=1)
        degrees[degrees == 0] = 1.0
        return matrix / degrees[:, None]


class _LsaSpeedup:
    """sumy's LSA without its SVD when it keeps every dimension (its default ratio of 1/1).

    sumy rates sentence i by sqrt(sum_k s_k^2 v_ki^2) over the dimensions it keeps; over all of
    them that is sqrt((A^T A)_ii), the norm of column i of the term matrix A (A^T A = V S^2 V^T),
    so the SVD -- the slow and, on a busy machine, erratic part -- can be skipped.
    """

    def __call__(self: Any, document: Any, sentences_count: Any) -> Any:
        if self.REDUCTION_RATIO < 1:
            return super().__call__(document, sentences_count)  # type: ignore[misc]
        dictionary = self._create_dictionary(document)
        if not dictionary:
            return ()
        matrix = self._compute_term_frequency(self._create_matrix(document, dictionary))
        ranks = iter(numpy.sqrt((matrix**2).sum(axis=0)).tolist())
        return self._get_best_sentences(document.sentences, sentences_count, lambda s: next(ranks))

    def _create_matrix(self: Any, document: Any, dictionary: dict[str, int]) -> Any:
        """sumy's term-by-sentence counts, without its warning that short texts have few words
        (a warning would be output, and silencing it per call is not thread-safe)."""
        matrix = numpy.zeros((len(dictionary), len(document.sentences)))
        for column, sentence in enumerate(document.sentences):
            for word in map(self.stem_word, sentence.words):
                row = dictionary.get(word)
                if row is not None:
                    matrix[row, column] += 1
        return matrix

    @staticmethod
    def _compute_term_frequency(matrix: Any, smooth: float = 0.4) -> Any:
        """sumy's smoothing, vectorized: the same values, in every cell of a rated column."""
        peaks = matrix.max(axis=0)
        rated = peaks != 0
        matrix[:, rated] = smooth + (1.0 - smooth) * matrix[:, rated] / peaks[rated]
        return matrix


class _BoundedKL:
    """sumy's KL-Sum greedy loop, stopped after ``limit`` picks.

    sumy keeps picking until every sentence is rated, O(n^2) divergences over an ever longer
    summary (300 sentences: 12 s); the first ``limit`` picks are the same here, and the sentences
    never picked rank after them.
    """

    limit = 0

    def _compute_ratings(self: Any, sentences: Sequence[Any]) -> dict[Any, float]:
        word_freq = self.compute_tf(sentences)
        ratings = {sentence: -float(len(sentences)) for sentence in sentences}
        remaining = list(sentences)
        remaining_words = [self._get_content_words_in_sentence(s) for s in sentences]
        summary_words: list[str] = []
        for pick in range(min(self.limit, len(remaining))):
            kls = [
                self._kl_divergence(self._joint_freq(words, summary_words), word_freq)
                for words in remaining_words
            ]
            best = self._find_index_of_best_sentence(kls)
            del remaining_words[best]
            sentence = remaining.pop(best)
            ratings[sentence] = -float(pick)
            summary_words.extend(sentence.words)
        return ratings


_SPEEDUPS: dict[str, type] = {"lexrank": _LexRankSpeedup, "lsa": _LsaSpeedup, "kl": _BoundedKL}


def _sumy_ratings(
    algorithm: str, paragraphs: Sequence[Sequence[str]], resources: LanguageResources, count: int
) -> list[float]:
    """sumy's rating of every sentence (all 0.0, i.e. text order, when sumy cannot rate them).

    sumy's summarizers sort (sentence, order, rating) records and cut them with a callable
    "sentences count"; passing one that keeps everything exposes every rating with its position,
    so duplicate sentences and ties are resolved here, by position.
    """
    document = _document(paragraphs, resources)
    ratings = [0.0] * len(document.sentences)
    captured: list[Any] = []

    def keep_all(infos: list[Any]) -> list[Any]:
        captured.extend(infos)
        return infos

    try:
        with numpy.errstate(all="ignore"):  # NaN from LexRank's power method on a wordless text
            _summarizer(algorithm, resources, count)(document, keep_all)
    except _SUMY_FAILURES:
        return ratings
    for info in captured:
        ratings[info.order] = _clean(info.rating)
    return ratings


# --- news --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """One sentence as "news" sees it."""

    index: int
    opens_paragraph: bool
    terms: Counter[str]


def _units(paragraphs: Sequence[Sequence[str]], resources: LanguageResources) -> list[_Unit]:
    stop_words, stem = resources.stop_words, resources.stemmer
    units: list[_Unit] = []
    for paragraph in paragraphs:
        for position, text in enumerate(paragraph):
            words = resources.tokenizer.to_words(text)
            terms = Counter(stem(w) for w in words if w not in stop_words)
            units.append(_Unit(len(units), position == 0, terms))
    return units


def _tfidf(units: Sequence[_Unit]) -> list[Vector]:
    """Unit-length tf-idf vectors (sublinear tf, smoothed idf); empty for wordless sentences."""
    document_frequency: Counter[str] = Counter()
    for unit in units:
        document_frequency.update(unit.terms.keys())
    n = len(units)
    vectors: list[Vector] = []
    for unit in units:
        weights = {
            term: (1.0 + math.log(tf)) * math.log(1.0 + n / document_frequency[term])
            for term, tf in sorted(unit.terms.items())
        }
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


def _prior(unit: _Unit) -> float:
    """Inverted pyramid: early sentences first, paragraph openers before what follows them."""
    bonus = PARAGRAPH_START_BONUS if unit.opens_paragraph else 0.0
    return (1.0 + bonus) / math.sqrt(1.0 + unit.index)


def _news_scores(units: Sequence[_Unit], vectors: Sequence[Vector]) -> list[float]:
    scores = []
    for unit, centrality in zip(units, _centrality(vectors)):
        size = sum(unit.terms.values())
        if size == 0:
            scores.append(-1.0)  # wordless ("—", "123"): only when nothing else is left
            continue
        score = POSITION_WEIGHT * _prior(unit) + CENTRALITY_WEIGHT * centrality
        scores.append(score * min(1.0, size / MIN_TERMS))
    return scores


def _news(
    paragraphs: Sequence[Sequence[str]], resources: LanguageResources, count: int
) -> tuple[int, ...]:
    units = _units(paragraphs, resources)
    vectors = _tfidf(units)
    scores = _news_scores(units, vectors)
    return _mmr(scores, vectors, count)


def _mmr(scores: Sequence[float], vectors: Sequence[Vector], count: int) -> tuple[int, ...]:
    """Maximal marginal relevance: greedy picks, each penalised by its likeness to earlier ones.

    Near-copies of a pick come after every other sentence with words (two copies of a sentence
    make each other central), and wordless sentences (negative score) after everything.
    """
    redundancy = [0.0] * len(scores)
    remaining = list(range(len(scores)))
    chosen: list[int] = []

    def merit(i: int) -> tuple[bool, bool, float, int]:
        fresh = redundancy[i] < DUPLICATE
        return (scores[i] >= 0, fresh, scores[i] - REDUNDANCY * redundancy[i], -i)

    for _ in range(min(count, len(scores))):
        pick = max(remaining, key=merit)
        remaining.remove(pick)
        chosen.append(pick)
        for i in remaining:
            redundancy[i] = max(redundancy[i], _dot(vectors[i], vectors[pick]))
    return tuple(sorted(chosen))
