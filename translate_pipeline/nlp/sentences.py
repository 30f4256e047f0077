"""Offline, rule-based sentence splitter shared by translation and summarisation.

``split_sentences(text, lang)`` cuts a paragraph into sentences. Each sentence is an exact,
whitespace-stripped substring of ``text``, in order; only whitespace is ever dropped.

How it works: one precompiled regex finds candidate boundaries (terminal punctuation, then
optional closing quotes/brackets and footnote marks such as "[11]", then whitespace or the end
of the text; CJK full stops need no whitespace). A candidate is no boundary when what follows
continues the sentence ("(pop. 256,000)", "р. № 8", "hab. / km²"). Before a lower-case word it
is a boundary only after "?", "!" or the period of a plain word (one in no abbreviation list:
"later. what are you doing?"). Before any other word, "!", "?" and "…" split ("Yahoo!
Mail" aside); for a lone period the word before it is looked up in per-language abbreviation
classes (``_abbreviations``): strong abbreviations never split, weak ones ("Inc.", initials,
German ordinals such as "am 22.") split only before a typical sentence opener ("Die", "To",
"Про"), date abbreviations after a number ("w 2035 r.", "в 2010 г.") split before a capital
unless the date opens the sentence ("W 2024 r. Polska ..."), and a number opening a sentence
stays with its item ("2. Kapitał ...", "Parágrafo 3º. -- Nos ..."). In fr and pt an ellipsis
inside an open «» quotation is a pause. A straight quote standing alone after a boundary
goes with the sentence it closes. A few boundaries need no terminal: a smiley before a capital
("bleiben :-) Toll"), and, in the languages whose development data showed them
(``_abbreviations``), a capitalised function word after a semicolon ("sein; Der ..."), a
Portuguese colon before a quoted sentence («...»), and the end of a heading run into the text
(a short unpunctuated stretch before a capitalised article, "... fordert Dialog Der Osten
...", unless the article opens a title or belongs to a name: "ao jornal O Globo", "Marine Le
Pen"; or a stretch in capitals). Blank lines are hard boundaries. Unknown language codes use
the union of all lists. Design notes and the evaluation (Universal Dependencies treebanks and
our own 185 hard cases, against pysbd, sentencex and Punkt): ``docs/sentences.md``;
``benchmarks/eval_sentences.py`` reruns it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache

from translate_pipeline.nlp import _abbreviations as _abbr
from translate_pipeline.text import base_language, join_sentences

__all__ = ["join_sentences", "split_sentences"]

_TERMINALS = ".!?…‼⁇⁈⁉؟।॥։።။"
_CJK_TERMINALS = "。！？｡"
_CLOSERS = "\"'”’“»«›‹)]}」』）】"
_OPENERS = "\"'«»„“”‘’‚‹›([{¿¡—–-「『（【"

_CLOSER_CLASS = "[" + re.escape(_CLOSERS) + "]"
_ARTICLE_WORDS = frozenset(a for a in frozenset().union(*_abbr.ARTICLES.values()) if a.isalpha())
# Capital letters of the Latin, Greek and Cyrillic scripts (for headings in capitals).
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽΑ-ΩА-ЯЁЂ-Џ"
# A smiley written as a word (":-)", ":)", ";-)", ":D", "^^"): it closes a sentence.
_EMOTICON = r"(?:[:;=]-?[()DPp]|\^\^)"
_T = re.escape(_TERMINALS)
_CJK = re.escape(_CJK_TERMINALS)
# A boundary candidate (``match.lastgroup`` names its kind):
#   close: terminal punctuation (group "term" holds the run after its first character),
#          closing quotes/brackets (French puts a space before a closing guillemet: "fini !
#          »"), footnote marks ("bias. [11]") and smileys ("Danke! :-)"), then whitespace
#          or the end of the text;
#   cjk:   CJK full stops, which need no space;
#   mark:  a semicolon or colon, smile: a smiley standing alone ("bleiben :-) Toll"),
#          decided by the word after them (_mark_is_boundary);
#   head:  whitespace before a capitalised article after a letter, caps: whitespace after
#          a word in capitals before a capitalised word: the end of a heading run into the
#          text (_heading_ends, _caps_heading_ends).
# Every match opens with one character of a small set, which the regex engine scans for in
# C; the lookbehinds after it start a match only at the head of a punctuation run (keeps
# it linear).
_CANDIDATE_RE = re.compile(
    "[" + _T + _CJK + r"\s;:=^](?:"
    "(?<=(?<![" + _T + "])[" + _T + "])(?P<term>[" + _T + "]*)"
    "(?P<close>(?:" + _CLOSER_CLASS + r"|\s[»›](?=\s|$)|\s?\[\d{1,3}(?:\s?[-–,]\s?\d{1,3})*\]"
    r"|\s" + _EMOTICON + r"(?=\s|$))*)"
    r"(?:\s+|$)"
    "|(?<=(?<![" + _CJK + "])[" + _CJK + "])[" + _CJK + "]*" + _CLOSER_CLASS + "*(?P<cjk>)"
    r"|(?<=[;:])(?P<mark>)\s+"
    r"|(?<=(?<!\S)[:;=^])(?:(?<=[:;=])-?[()DPp]|(?<=\^)\^)(?P<smile>)\s+"
    r"|(?<=[^\W\d_]\s)(?P<head>)\s*(?=(?:" + "|".join(sorted(_ARTICLE_WORDS, key=len, reverse=True)) + r")\s"
    r"|L['’]\w)"
    "|(?<=[" + _UPPER + r"()]{2}\s)(?P<caps>)\s*(?=[" + _UPPER + r"][^\W\d_]))"
)
# The next word after a candidate, skipping opening quotes, brackets, dashes and ¿¡.
_NEXT_WORD_RE = re.compile("[\\s" + re.escape(_OPENERS) + r"]*(\w*)(\.?)")
# After a candidate, a character that continues the sentence: "(pop. 256,000)",
# "2017 р. № 8", "hab. / km²", "al. [4]).", "meaning? ... There".
_CONTINUERS = frozenset(",;:)]}/%№….")
# A straight double quote standing alone after a boundary ('savoir. " Elle'): see _closes.
_LONE_QUOTE_RE = re.compile(r'\s+"(?=\s|$)')
# "J.-P." (Jean-Pierre): a hyphenated initial.
_HYPHEN_INITIAL_RE = re.compile(r"[^\W\d_]\.-[^\W\d_]")
_QUOTE_LOOKAHEAD = 2000
# A quotation after a colon: how far its closing guillemet is looked for (_quotes_a_sentence).
_QUOTE_SPAN = 600
_TERMINAL_RE = re.compile("[" + _T + "]")
# A heading run into the text: at most this many words, with no punctuation but - and '.
_HEADING_WORDS = 8
_HEADING_CHARS = 120
_CAPS_HEADING_LETTERS = 6
_HEADING_PUNCT_RE = re.compile(r"[^\w\s'’-]")
_QUOTES = frozenset("\"'”’“»«›‹„‚‘")
_DASHES = frozenset("-–—")
_ROMAN_RE = re.compile(r"[IVXLCDM]+")
_ORDINAL_LABEL_RE = re.compile(r"\d{1,3}[ºª]")
# A label that opens a sentence ("Parágrafo 3º.", "Art. 2º."): at most this many words.
_LABEL_WORDS = 3
_LABEL_CHARS = 40
_DATE_OPENING_WORDS = 4
_CLAUSE_BREAK_RE = re.compile(r"[,;:]\s")
_PARAGRAPH_RE = re.compile(r"\n[^\S\n]*\n\s*")
_ACRONYM_RE = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_WINDOW = 64
_JA_QUOTATIVE = "とっ"


@dataclass(frozen=True)
class _Rules:
    """The abbreviation classes in force for one language."""

    strong: frozenset[str]
    weak: frozenset[str]
    number_prefix: frozenset[str]
    final: frozenset[str]
    starters: frozenset[str]
    ordinals: bool
    weak_suffixes: tuple[str, ...] = ()
    date: frozenset[str] = frozenset()
    joined_items: bool = False
    #: A colon before an opening guillemet ends the sentence ("decretar: «Foi ...").
    colon_quotes: bool = False
    #: Capitalised articles that may open a sentence after a heading (see _heading_ends).
    articles: frozenset[str] = frozenset()
    #: Lower-case determiners before a noun that names a title ("no filme O ...").
    title_determiners: frozenset[str] = frozenset()
    #: Articles that are a surname's particle between capitalised words ("Marine Le Pen").
    name_particles: frozenset[str] = frozenset()
    #: A capitalised function word after a semicolon opens a sentence (_mark_is_boundary).
    semicolons: bool = False
    #: A heading in capitals may end before a capitalised word (_caps_heading_ends).
    caps_headings: bool = False
    #: An ellipsis inside an open «» quotation does not end the sentence (_pauses_in_quote).
    quoted_ellipsis: bool = False
    #: Every abbreviation of every language: a word that is none of them is "plain".
    known: frozenset[str] = frozenset()


def _union(table: dict[str, frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*table.values())


_KNOWN = frozenset().union(
    *(_union(t) for t in (_abbr.STRONG, _abbr.WEAK, _abbr.NUMBER_PREFIX, _abbr.FINAL, _abbr.DATE))
)
_GENERIC = _Rules(
    strong=_union(_abbr.STRONG),
    weak=_union(_abbr.WEAK),
    number_prefix=_union(_abbr.NUMBER_PREFIX),
    final=_union(_abbr.FINAL),
    starters=_union(_abbr.STARTERS),
    ordinals=False,
    weak_suffixes=tuple(sorted({s for v in _abbr.WEAK_SUFFIXES.values() for s in v})),
    date=_union(_abbr.DATE),
    known=_KNOWN,
)
# Titles used in news of every language ("Dr. Müller", "Prof. Kowalski").
_COMMON_STRONG: frozenset[str] = frozenset({"dr", "prof", "mr", "mrs"})


_normalise_lang = base_language


@lru_cache(maxsize=256)
def _rules_for(lang: str) -> _Rules:
    if lang not in _abbr.STARTERS:
        if lang in _abbr.ORDINAL_LANGS:
            return dataclasses.replace(_GENERIC, ordinals=True)
        return _GENERIC
    return _Rules(
        strong=_abbr.STRONG.get(lang, frozenset()) | _COMMON_STRONG,
        weak=_abbr.WEAK.get(lang, frozenset()),
        number_prefix=_abbr.NUMBER_PREFIX.get(lang, frozenset()),
        final=_abbr.FINAL.get(lang, frozenset()),
        starters=_abbr.STARTERS[lang],
        ordinals=lang in _abbr.ORDINAL_LANGS,
        weak_suffixes=_abbr.WEAK_SUFFIXES.get(lang, ()),
        date=_abbr.DATE.get(lang, frozenset()),
        joined_items=lang in _abbr.JOINED_ITEM_LANGS,
        colon_quotes=lang in _abbr.COLON_QUOTE_LANGS,
        articles=_abbr.ARTICLES.get(lang, frozenset()),
        title_determiners=_abbr.TITLE_DETERMINERS.get(
            lang, frozenset(a.lower() for a in _abbr.ARTICLES.get(lang, frozenset()))
        ),
        name_particles=_abbr.NAME_PARTICLES.get(lang, frozenset()),
        semicolons=lang in _abbr.SEMICOLON_LANGS,
        caps_headings=lang in _abbr.CAPS_HEADING_LANGS,
        quoted_ellipsis=lang in _abbr.QUOTED_ELLIPSIS_LANGS,
        known=_KNOWN,
    )


# Per-code cache in front of _rules_for, so the hot path skips normalising the code.
_RULES_BY_CODE: dict[str, _Rules] = {}


def _is_initial(token: str) -> bool:
    """``"J."``-style token: one letter and a period."""
    return len(token) == 2 and token[1] == "." and token[0].isalpha()


def _opens_sentence(word: str, word_dot: str, rules: _Rules) -> bool:
    """After a weak abbreviation: does ``word`` look like the start of a new sentence?"""
    if not word:
        return True
    if len(word) == 1 and word_dot and word.isalpha():
        return False  # an initial: "П. И. Чайковского"
    return word.lower() in rules.starters


def _is_weak_shape(token: str, rules: _Rules) -> bool:
    """Tokens weak by their shape: single letters, dotted acronyms, ordinal numbers."""
    if rules.ordinals and token.isdigit() and len(token) <= 3:
        return True
    if len(token) == 1:
        return token.isalpha()
    return token.isupper() and _ACRONYM_RE.fullmatch(token) is not None


def _is_number(token: str) -> bool:
    """"2035", "1990-1995", "XIX": what a date abbreviation follows."""
    return any(ch.isdigit() for ch in token) or _ROMAN_RE.fullmatch(token) is not None


def _unelided(token: str) -> str:
    """The word after an elided article: "dall'art" -> "art", "l'av" -> "av"."""
    if "'" not in token and "’" not in token:
        return token
    for apostrophe in "'’":
        head, sep, tail = token.rpartition(apostrophe)
        if sep and len(tail) >= 2 and 0 < len(head) <= 5 and head.isalpha():
            return tail
    return token


def _is_plain_word(token: str, prev: str, rules: _Rules) -> bool:
    """A word whose period ends a sentence even before a lower-case word: no abbreviation
    of any language, no initial, acronym or number, not after another abbreviation."""
    return (
        len(token) >= 2
        and token.isalpha()
        and _ROMAN_RE.fullmatch(token) is None
        and not prev.endswith(".")
        and token.lower() not in rules.known
        and not _is_weak_shape(token, rules)
    )


def _date_ends_sentence(window: str, word: str, word_dot: str, rules: _Rules) -> bool:
    """A date abbreviation before a capitalised word: it ends the sentence unless the date
    opens the sentence or a clause that a function word opens ("W 2024 r. Polska ...",
    "..., a w 1916 r. Asty Film ..."); the window holds the sentence up to the date."""
    words = window.split()
    clause = _CLAUSE_BREAK_RE.split(window)[-1].split()
    if len(clause) < len(words) and clause and clause[0].lower() in rules.starters:
        words = clause
    opening = sum(1 for w in words[:-1] if not w.endswith(".")) <= _DATE_OPENING_WORDS  # "до н. э."
    return not opening or _opens_sentence(word, word_dot, rules)


def _period_is_boundary(text: str, start: int, pos: int, word: str, word_dot: str, rules: _Rules) -> bool:
    """Decide a lone period at ``pos`` followed by ``word`` (which is not lower-case);
    the sentence being cut began at ``start``."""
    window = text[max(start, pos - _WINDOW) : pos]
    if not window or window[-1].isspace():
        return True
    parts = window.split()
    bare = parts[-1].lstrip(_OPENERS)
    token = bare.rstrip(_CLOSERS)
    if not token:
        return True
    if len(token) < len(bare) and not bare.endswith("'"):  # (an apostrophe may end a word)
        return True  # a bracket or quote before the period: "(herrschte 830 - 846)."
    token = _unelided(token)
    prev = parts[-2].lstrip(_OPENERS) if len(parts) > 1 else ""
    low = token.lower()
    if prev.endswith("."):
        combo = prev.lower() + low
        if combo in rules.final:
            return True
        if combo in rules.strong:
            return False
        if combo in rules.date:
            return _date_ends_sentence(window, word, word_dot, rules)
        if combo in rules.weak:
            return _opens_sentence(word, word_dot, rules)
    if low in rules.final:
        return True
    if low in rules.strong and not (len(token) > 1 and token.isupper() and not word.isupper()):
        return False  # (in upper case it is an acronym: "sagte Stihl der FR. Die ...")
    if low in rules.number_prefix and word[:1].isdigit():
        return False
    if rules.joined_items and token.isdigit() and len(parts) == 1 and len(window) < _WINDOW:
        return False  # an item number opening the sentence: "2. Kapitał zakładowy ..."
    if len(token) == 1 and token.isupper() and (_is_initial(prev) or (len(word) == 1 and word_dot)):
        return False  # inside a run of initials: "J. K. Rowling", "J. M. G. Le Clézio"
    if low in rules.date and ("." in low or _is_number(prev.rstrip(".,"))):
        # "W 2024 r. Polska ..." opens with the date; "... otwarto w 2024 r. Sejm" ends with it.
        return _date_ends_sentence(window, word, word_dot, rules)
    if _HYPHEN_INITIAL_RE.fullmatch(token):
        return False  # "J.-P. Bruneau"
    if len(token) == 1 and prev.endswith(("°", "º")):
        return True  # a temperature: "bis 2º C. Muchos ..."
    if low in rules.weak or low.endswith(rules.weak_suffixes) or _is_weak_shape(token, rules):
        return _opens_sentence(word, word_dot, rules)
    return True


def _term(match: re.Match[str]) -> str:
    """The terminal punctuation of a "close" candidate: "." or "?!" or "..."."""
    return match.string[match.start() : match.end("term")]


def _lower_case_boundary(text: str, start: int, match: re.Match[str], nxt: re.Match[str], rules: _Rules) -> bool:
    """A lower-case word after a candidate: a boundary only after "?", "!" or a plain word's
    period ("up? i didn't", "one. they are"). Nothing may open between them but a dash after
    a period (after "?" or "!" a dash or quote is a quotation going on: "? - spytał"), and
    nothing may close "?" or "!" ('"Why?" he asked')."""
    term = _term(match)
    between = text[match.end() : nxt.start(1)]
    close = match.group("close")
    if close[-1:] in _QUOTES and between and between in _QUOTES and not term.strip(".!?"):
        return True  # one quotation closes, another opens: 'sagte er." "älterer Häuser ...'
    if between in ("¿", "¡"):
        return True  # a Spanish question or exclamation opens: "naciones. ¿y la de ..."
    if term == "." and not match.group("close") and between.strip() in _DASHES:
        between = ""  # a list item or a reply after a full stop: "cardiaque. - si vous ..."
    if between or match.group("close") and term != ".":
        return False
    if term.strip("?!"):
        if term != ".":
            return False  # "...", "…": the sentence goes on ("rose... but only a little")
        window = text[max(start, match.start() - _WINDOW) : match.start()]
        parts = window.split()
        if not parts:
            return False
        token = _unelided(parts[-1].lstrip(_OPENERS).rstrip(_CLOSERS))
        return _is_plain_word(token, parts[-2] if len(parts) > 1 else "", rules)
    return True


def _mark_is_boundary(text: str, match: re.Match[str], rules: _Rules) -> bool:
    """A smiley, semicolon or colon with no terminal before it. A smiley ends a sentence
    before a capitalised word ("bleiben :-) Toll"). After a semicolon a sentence goes on in
    lower case, so a capitalised function word means that the semicolon ended it ("sein; Der
    Kindergarten ...", "pas ; Selon ..."), as a list line or a fragment does. A colon ends one
    only where the language's texts set the quoted speech after it apart ("decretar: «Foi
    ..."; pt), and only before a quotation that is a sentence (_quotes_a_sentence)."""
    nxt = _NEXT_WORD_RE.match(text, match.end())
    word = nxt.group(1) if nxt else ""
    if not word[:1].isupper():
        return False
    if match.lastgroup == "smile":
        return True
    if text[match.start()] == ":":
        return rules.colon_quotes and text.startswith("«", match.end()) and _quotes_a_sentence(text, match.end())
    return rules.semicolons and not word.isupper() and word.lower() in rules.starters


def _quotes_a_sentence(text: str, opener: int) -> bool:
    """Is the quotation opened by the guillemet at ``opener`` a sentence? Yes when a terminal
    stands inside it or right after its closing guillemet, or when it ends the text or runs
    on past _QUOTE_SPAN characters ("decretar: «Foi um protesto moleque. Só ...»"). A name or
    a title in quotes is none ("o lema: «Ordem e Progresso», dizia ...")."""
    close = text.find("»", opener + 1, opener + _QUOTE_SPAN)
    if close < 0:
        return True
    after = text[close + 1 : close + 2]
    return not after or after in _TERMINALS or _TERMINAL_RE.search(text, opener + 1, close) is not None


def _heading_ends(text: str, start: int, match: re.Match[str], rules: _Rules) -> bool:
    """A capitalised article after a word, with no punctuation: does a heading end here?
    Yes when the stretch since the sentence began is short (at most _HEADING_WORDS words),
    opens with a capital and holds no punctuation but hyphens and apostrophes ("Peso maior O
    Banespa ...", "Islamische Opposition fordert Dialog Der Osten ..."), and the article is
    one (_reads_as_article), and the word before it is neither a function word ("et de La
    Conte", "d'après Le Monde") nor a noun that names a title (_names_title)."""
    pos = match.start()
    if not rules.articles or pos - start > _HEADING_CHARS:
        return False
    nxt = _NEXT_WORD_RE.match(text, match.end())
    article = nxt.group(1) if nxt else ""
    if nxt and text[nxt.end(1) : nxt.end(1) + 1] in ("'", "’"):
        article += "'"  # an elided article: "L'ACT"
    if nxt is None or article not in rules.articles:
        return False
    stretch = text[start:pos]
    words = stretch.split()
    if not words or len(words) > _HEADING_WORDS or not words[0][:1].isupper() or _HEADING_PUNCT_RE.search(stretch):
        return False
    if words[-1].lower() in rules.starters or _unelided(words[-1]).lower() in rules.starters:
        return False
    return _reads_as_article(text, nxt.end(1), article, words[-1], rules) and not _names_title(words, rules)


def _names_title(words: list[str], rules: _Rules) -> bool:
    """Is the last word of a heading's stretch a noun after a determiner, so that the article
    after it opens a title ("Le journal Le Monde", "o jornal O Globo", "ao semanário O
    Independente", "dans l'hebdomadaire Le Point")? Titles put an article after any such noun;
    a heading ending in one is rarer."""
    last = words[-1].lower()
    if last.startswith(("l'", "l’")) and len(last) > 2:
        return True  # the noun carries its elided article: "l'hebdomadaire"
    return len(words) > 1 and words[-2].lower() in rules.title_determiners


def _reads_as_article(text: str, after: int, article: str, before: str, rules: _Rules) -> bool:
    """Is the capitalised article one, opening a sentence? Not when it is a surname's
    particle between capitalised words ("Marine Le Pen a déclaré ..."), nor when a one-letter
    article stands before a function word, where it is a letter ("Série A do Campeonato",
    "vitamina A e C"): an article comes before a noun or an adjective."""
    rest = text[after : after + _WINDOW].split(None, 1)
    following = rest[0] if rest and text[after : after + 1] not in ("'", "’") else ""
    if article in rules.name_particles and before[:1].isupper() and following[:1].isupper():
        return False
    return not (len(article) == 1 and following.lower() in rules.starters)


def _caps_heading_ends(text: str, start: int, match: re.Match[str], rules: _Rules) -> bool:
    """A word in capitals before a capitalised word in lower case: does a heading in capitals
    end here ("MODE ET VOIE(S) D'ADMINISTRATION Tenir hors de ...")? Yes when everything
    since the sentence began is in capitals: at least two words and six letters."""
    pos = match.start()
    following = text[match.end() : match.end() + 2]
    if not rules.caps_headings or pos - start > _HEADING_CHARS or not following[1:].islower():
        return False
    stretch = text[start:pos]
    return (
        len(stretch.split()) >= 2
        and not any(ch.islower() for ch in stretch)
        and sum(ch.isalpha() for ch in stretch) >= _CAPS_HEADING_LETTERS
    )


def _is_boundary(text: str, start: int, match: re.Match[str], rules: _Rules) -> bool:
    """Decide whether a candidate found by ``_CANDIDATE_RE`` ends a sentence."""
    kind = match.lastgroup
    if kind == "head":
        return _heading_ends(text, start, match, rules)
    if kind == "caps":
        return _caps_heading_ends(text, start, match, rules)
    if kind in ("smile", "mark"):
        return _mark_is_boundary(text, match, rules)
    if kind == "cjk":
        # Japanese quotative particle after a closing bracket: 「行くぞ。」と言った。
        quoted = text[match.end() - 1] in _CLOSERS and text[match.end() : match.end() + 1] in _JA_QUOTATIVE
        return not (quoted and match.end() < len(text))
    nxt = _NEXT_WORD_RE.match(text, match.end())
    word = nxt.group(1) if nxt else ""
    word_dot = nxt.group(2) if nxt else ""
    if not word and nxt and nxt.end() < len(text) and text[nxt.end()] in _CONTINUERS:
        return False
    if word[:1].islower():
        return nxt is not None and _lower_case_boundary(text, start, match, nxt, rules)
    term = _term(match)
    if term != ".":
        if rules.quoted_ellipsis and _pauses_in_quote(text, match, term):
            return False
        if term == "!" and word and not match.group("close"):
            name = text[max(start, match.start() - _WINDOW) : match.start()].rsplit(None, 1)[-1:]
            if name and name[0].lower() in _abbr.EXCLAIMED and word.lower() not in rules.starters:
                return False  # "Yahoo! Mail"
        return True  # "!", "?", "…", "...", "?!"
    if _labels_item(text, start, match):
        return False
    return _period_is_boundary(text, start, match.start(), word, word_dot, rules)


def _pauses_in_quote(text: str, match: re.Match[str], term: str) -> bool:
    """An ellipsis after a word, inside a «» quotation that is still open: a pause in the
    quoted speech ("« ... le choix du crédit... Bien que ... »"), not its end. Not an ellipsis
    after another terminal ("? ..."), which marks something left out between sentences."""
    if term.strip(".…") or term == "." or match.group("close"):
        return False
    before = text[max(0, match.start() - 4) : match.start()].rstrip()
    if not before or before[-1] in _TERMINALS:
        return False
    window = text[max(0, match.start() - _QUOTE_LOOKAHEAD) : match.start()]
    return window.count("«") > window.count("»")


def _labels_item(text: str, start: int, match: re.Match[str]) -> bool:
    """A sentence that opens with a label ending in an ordinal with its indicator, then a
    period and a dash: the label stays with the text it labels, as an item number does
    ("Parágrafo 3º. -- Nos contratos ...", "Art. 2º. - Fica ..."). After any other word a
    period and a dash end a sentence ("cardiaque. - Si vous ..."), and so they do after an
    ordinal later in a sentence ("Chegou em 3º. - Foi bom")."""
    if text[match.end() : match.end() + 1] not in _DASHES or match.group("close"):
        return False
    label = text[start : match.start()].split() if match.start() - start <= _LABEL_CHARS else []
    return 0 < len(label) <= _LABEL_WORDS and _ORDINAL_LABEL_RE.fullmatch(label[-1]) is not None


def _closes(block: str, start: int, cut: int, after: int) -> bool:
    """Does a straight quote standing alone after a sentence close it? Yes when the sentence
    has an odd number of them, or when the quotes after it pair up without it (its opener
    lies before the text: a fragment). Looks ahead a bounded stretch, so it stays linear."""
    return bool(block.count('"', start, cut) % 2) or not block.count('"', after, after + _QUOTE_LOOKAHEAD) % 2


def _split_block(block: str, rules: _Rules, out: list[str]) -> None:
    """Append the sentences of one paragraph-free block to ``out``."""
    start = 0
    end = len(block)
    for match in _CANDIDATE_RE.finditer(block):
        kind = match.lastgroup
        if match.end() == end and kind != "cjk":
            break  # the block's own end (with its closers: "fini. »"): the tail below
        if match.start() < start or not _is_boundary(block, start, match, rules):
            continue
        cut = match.start() if kind in ("head", "caps") else match.end(kind)
        quote = _LONE_QUOTE_RE.match(block, cut)
        if quote and _closes(block, start, cut, quote.end()):
            cut = quote.end()  # the sentence's closing quote: 'savoir. " Elle'
        piece = block[start:cut].strip()
        if piece:
            out.append(piece)
        start = cut
    tail = block[start:].strip()
    if tail:
        out.append(tail)


def split_sentences(text: str, lang: str) -> list[str]:
    """Split one paragraph (or any text) into sentences. lang is an ISO 639-1 code."""
    if not text or text.isspace():
        return []
    rules = _RULES_BY_CODE.get(lang) if isinstance(lang, str) else None
    if rules is None:
        rules = _rules_for(_normalise_lang(lang))
        if isinstance(lang, str) and len(_RULES_BY_CODE) < 1024:
            _RULES_BY_CODE[lang] = rules
    out: list[str] = []
    if "\n" not in text:
        _split_block(text, rules, out)
        return out
    for block in _PARAGRAPH_RE.split(text):
        _split_block(block, rules, out)
    return out
