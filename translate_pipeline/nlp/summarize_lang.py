"""Language resources for the extractive summarizer: words, stems and stop words, offline.

sumy's own :class:`sumy.nlp.tokenizers.Tokenizer` needs NLTK's *punkt* data, which is downloaded at
run time; this module never touches it. Words come from a Unicode-aware regular expression
(:class:`WordTokenizer`); stems from Snowball (PyStemmer, the C build of the algorithms NLTK
ports), from sumy's own Ukrainian, Czech, Slovak and Greek stemmers, or, for Polish, from
*pystempel*'s bundled Stempel table; stop words from the lists sumy ships, plus a Russian list of
our own (sumy has none). Nothing here imports NLTK or ``sumy.utils`` (with ``requests``) for the
languages Snowball covers, so a one-off summary starts fast. A language without a stemmer falls
back to lowercasing and one without stop words to an empty set, so any code, even an unknown
one, gets usable resources.
"""

from __future__ import annotations

import gzip
import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "LanguageResources",
    "RUSSIAN_STOP_WORDS",
    "WordTokenizer",
    "resources_for",
    "sumy_language",
]

Stemmer = Callable[[str], str]

# ISO 639-1 (and common 639-2) codes -> the language names sumy and NLTK use.
_LANGUAGE_NAMES: dict[str, str] = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "fi": "finnish", "fr": "french",
    "he": "hebrew", "hu": "hungarian", "it": "italian", "ja": "japanese", "ko": "korean",
    "nb": "norwegian", "nl": "dutch", "nn": "norwegian", "no": "norwegian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sk": "slovak", "sv": "swedish",
    "th": "thai", "uk": "ukrainian", "zh": "chinese",
    "ara": "arabic", "ces": "czech", "cze": "czech", "dan": "danish", "deu": "german",
    "ger": "german", "ell": "greek", "gre": "greek", "eng": "english", "spa": "spanish",
    "fin": "finnish", "fra": "french", "fre": "french", "heb": "hebrew", "hun": "hungarian",
    "ita": "italian", "jpn": "japanese", "kor": "korean", "nld": "dutch", "dut": "dutch",
    "nor": "norwegian", "pol": "polish", "por": "portuguese", "ron": "romanian",
    "rum": "romanian", "rus": "russian", "slk": "slovak", "slo": "slovak", "swe": "swedish",
    "tha": "thai", "ukr": "ukrainian", "zho": "chinese", "chi": "chinese",
}

# Languages whose articles elide into the next word ("l'accident"): split the article off.
_ELIDING = frozenset({"french", "italian", "catalan"})

# A compact Russian stop-word list (function words, pronouns, auxiliaries): sumy ships none.
RUSSIAN_STOP_WORDS: frozenset[str] = frozenset(
    """
    а без более бы был была были было быть в вам вас весь во вот все всего всей всем всех всё
    вся вы где да даже для до его ее её ей ему если есть ещё еще же за здесь и из или им ими их
    к как какая какие какой когда кого который которая которое которые которых которого которой
    котором которым ли лишь между меня мне много может можно мой моя мы на над надо наш нас не
    него нее неё ней нем нём нет ни них но ну о об однако он она они оно от очень по под после
    при про раз с свое своей своего свои своих свой себе себя со так также такой там тебя тем
    теперь то тоже того той только том ты у уже хотя чем через что чтобы чтоб эта эти этим этих
    это этого этой этом этот эту я
    """.split()
)

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Combining marks and the Indic/Thai/Myanmar blocks (vowel signs are not "word" characters to re).
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f"
)
_LETTER = rf"(?:(?![{_CJK}])[^\W\d_])"
# A word starts with a letter (not right after a digit: "3rd" is no word) and goes on with
# letters, marks, or an inner apostrophe or hyphen followed by a letter ("м'ясо",
# "Saint-Étienne"); numbers are not words, as in sumy. CJK text has no spaces, so every Han/kana
# character is a word of its own.
_WORD = re.compile(
    rf"(?P<number>\d(?:\d|{_LETTER})*)"  # skipped
    rf"|[{_CJK}]"
    rf"|{_LETTER}(?:{_LETTER}|[{_MARKS}]|['’ʼ\-](?={_LETTER}))*"
)
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
_ELISION = re.compile(r"^[^\W\d_]{1,6}'(?=[^\W\d_]{2})")


class WordTokenizer:
    """The tokenizer sumy's ``Sentence`` calls: ``to_words`` returns lowercase words."""

    def __init__(self, language: str | None = None):
        self.language = language
        self._elide = language in _ELIDING

    def to_words(self, text: str) -> tuple[str, ...]:
        words = (
            match.group().lower().translate(_APOSTROPHES)
            for match in _WORD.finditer(text)
            if not match["number"]
        )
        if self._elide:
            words = (_ELISION.sub("", w) for w in words)
        return tuple(words)

    def to_sentences(self, text: str) -> tuple[str, ...]:
        """Sentences are split upstream: a paragraph given here is one sentence."""
        text = text.strip()
        return (text,) if text else ()


