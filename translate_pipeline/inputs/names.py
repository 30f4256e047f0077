"""File-name-safe names: a feed's folder, an item's file, a URL's article id (slug plus hash)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import urllib.parse
from pathlib import Path

__all__ = ["feed_slug", "item_slug", "record_name", "is_url"]


def is_url(source: str) -> bool:
    """Whether ``source`` is an http(s) URL (here, not in fetch, so naming needs no HTTP code)."""
    return urllib.parse.urlsplit(source).scheme.lower() in ("http", "https")


_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
                          "þ": "th", "ð": "d", "ı": "i"})


def _slugify(text: str, limit: int) -> str:
    text = unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
    ascii_ = text.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")
    return slug[:limit].rstrip("-")


def _digest(text: str, n: int) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def feed_slug(feed: str) -> str:
    """A stable, filesystem-safe folder name for a feed URL or path: readable part + hash."""
    if is_url(feed):
        parts = urllib.parse.urlsplit(feed)
        base = _slugify(f"{parts.hostname or ''} {parts.path} {parts.query}", 48)
    else:
        base = _slugify(Path(feed).stem, 48)
    return f"{base or 'feed'}-{_digest(feed, 8)}"


def _latin(text: str) -> bool:
    """Whether every letter of ``text`` is a Latin one (ASCII, ``é``, ``ß``, ``ł``, ...)."""
    return all(char.isascii() or not char.isalpha()
               or unicodedata.name(char, "").startswith("LATIN") for char in text)


def _transliterated(text: str, limit: int) -> str:
    """A slug of text in any script, transliterated to ASCII by python-slugify (text-unidecode):
    ``Міська рада`` -> ``miska-rada``, ``Αθήνα`` -> ``athena``, ``北京`` -> ``bei-jing``."""
    from slugify import slugify

    return _slugify(slugify(text, lowercase=True), limit)


def item_slug(title: str, key: str) -> str:
    """An item's output name: its title as a slug + a hash of its key. A title with letters of
    another script than Latin (Cyrillic, Greek, CJK, ...) is transliterated first; a Latin one
    gives the same name as it always has."""
    slug = _slugify(title, 60) if _latin(title) else _transliterated(title, 60)
    return f"{slug or 'item'}-{_digest(key, 10)}"


_UNSAFE_IN_ID = re.compile(r"[^\w.-]+")


def record_name(record_id: str) -> str:
    """A JSON Lines record's file name: its id when that is already safe (letters, digits, ``.``,
    ``_``, ``-``; at most 120 characters), else a slug of it plus a hash of the whole id, so
    distinct ids never share a file (``news:1`` and ``news/1``, long URLs that differ at the end).
    ``""`` when nothing of the id can name a file."""
    safe = _UNSAFE_IN_ID.sub("-", record_id).strip(".-")
    if safe == record_id and len(safe) <= 120:
        return record_id
    if not safe:
        return ""
    return f"{safe[:108].rstrip('.-')}-{_digest(record_id, 10)}"
