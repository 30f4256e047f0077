"""Markdown read with a CommonMark parser: the front matter, and the prose a document holds.

The parser (:func:`translate_pipeline.markdown.parser`: markdown-it-py, CommonMark with GFM
tables and strikethrough, and footnotes from mdit-py-plugins) parses the body;
:func:`prose_blocks` walks its tokens and keeps the text of every heading, paragraph, list item,
blockquote and table cell, link text without its URL.
Images, code blocks, inline code, HTML, footnote markers and definitions, rules and link reference
definitions never reach detection, a summary or the engine.

Front matter is YAML between ``---`` lines or TOML between ``+++`` lines (Hugo's two kinds);
:func:`split_front_matter` finds it, :func:`toml_fields` reads TOML (YAML is read by
:mod:`~translate_pipeline.inputs.documents`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from translate_pipeline.errors import InputError
from translate_pipeline.markdown import FRONT_MATTER, TOML_FRONT_MATTER, parser, split_front_matter

__all__ = ["FRONT_MATTER", "TOML_FRONT_MATTER", "split_front_matter", "toml_fields", "parser",
           "Block", "prose_blocks", "inline_text"]

_MAX_FRONT_MATTER = 64 * 1024


def toml_fields(block: str, source: str) -> dict:
    """TOML front matter as a dict with lower-case keys; :class:`InputError` when it is not TOML."""
    if len(block) > _MAX_FRONT_MATTER:
        raise InputError(source, "front matter is longer than 64 KiB")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        fields = tomllib.loads(block)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, f"front matter is not valid TOML: {exc}") from None
    return {str(key).lower(): value for key, value in fields.items()}


@dataclass(frozen=True)
class Block:
    """One piece of prose: ``kind`` is ``heading``, ``paragraph`` or ``cell``; ``text`` is plain
    text (markup and URLs gone, lines joined)."""

    kind: str
    text: str


def inline_text(token) -> str:
    """The plain text of an ``inline`` token: text and link text kept; code, images, HTML and
    footnote markers dropped, and so are autolinks (``<https://...>``: their text is a URL);
    line breaks become spaces."""
    parts = []
    autolink = 0
    for child in token.children or ():
        if child.type == "link_open" and child.markup in ("autolink", "linkify"):
            autolink += 1
        elif child.type == "link_close" and autolink:
            autolink -= 1
            parts.append(_GONE)
        elif autolink:
            continue
        elif child.type == "text":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type in ("code_inline", "image"):
            parts.append(_GONE)  # gone, but the words on either side stay apart
        # html_inline and footnote_ref: gone without a trace (they sit inside or after words)
    text = _GONE_BEFORE_PUNCTUATION.sub("", "".join(parts)).replace(_GONE, " ")
    return " ".join(text.split())


_GONE = "\0"
_GONE_BEFORE_PUNCTUATION = re.compile(r"[ \t]*\0[\s\0]*(?=[.,;:!?)\]]|\Z)")


def prose_blocks(body: str) -> list[Block]:
    """The prose of a Markdown body in document order (footnote definitions left out: they are
    notes, not the article)."""
    blocks = []
    container = None
    in_footnotes = 0
    for token in parser().parse(body):
        if token.type == "footnote_block_open":
            in_footnotes += 1
        elif token.type == "footnote_block_close":
            in_footnotes -= 1
        elif token.type in ("heading_open", "paragraph_open", "th_open", "td_open"):
            container = token.type
        elif token.type == "inline" and not in_footnotes:
            text = inline_text(token)
            if text:
                kind = {"heading_open": "heading", "th_open": "cell",
                        "td_open": "cell"}.get(container, "paragraph")
                blocks.append(Block(kind, text))
    return blocks
