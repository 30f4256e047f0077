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

#: The ISO 639-1 codes that langcodes takes as they are: a plain ``de`` (what nearly every
#: ``--to`` is) needs no import of langcodes, which costs about 0.1 s of every run's start-up.
#: ``tests/test_languages.py`` checks that langcodes gives each one back unchanged.
ISO_639_1 = frozenset("""
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
    hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
    lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
    or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
    ta te tg th ti tk tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())


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
    if text.lower() in _ARGOS_CODES or text.lower() in ISO_639_1:
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
