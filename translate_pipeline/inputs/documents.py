"""One document's bytes to an :class:`~translate_pipeline.records.Article`: text, Markdown, HTML.

The kind is given (a file's suffix, a URL's ``Content-Type``) or sniffed from the content
(:func:`sniff`): an HTML document, a first line that is a JSON object (JSON Lines, read by
:mod:`~translate_pipeline.inputs.jsonl`), front matter or a ``# Heading`` (Markdown), else plain
text. Bytes become text with :mod:`~translate_pipeline.inputs.encoding` (any encoding; binary
refused).

- **Text**: the first line is the headline when a blank line follows it; paragraphs are
  blank-line separated, their inner lines joined.
- **HTML**: trafilatura extracts the article's main text, title, date and author, dropping
  navigation, ads, scripts, comments and related links; it is imported only when an HTML input
  appears.
- **Markdown**: parsed as CommonMark (:mod:`~translate_pipeline.inputs.markdown`): the text is
  the prose only (headings, paragraphs, list items, blockquotes, table cells; link text without
  URLs; no images, code, HTML, footnotes or rules); a leading heading is the headline; optional
  front matter, YAML (``---`` YAML ``---``) or TOML (``+++`` TOML ``+++``): ``title``,
  ``language`` or ``lang`` (taken as given, like ``--from``), ``date``, ``author``, ``url`` kept
  as metadata.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import re

from translate_pipeline.errors import InputError
from translate_pipeline.inputs.encoding import declared_charset, decode_text
from translate_pipeline.inputs.htmltext import html_paragraphs
from translate_pipeline.inputs.markdown import FRONT_MATTER, prose_blocks, split_front_matter
from translate_pipeline.inputs.markdown import TOML_FRONT_MATTER, toml_fields
from translate_pipeline.records import Article

__all__ = [
    "sniff",
    "is_json_object",
    "parse_document",
    "parse_text",
    "html_article",
    "markdown_article",
    "decode",
    "one_line",
    "metadata_of",
    "declared_language",
]

log = logging.getLogger(__name__)

_METADATA = (("url", ("url", "link")), ("date", ("date", "published")), ("author", ("author",)))

_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main)\b", re.I | re.S)

_MD_START = re.compile(r"\A\s*#{1,6}\s+\S")

_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$", re.I)

_LANGUAGE_VARIANTS = {"zh-tw": "zt", "zh-hant": "zt", "pt-br": "pb"}

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


def sniff(text: str) -> str:
    """``html``, ``jsonl``, ``markdown`` or ``text``, from the start of a document."""
    if _HTML_START.match(text[:4096]):
        return "html"
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if is_json_object(first):
        return "jsonl"
    start = text.lstrip("\ufeff")
    if FRONT_MATTER.match(start) or TOML_FRONT_MATTER.match(start) or _MD_START.match(text[:512]):
        return "markdown"
    return "text"


def is_json_object(line: str) -> bool:
    line = line.strip()
    if not (line.startswith("{") and line.endswith("}")):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def parse_document(data: bytes, *, source: str, id: str, kind: str | None = None,
                   declared: str | None = None, url: str | None = None) -> Article:
    """One article from the bytes of a text, Markdown or HTML document (``kind`` ``None``: sniffed;
    a sniffed JSON Lines document is read as text here: :func:`read_input` streams those)."""
    if kind == "html" or (kind is None and _HTML_START.match(data[:4096].decode("latin-1"))):
        declared = declared or declared_charset(data)
    text, _ = decode_text(data, source, declared=declared)
    if kind is None:
        kind = sniff(text)
    if kind == "html":
        return html_article(text, source=source, id=id, url=url)
    if kind == "markdown":
        return markdown_article(text, source=source, id=id, url=url)
    article = parse_text(text, source=source, id=id)
    return _with_url(article, url)


def _with_url(article: Article, url: str | None) -> Article:
    if not url or any(key == "url" for key, _ in article.metadata):
        return article
    return Article(article.id, article.source, article.title, article.paragraphs,
                   article.language, (("url", url), *article.metadata))


def html_article(html: str, *, source: str, id: str, url: str | None = None) -> Article:
    """The main text of a web page: trafilatura first for precision, then for recall (short
    pages), then every paragraph of the page (scripts and styles dropped) as a last resort."""
    import trafilatura  # only here: about 0.15 s to import

    found = None
    for favor in ({"favor_precision": True}, {"favor_recall": True}):
        try:
            found = trafilatura.bare_extraction(
                html, url=url, with_metadata=True, include_comments=False,
                include_tables=False, include_images=False, **favor)
        except Exception as exc:  # lxml on hostile markup: fall back, never fail the batch
            log.debug("trafilatura failed on %s: %s", source, exc)
            found = None
        if found is not None and (found.text or "").strip():
            break
    title = one_line((found.title if found else None) or "")
    if found is not None and (found.text or "").strip():
        paragraphs = [p for p in (one_line(line) for line in found.text.split("\n")) if p]
    else:
        paragraphs = html_paragraphs(html)
    if paragraphs and paragraphs[0] == title:  # the headline, repeated as the text's first line
        paragraphs = paragraphs[1:]
    if not paragraphs:
        raise InputError(source, "no article text found in the page")
    metadata = {}
    if url or (found is not None and found.url):
        metadata["url"] = url or found.url
    for key in ("date", "author"):
        value = found is not None and getattr(found, key, None)
        if value:
            metadata[key] = one_line(str(value))
    return Article(id=id, source=source, title=title, paragraphs=tuple(paragraphs),
                   metadata=tuple(metadata.items()))


def one_line(text: str) -> str:
    return " ".join(text.split())


def markdown_article(text: str, *, source: str, id: str, url: str | None = None) -> Article:
    """Markdown with optional YAML or TOML front matter: its title wins over a ``# Heading``
    (which then stays in the text when it says something else), its language is taken as given."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    kind, block, body = split_front_matter(text)
    if kind is None:
        article = _with_url(parse_text(text, source=source, id=id, markdown=True), url)
        return dataclasses.replace(article, document=text)
    fields = toml_fields(block, source) if kind == "toml" else _front_matter(block, source)
    article = parse_text(body, source=source, id=id, markdown=True)
    title = one_line(_scalar(fields.get("title")) or "")
    paragraphs = article.paragraphs
    if title and article.title and article.title != title:
        paragraphs = (article.title, *paragraphs)
    language = fields.get("language", fields.get("lang"))
    metadata = metadata_of(fields)
    if url and "url" not in metadata:
        metadata = {"url": url, **metadata}
    return Article(id=id, source=source, title=title or article.title, paragraphs=paragraphs,
                   language=declared_language(language, source) if language is not None else None,
                   metadata=tuple(metadata.items()), document=text)


