"""Translated Atom feeds (RFC 4287): one per source feed and target language.

The document is a pure function of what the feed state holds, so a rerun with nothing new writes
the same bytes (and :func:`write_atom` then leaves the file alone, mtime included):

- ``id``: ``urn:uuid:`` derived (UUID 5) from the source feed and the language; each entry's from
  the feed, the item key and the language;
- ``updated``: the newest entry's date, never the wall clock;
- entries newest first (published date, else updated, then item key), at most 50;
- ``xml:lang`` on the feed; every entry has id, title, updated, summary (``type="text"``) and the
  original item's link when it has one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from translate_pipeline._version import __version__
from translate_pipeline.feeds.state import EntryRow
from translate_pipeline.inputs.htmltext import xml_safe
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


def render_atom(
    *,
    feed_url: str,
    lang: str,
    title: str,
    link: str,
    entries: Sequence[EntryRow],
) -> str:
    """The Atom document for ``entries`` (already newest first and capped)."""
    updated = max((e.updated for e in entries), default=_EPOCH)
    name = title or feed_url
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang={_attr(lang)}>',
        f"  <id>{feed_id(feed_url, lang)}</id>",
        f"  <title type=\"text\">{_text(f'{name} [{lang}]')}</title>",
        f"  <subtitle type=\"text\">{_text(f'{name}, translated to {lang} by translate-pipeline')}"
        "</subtitle>",
        f"  <updated>{updated}</updated>",
        f"  <author><name>{_text(name)}</name></author>",
        f'  <generator version="{__version__}">translate-pipeline</generator>',
    ]
    if _is_link(link):
        lines.append(f'  <link rel="alternate" href={_attr(link)}/>')
    if _is_link(feed_url):
        lines.append(f'  <link rel="via" href={_attr(feed_url)}/>')
    for entry in entries:
        lines += [
            "  <entry>",
            f"    <id>{entry_id(feed_url, entry.key, lang)}</id>",
            f"    <title type=\"text\">{_text(entry.title or '(untitled)')}</title>",
            f"    <updated>{entry.updated}</updated>",
        ]
        if entry.published:
            lines.append(f"    <published>{entry.published}</published>")
        if _is_link(entry.link):
            lines.append(f'    <link rel="alternate" href={_attr(entry.link)}/>')
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
