"""Bytes to text in whatever encoding the input is in, or a clear refusal.

In order:

1. a byte-order mark decides (UTF-8, UTF-16, UTF-32);
2. a NUL byte in the first 8 KiB means a binary file: refused;
3. valid UTF-8 is UTF-8 (nearly every file today; legacy encodings almost never validate as UTF-8);
4. otherwise the encoding is *detected* (on the first 64 KiB): charset-normalizer (imported only
   here) proposes candidates, and we add the common legacy encodings of news text (Windows-125x,
   ISO-8859-x, KOI8-R/U, CJK, ...). Each candidate's text is scored for what a wrong guess
   produces -- control characters, symbols next to letters (``Gdańsk`` read as Windows-1252 is
   ``Gda¤sk``), words mixing scripts, capitals inside words (KOI8-R read as Windows-1251), letters
   no one language's alphabet has together (Cyrillic read as Latin-1 is ``Êèðèëëèöà``), and
   charset-normalizer's "mess" measure -- and the cleanest text wins; ties go to the charset the
   input declares (HTTP ``Content-Type``, ``<meta charset>``, an XML declaration), then to the
   more common encoding;
5. bytes that no candidate decodes without control characters are refused as binary.

:func:`decode_text` returns the text and the encoding's name; the BOM is dropped, line ends are
left alone (the parsers normalise CRLF and CR).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from translate_pipeline.errors import InputError

__all__ = ["decode_text", "declared_charset", "COMMON_ENCODINGS"]

#: Legacy encodings always tried when the bytes are not UTF-8, most common first (ties go to
#: the earlier one: Windows-1252 before Windows-1250, which reads most Western text the same).
COMMON_ENCODINGS = (
    "cp1252", "cp1251", "koi8_r", "koi8_u", "iso8859_2", "cp1250", "iso8859_15", "cp1257",
    "iso8859_13", "cp1253", "iso8859_7", "cp1254", "iso8859_9", "iso8859_5", "mac_cyrillic",
    "cp1255", "iso8859_8", "cp1256", "iso8859_6", "cp874",
    "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr",
)
_RANK = {name: i for i, name in enumerate(COMMON_ENCODINGS)}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF = 8192
_SAMPLE = 64 * 1024
# C0 controls but tab, line feed, vertical tab, form feed, carriage return; DEL; C1 controls
_CONTROL = re.compile("[\x01-\x08\x0e-\x1f\x7f-\x9f]")
# Signs a legacy code page puts where a letter was, which no real text puts next to a letter: these
# and every other symbol (box drawing, math, ...) but for _SIGNS (degree, currency, ...).
_ODD = frozenset("¢¤¦¨¬¯±²³µ¶¸¹¼½¾×÷ˇ˘˛˝˙‚†‡ˆ‹›")
_SIGNS = frozenset("°©®™$%‰+=<>~^|`´")  # not £ € ¥: they touch digits, not letters
#: The letters beyond ASCII each language writes (lower case). A right decoding uses one
#: language's letters; a wrong one mixes languages' (Czech read as Windows-1250 gets ą for š).
_ALPHABETS = tuple(frozenset(letters) for letters in (
    "ąćęłńóśźż",  # Polish
    "áčďéěíňóřšťúůýž",  # Czech
    "áäčďéíĺľňóôŕšťúýž",  # Slovak
    "čćđšž",  # Croatian, Bosnian, Serbian Latin, Slovene
    "áéíóöőúüű",  # Hungarian
    "ăâîșşțţ",  # Romanian
    "äöüß",  # German
    "àâæçéèêëîïôœùûüÿ",  # French
    "áéíñóúü",  # Spanish
    "àçèéíïòóúü",  # Catalan
    "áâãàçéêíóôõú",  # Portuguese
    "àèéìíîòóùú",  # Italian
    "åæøéèêóòôâ",  # Danish, Norwegian
    "åäöé",  # Swedish, Finnish
    "áðéíóúýþæö",  # Icelandic
    "õäöüšž",  # Estonian
    "ąčęėįšųūž",  # Lithuanian
    "āčēģīķļņšūž",  # Latvian
    "çğıöşüâî",  # Turkish
    "éëïèöü",  # Dutch, Afrikaans
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",  # Russian
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",  # Ukrainian
    "абвгдеёжзійклмнопрстуўфхцчшыьэюя",  # Belarusian
    "абвгдежзийклмнопрстуфхцчшщъьюя",  # Bulgarian
    "абвгдђежзијклљмнњопрстћуфхцчџш",  # Serbian Cyrillic
    "абвгдѓежзѕијклљмнњопрстќуфхцчџш",  # Macedonian
    "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",  # Greek
))
_GUARDED_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
_DECLARED = [
    re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I),
    re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.I),
]
#: What browsers read a declared charset as (the WHATWG Encoding Standard): these Latin and
#: Thai declarations really mean their Windows supersets.
_WHATWG = {"latin_1": "cp1252", "ascii": "cp1252", "iso8859_9": "cp1254", "iso8859_11": "cp874",
           "tis_620": "cp874"}


def declared_charset(data: bytes, header: str | None = None) -> str | None:
    """The encoding a ``Content-Type`` header or the document's head declares, if Python knows it.

    The header wins (as in browsers); a declared Latin-1 means Windows-1252.
    """
    found = None
    if header:
        match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", header, re.I)
        found = match and match.group(1)
    if not found:
        head = data[:4096]
        for pattern in _DECLARED:
            match = pattern.search(head)
            if match:
                found = match.group(1).decode("ascii", "replace")
                break
    if not found:
        return None
    try:
        name = codecs.lookup(found).name.replace("-", "_")
    except LookupError:
        return None
    name = {"iso8859_1": "latin_1", "windows_1252": "cp1252"}.get(name, name)
    return _WHATWG.get(name, name)


def decode_text(data: bytes, subject: str, *, declared: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` for ``data``; raises :class:`InputError` naming ``subject`` when the
    bytes are binary or no encoding reads them as text."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name).lstrip("\ufeff"), name.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise InputError(
                    subject, f"has a {name} byte-order mark but is not {name} "
                             f"(invalid byte at offset {exc.start})") from None
    if b"\x00" in data[:_SNIFF]:
        raise InputError(subject, "looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _binary(text):
            raise InputError(subject, "looks like a binary file, not text (control characters)")
        return text, "utf-8"
    return _detect(data, subject, _normal(declared) if declared else None)


def _binary(text: str) -> bool:
    """Control characters (but tab, line ends, form feed) in more than 2% of the text."""
    sample = text[:_SAMPLE]
    return len(_CONTROL.findall(sample)) * 50 > len(sample) + 50


def _controls(text: str) -> int:
    return len(_CONTROL.findall(text))


def _odd(ch: str) -> bool:
    if ch in _ODD:
        return True
    return (unicodedata.category(ch) in ("So", "Sk", "Sm", "Sc", "No", "Co", "Cn")
            and ch not in _SIGNS)


_EAST_ASIAN = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "HALFWIDTH", "FULLWIDTH",
                         "IDEOGRAPHIC", "BOPOMOFO"})


def _script(ch: str) -> str:
    """The script of a letter, from its Unicode name (Chinese, Japanese and Korean are one)."""
    name = unicodedata.name(ch, "")
    script = name.split(" ", 1)[0] if name else ""
    return "CJK" if script in _EAST_ASIAN else script


def _penalty(text: str) -> int:
    """How much ``text`` looks like a wrong decoding (0 for ordinary prose in any script)."""
    score = 5 * _controls(text)
    for word in re.findall(r"\S+", text):
        previous = ""
        scripts = set()
        for i, ch in enumerate(word):
            if ch.isalpha():
                if ch.isupper() and previous.islower():
                    score += 1  # капИТАЛ: KOI8-R read as Windows-1251 and vice versa
                if ord(ch) > 0x7F or ch.isascii():
                    scripts.add(_script(ch))
                previous = ch
                continue
            if _odd(ch):
                before = i > 0 and word[i - 1].isalpha()
                after = i < len(word) - 1 and word[i + 1].isalpha()
                if before and after:
                    score += 3  # a symbol between two letters: Gda¤sk
                elif before or after:
                    score += 2  # a letter's neighbour no text has: ocurri¾, ¹ródło
            previous = ch
        if len(scripts - {"", "MODIFIER"}) > 1:
            score += 3  # a word in two scripts: Latin and Cyrillic, Greek and Latin, ...
    return score + _foreign_letters(text)


def _foreign_letters(text: str) -> int:
    """Letters beyond ASCII (Latin, Cyrillic, Greek) outside the best-fitting language's alphabet:
    Кириллица read as Windows-1252 is Êèðèëëèöà, whose letters no one language writes."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch > "\x7f" and ch.isalpha():
            low = ch.lower() if len(ch.lower()) == 1 else ch
            counts[low] = counts.get(low, 0) + 1
    counts = {ch: n for ch, n in counts.items() if _script(ch).startswith(_GUARDED_SCRIPTS)}
    if not counts:
        return 0
    total = sum(counts.values())
    return min(total - sum(n for ch, n in counts.items() if ch in alphabet)
               for alphabet in _ALPHABETS)


