"""Translated Atom feeds (RFC 4287): one per source feed and target language.

The document is a pure function of what the feed state holds, so a rerun with nothing new writes
the same bytes (and :func:`write_atom` then leaves the file alone, mtime included):

- ``id``: ``urn:uuid:`` derived (UUID 5) from the source feed and the language; each entry's from
  the feed, the item key and the language;
- ``updated``: the newest entry's date, never the wall clock;
- entries newest first (published date, else updated, then item key), at most 50;
- ``xml:lang`` on the feed; every entry has id, title, updated, summary (``type="text"``) and the
  original item's link when it has one;
- the title names the language (``City News (Ukrainian)``), and the subtitle says whether the
  items were translated or were already in that language;
- with ``feed_url`` (``feed --feed-url BASE``: where the output folder is published), a
  ``rel="self"`` link to ``BASE/<file name>``, item links made absolute against the source
  feed's, and an item without a link of its own linked to its page, ``BASE/<feed>/<item>.<lang>.md``,
  so every entry has an alternate link (RFC 4287 4.1.1, for entries without content).
"""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from translate_pipeline._version import __version__
from translate_pipeline.feeds.state import EntryRow
from translate_pipeline.inputs.htmltext import xml_safe
from translate_pipeline.nlp.languages import language_name
from translate_pipeline.outputs.local import atomic_write

__all__ = ["ATOM_NS", "render_atom", "write_atom", "entry_id", "feed_id"]

ATOM_NS = "http://www.w3.org/2005/Atom"
_EPOCH = "1970-01-01T00:00:00Z"


def feed_id(feed_url: str, lang: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{feed_url}#translate-pipeline/{lang}").urn


def entry_id(feed_url: str, key: str, lang: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{feed_url}#{key}#translate-pipeline/{lang}").urn


def _text(value: str) -> str:
    return escape(xml_safe(value))


def _attr(value: str) -> str:
    return quoteattr(xml_safe(value))


def _is_link(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def _subtitle(name: str, lang: str, entries: Sequence[EntryRow]) -> str:
    language = language_name(lang)
    already = sum(1 for e in entries if e.source == lang)
    if entries and already == len(entries):
        return f"{name}, in {language} as published; summaries by translate-pipeline"
    if already:
        return (f"{name}, translated to {language} by translate-pipeline (some items were "
                f"already in {language})")
    return f"{name}, translated to {language} by translate-pipeline"


def render_atom(
    *,
    feed_url: str,
    lang: str,
    title: str,
    link: str,
    entries: Sequence[EntryRow],
    self_url: str = "",
    pages_url: str = "",
) -> str:
    """The Atom document for ``entries`` (already newest first and capped). ``self_url``: where
    this document is published; ``pages_url``: where the feed's item folder is (both from
    ``--feed-url``; when empty, links are only the items' own absolute ones)."""
    updated = max((e.updated for e in entries), default=_EPOCH)
    name = title or feed_url
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang={_attr(lang)}>',
        f"  <id>{feed_id(feed_url, lang)}</id>",
        f"  <title type=\"text\">{_text(f'{name} ({language_name(lang)})')}</title>",
        f"  <subtitle type=\"text\">{_text(_subtitle(name, lang, entries))}</subtitle>",
        f"  <updated>{updated}</updated>",
        f"  <author><name>{_text(name)}</name></author>",
        f'  <generator version="{__version__}">translate-pipeline</generator>',
    ]
    if _is_link(link):
        lines.append(f'  <link rel="alternate" href={_attr(link)}/>')
    if _is_link(feed_url):
        lines.append(f'  <link rel="via" href={_attr(feed_url)}/>')
    if self_url:
        lines.append(f'  <link rel="self" type="application/atom+xml" href={_attr(self_url)}/>')
    base = next((u for u in (feed_url, link) if _is_link(u)), "")
    for entry in entries:
        lines += [
            "  <entry>",
            f"    <id>{entry_id(feed_url, entry.key, lang)}</id>",
            f"    <title type=\"text\">{_text(entry.title or '(untitled)')}</title>",
            f"    <updated>{entry.updated}</updated>",
        ]
        if entry.published:
            lines.append(f"    <published>{entry.published}</published>")
        href = entry.link
        if self_url and not _is_link(href):
            href = urllib.parse.urljoin(base, href) if base and href else ""
            if not _is_link(href) and pages_url and entry.slug:
                href = f"{pages_url}/{urllib.parse.quote(entry.slug)}.{lang}.md"
        if _is_link(href):
            lines.append(f'    <link rel="alternate" href={_attr(href)}/>')
        lines += [
            f"    <summary type=\"text\">{_text(entry.summary)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def write_atom(path: Path, document: str) -> bool:
    """Write atomically unless the file already holds exactly ``document``; True when written."""
    try:
        if path.read_text(encoding="utf-8") == document:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write(path, document)
    return True
