"""Typed, immutable records that flow through the pipeline.

An :class:`Article` is what a reader produced; detection turns it into a :class:`Detection`;
the pipeline finally yields one :class:`ArticleResult` holding, per language (the source language
first), a :class:`LanguageVersion` with title, paragraphs and summary; or a :class:`Failure` (an
input that produced nothing, and why), or :class:`Skipped` (outputs already complete).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from translate_pipeline.errors import PipelineError

__all__ = ["Article", "Detection", "LanguageVersion", "ArticleResult", "Failure", "Skipped",
           "Outcome", "output_languages", "outcome_line"]


@dataclass(frozen=True)
class Article:
    """One input article.

    ``id`` names the article inside a batch (``x/y`` for ``samples/x/y.txt``) and decides the output
    file names; ``source`` is where it came from (a path, ``-`` for stdin, a URL).
    ``language`` is a language the input declares itself (``None`` when unknown). ``document``:
    a Markdown input's text as read (front matter and body), of which ``run --format document``
    writes translated copies; ``None`` for other inputs.
    """

    id: str
    source: str
    title: str
    paragraphs: tuple[str, ...]
    language: str | None = None
    metadata: tuple[tuple[str, str], ...] = ()
    document: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Detection:
    """The language of an article: ISO 639-1 code and a confidence in [0, 1].

    ``method`` is ``"langdetect"`` when detected, ``"given"`` when the user or the input said so.
    """

    code: str
    confidence: float
    method: str = "langdetect"


@dataclass(frozen=True)
class LanguageVersion:
    """An article in one language: its title, its paragraphs and its extractive summary;
    ``segments``: the translated pieces of its Markdown document
    (:func:`translate_pipeline.markdown.segments`), when ``run --format document`` asked for them."""

    title: str
    paragraphs: tuple[str, ...]
    summary: tuple[str, ...]
    segments: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class ArticleResult:
    """What the pipeline made of one article.

    ``languages`` maps language codes to versions, source language first, then targets in the
    order asked. ``errors`` holds one line per target language that could not be produced
    (e.g. no model installed); the other languages are still complete. ``missing_models``: the
    ``(from, to)`` packages whose installation would produce them, ``advice`` per line of
    ``errors`` what the user can do about it (``""``: nothing to say) and ``seconds`` the time
    spent on the article (its share of its window's translation included); none of these three
    is part of the record.
    """

    article: Article
    detection: Detection
    languages: tuple[tuple[str, LanguageVersion], ...]
    errors: tuple[str, ...] = ()
    summary_indices: tuple[int, ...] = field(default=())
    missing_models: tuple[tuple[str, str], ...] = field(default=())
    advice: tuple[str, ...] = field(default=())
    seconds: float = field(default=0.0, compare=False)

    def problem(self) -> str:
        """The article's ``errors`` as one short line (``""`` when none), what a run prints for
        it: ``not translated to en, uk: no model de->en, de->uk``."""
        prefix = "not translated to "
        if not all(e.startswith(prefix) and ": " in e for e in self.errors):
            return "; ".join(self.errors)
        pairs = [e[len(prefix):].split(": ", 1) for e in self.errors]
        if all(reason.startswith("no model ") for _, reason in pairs):
            return (prefix + ", ".join(t for t, _ in pairs) + ": no model "
                    + ", ".join(reason[len("no model "):] for _, reason in pairs))
        return prefix + "; ".join(f"{t}: {reason}" for t, reason in pairs)

    def version(self, code: str) -> LanguageVersion:
        for lang, version in self.languages:
            if lang == code:
                return version
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of the article (the ``run`` output file, ``summarize --format json``)."""
        record: dict[str, Any] = {
            "id": self.article.id,
            "source": self.article.source,
            "title": self.article.title,
            "language": {
                "code": self.detection.code,
                "confidence": round(self.detection.confidence, 4),
                "method": self.detection.method,
            },
            "languages": {
                lang: {
                    "title": version.title,
                    "text": version.text,
                    "summary": list(version.summary),
                }
                for lang, version in self.languages
            },
        }
        if self.article.metadata:
            record["metadata"] = dict(self.article.metadata)
        if self.errors:
            record["errors"] = list(self.errors)
        return record


@dataclass(frozen=True)
class Failure:
    """An input that produced nothing, and why."""

    source: str
    id: str
    error: PipelineError


@dataclass(frozen=True)
class Skipped:
    """An input whose outputs are already complete (``Pipeline.process(skip=...)`` said so)."""

    source: str
    id: str


Outcome = ArticleResult | Failure | Skipped


def output_languages(detection: Detection, targets: Sequence[str]) -> list[str]:
    """The languages an article's outputs hold: the source language, then each other target."""
    source = detection.code
    return [source] + [t for t in dict.fromkeys(targets) if t != source]


def outcome_line(outcome: Outcome) -> str:
    """One article's log line (``-v``): its source, its language and targets, what came of it
    and the seconds it took: ``a.txt: de -> en uk: done (0.42 s)``."""
    if isinstance(outcome, Failure):
        return f"{outcome.source}: failed: {outcome.error.reason}"
    if isinstance(outcome, Skipped):
        return f"{outcome.source}: skipped, its outputs are complete"
    languages = [lang for lang, _ in outcome.languages]
    line = f"{outcome.article.source}: {languages[0]}"
    if len(languages) > 1:
        line += " -> " + " ".join(languages[1:])
    word = f"incomplete, {outcome.problem()}" if outcome.errors else "done"
    return f"{line}: {word} ({outcome.seconds:.2f} s)"
