"""Input kinds: plain text, Markdown with YAML front matter, HTML pages, JSON Lines, URLs, stdin.

The kind comes from the file's suffix (``.txt``; ``.md``/``.markdown``; ``.html``/``.htm``/
``.xhtml``; ``.jsonl``/``.ndjson``), from the ``Content-Type`` of a URL, else from the content
(:func:`sniff`): an HTML document, a first line that is a JSON object (JSON Lines), front matter or
a ``# Heading`` (Markdown), else plain text. Bytes become text with
:mod:`~translate_pipeline.encoding` (any encoding; binary refused).

- **HTML**: trafilatura extracts the article's main text, title, date and author, dropping
  navigation, ads, scripts, comments and related links; it is imported only when an HTML input
  appears.
- **JSON Lines**: one article per line, ``{"id", "title", "text"}`` and optional ``language``,
  ``url``, ``date``, ``author``; streamed, so the file has no size limit (each line has the
  5 MiB one). Its article ids are ``<file id>/<record id>`` (the record id made file-name safe);
  a bad line is a :class:`~translate_pipeline.pipeline.Failure` naming ``FILE:LINE``, and the
  other lines go on.
- **Markdown front matter** (``---`` YAML ``---``): ``title``, ``language`` (taken as given, like
  ``--from``), ``date``, ``author``, ``url`` kept as metadata.
- **URLs** (http/https) are fetched with :func:`~translate_pipeline.feedfetch.fetch` (timeouts,
  size cap, User-Agent); the article id is a slug of the URL and the URL goes into metadata.
"""

from __future__ import annotations

import datetime
import itertools
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from translate_pipeline.inputs.encoding import declared_charset, decode_text
from translate_pipeline.errors import InputError
from translate_pipeline.inputs.htmltext import html_paragraphs, text_paragraphs
from translate_pipeline.pipeline import Failure
from translate_pipeline.inputs.files import (
    MAX_INPUT_BYTES,
    InputFile,
    open_input,
    parse_text,
    read_capped,
    read_file,
)
from translate_pipeline.records import Article

__all__ = [
    "SUFFIX_KINDS",
    "URL_TIMEOUT",
    "InputURL",
    "InputStdin",
    "kind_of",
    "sniff",
    "url_id",
    "parse_document",
    "read_input",
    "expected_articles",
]

log = logging.getLogger(__name__)

SUFFIX_KINDS = {
    ".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
    ".xhtml": "html", ".jsonl": "jsonl", ".ndjson": "jsonl",
}
#: Seconds to wait for a URL given as input (per read; the whole download gets 3x).
URL_TIMEOUT = 20.0
_METADATA = (("url", ("url", "link")), ("date", ("date", "published")), ("author", ("author",)))
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main)\b", re.I | re.S)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MD_START = re.compile(r"\A\s*#{1,6}\s+\S")
_UNSAFE = re.compile(r"[^\w.-]+")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$", re.I)
_LANGUAGE_VARIANTS = {"zh-tw": "zt", "zh-hant": "zt", "pt-br": "pb"}


@dataclass(frozen=True)
class InputURL:
    """A web page to fetch; ``id`` (a slug of the URL) names its outputs."""

    url: str
    id: str


@dataclass(frozen=True)
class InputStdin:
    """Standard input (``-``)."""

    id: str = "stdin"


def kind_of(path: Path | str) -> str | None:
    """The kind a file's suffix says, or ``None`` (to be sniffed)."""
    return SUFFIX_KINDS.get(Path(path).suffix.lower())


def sniff(text: str) -> str:
    """``html``, ``jsonl``, ``markdown`` or ``text``, from the start of a document."""
    if _HTML_START.match(text[:4096]):
        return "html"
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if _is_json_object(first):
        return "jsonl"
    if _FRONT_MATTER.match(text.lstrip("\ufeff")) or _MD_START.match(text[:512]):
        return "markdown"
    return "text"


def _is_json_object(line: str) -> bool:
    line = line.strip()
    if not (line.startswith("{") and line.endswith("}")):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def url_id(url: str) -> str:
    """A URL's article id: its host and path as a slug plus a short hash (as feeds are named)."""
    from translate_pipeline.feeds.parse import feed_slug

    return feed_slug(url)


