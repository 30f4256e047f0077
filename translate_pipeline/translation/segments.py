"""Long segments: split before translating, join after, and no fixed cap on decoding.

CTranslate2's ``translate_batch`` truncates by default: inputs after 1,024 tokens
(``max_input_length``) and outputs after 256 (``max_decoding_length``), silently. And Argos
models are trained on sentences of ordinary length and degrade far beyond it. So before a
sentence reaches the model (:mod:`translate_pipeline.engine`):

1. **Safe length.** A sentence of at most :func:`input_limit` pieces goes as it is: the
   ``max_input_length`` a package declares in its ``metadata.json``, else
   :data:`DEFAULT_MAX_PIECES` (200, above the 150-200 token filters Argos and OpenNMT-py train
   with, and far above a news sentence: 20-40 pieces).
2. **Split.** A longer one is cut in two at the best point near its middle, and each half again
   until every part fits: after clause punctuation (``, ; : . ! ? ) — 、 。`` ..., followed by a
   space, except CJK marks) when there is one in the allowed span, else at a space (a word
   boundary), else anywhere (a "word" longer than the limit: a URL, a script without spaces).
   Both halves of a cut stay within the limit, and the parts, end to end, are exactly the
   sentence's pieces: nothing is dropped or repeated.
3. **Translate** every part of every sentence in one ``translate_batch`` call, with
   ``max_input_length=0`` (no truncation: parts fit by construction) and a
   ``max_decoding_length`` from the longest part (:func:`decoding_length`): never below
   CTranslate2's 256, and ``3 × pieces + 16`` above it, so no output stops at a fixed cap.
4. **Join** each sentence's translated parts in order: with a space where the cut was between
   words (none where the target language is written without spaces, as
   :func:`~translate_pipeline.text.join_sentences` does), and with nothing where a word was
   cut.

A sentence within the limit costs one length check and one list append (see
``benchmarks/segment_cost.py``).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from translate_pipeline.errors import PackageError
from translate_pipeline.text import join_sentences

__all__ = ["DEFAULT_MAX_PIECES", "Plan", "plan", "cut_points", "decoding_length",
           "input_limit"]

#: Pieces a segment may have when its package declares no ``max_input_length``.
DEFAULT_MAX_PIECES = 200
#: CTranslate2's default ``max_decoding_length``: the cap never goes below it.
DECODING_FLOOR = 256
DECODING_RATIO = 3  # output pieces allowed per input piece
DECODING_MARGIN = 16  # and a few more (a target prefix, very short inputs)

_SPACE = "\u2581"  # SentencePiece's word-start mark
# Clause punctuation a piece may end with; the CJK marks need no space after them.
_CLAUSE_MARKS = frozenset(",;:.!?…)]}»”\"'’—–-،؛؟।॥")
_CJK_MARKS = frozenset("、，。；：！？）」』】｡､")
_UNSPACED_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR",
                     "TIBETAN", "IDEOGRAPHIC", "FULLWIDTH")


@dataclass(frozen=True)
class Plan:
    """What to send to the model for some sentences, and how to put the results back.

    ``segments[i]`` belongs to sentence ``owners[i]``; ``gaps[i]`` says whether a word gap
    precedes it (false for a sentence's first part and after a cut inside a word).
    """

    segments: tuple[list[str], ...]
    owners: tuple[int, ...]
    gaps: tuple[bool, ...]
    sentences: int

    @property
    def split(self) -> bool:
        return len(self.segments) != self.sentences

    def join(self, translations: Sequence[str], target: str) -> list[str]:
        """One translation per sentence from one per segment, in order."""
        if len(translations) != len(self.segments):
            raise ValueError(f"{len(translations)} translations for {len(self.segments)} segments")
        if not self.split:
            return list(translations)
        parts: list[list[str]] = [[] for _ in range(self.sentences)]
        for text, owner, gap in zip(translations, self.owners, self.gaps):
            chunks = parts[owner]
            if chunks and not gap:  # a word was cut here: glue the halves
                chunks[-1] += text
            else:
                chunks.append(text)
        return [join_sentences(chunks, target) for chunks in parts]


def plan(tokenized: Sequence[list[str]], limit: int, *, bpe: bool = False) -> Plan:
    """Cut every sentence (a list of pieces) longer than ``limit`` pieces into parts that fit.

    ``bpe``: the pieces are subword-nmt BPE tokens (``wo@@ rd``), where a word continues after a
    piece ending in ``@@``, instead of SentencePiece pieces (``▁wo rd``), where a word starts
    with ``▁``.
    """
    if limit < 1:
        raise ValueError(f"limit must be >= 1, not {limit}")
    if all(len(pieces) <= limit for pieces in tokenized):  # the usual case: nothing to cut
        count = len(tokenized)
        return Plan(tuple(tokenized), tuple(range(count)), (False,) * count, count)
    segments: list[list[str]] = []
    owners: list[int] = []
    gaps: list[bool] = []
    for index, pieces in enumerate(tokenized):
        start = 0
        for cut in [*cut_points(pieces, limit, bpe=bpe), len(pieces)]:
            segments.append(pieces[start:cut])
            owners.append(index)
            gaps.append(start > 0 and _rank(pieces, start, bpe) < 2)
            start = cut
    return Plan(tuple(segments), tuple(owners), tuple(gaps), len(tokenized))


def cut_points(pieces: Sequence[str], limit: int, *, bpe: bool = False) -> list[int]:
    """Where to cut ``pieces`` (indices of the first piece of each part after the first) so that
    no part is longer than ``limit``; see the module docstring."""
    cuts: list[int] = []
    _bisect(pieces, 0, len(pieces), limit, bpe, cuts)
    return cuts


def _bisect(pieces: Sequence[str], start: int, end: int, limit: int, bpe: bool,
            cuts: list[int]) -> None:
    size = end - start
    if size <= limit:
        return
    if size <= 2 * limit:  # one cut can leave both halves within the limit
        low, high = end - limit, start + limit
    else:
        low, high = start + size // 4, end - size // 4
    middle = (start + end) / 2
    cut = min(range(max(low, start + 1), min(high, end - 1) + 1),
              key=lambda c: (_rank(pieces, c, bpe), abs(c - middle)))
    _bisect(pieces, start, cut, limit, bpe, cuts)
    cuts.append(cut)
    _bisect(pieces, cut, end, limit, bpe, cuts)


def _rank(pieces: Sequence[str], cut: int, bpe: bool) -> int:
    """0: after clause punctuation; 1: between words; 2: inside a word."""
    before, after = pieces[cut - 1], pieces[cut]
    if bpe:
        between = not before.endswith("@@")
    else:
        between = after.startswith(_SPACE)
    last = before.rstrip(_SPACE)[-1:] or " "
    if last in _CJK_MARKS or (between and last in _CLAUSE_MARKS):
        return 0
    first = after.lstrip(_SPACE)[:1] or " "
    if between or _unspaced(last) or _unspaced(first):
        return 1
    return 2


def _unspaced(char: str) -> bool:
    """A character of a script written without spaces between words."""
    return unicodedata.name(char, "").startswith(_UNSPACED_SCRIPTS)


def decoding_length(segments: Sequence[Sequence[str]]) -> int:
    """``max_decoding_length`` for a ``translate_batch`` call on ``segments``."""
    longest = max(map(len, segments), default=0)
    return max(DECODING_FLOOR, DECODING_RATIO * longest + DECODING_MARGIN)


def input_limit(package) -> int:
    """The most pieces a segment for ``package`` (an
    :class:`~translate_pipeline.packages.InstalledPackage`) may have: its ``metadata.json``'s
    ``max_input_length`` when it declares one, else :data:`DEFAULT_MAX_PIECES`."""
    try:
        with open(package.path / "metadata.json", encoding="utf-8") as handle:
            metadata = json.load(handle)
    except (OSError, ValueError) as exc:
        raise PackageError(package.name, f"unreadable metadata.json: {exc}") from exc
    value = metadata.get("max_input_length") if isinstance(metadata, dict) else None
    if value is None:
        return DEFAULT_MAX_PIECES
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PackageError(package.name, "metadata.json max_input_length is not a whole number "
                                         f">= 1: {value!r}")
    return value
