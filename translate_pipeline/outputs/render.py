"""Rendering results, with no I/O: the JSON record, Markdown with front matter, plain text.

:func:`render_outputs` gives the ``(path, text)`` of every file an article's outputs are, in the
order they are renamed into place; a local folder (:mod:`~translate_pipeline.outputs.local`) and a
URL folder (:mod:`~translate_pipeline.outputs.remote`) write exactly these bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import PurePath

from translate_pipeline.markdown import escape_text
from translate_pipeline.records import ArticleResult

__all__ = ["to_json", "to_markdown", "to_text", "output_paths", "render_outputs", "encode",
           "record_line"]


def encode(text: str) -> bytes:
    """An output's bytes. backslashreplace: a file name that is not UTF-8 (held as surrogates) is
    written as \\udcXX, which inside a JSON string is a valid escape, instead of failing the write."""
    return text.encode("utf-8", "backslashreplace")


# What YAML does not allow unescaped (DEL, C1 controls but NEL, U+FFFE/FFFF, surrogates); JSON
# already escapes C0. Both read \uXXXX the same in a double-quoted string.
_NOT_YAML = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")


def _yaml_string(value) -> str:
    """``value`` as a double-quoted scalar valid both as JSON and as YAML."""
    text = json.dumps(value, ensure_ascii=False)
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def record_line(record: dict) -> bytes:
    # backslashreplace: a file name that is not UTF-8 is written as \udcXX, a valid JSON escape
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


def to_json(result: ArticleResult, *, indent: int | None = 2) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=indent)


def to_markdown(result: ArticleResult, lang: str, *, fingerprint: str | None = None) -> str:
    """One language version as a page for a static site (Hugo, Jekyll, Eleventy): YAML front
    matter with what a theme uses, then the summary and the full text.

    The front matter holds ``title``, ``date``, ``author`` and ``url`` where known, ``lang``,
    ``translated_from`` (a translation) and ``summary`` (its sentences, one string); no local path
    and no fingerprint (both stay in the JSON record), and the body does not repeat the title.
    ``fingerprint``: given only when no JSON record is written (``--format markdown`` alone), then
    kept as a YAML comment, ``# fingerprint: "..."``, which themes never see but resume reads.
    """
    version = result.version(lang)
    source_lang = result.languages[0][0]
    metadata = dict(result.article.metadata)
    front = {"title": version.title or result.article.id}
    for key in ("date", "author", "url"):
        if metadata.get(key):
            front[key] = metadata[key]
    front["lang"] = lang
    if lang != source_lang:
        front["translated_from"] = source_lang
    if version.summary:
        front["summary"] = " ".join(version.summary)
    # JSON strings are YAML double-quoted scalars: safe for any title.
    lines = ["---", *(f"{key}: {_yaml_string(value)}" for key, value in front.items())]
    if fingerprint:
        lines.append(f"# fingerprint: {json.dumps(fingerprint)}")
    lines += ["---", "", "## Summary", ""]
    lines += [f"- {escape_text(sentence)}" for sentence in version.summary] or ["(no summary)"]
    if version.paragraphs:
        lines += ["", "## Text", ""]
        for paragraph in version.paragraphs:  # escaped: a text's "*" or "1." is not markup
            lines += [escape_text(paragraph), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def to_text(result: ArticleResult) -> str:
    """The plain-text summary ``summarize`` prints: one block per language."""
    d = result.detection
    how = "given" if d.method == "given" else f"confidence {d.confidence:.2f}"
    lines = [f"{result.article.source}: {d.code} ({how})"]
    for lang, version in result.languages:
        lines += ["", f"[{lang}] {version.title}".rstrip()]
        lines += [f"- {sentence}" for sentence in version.summary]
    return "\n".join(lines) + "\n"


def output_paths(out_dir: PurePath, result: ArticleResult) -> list[PurePath]:
    base = out_dir / result.article.id
    return [base.with_name(base.name + ".json")] + [
        base.with_name(f"{base.name}.{lang}.md") for lang, _ in result.languages
    ]


def render_outputs(
    out_dir: PurePath, result: ArticleResult, *, fingerprint: str | None = None,
    formats: Sequence[str] = ("json", "markdown"),
) -> list[tuple[PurePath, str]]:
    """The ``(path, text)`` of each file :func:`write_outputs` writes, in the order it renames
    them (Markdown first, the JSON record last); also what URL outputs write
    (:mod:`translate_pipeline.outputs.remote`), so both give the same bytes."""
    paths = output_paths(out_dir, result)
    files = []
    if "markdown" in formats:  # the fingerprint goes into the Markdown only when it is alone
        alone = fingerprint if "json" not in formats else None
        files += [(path, to_markdown(result, lang, fingerprint=alone))
                  for path, (lang, _) in zip(paths[1:], result.languages)]
    if "json" in formats:
        record = result.to_dict()
        if fingerprint is not None:
            record["fingerprint"] = fingerprint
        files.append((paths[0], json.dumps(record, ensure_ascii=False, indent=2) + "\n"))
    return files
