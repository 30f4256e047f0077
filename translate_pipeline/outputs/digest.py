"""``DIR/index.html``: a digest of every article in an output folder, offline and phone-friendly.

Built from the outputs already in the folder -- the JSON records (``DIR/**/<id>.json``, from
``run`` or ``feed``) and ``DIR/articles.jsonl`` -- so it lists everything a resumed or repeated run
has written, and ``translate-pipeline digest DIR`` can rebuild it at any time without translating
anything. Articles are listed newest first (by their date, published or updated time; undated
ones last, by id), dates written for people (``14 May 2024, 09:30 UTC``). For each article: its
detected language and confidence, then each language's title and summary side by side (stacked
on a narrow screen), with links to the full texts (the Markdown files, else the JSON record; the
text itself, folded, when there is no file) and to the source when it is a web page. A language
the article lacks is named in a muted line for readers; what an operator can do about it (install
a model) stays in ``errors.jsonl`` and the run's messages.

The page is one self-contained file: inline CSS, no scripts, no fonts or images, nothing fetched.
It holds no timestamp, so the same outputs always give the same bytes.
"""

from __future__ import annotations

import datetime
import email.utils
import html
import json
import os
import re
import urllib.parse
from collections import Counter
from pathlib import Path

from translate_pipeline.outputs.local import atomic_write

__all__ = ["INDEX_NAME", "collect_records", "render_digest", "write_digest"]

INDEX_NAME = "index.html"
_JSONL_NAME = "articles.jsonl"  # outputs.JSONL_NAME (not imported: keeps this module light)
_MAX_RECORD_BYTES = 64 * 1024 * 1024

_CSS = """
:root { color-scheme: light dark; --fg: #1b1b1f; --muted: #5b5b66; --bg: #fff; --card: #f6f6f8;
  --line: #dcdce3; --accent: #0b57d0; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8e8ee; --muted: #a8a8b3; --bg: #121216;
  --card: #1d1d23; --line: #34343d; --accent: #8ab4f8; } }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  sans-serif; color: var(--fg); background: var(--bg); }
header.top, main { max-width: 80rem; margin: 0 auto; padding: 0 1rem; }
header.top h1 { font-size: 1.5rem; margin: 1rem 0 0.25rem; }
.muted, .meta { color: var(--muted); }
.meta { font-size: 0.9rem; margin: 0.25rem 0 0.75rem; overflow-wrap: anywhere; }
a { color: var(--accent); }
article.item { background: var(--card); border: 1px solid var(--line); border-radius: 0.75rem;
  padding: 0.75rem 1rem 1rem; margin: 1rem 0; }
article.item > h2 { font-size: 1.2rem; margin: 0.25rem 0; overflow-wrap: anywhere; }
.langs { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 17rem), 1fr));
  gap: 0.75rem 1.25rem; }
.lang { border-top: 3px solid var(--line); padding-top: 0.5rem; min-width: 0; }
.lang h3 { font-size: 1rem; margin: 0 0 0.25rem; overflow-wrap: anywhere; }
.code { display: inline-block; font: 600 0.75rem/1.6 ui-monospace, monospace; text-transform:
  uppercase; border: 1px solid var(--line); border-radius: 0.3rem; padding: 0 0.3rem;
  margin-right: 0.4rem; vertical-align: 0.1rem; }
.lang ul { margin: 0.25rem 0; padding-left: 1.2rem; }
.lang li { margin: 0.2rem 0; overflow-wrap: anywhere; }
.full { font-size: 0.9rem; margin: 0.25rem 0 0; }
details p { margin: 0.4rem 0; }
.missing { color: var(--muted); font-size: 0.9rem; margin: 0.5rem 0 0; }
"""


def collect_records(out_dir: Path) -> list[tuple[dict, Path | None]]:
    """Every article record in ``out_dir``: ``(record, path of its .json file or None)``,
    sorted by id; a record in both a ``.json`` file and ``articles.jsonl`` is listed once."""
    found: dict[str, tuple[dict, Path | None]] = {}
    for folder, dirs, names in os.walk(out_dir):  # does not follow symlinked folders
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.endswith(".json") and not name.startswith("."):
                path = Path(folder, name)
                record = _load(path)
                if record is not None:
                    key = path.relative_to(out_dir).with_suffix("").as_posix()
                    found.setdefault(key, (record, path))
    jsonl = out_dir / _JSONL_NAME
    if jsonl.is_file():
        with open(jsonl, "rb") as handle:
            for line in handle:
                record = _valid(_parse(line))
                if record is not None:
                    found.setdefault(str(record["id"]), (record, None))
    return [found[key] for key in sorted(found)]


