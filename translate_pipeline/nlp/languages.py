"""Language codes checked at the door: what a user types for ``--to``/``--from`` (or the API's
``to``/``source``) becomes the ISO 639-1 code the models and detection use.

``DE`` -> ``de``; region and script tags are reduced to the language (``en-GB``, ``pt_BR``,
``sr-Latn``), and ISO 639-2/3 codes to ISO 639-1 where there is one (``deu`` -> ``de``); both
through langcodes (BCP 47 parsing and the IANA registry, rather than rules of our own). Argos's
own codes that are not ISO are kept: ``zt`` (Chinese, traditional; also what ``zh-Hant``,
``zh-TW`` and ``zh-HK`` become) and ``pb`` (Portuguese, Brazil). A language's *name*
(``English``, ``ukrainian``, ``Deutsch``) is a :class:`LanguageCodeError` that suggests its
code (``did you mean 'en'?``), and so is a code that names no language (``xx``).
"""

from __future__ import annotations

from functools import lru_cache

from translate_pipeline.errors import LanguageCodeError

__all__ = ["normalize_code", "language_name"]

_ARGOS_CODES = frozenset({"zt", "pb"})
_TRADITIONAL_CHINESE = frozenset({"hant", "tw", "hk", "mo"})


_ARGOS_NAMES = {"zt": "Chinese (Traditional)", "pb": "Portuguese (Brazil)"}


@lru_cache(maxsize=256)
def language_name(code: str) -> str:
    """A language's English name (``uk`` -> ``Ukrainian``), from langcodes' CLDR data; the code
    itself when it names no language."""
    if code in _ARGOS_NAMES:
        return _ARGOS_NAMES[code]
    import langcodes

    try:
        language = langcodes.Language.get(code)
        name = language.display_name("en") if language.is_valid() else ""
    except (langcodes.tag_parser.LanguageTagError, ValueError, LookupError):
        name = ""
    return name if name and not name.lower().startswith("unknown") else code


@lru_cache(maxsize=256)
def normalize_code(value: str) -> str:
    """The language code ``value`` stands for, or :class:`LanguageCodeError`."""
    text = value.strip() if isinstance(value, str) else ""
    if text.lower() in _ARGOS_CODES:
        return text.lower()
    import langcodes  # about 0.08 s: only when a language is given

    if text and all(part.isalnum() for part in text.replace("_", "-").split("-")):
        try:
            language = langcodes.Language.get(langcodes.standardize_tag(text.replace("_", "-")))
        except (langcodes.tag_parser.LanguageTagError, ValueError):
            language = None
        if language is not None and language.language and language.is_valid():
            code = language.language.lower()
            if code == "zh" and _TRADITIONAL_CHINESE & {
                    (language.script or "").lower(), (language.territory or "").lower()}:
                return "zt"
            return code
    suggestion = _named(text)
    if suggestion is not None:
        raise LanguageCodeError(
            value, f"is a language name, not a code; did you mean {suggestion!r}?", suggestion)
    raise LanguageCodeError(value, "is not a language code (ISO 639-1, e.g. en, de, uk)")


def _named(text: str) -> str | None:
    """The code of the language called ``text`` in English or in itself, if any."""
    if not text or len(text) > 40:
        return None
    import langcodes

    try:
        found = langcodes.find(text)
    except (LookupError, ValueError):
        return None
    return normalize_code(found.language) if found.language else None
