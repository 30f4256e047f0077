"""The Python API: detect, summarize and translate text, or process many articles, from code.

    >>> import translate_pipeline as tp
    >>> tp.detect("Der Stadtrat hat den neuen Haushalt beschlossen.").code
    'de'
    >>> tp.summarize(text, sentences=2, to=["en"]).sentences["en"]      # doctest: +SKIP
    >>> tp.translate("Guten Morgen.", to="en", source="de")             # doctest: +SKIP
    >>> for result in tp.process(articles, to=["en", "uk"]): ...        # doctest: +SKIP

Every function is a thin layer over the same :class:`~translate_pipeline.pipeline.Pipeline` the
CLI runs, so results are the CLI's: the same detection (seeded), sentences, summaries, pivots
(through English first) and translation cache. One engine per set of engine options is kept for the
whole process: Argos models are loaded once, on first need, and reused by every later call (a
model installed, upgraded or removed in between gets a fresh engine). Errors are the project's
exceptions (:mod:`translate_pipeline.errors`), each naming what it failed on: a text too short
to detect is a :class:`~translate_pipeline.errors.DetectionError`, a language that is no code a
:class:`~translate_pipeline.errors.LanguageCodeError`, and a language no installed model
reaches a :class:`~translate_pipeline.errors.ModelError` naming the pair.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate_pipeline.errors import InputError, ModelError
from translate_pipeline.pipeline import Pipeline, Settings
from translate_pipeline.records import Article, ArticleResult, Detection, Failure
from translate_pipeline.translation.engine import Engine, EngineOptions

__all__ = ["Summary", "detect", "process", "summarize", "translate", "translate_many"]

_SUBJECT = "text"  # what errors call a string given to the API


@dataclass(frozen=True)
class Summary:
    """A summary in the source language and each target: ``sentences[lang]`` are the same
    sentences of the article, in text order (translated in the targets)."""

    language: str
    confidence: float
    sentences: dict[str, tuple[str, ...]]


_ENGINES: dict[tuple, tuple[tuple, Engine]] = {}
_ENGINES_LOCK = threading.Lock()


def _on_disk(path: Path) -> tuple[int, int]:
    """What changes when a package folder is replaced, even by the same version (a repair)."""
    try:
        status = path.stat()
    except OSError:
        return (0, 0)
    return (status.st_ino, status.st_mtime_ns)


def _engine(options: EngineOptions) -> Engine:
    """The process's engine for these options and this cache file: models load on first need
    and stay loaded; a package installed, upgraded, reinstalled or removed since (or another
    packages folder) gets a fresh engine, which replaces the old one."""
    from translate_pipeline.translation.cache import TranslationMemory, default_cache_path
    from translate_pipeline.translation.packages import list_installed

    installed = list_installed()
    packages = tuple((str(p.path), p.version, *_on_disk(Path(p.path))) for p in installed)
    key = (options, str(default_cache_path()))
    with _ENGINES_LOCK:
        known = _ENGINES.get(key)
        if known is None or known[0] != packages:
            known = _ENGINES[key] = (packages, Engine(options, installed=installed,
                                                      memory=TranslationMemory()))
        return known[1]


def _pipeline(settings: Settings, options: EngineOptions | None) -> Pipeline:
    options = options or EngineOptions.from_env()
    return Pipeline(settings, engine_factory=lambda: _engine(options))


def _article(text: str, index: int = 0) -> Article:
    """A string as an article: paragraphs are separated by blank lines, no headline."""
    if not isinstance(text, str):
        raise TypeError(f"expected a str, got {type(text).__name__}")
    from translate_pipeline.inputs.documents import parse_text

    subject = _SUBJECT if index == 0 else f"{_SUBJECT} {index + 1}"
    parsed = parse_text(text, source=subject, id=f"text-{index + 1}")
    paragraphs = (parsed.title, *parsed.paragraphs) if parsed.title else parsed.paragraphs
    return Article(id=parsed.id, source=subject, title="", paragraphs=paragraphs)


def _targets(to: str | Sequence[str]) -> tuple[str, ...]:
    from translate_pipeline.nlp.languages import normalize_code

    codes = (to,) if isinstance(to, str) else tuple(to)
    return tuple(dict.fromkeys(normalize_code(code) for code in codes))


def _source(language: str | None) -> str | None:
    from translate_pipeline.nlp.languages import normalize_code

    return None if language is None else normalize_code(language)


def detect(text: str) -> Detection:
    """The language of ``text`` (ISO 639-1 code and confidence), as ``detect`` finds it."""
    from translate_pipeline.nlp.detect import detect_language

    return detect_language(text, _SUBJECT)


def summarize(
    text: str,
    *,
    sentences: int = 3,
    algorithm: str = "news",
    language: str | None = None,
    to: Sequence[str] = (),
    title: str = "",
    engine: EngineOptions | None = None,
) -> Summary:
    """Summarize ``text`` in its language (detected unless ``language`` is given) and in each
    language of ``to`` (the same sentences, translated). ``title`` is the headline, which the
    default algorithm uses."""
    article = _article(text)
    if title:
        article = Article(id=article.id, source=article.source, title=title,
                          paragraphs=article.paragraphs)
    settings = Settings(targets=_targets(to), sentences=sentences, algorithm=algorithm,
                        source_language=_source(language), translate="summary")
    result = _one(_pipeline(settings, engine).process_one(article))
    return Summary(result.detection.code, result.detection.confidence,
                   {lang: version.summary for lang, version in result.languages})


def translate(text: str, to: str, *, source: str | None = None,
              engine: EngineOptions | None = None) -> str:
    """The translation of ``text`` into ``to``; paragraphs (blank-line separated) stay
    paragraphs. ``source`` skips detection."""
    (translated,) = translate_many([text], to, source=source, engine=engine)
    return translated


def translate_many(texts: Iterable[str], to: str, *, source: str | None = None,
                   engine: EngineOptions | None = None) -> list[str]:
    """Translations of many texts into ``to``, in order, batched through the engine as ``run``
    batches articles (a window of texts at a time). The first text that fails raises."""
    (target,) = _targets(to)
    settings = Settings(targets=(target,), sentences=1, source_language=_source(source))
    articles = [_article(text, i) for i, text in enumerate(texts)]
    out = []
    for outcome in _pipeline(settings, engine).process(articles):
        result = _one(outcome)
        out.append("\n\n".join(result.version(target).paragraphs))
    return out


def process(
    articles: Iterable[Article | str],
    *,
    to: Sequence[str] = (),
    sentences: int = 3,
    algorithm: str = "news",
    source: str | None = None,
    translate: str = "full",
    engine: EngineOptions | None = None,
) -> Iterator[ArticleResult | Failure]:
    """Process many articles (records, or strings) as ``run`` does, yielding one result per
    article in order: an :class:`ArticleResult` (its ``errors`` name any target left out) or a
    :class:`Failure` (the article could not be processed; the others go on)."""
    settings = Settings(targets=_targets(to), sentences=sentences, algorithm=algorithm,
                        source_language=_source(source), translate=translate)
    yield from _pipeline(settings, engine).process(
        a if isinstance(a, Article) else _article_or_failure(a, i) for i, a in enumerate(articles))


def _article_or_failure(text: str, index: int) -> Article | Failure:
    try:
        return _article(text, index)
    except InputError as exc:  # an empty text fails alone; the others go on
        return Failure(exc.subject, f"text-{index + 1}", exc)


def _one(outcome: ArticleResult | Failure) -> ArticleResult:
    """The result of one article, or its error raised; a target left out raises too."""
    if isinstance(outcome, Failure):
        raise outcome.error
    if outcome.errors:  # "not translated to en: no Argos model installed for de->en ..."
        raise ModelError(outcome.article.source, outcome.errors[0])
    return outcome
