"""Feed documents to items: feedparser for the formats, our rules for keys, text, dates and names.

- Formats: whatever feedparser reads (RSS 0.9x, 1.0, 2.0, Atom 0.3/1.0), from bytes we fetched
  (feedparser is never given a URL). The charset comes from the HTTP ``Content-Type``, else the
  document's BOM or XML declaration.
- Malformed documents: when feedparser recovers items they are used and :attr:`ParsedFeed.warning`
  says why the feed is malformed; when it recovers none, :class:`InputError` names the feed.
- An item's key is its guid (``guid:...``), else its link (``link:...``), else a hash of its
  title and text (``hash:...``; of its enclosure when it has neither). Its text is the longest
  of its contents and its description, HTML turned into paragraphs; its title is cleaned the
  same way.
- Names: a feed's folder is a slug of its URL (or file name) plus a hash of it; an item's file
  name is a slug of its title at first sight (transliterated when it is not in Latin letters)
  plus a hash of its key (the state keeps it).
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from dataclasses import dataclass

from translate_pipeline.errors import InputError
from translate_pipeline.inputs.htmltext import html_paragraphs, text_paragraphs
from translate_pipeline.inputs.names import feed_slug, item_slug

__all__ = [
    "FeedItem",
    "ParsedFeed",
    "feed_slug",
    "item_label",
    "item_slug",
    "oldest_first",
    "parse_feed",
]

@dataclass
class FeedItem:
    key: str
    title: str
    paragraphs: list[str]
    link: str
    published: str | None  # ISO 8601, UTC
    updated: str | None
    language: str | None  # what the item or the feed declares (ISO 639 code)
    position: int  # in the document
    enclosure: str = ""  # the URL of its first enclosure (a podcast's audio, an image)


@dataclass
class ParsedFeed:
    title: str
    link: str
    items: list[FeedItem]
    warning: str | None = None
    #: What an item without a date of its own is dated in the Atom feeds: the feed's own date,
    #: else its newest item's, else 1970-01-01 (from the document alone, never the clock).
    date: str = "1970-01-01T00:00:00Z"


_NUMERIC_REFERENCE = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")


def _no_surrogate(match: re.Match) -> bytes:
    """A character reference to a lone surrogate (``&#xD800;``) made U+FFFD: feedparser fails on
    the whole document when it meets one, and no text may hold one."""
    digits = match.group(1)
    value = int(digits[1:], 16) if digits[:1] in b"xX" else int(digits)
    return b"&#xFFFD;" if 0xD800 <= value <= 0xDFFF else match.group()


def _iso(struct) -> str | None:
    try:
        if struct and 1 <= struct.tm_year <= 9999:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", struct)
    except (TypeError, ValueError, AttributeError, OverflowError):
        pass
    return None


def _language(value: object) -> str | None:
    code = re.split(r"[-_]", str(value or "").strip().lower())[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 and code.isascii() else None


def _text(value: str, kind: str | None) -> list[str]:
    if "html" in (kind or "text/html"):
        return html_paragraphs(value)
    return text_paragraphs(value)


def _item(entry, position: int, feed_language: str | None) -> FeedItem:
    title_detail = entry.get("title_detail") or {}
    title = " ".join(_text(entry.get("title") or "", title_detail.get("type", "text/plain")))
    candidates = [(c.get("value") or "", c.get("type"), c.get("language"))
                  for c in entry.get("content") or []]
    summary_detail = entry.get("summary_detail") or {}
    if entry.get("summary"):
        candidates.append((entry["summary"], summary_detail.get("type"),
                           summary_detail.get("language")))
    paragraphs: list[str] = []
    language = None
    for value, kind, lang in candidates:
        found = _text(value, kind)
        if sum(map(len, found)) > sum(map(len, paragraphs)):
            paragraphs, language = found, lang
    link = (entry.get("link") or "").strip()
    guid = (entry.get("id") or "").strip()
    enclosure = next((str(e.get("href") or "").strip() for e in entry.get("enclosures") or []
                      if str(e.get("href") or "").strip()), "")
    if guid:
        key = f"guid:{guid}"
    elif link:
        key = f"link:{link}"
    else:  # an item with nothing else (skipped) is told apart by its enclosure
        parts = [title, *paragraphs] if title or paragraphs or not enclosure else [enclosure]
        key = "hash:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return FeedItem(
        key=key,
        title=title,
        paragraphs=paragraphs,
        link=link,
        published=_iso(entry.get("published_parsed")),
        # not entry.get("updated_parsed"): feedparser would fall back to the published date
        updated=_iso(entry["updated_parsed"]) if "updated_parsed" in entry else None,
        language=_language(language) or _language(title_detail.get("language")) or feed_language,
        position=position,
        enclosure=enclosure,
    )


def parse_feed(body: bytes, headers: dict[str, str], label: str) -> ParsedFeed:
    """Parse a feed document; raises :class:`InputError` naming ``label`` when it is unusable.

    ``headers`` are the HTTP response headers that matter (lower-case ``content-type``,
    ``content-language``, ``content-location``); empty for a local file.
    """
    import feedparser

    if not body.strip():
        raise InputError(label, "is empty: not an RSS or Atom feed")
    body = _NUMERIC_REFERENCE.sub(_no_surrogate, body)
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=True)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the other feeds
        raise InputError(label, f"cannot parse the feed: {type(exc).__name__}: {exc}") from None
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    reason = str(problem or "").strip() or type(problem).__name__
    warning = None
    if not parsed.entries:
        benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
        if problem is not None and not isinstance(problem, benign):
            raise InputError(label, f"cannot parse the feed: {reason}")
        if not parsed.get("version"):
            raise InputError(label, "is not an RSS or Atom feed (no channel, no items)")
    elif problem is not None:
        warning = f"malformed feed ({reason}); {len(parsed.entries)} item(s) recovered"
    meta = parsed.get("feed") or {}
    title_detail = meta.get("title_detail") or {}
    language = _language(meta.get("language"))
    items: dict[str, FeedItem] = {}
    for position, entry in enumerate(parsed.entries):
        item = _item(entry, position, language)
        items.setdefault(item.key, item)  # the first of duplicate guids wins
    dated = [d for i in items.values() for d in (i.updated, i.published) if d]
    date = (_iso(meta.get("updated_parsed")) or _iso(meta.get("published_parsed"))
            or max(dated, default=None) or ParsedFeed.date)
    return ParsedFeed(
        date=date,
        title=" ".join(_text(meta.get("title") or "", title_detail.get("type", "text/plain"))),
        link=(meta.get("link") or "").strip(),
        items=list(items.values()),
        warning=warning,
    )


def item_label(item: FeedItem) -> str:
    """How messages name an item, by what a person can find in the feed: its link, else its
    guid, else its title, else its enclosure's URL, else its place in the document (and date);
    never the hash that keys it."""
    if item.link:
        return item.link
    if item.key.startswith("guid:"):
        return item.key[5:]
    if item.title:
        return repr(item.title[:60])
    if item.enclosure:
        return f"the item with enclosure {item.enclosure}"
    date = item.published or item.updated
    return f"item {item.position + 1} of the feed" + (f" (dated {date})" if date else "")


def oldest_first(items: list[FeedItem]) -> list[FeedItem]:
    """By date when every item has one; else feeds list newest first, so reverse their order."""
    by_position = sorted(items, key=lambda i: -i.position)
    if all(i.published or i.updated for i in items):
        return sorted(by_position, key=lambda i: i.published or i.updated or "")
    return by_position