def _parse(data: bytes):
    try:
        return json.loads(data)
    except ValueError:
        return None


def _load(path: Path) -> dict | None:
    try:
        if path.stat().st_size > _MAX_RECORD_BYTES:
            return None
        return _valid(_parse(path.read_bytes()))
    except OSError:
        return None


def _valid(record) -> dict | None:
    """An article record (``ArticleResult.to_dict``), or ``None`` for any other JSON."""
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        return None
    languages, language = record.get("languages"), record.get("language")
    if not isinstance(languages, dict) or not languages or not isinstance(language, dict):
        return None
    if not all(isinstance(v, dict) for v in languages.values()):
        return None
    return record


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _href(path: Path, out_dir: Path) -> str:
    relative = path.relative_to(out_dir).as_posix()
    return urllib.parse.quote(relative, errors="surrogateescape")


def _web(url) -> str | None:
    if isinstance(url, str) and urllib.parse.urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None


def _confidence(value) -> str:
    """A record's confidence as 0.00; ``?`` for one that is no number (a hand-edited record)."""
    try:
        return f"{float(value or 0):.2f}"
    except (TypeError, ValueError, OverflowError):
        return "?"


def _markdown_of(base: Path, lang, out_dir: Path) -> Path | None:
    """The article's Markdown file for ``lang`` when it exists inside ``out_dir``; ``None`` for a
    language key or an id that cannot name one there (``a/b``, ``../x``)."""
    if not isinstance(lang, str) or not _LANG_KEY.match(lang) or not base.name:
        return None
    markdown = base.with_name(f"{base.name}.{lang}.md")
    try:
        markdown.resolve().relative_to(out_dir.resolve())
        return markdown if markdown.is_file() else None
    except (ValueError, OSError):
        return None


_LANG_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _article(record: dict, json_path: Path | None, out_dir: Path) -> str:
    languages: dict = record["languages"]
    source_lang = next(iter(languages))
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    detected = record["language"]
    title = record.get("title") or languages[source_lang].get("title") or record["id"]
    how = ("given" if detected.get("method") == "given"
           else f"detected, confidence {_confidence(detected.get('confidence'))}")
    meta = [f'<span class="code">{_e(detected.get("code", source_lang))}</span>{_e(how)}']
    link = _web(metadata.get("url")) or _web(record.get("source"))
    source = record.get("source")
    if link:
        meta.append(f'<a href="{_e(link)}">{_e(source if source == link else link)}</a>')
    if source and source != link:
        meta.append(_e(source))
    when = _date_of(record)
    if when is not None:
        meta.append(f'<time datetime="{_e(when[1])}">{_e(_readable(*when))}</time>')
    elif metadata.get("date") or metadata.get("published"):  # a date we cannot read: as it is
        meta.append(_e(metadata.get("date") or metadata.get("published")))
    if metadata.get("author"):
        meta.append(_e(metadata["author"]))
    base = json_path.with_suffix("") if json_path is not None else out_dir / record["id"]
    columns = []
    for lang, version in languages.items():
        summary = version.get("summary") or []
        items = "".join(f"<li>{_e(s)}</li>" for s in summary) or "<li>(no summary)</li>"
        markdown = _markdown_of(base, lang, out_dir)
        if markdown is not None:
            href = _e(_href(markdown, out_dir))
            full = f'<p class="full"><a href="{href}">Full text ({_e(lang)})</a></p>'
        elif json_path is not None:
            href = _e(_href(json_path, out_dir))
            full = f'<p class="full"><a href="{href}">Full record (JSON)</a></p>'
        elif version.get("text"):
            paragraphs = "".join(f"<p>{_e(p)}</p>" for p in str(version["text"]).split("\n\n"))
            full = (f'<details class="full"><summary>Full text ({_e(lang)})</summary>'
                    f"{paragraphs}</details>")
        else:
            full = ""
        what = "source" if lang == source_lang else f"from {source_lang}"
        columns.append(
            f'<section class="lang" lang="{_e(lang)}" dir="auto">'
            f'<h3><span class="code" title="{_e(what)}">{_e(lang)}</span>'
            f'{_e(version.get("title") or title)}</h3><ul>{items}</ul>{full}</section>')
    problems = _missing_line(record)
    return (f'<article class="item" id="{_e(_anchor(record["id"]))}">'
            f'<h2 lang="{_e(source_lang)}" dir="auto">{_e(title)}</h2>'
            f'<p class="meta">{" · ".join(meta)}</p>'
            f'<div class="langs">{"".join(columns)}</div>{problems}</article>')