# --- one document -------------------------------------------------------------------------------


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
    title = _one_line((found.title if found else None) or "")
    if found is not None and (found.text or "").strip():
        paragraphs = [p for p in (_one_line(line) for line in found.text.split("\n")) if p]
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
            metadata[key] = _one_line(str(value))
    return Article(id=id, source=source, title=title, paragraphs=tuple(paragraphs),
                   metadata=tuple(metadata.items()))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def markdown_article(text: str, *, source: str, id: str, url: str | None = None) -> Article:
    """Markdown with optional YAML front matter: its title wins over a ``# Heading`` (which then
    stays in the text when it says something else), its language is taken as given."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    match = _FRONT_MATTER.match(text)
    if not match:
        return _with_url(parse_text(text, source=source, id=id, markdown=True), url)
    fields = _front_matter(match.group(1) or "", source)
    body = text[match.end():]
    article = parse_text(body, source=source, id=id, markdown=True)
    title = _one_line(_scalar(fields.get("title")) or "")
    paragraphs = article.paragraphs
    if title and article.title and article.title != title:
        paragraphs = (article.title, *paragraphs)
    language = fields.get("language", fields.get("lang"))
    metadata = _metadata(fields)
    if url and "url" not in metadata:
        metadata = {"url": url, **metadata}
    return Article(id=id, source=source, title=title or article.title, paragraphs=paragraphs,
                   language=_language(language, source) if language is not None else None,
                   metadata=tuple(metadata.items()))


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
    text = _one_line(str(value))
    return text or None


def _metadata(fields: dict) -> dict[str, str]:
    found = {}
    for name, keys in _METADATA:
        for key in keys:
            value = _scalar(fields.get(key))
            if value:
                found[name] = value
                break
    return found


def _language(value, subject: str) -> str:
    code = str(value).strip().lower().replace("_", "-")
    if not isinstance(value, str) or not _LANGUAGE.match(code):
        raise InputError(subject, f"declares the language {value!r}, which is not a language "
                                  "code (e.g. en, de, uk)")
    return _LANGUAGE_VARIANTS.get(code, code.split("-", 1)[0])


# --- JSON Lines ---------------------------------------------------------------------------------


def _lines(handle: BinaryIO, first: bytes | None = None) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)``, ``None`` for a line over the size limit (skipped unread)."""
    stream = itertools.chain([first] if first is not None else [], iter(
        lambda: handle.readline(MAX_INPUT_BYTES + 1), b""))
    for number, line in enumerate(stream, 1):
        if len(line) > MAX_INPUT_BYTES and not line.endswith(b"\n"):
            while True:  # skip the rest of the line
                more = handle.readline(1024 * 1024)
                if not more or more.endswith(b"\n"):
                    break
            yield number, None
        else:
            yield number, line


def _jsonl(lines: Iterable[tuple[int, bytes | None]], *, name: str, file_id: str
           ) -> Iterator[Article | Failure]:
    taken: dict[str, int] = {}
    for number, line in lines:
        subject = f"{name}:{number}"
        if line is not None and not line.strip():
            continue
        try:
            record_id, article = _jsonl_record(line, number, subject, name, file_id)
            if article.id in taken:
                raise InputError(subject, f"repeats the id {record_id!r} of line "
                                          f"{taken[article.id]}")
            taken[article.id] = number
        except InputError as exc:
            yield Failure(subject, "", exc)
        except Exception as exc:  # a bug must cost one line, never the file
            log.debug("unexpected error reading %s", subject, exc_info=True)
            error = InputError(subject, f"unexpected {type(exc).__name__}: {exc}")
            yield Failure(subject, "", error)
        else:
            yield article


