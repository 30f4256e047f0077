"""Stage 6: render results (JSON record, Markdown, plain text) and write them atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from translate_pipeline.errors import OutputError
from translate_pipeline.records import ArticleResult

__all__ = [
    "atomic_write",
    "to_json",
    "to_markdown",
    "to_text",
    "output_paths",
    "write_outputs",
]


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename: readers never see half."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(str(path), f"cannot write: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(str(path), f"cannot write: {exc.strerror or exc}") from exc


def to_json(result: ArticleResult, *, indent: int | None = 2) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=indent)


def to_markdown(result: ArticleResult, lang: str) -> str:
    """One language version as a Markdown document: headline, summary, full text."""
    version = result.version(lang)
    detection = result.detection
    how = "given" if detection.method == "given" else f"detected, confidence {detection.confidence:.2f}"
    source_lang = result.languages[0][0]
    lines = [f"# {version.title or result.article.id}", ""]
    note = f"*Language: {lang}"
    if lang != source_lang:
        note += f", translated from {source_lang}"
    note += f" ({source_lang} {how}). Source: {result.article.source}*"
    lines += [note, "", "## Summary", ""]
    lines += [f"- {sentence}" for sentence in version.summary] or ["(no summary)"]
    if version.paragraphs:
        lines += ["", "## Text", ""]
        for paragraph in version.paragraphs:
            lines += [paragraph, ""]
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


def output_paths(out_dir: Path, result: ArticleResult) -> list[Path]:
    base = out_dir / result.article.id
    return [base.with_name(base.name + ".json")] + [
        base.with_name(f"{base.name}.{lang}.md") for lang, _ in result.languages
    ]


def write_outputs(out_dir: Path, result: ArticleResult) -> list[Path]:
    """``DIR/<id>.json`` and ``DIR/<id>.<lang>.md`` for every language; returns the paths."""
    paths = output_paths(out_dir, result)
    atomic_write(paths[0], to_json(result) + "\n")
    for path, (lang, _) in zip(paths[1:], result.languages):
        atomic_write(path, to_markdown(result, lang))
    return paths
