"""``run --format document``: a translated copy of each Markdown input, for sites.

For every Markdown input and every target language other than the source, ``DIR/<lang>/<the
input's relative path>`` (``DIR/uk/posts/a.md`` for ``content/posts/a.md``: Hugo's translation by
content directory), the source document with its prose translated and its structure kept (see
:func:`translate_pipeline.markdown.translate_document`). Inputs that are not Markdown get no copy.

Written like every output (:func:`~translate_pipeline.outputs.local.atomic_write_all`: all of an
article's files to temporary names, then renamed). Resume: with the JSON records, those say an
article is done (the copies are written before it); with ``--format document`` alone, each copy's
front matter holds the fingerprint as a comment, ``# fingerprint: "sha256:..."`` (a document
without front matter gets one holding only that comment), and inputs that are not Markdown, having
no copy, are redone by every run.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath

from translate_pipeline.markdown import split_front_matter, translate_document
from translate_pipeline.outputs.formats import Outputs
from translate_pipeline.outputs.resume import HEAD_BYTES
from translate_pipeline.records import ArticleResult

__all__ = ["DocumentOutputs", "document_path", "render_documents"]

_SUFFIXES = (".md", ".markdown")


def document_path(out_dir: PurePath, lang: str, article_id: str, source: str) -> PurePath:
    """``DIR/<lang>/<id><suffix>``, the suffix the source had (``.md`` when it had another)."""
    suffix = PurePath(source).suffix.lower()
    base = out_dir / lang / article_id
    return base.with_name(base.name + (suffix if suffix in _SUFFIXES else ".md"))


def _with_fingerprint(text: str, fingerprint: str) -> str:
    comment = f"# fingerprint: {json.dumps(fingerprint)}\n"
    kind, block, body = split_front_matter(text)
    if kind is None:
        return f"---\n{comment}---\n\n{text}"
    head = text[:len(text) - len(body)]
    opening, _, rest = head.partition("\n")
    return f"{opening}\n{block}{comment}{rest[len(block):]}{body}"


def render_documents(out_dir: PurePath, result: ArticleResult,
                     fingerprint: str | None = None) -> list[tuple[PurePath, str]]:
    """The ``(path, text)`` of each translated copy of ``result``'s Markdown document."""
    article = result.article
    if article.document is None:
        return []
    files = []
    for lang, version in result.languages[1:]:
        text = translate_document(article.document, version.segments, lang)
        if fingerprint:
            text = _with_fingerprint(text, fingerprint)
        files.append((document_path(out_dir, lang, article.id, article.source), text))
    return files


class DocumentOutputs(Outputs):
    """``DIR/<lang>/<id>.md`` per Markdown article and target (see the module docstring).
    ``alone``: no JSON record is written beside them, so the fingerprint goes into each copy."""

    def __init__(self, out_dir: Path, *, alone: bool):
        self.out_dir = out_dir
        self.alone = alone

    def is_complete(self, article_id, fingerprint, languages) -> bool:
        if not self.alone:  # written before the JSON record, whose fingerprint says it all
            return True
        expected = f"\n# fingerprint: {json.dumps(fingerprint)}\n".encode()
        for lang in list(languages)[1:]:
            found = [p for p in (document_path(self.out_dir, lang, article_id, "x" + s)
                                 for s in _SUFFIXES) if Path(p).is_file()]
            if not found:
                return False
            try:
                with open(found[0], "rb") as handle:
                    head = handle.read(HEAD_BYTES)
            except OSError:
                return False
            end = head.find(b"\n---\n", 3) if head.startswith(b"---") else \
                head.find(b"\n+++\n", 3)
            if end < 0 or expected not in head[:end + 1]:
                return False
        return True

    def write(self, result, fingerprint) -> None:
        from translate_pipeline.outputs.local import atomic_write_all

        files = render_documents(self.out_dir, result, fingerprint if self.alone else None)
        atomic_write_all([(Path(path), text) for path, text in files])
