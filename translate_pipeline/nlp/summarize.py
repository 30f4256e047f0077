"""Extractive summaries built on sumy: choose which sentences of an article make its summary.

The pipeline summarizes the *source* text only and reuses the chosen indices in every target
language (translated sentences are aligned one to one with the source), so the summaries are
aligned across languages.

Algorithms (``ALGORITHMS``): ``lexrank``, ``lsa``, ``textrank``, ``luhn``, ``sumbasic`` and ``kl``
run sumy's summarizers on a document model built here (no NLTK tokenizer data, see
:mod:`translate_pipeline.nlp.summarize_lang`), with exact speed-ups for LexRank, LSA and KL (same
choices, 300 sentences in well under a second); ``lead`` is the first-N-sentences baseline.

``news``, the default, is ours (:mod:`translate_pipeline.nlp.summarize_news`): the article's lede
(the content sentences of its first paragraph, at most three) topped up with its most central, headline-like sentences, never a
dateline, byline, credit or other line that is not content (:mod:`translate_pipeline.nlp.boilerplate`).
How it compares with the others on real news: docs/summaries.md and
``benchmarks/eval_summaries.py``.

Every algorithm breaks ties by position, so the output is deterministic.
"""

from __future__ import annotations

import importlib
import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..errors import PipelineError
from .summarize_lang import LanguageResources, resources_for

__all__ = ["ALGORITHMS", "DEFAULT_ALGORITHM", "select_sentences"]

ALGORITHMS: tuple[str, ...] = (
    "news", "lexrank", "lsa", "textrank", "luhn", "sumbasic", "kl", "lead",
)
DEFAULT_ALGORITHM = "news"

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

def select_sentences(
    paragraphs: Sequence[Sequence[str]],
    lang: str,
    count: int,
    algorithm: str = DEFAULT_ALGORITHM,
    *,
    title: str = "",
) -> tuple[int, ...]:
    """Choose `count` sentences of an article already split into paragraphs of sentences.

    Returns indices into the flattened sentence list, ascending (text order), no duplicates,
    len == min(count, number of sentences), except that ``news`` never picks a sentence that is
    not content (a dateline, a byline, ...: :mod:`translate_pipeline.nlp.boilerplate`), so it returns
    fewer when the article has fewer content sentences. ``lang`` is an ISO code (any code works;
    unknown ones get no stemming and no stop words); ``title`` is the headline (``news`` prefers
    sentences that share its words; the others ignore it). Raises :class:`PipelineError` for an
    unknown algorithm.
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
    if algorithm == "news":
        from .summarize_news import select

        return select(paragraphs, resources_for(lang), count, title)
    if count >= total:
        return tuple(range(total))
    if algorithm == "lead":
        return tuple(range(count))
    if algorithm in _QUADRATIC and total > max(MAX_RATED_SENTENCES, count):
        paragraphs = _first_sentences(paragraphs, max(MAX_RATED_SENTENCES, count))
    resources = resources_for(lang)
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


def _document(paragraphs: Sequence[Sequence[str]], resources: LanguageResources) -> Any:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence  # imports requests

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
        import numpy  # here, not at the top: the default summarizer needs no numpy

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
        import numpy

        dictionary = self._create_dictionary(document)
        if not dictionary:
            return ()
        matrix = self._compute_term_frequency(self._create_matrix(document, dictionary))
        ranks = iter(numpy.sqrt((matrix**2).sum(axis=0)).tolist())
        return self._get_best_sentences(document.sentences, sentences_count, lambda s: next(ranks))

    def _create_matrix(self: Any, document: Any, dictionary: dict[str, int]) -> Any:
        """sumy's term-by-sentence counts, without its warning that short texts have few words
        (a warning would be output, and silencing it per call is not thread-safe)."""
        import numpy

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
    import numpy

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