def _anchor(article_id: str) -> str:
    return "a-" + urllib.parse.quote(article_id, safe="", errors="surrogateescape")


def render_digest(records: list[tuple[dict, Path | None]], out_dir: Path,
                  title: str = "News digest") -> str:
    """The whole page for ``records`` (see :func:`collect_records`)."""
    counts = Counter(record["language"].get("code") for record, _ in records)
    targets = Counter(lang for record, _ in records for lang in record["languages"])
    detected = ", ".join(f"{lang} {n}" for lang, n in sorted(counts.items(), key=_by_count))
    summary = (f"{len(records)} article{'s' if len(records) != 1 else ''}"
               + (f" · source languages: {detected}" if records else "")
               + (f" · languages: {', '.join(sorted(targets))}" if records else ""))
    ordered = sorted(records, key=_newest_first)
    body = "\n".join(_article(record, path, out_dir) for record, path in ordered)
    if not records:
        body = '<p class="muted">No articles in this folder yet.</p>'
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header class="top"><h1>{_e(title)}</h1><p class="muted">{_e(summary)}</p></header>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _missing_line(record: dict) -> str:
    """For readers: the languages the article is not (yet) available in, muted; the reasons
    (a model to install) are the operator's, in errors.jsonl."""
    errors = record.get("errors") or []
    if not isinstance(errors, list) or not errors:
        return ""
    missing = list(dict.fromkeys(
        m.group(1) for e in errors if (m := _NOT_TRANSLATED.match(str(e)))))
    text = (f"Not available in: {', '.join(missing)}" if missing
            else "Some languages are not available")
    return f'<p class="missing">{_e(text)}</p>'


_NOT_TRANSLATED = re.compile(r"^not translated to ([A-Za-z0-9_-]+):")


def _date_of(record: dict) -> tuple[datetime.datetime, str, bool] | None:
    """The article's date as ``(moment in UTC, ISO text, has a time of day)``, from its
    metadata (``date``, else ``published``, else ``updated``: ISO 8601 or RFC 2822); None when
    it has none that can be read. A time without zone is taken as UTC."""
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    for key in ("date", "published", "updated"):
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            moment = _parse_date(value.strip())
            if moment is not None:
                return moment
    return None


def _parse_date(text: str) -> tuple[datetime.datetime, str, bool] | None:
    utc = datetime.timezone.utc
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            return datetime.datetime(day.year, day.month, day.day, tzinfo=utc), text, False
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=utc)
    try:
        moment = moment.astimezone(utc)
    except (OverflowError, ValueError):  # the year 1, a zone past its end
        return None
    return moment, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), True


def _readable(moment: datetime.datetime, _iso: str, timed: bool) -> str:
    """``14 May 2024`` or ``14 May 2024, 09:30 UTC`` (English month names, as the page)."""
    day = f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"
    return f"{day}, {moment:%H:%M} UTC" if timed else day


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _newest_first(entry: tuple[dict, Path | None]):
    """Dated articles newest first, then the undated ones, each group by id."""
    record = entry[0]
    when = _date_of(record)
    if when is None:
        return (1, 0.0, record["id"])
    return (0, -when[0].timestamp(), record["id"])


def _by_count(item: tuple[str, int]):
    return (-item[1], str(item[0]))


def write_digest(out_dir: Path, title: str = "News digest") -> Path:
    """Write ``DIR/index.html`` atomically from the records in ``out_dir``; returns its path.
    Raises :class:`~translate_pipeline.errors.OutputError` when it cannot be written."""
    out_dir = Path(out_dir)
    path = out_dir / INDEX_NAME
    atomic_write(path, render_digest(collect_records(out_dir), out_dir, title))
    return path