@dataclass(frozen=True)
class LanguageResources:
    """What the summarizers need for one language (``language`` is None when unknown)."""

    language: str | None
    tokenizer: WordTokenizer
    stemmer: Stemmer
    stop_words: frozenset[str]


def sumy_language(lang: str) -> str | None:
    """sumy's name for an ISO code ("pt-BR" -> "portuguese"), a name as is, or None."""
    code = lang.strip().lower().replace("_", "-")
    if code in _LANGUAGE_NAMES.values():
        return code
    return _LANGUAGE_NAMES.get(code.split("-", 1)[0])


@lru_cache(maxsize=64)
def resources_for(lang: str) -> LanguageResources:
    """Tokenizer, stemmer and stop words for ``lang``; never fails, whatever the code."""
    language = sumy_language(lang)
    return LanguageResources(
        language=language,
        tokenizer=WordTokenizer(language),
        stemmer=_stemmer(language),
        stop_words=_stop_words(language),
    )


def _identity(word: str) -> str:
    return word.lower()


# sumy's own stemmers for these (NLTK and Snowball have none, or a different one).
_SUMY_STEMMERS = frozenset({"czech", "slovak", "greek"})


@lru_cache(maxsize=None)
def _stemmer(language: str | None) -> Stemmer:
    """Snowball (PyStemmer's C build), pystempel for Polish, sumy's stemmers for Ukrainian,
    Czech, Slovak and Greek, else lowercasing; none of them imports NLTK except sumy's Czech,
    Slovak and Greek ones (sumy's stemmer module imports all of NLTK: about 0.3 s)."""
    if language is None:
        return _identity
    if language == "polish":
        return _polish_stemmer()
    if language == "ukrainian":
        return _cached(_sumy_ukrainian())
    if language not in _SUMY_STEMMERS:
        import Stemmer as snowball

        if language not in snowball.algorithms():
            return _identity
        return _cached(snowball.Stemmer(language).stemWord)
    from sumy.nlp.stemmers import Stemmer as SumyStemmer

    try:
        stemmer = SumyStemmer(language)
        stemmer("test")  # sumy's Greek stemmer needs an optional package: fails only on use
    except (LookupError, ValueError, ImportError):
        return _identity
    return _cached(stemmer)


def _sumy_ukrainian() -> Stemmer:
    """sumy's Ukrainian stemmer, loaded from its file: a plain module (it imports only ``re``),
    where importing it through sumy's package would import NLTK first."""
    import importlib.util

    spec = importlib.util.find_spec("sumy")
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin).parent / "nlp" / "stemmers" / "ukrainian.py"
    module_spec = importlib.util.spec_from_file_location("_sumy_ukrainian_stemmer", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.stem_word


def _cached(stemmer: Stemmer) -> Stemmer:
    @lru_cache(maxsize=65536)
    def stem(word: str) -> str:
        return stemmer(word.lower()) or word.lower()

    return stem


_POLISH_LOCK = threading.Lock()
_POLISH: list[Stemmer] = []  # loaded once, under the lock


def _polish_stemmer() -> Stemmer:
    """pystempel with its bundled Stempel table, loaded quietly.

    sumy's Polish stemmer loads pystempel's larger *polimorf* table through a tqdm progress bar
    on stderr (about 3 s); the original Stempel table (Lucene's default Polish stemmer) gives the
    same stems on news vocabulary, loads in under a second and prints nothing.
    """
    with _POLISH_LOCK:
        if not _POLISH:
            _POLISH.append(_load_stempel())
        return _POLISH[0]


def _load_stempel() -> Stemmer:
    try:
        from importlib.resources import files

        from pystempel import Stemmer as Stempel
        from pystempel.streams import DataInputStream

        table = files("pystempel.data.original").joinpath("stemmer_20000.tbl.gz")
        data = gzip.decompress(table.read_bytes())
        stempel = Stempel.from_stream(DataInputStream(io.BytesIO(data)))
    except (ImportError, OSError, ValueError, EOFError):
        return _identity
    return _cached(stempel)


def _stop_words(language: str | None) -> frozenset[str]:
    if language is None:
        return frozenset()
    if language == "russian":
        return RUSSIAN_STOP_WORDS
    import pkgutil

    try:  # sumy's lists, read as sumy.utils.get_stop_words does (which imports requests)
        data = pkgutil.get_data("sumy", f"data/stopwords/{language}.txt")
    except OSError:
        return frozenset()
    if data is None:
        return frozenset()
    return frozenset(w.rstrip().lower() for w in data.decode("utf-8").splitlines() if w)