def _front_matter(block: str, source: str) -> dict:
    if len(block) > 64 * 1024:
        raise InputError(source, "front matter is longer than 64 KiB")
    import yaml  # only for front matter

    try:
        fields = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        raise InputError(source, f"front matter is not valid YAML: {problem}{where}") from None
    if fields is None:
        return {}
    if not isinstance(fields, dict):
        raise InputError(source, "front matter is not a mapping of keys to values")
    return {str(key).lower(): value for key, value in fields.items()}


def _scalar(value) -> str | None:
    """A front matter or JSON value as metadata text (dates in ISO 8601; lists joined)."""
    if value is None or isinstance(value, (dict, bool)):
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        parts = [_scalar(v) for v in value]
        return ", ".join(p for p in parts if p) or None
    text = one_line(str(value))
    return text or None


def metadata_of(fields: dict) -> dict[str, str]:
    found = {}
    for name, keys in _METADATA:
        for key in keys:
            value = _scalar(fields.get(key))
            if value:
                found[name] = value
                break
    return found


def declared_language(value, subject: str) -> str:
    code = str(value).strip().lower().replace("_", "-")
    if not isinstance(value, str) or not _LANGUAGE.match(code):
        raise InputError(subject, f"declares the language {value!r}, which is not a language "
                                  "code (e.g. en, de, uk)")
    return _LANGUAGE_VARIANTS.get(code, code.split("-", 1)[0])


def parse_text(text: str, *, source: str, id: str, markdown: bool = False) -> Article:
    """Split text into a headline and paragraphs (blank-line separated, inner lines joined);
    ``markdown``: a Markdown body, its prose only (:func:`_markdown_body`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if markdown:
        return _markdown_body(text, source=source, id=id)
    blocks = [b.strip() for b in _BLANK_LINES.split(text.strip())]
    blocks = [b for b in blocks if b]
    if not blocks:
        raise InputError(source, "is empty: no text to process")
    title = ""
    if len(blocks) > 1 and "\n" not in blocks[0]:
        title, blocks = blocks[0], blocks[1:]
    paragraphs = tuple(
        " ".join(line.strip() for line in b.split("\n") if line.strip()) for b in blocks
    )
    paragraphs = tuple(p for p in paragraphs if p)
    if not paragraphs:
        raise InputError(source, "has a headline but no text to process")
    return Article(id=id, source=source, title=title, paragraphs=paragraphs)


def _markdown_body(text: str, *, source: str, id: str) -> Article:
    """A Markdown body's prose (:func:`~translate_pipeline.inputs.markdown.prose_blocks`): a
    heading that opens it is the headline, every other block a paragraph."""
    if not text.strip():
        raise InputError(source, "is empty: no text to process")
    blocks = prose_blocks(text)
    title = ""
    if blocks and blocks[0].kind == "heading":
        title, blocks = blocks[0].text, blocks[1:]
    paragraphs = tuple(block.text for block in blocks)
    if not paragraphs:
        if title:
            raise InputError(source, "has a headline but no text to process")
        raise InputError(source, "has no text to process: only markup (code, images, HTML)")
    return Article(id=id, source=source, title=title, paragraphs=paragraphs)


def decode(data: bytes, subject: str) -> str:
    """Bytes to text in whatever encoding they are (BOM removed); binary data is refused.

    See :mod:`translate_pipeline.inputs.encoding`.
    """
    from translate_pipeline.inputs.encoding import decode_text

    return decode_text(data, subject)[0]
