"""Resuming a batch: which articles already have complete outputs for the same input and settings.

An article's *fingerprint* is a SHA-256 over everything its outputs depend on:

- the article as read (id, source path, headline, paragraphs, declared language, metadata, and a
  Markdown input's whole text, which its translated copy is made from), so
  any change to the text redoes it (line-ending and BOM differences, which change nothing, do not);
- the detected (or given) source language and its confidence;
- the :class:`~translate_pipeline.pipeline.Settings` (targets in order, sentences, algorithm,
  ``--from``, ``--translate``);
- for each target, the Argos packages on its route (name and version; a missing route too);
- this program's version and :data:`FORMAT`, so an upgrade that changes outputs redoes them.

Device, threads, compute type and the translation cache are left out: the translation cache
already treats a package's translations as the same whatever produced them.

``run`` stores the fingerprint in the article's JSON record, which it writes last. An article is
*complete* when that record parses, holds the same fingerprint and no ``errors``, and every
``.md`` file it implies exists; :func:`is_complete` checks exactly that, before any sentence is
split or translated. With ``--format markdown`` alone, each ``.md`` file's front matter holds the
fingerprint as a YAML comment instead (themes never show it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from translate_pipeline._version import __version__
from translate_pipeline.errors import PipelineError
from translate_pipeline.records import Article, Detection, output_languages

__all__ = ["FORMAT", "fingerprint", "is_complete", "record_is_complete",
           "head_has_fingerprint", "Fingerprinter"]

#: Bump when the outputs change for the same inputs and settings (2: Markdown front matter;
#: 3: Markdown read by a CommonMark parser, front matter for sites).
FORMAT = 3

Route = Callable[[str, str], Sequence]  # (source, target) -> packages; raises when none


def fingerprint(article: Article, detection: Detection, settings, route: Route) -> str:
    """``sha256:<hex>`` over what the article's outputs depend on (see the module docstring).

    ``settings`` is a :class:`~translate_pipeline.pipeline.Settings`; ``route(source, target)``
    gives the packages that translate a pair (:meth:`Engine.route`), and is called only for
    targets other than the source language.
    """
    routes: dict[str, object] = {}
    for target in output_languages(detection, settings.targets)[1:]:
        try:
            routes[target] = [[pkg.name, pkg.version] for pkg in route(detection.code, target)]
        except PipelineError as exc:
            routes[target] = f"unavailable: {type(exc).__name__}"
    material = {
        "format": FORMAT,
        "program": __version__,
        "article": {
            "id": article.id,
            "source": article.source,
            "title": article.title,
            "paragraphs": list(article.paragraphs),
            "language": article.language,
            "metadata": [list(pair) for pair in article.metadata],
            **({"document": article.document} if article.document is not None else {}),
        },
        "detection": [detection.code, round(detection.confidence, 4), detection.method],
        "settings": dataclasses.asdict(settings),
        "routes": routes,
    }
    blob = json.dumps(material, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def is_complete(out_dir: Path, article_id: str, expected: str, languages: Sequence[str],
                formats: Sequence[str] = ("json", "markdown")) -> bool:
    """Whether ``DIR/<id>.json`` holds fingerprint ``expected`` and no errors, and every
    ``DIR/<id>.<lang>.md`` exists (for ``formats``; with Markdown only, each file's front matter
    must hold the fingerprint comment)."""
    base = out_dir / article_id
    if "json" in formats:
        try:
            with open(base.with_name(base.name + ".json"), encoding="utf-8") as handle:
                record = json.load(handle)
        except (OSError, ValueError):
            return False
        if not record_is_complete(record, expected, languages):
            return False
    if "markdown" not in formats:
        return True
    paths = [base.with_name(f"{base.name}.{lang}.md") for lang in languages]
    if "json" in formats:
        return all(path.is_file() for path in paths)
    return all(head_has_fingerprint(_head(path), expected) for path in paths)


def record_is_complete(record, expected: str, languages: Sequence[str]) -> bool:
    """The rule for a parsed JSON record: a dict with fingerprint ``expected``, no ``errors``,
    and exactly ``languages`` (also applied to records at URL outputs, :mod:`.remote`)."""
    if not isinstance(record, dict) or record.get("errors"):
        return False
    if record.get("fingerprint") != expected:
        return False
    return list(record.get("languages") or ()) == list(languages)


#: How much of a Markdown file :func:`head_has_fingerprint` needs at most.
HEAD_BYTES = 64 * 1024


def head_has_fingerprint(head: bytes, expected: str) -> bool:
    """The rule for a Markdown file (its first :data:`HEAD_BYTES` bytes): its front matter holds
    the comment ``# fingerprint: "<expected>"`` (written only with ``--format markdown`` alone)."""
    end = head.find(b"\n---\n", 3)
    front = head[:end + 1] if head.startswith(b"---\n") and end > 0 else b""
    return f"\n# fingerprint: {json.dumps(expected)}\n".encode() in front


def _head(path: Path) -> bytes:
    """The first :data:`HEAD_BYTES` of a file, b"" when unreadable."""
    try:
        with open(path, "rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError:
        return b""


class Fingerprinter:
    """Fingerprints for one batch: ``route`` is looked up lazily, so a batch whose targets are all
    the source language never starts the translation engine."""

    def __init__(self, settings, route_factory: Callable[[], Route]):
        self.settings = settings
        self._route_factory = route_factory
        self._route: Route | None = None

    def _lookup(self, source: str, target: str):
        if self._route is None:
            self._route = self._route_factory()
        return self._route(source, target)

    def __call__(self, article: Article, detection: Detection) -> str:
        return fingerprint(article, detection, self.settings, self._lookup)