def _detect(data: bytes, subject: str, declared: str | None) -> tuple[str, str]:
    sample = data[:_SAMPLE]  # enough to judge; the whole input is decoded once chosen
    candidates: dict[str, tuple[str, float]] = {}  # encoding -> (sample text, coherence)
    try:
        from charset_normalizer import from_bytes

        for match in from_bytes(sample):
            text = str(match)
            for name in match.could_be_from_charset:
                candidates.setdefault(_normal(name), (text, match.coherence))
    except Exception:  # a detector bug must not cost the input: the common list still runs
        pass
    final = len(sample) == len(data)
    for name in (*COMMON_ENCODINGS, *([declared] if declared else [])):
        if name not in candidates:
            try:  # incremental: a multi-byte character cut at the sample's end is no error
                text = codecs.getincrementaldecoder(name)().decode(sample, final=final)
            except (UnicodeDecodeError, LookupError):
                continue
            candidates[name] = (text, 0.0)
    scored = []
    for name, (text, coherence) in candidates.items():
        if _binary(text):
            continue
        rank = -1 if name == declared else _RANK.get(name)
        penalty = _penalty(text) + (2 if rank is None else 0)  # a rare encoding: a weak prior
        penalty += round(10 * _mess(text))  # charset-normalizer's measure: CJK needs it
        scored.append((penalty, len(_RANK) if rank is None else rank, -coherence, name))
    for *_, name in sorted(scored):
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):  # the rest of the input says otherwise
            continue
    raise InputError(subject, "looks like a binary file, not text (no text encoding fits)")


def _mess(text: str) -> float:
    """charset-normalizer's "mess" ratio of a text (0 for clean text; suspicious characters,
    sequences and case changes raise it); 0 when it is not available."""
    try:
        from charset_normalizer.md import mess_ratio

        return mess_ratio(text, 1.0)
    except Exception:  # an internal API: never let it cost the input
        return 0.0


def _normal(name: str) -> str:
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name
