"""Joining sentences back into text: shared by the splitter (nlp/) and the engine (translation/),
which never import one another."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["UNSPACED", "base_language", "join_sentences"]

#: Languages written without spaces between sentences (and words).
UNSPACED = frozenset({"zh", "zt", "ja", "yue", "lzh", "wuu"})


def base_language(lang: object) -> str:
    """``"de-AT"`` / ``"pt_BR"`` / ``"EN"`` -> ``"de"`` / ``"pt"`` / ``"en"``."""
    if not isinstance(lang, str):
        return ""
    return lang.strip().lower().replace("_", "-").split("-", 1)[0]


def join_sentences(sentences: Iterable[str], lang: str) -> str:
    """Sentences back into one paragraph: with a space between them, except in languages
    written without one (Chinese, Japanese, ...), where a space would be a visible error."""
    separator = "" if base_language(lang) in UNSPACED else " "
    return separator.join(s for s in sentences if s)