def _jsonl_record(line: bytes | None, number: int, subject: str, name: str, file_id: str
                  ) -> tuple[str, Article]:
    if line is None:
        raise InputError(subject, f"line is longer than the {MAX_INPUT_BYTES // (1024 * 1024)} "
                                  "MiB limit")
    if number == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(subject, f"is not UTF-8 (byte {exc.start + 1}); JSON Lines are UTF-8"
                         ) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            reason = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
        else:
            reason = str(exc)
        raise InputError(subject, f"is not valid JSON: {reason}") from None
    if not isinstance(record, dict):
        raise InputError(subject, f"is a JSON {type(record).__name__}, not an object "
                                  "with \"id\", \"title\" and \"text\"")
    raw_id = record.get("id")
    if raw_id is None or isinstance(raw_id, (bool, dict, list)) or str(raw_id).strip() == "":
        raise InputError(subject, "has no \"id\" (a string or a number)")
    raw_id = str(raw_id).strip()
    safe = _UNSAFE.sub("-", raw_id).strip(".-")[:120].rstrip(".-")
    if not safe:
        raise InputError(subject, f"its id {raw_id!r} cannot name a file")
    source = f"{name}#{raw_id}"
    for key in ("title", "text"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise InputError(subject, f"its \"{key}\" is not a string")
    text = record.get("text") or ""
    if not text.strip():
        raise InputError(subject, "has no \"text\": nothing to process")
    paragraphs = text_paragraphs(text)
    if not paragraphs:
        raise InputError(subject, "has no \"text\": nothing to process")
    language = record.get("language")
    metadata = _metadata(record)
    if safe != raw_id:
        metadata = {"id": raw_id, **metadata}
    article = Article(
        id=f"{file_id}/{safe}", source=source, title=_one_line(record.get("title") or ""),
        paragraphs=tuple(paragraphs),
        language=_language(language, subject) if language not in (None, "") else None,
        metadata=tuple(metadata.items()),
    )
    return raw_id, article


# --- reading any input --------------------------------------------------------------------------


def read_input(item: InputFile | InputURL | InputStdin) -> Iterator[Article | Failure]:
    """Every article an input holds (one, or one per JSON Lines record); problems become
    failures, never exceptions."""
    if isinstance(item, InputURL):
        subject = item.url
    elif isinstance(item, InputStdin):
        subject = "-"
    else:
        subject = str(item.path)
    try:
        if isinstance(item, InputURL):
            yield _read_url(item)
        elif isinstance(item, InputStdin):
            yield from _read_stream(sys.stdin.buffer, name="-", id=item.id, kind=None)
        elif kind_of(item.path) in ("jsonl", None):
            with open_input(item.path) as handle:
                yield from _read_stream(handle, name=subject, id=item.id, kind=kind_of(item.path))
        else:
            yield read_file(item)
    except InputError as exc:
        yield Failure(subject, item.id, exc)
    except Exception as exc:  # a bug must cost one input, never the batch
        log.debug("unexpected error reading %s", subject, exc_info=True)
        yield Failure(subject, item.id,
                      InputError(subject, f"unexpected {type(exc).__name__}: {exc}"))


def _read_stream(handle: BinaryIO, *, name: str, id: str, kind: str | None
                 ) -> Iterator[Article | Failure]:
    """JSON Lines are streamed a line at a time; anything else is read whole (size-capped)."""
    if kind == "jsonl":
        yield from _jsonl(_lines(handle), name=name, file_id=id)
        return
    first = read_capped(handle, name, limit=MAX_INPUT_BYTES + 1, line=True)
    head = first[3:] if first.startswith(b"\xef\xbb\xbf") else first
    try:
        is_jsonl = _is_json_object(head.decode("utf-8"))
    except UnicodeDecodeError:
        is_jsonl = False
    if is_jsonl:
        yield from _jsonl(_lines(handle, first), name=name, file_id=id)
        return
    data = first + read_capped(handle, name, limit=MAX_INPUT_BYTES + 1 - len(first))
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(name, f"is larger than the {MAX_INPUT_BYTES // (1024 * 1024)} MiB "
                               "limit; split it into articles")
    yield parse_document(data, source=name, id=id, kind=kind)


def _read_url(item: InputURL) -> Article:
    from translate_pipeline.inputs.fetch import _ACCEPT_HTML, MAX_ARTICLE_BYTES, fetch

    page = fetch(item.url, timeout=URL_TIMEOUT, max_bytes=MAX_ARTICLE_BYTES, accept=_ACCEPT_HTML)
    content_type = page.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    kind = {"text/html": "html", "application/xhtml+xml": "html", "text/markdown": "markdown",
            "text/plain": "text"}.get(media)
    return parse_document(page.body, source=item.url, id=item.id, kind=kind,
                          declared=declared_charset(page.body, content_type), url=page.url)


def expected_articles(item) -> int:
    """About how many articles an input holds (for a progress bar): a JSON Lines file's lines."""
    if isinstance(item, InputFile) and kind_of(item.path) == "jsonl":
        try:
            with open_input(item.path) as handle:  # never blocks on a FIFO
                return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        except (InputError, OSError):
            return 1
    return 1
