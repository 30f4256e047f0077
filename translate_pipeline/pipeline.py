"""The chain, in numbered steps, over a stream of articles.

1. detect each article's language (or take ``--from`` / what the input declares);
2. split paragraphs into sentences, with the one splitter that serves translation and summaries;
3. choose the summary sentences in the source language;
4. translate, a window of articles at a time, every sentence every target needs in one engine call;
5. assemble the per-language versions; summaries in targets are the chosen sentences, translated.

Articles are processed in windows (bounded by article and sentence counts) so memory stays flat on
any number of inputs while the engine still sees large batches.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from translate_pipeline.errors import PipelineError
from translate_pipeline.nlp.detect import detect_language, given_language
from translate_pipeline.nlp.sentences import join_sentences, split_sentences
from translate_pipeline.records import (
    Article,
    ArticleResult,
    Detection,
    Failure,
    LanguageVersion,
    Outcome,
    Skipped,
    output_languages,
)
from translate_pipeline.translation.engine import Engine, EngineOptions

__all__ = ["Settings", "RunConfig", "Failure", "Skipped", "Finished", "Pipeline",
           "TRANSLATE_MODES", "build_pipeline"]

log = logging.getLogger(__name__)

TRANSLATE_MODES = ("full", "summary")


@dataclass(frozen=True)
class Settings:
    """What to make of each article. ``targets`` are ISO 639-1 codes, in the order wanted."""

    targets: tuple[str, ...] = ()
    sentences: int = 3
    algorithm: str = "news"  # summarize.DEFAULT_ALGORITHM (not imported: sumy is slow to load)
    source_language: str | None = None
    translate: str = "full"
    documents: bool = False  # run --format document: translate Markdown documents' segments


@dataclass(frozen=True)
class RunConfig:
    """One run's configuration, built once (by the CLI: each flag, else its environment
    variable, else the default; see :mod:`translate_pipeline.config`) and passed as it is to
    :func:`build_pipeline` (which gives ``engine`` to the engine), the batch runner (``formats``)
    and cluster workers (it is small, frozen and picklable).

    ``settings``: what to make of each article; ``engine``: how CTranslate2 runs; ``cache``: the
    translation cache is read and written; ``window_articles`` and ``window_sentences``: how many
    articles (at most, and sentences) are translated in one engine call; ``formats``: the
    ``--format`` kinds (empty: JSON and Markdown files); ``jobs``: processes that read and
    prepare articles (``run --jobs``; 1: all in this process, see :mod:`translate_pipeline.workers`).
    """

    settings: Settings = field(default_factory=Settings)
    engine: EngineOptions = field(default_factory=EngineOptions)
    cache: bool = True
    window_articles: int = 64
    window_sentences: int = 4000
    formats: tuple[str, ...] = ()
    jobs: int = 1


class ArticleMemo(Protocol):
    """Remembers each article's detection and summary choice (the translation cache does)."""

    def recall_article(self, key: str) -> tuple[Detection, tuple[int, ...]] | None: ...

    def remember_article(self, key: str, detection: Detection, indices: Sequence[int]) -> None: ...


@dataclass
class _Prepared:
    article: Article
    detection: Detection
    paragraphs: list[list[str]]
    indices: tuple[int, ...]
    segments: list[str] = field(default_factory=list)  # document segments to translate
    reuse: tuple = ()  # per document segment: "title", a paragraph's index, or None (translated)
    seconds: float = 0.0  # steps 1-3 for this article
    flat: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.flat = [s for para in self.paragraphs for s in para]


@dataclass(frozen=True)
class Finished:
    """An article a worker process prepared and finished itself, because every translation it
    needs was in the translation memory (or it needs none): its result, and the sentences it
    counts toward a translation window (as the prepared article would have)."""

    result: ArticleResult
    sentences: int


def _window_size(item) -> int:
    if isinstance(item, _Prepared):
        return len(item.flat) + 1
    return item.sentences if isinstance(item, Finished) else 0


class Pipeline:
    """Runs the chain; the engine is created on first need, so detection-only work never loads it."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        engine_factory: Callable[[], Engine] = Engine,
        window_articles: int = 64,
        window_sentences: int = 4000,
        memo: ArticleMemo | None = None,
    ):
        self.settings = settings
        self.memo = memo
        self._engine = engine
        self._engine_factory = engine_factory
        self.window_articles = window_articles
        self.window_sentences = window_sentences

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._engine_factory()
        return self._engine

    def process_one(self, article: Article) -> Outcome:
        return next(self.process([article]))

    def process(
        self,
        items: Iterable[Article | Failure],
        skip: Callable[[Article, Detection], bool] | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> Iterator[Outcome]:
        """Yield one outcome per item, in input order.

        ``skip(article, detection)``, asked right after detection, returns True for an article
        not to process (its outputs are already complete): it becomes :class:`Skipped` at no
        further cost. ``progress(articles)``, while a window is translated: how many of its
        articles are done so far, a fraction estimated from the sentences translated (the
        window's outcomes come out together, once all of them are).
        """
        return self.windows((item if isinstance(item, Failure) else self.prepare(item, skip)
                             for item in items), progress)

    def windows(self, prepared: Iterable[_Prepared | Failure | Skipped | Finished],
                progress: Callable[[float], None] | None = None) -> Iterator[Outcome]:
        """Steps 4-5 over prepared items (from :meth:`prepare`, here or in worker processes), a
        window at a time, in order. The windows are the same whoever prepared the items, so
        the engine gets the same batches: a :class:`Finished` item counts as the prepared
        article it was."""
        window: list[_Prepared | Failure | Skipped | Finished] = []
        sentences = 0
        for item in prepared:
            window.append(item)
            sentences += _window_size(item)
            if len(window) >= self.window_articles or sentences >= self.window_sentences:
                yield from self._finish(window, progress)
                window, sentences = [], 0
        if window:
            yield from self._finish(window, progress)

    def after_fork(self) -> None:
        """In a worker process made by ``fork``: its own translation-cache connection."""
        for memory in {id(m): m for m in (self.memo, getattr(self._engine, "memory", None))
                       if m is not None}.values():
            reopen = getattr(memory, "after_fork", None)
            if reopen is not None:
                reopen()

    # steps 1-3
    def prepare(self, article: Article, skip=None) -> _Prepared | Failure | Skipped:
        """Steps 1-3 for one article; ``skip`` as in :meth:`process`."""
        started = time.perf_counter()
        prepared = self._prepare_timed(article, skip)
        if isinstance(prepared, _Prepared):
            prepared.seconds = time.perf_counter() - started
        return prepared

    def _prepare_timed(self, article: Article, skip=None) -> _Prepared | Failure | Skipped:
        try:
            key = self._memo_key(article) if self.memo is not None else ""
            known = self.memo.recall_article(key) if self.memo is not None else None
            detection = known[0] if known else self._detect(article)
            if skip is not None and skip(article, detection):
                return Skipped(article.source, article.id)
            lang = detection.code
            split = [split_sentences(p, lang) for p in article.paragraphs]
            paragraphs = [p for p in split if p]
            if known:
                indices = known[1]
            else:
                from translate_pipeline.nlp.summarize import select_sentences

                indices = select_sentences(
                    paragraphs, lang, self.settings.sentences, self.settings.algorithm,
                    title=article.title,
                )
                if self.memo is not None:
                    self.memo.remember_article(key, detection, indices)
            segments, reuse = [], ()
            if self.settings.documents and article.document is not None:
                texts = [text for text, sentences in zip(article.paragraphs, split) if sentences]
                segments, reuse = self._segments(article, texts)
        except PipelineError as exc:
            return Failure(article.source, article.id, exc)
        except Exception as exc:  # a bug must cost one article, never the batch
            log.debug("unexpected error on %s", article.source, exc_info=True)
            return Failure(article.source, article.id, _unexpected(article.source, exc))
        return _Prepared(article, detection, paragraphs, indices, segments, reuse)

    def _segments(self, article: Article, texts: list[str]):
        """A Markdown document's segments to translate, and for each of its segments what to
        reuse instead: a segment that is the title or a whole paragraph (no markup in it) takes
        their translation, so it is translated once, as sentences, like the record's text.
        ``texts``: the article's paragraphs that have sentences (those ``_version`` translates)."""
        from translate_pipeline.markdown import segments as document_segments

        wanted = document_segments(article.document)
        known: dict[str, object] = {}
        if self.settings.translate == "full":
            known = {text: index for index, text in reversed(list(enumerate(texts)))}
        if article.title:
            known[article.title] = "title"
        reuse = tuple(known.get(segment) for segment in wanted)
        return [s for s, r in zip(wanted, reuse) if r is None], reuse

    def _memo_key(self, article: Article) -> str:
        """What detection and the summary choice depend on: the text and the summary settings."""
        from translate_pipeline._version import __version__

        given = self.settings.source_language or article.language
        material = [__version__, given, self.settings.sentences, self.settings.algorithm,
                    article.title, list(article.paragraphs)]
        return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()

    def _detect(self, article: Article) -> Detection:
        if self.settings.source_language:
            return given_language(self.settings.source_language)
        if article.language:
            return given_language(article.language)
        sample = f"{article.title}\n{article.text}" if article.title else article.text
        return detect_language(sample, article.source)

    # steps 4-5
    def _finish(self, window: list[_Prepared | Failure | Skipped | Finished],
                progress: Callable[[float], None] | None = None) -> Iterator[Outcome]:
        prepared = [p for p in window if isinstance(p, _Prepared)]
        started = time.perf_counter()
        translated, errors = self._translate(prepared, len(window), progress)
        spent = time.perf_counter() - started  # shared by the articles, by their sentences
        sentences = sum(len(p.flat) + 1 for p in prepared) or 1
        for item in window:
            if isinstance(item, _Prepared):
                result = self._assemble(item, translated, errors)
                share = spent * (len(item.flat) + 1) / sentences
                yield dataclasses.replace(result, seconds=item.seconds + share)
            else:
                yield item.result if isinstance(item, Finished) else item

    def finish_cached(self, items: Sequence[_Prepared | Failure | Skipped]
                      ) -> list[_Prepared | Failure | Skipped | Finished]:
        """Steps 4-5, from the translation memory only, for each prepared article whose every
        translation is there (or that needs none): it becomes :class:`Finished`, with the result
        :meth:`windows` would give it; the others are returned as they were. No model is loaded."""
        prepared = [p for p in items if isinstance(p, _Prepared)]
        try:
            jobs, spans, errors = self._jobs(prepared)
            found = self.engine.cached(jobs) if jobs else {}
        except Exception:  # the engine, when it translates them, says what is wrong
            log.debug("cannot finish articles from the translation memory", exc_info=True)
            return list(items)
        finished = []
        for item in items:
            if isinstance(item, _Prepared):
                keys = [k for k in ((id(item), t) for t in self._targets(item)) if k in spans]
                got = {k: found[spans[k][0]][spans[k][1]:spans[k][2]] for k in keys}
                if all(None not in strings for strings in got.values()):
                    result = self._assemble(item, got, errors)
                    result = dataclasses.replace(result, seconds=item.seconds)
                    item = Finished(result, _window_size(item))
            finished.append(item)
        return finished

    def _wanted(self, item: _Prepared) -> list[str]:
        """The source strings one article needs translated: its title, its sentences, then its
        document's segments (``--format document``)."""
        if self.settings.translate == "summary":
            body = [item.flat[i] for i in item.indices]
        else:
            body = item.flat
        return [item.article.title, *body, *item.segments]

    def _targets(self, item: _Prepared) -> list[str]:
        return output_languages(item.detection, self.settings.targets)[1:]

    def _translate(self, prepared: list[_Prepared], articles: int = 0,
                   progress: Callable[[float], None] | None = None):
        """One engine call for the window (of ``articles``, for ``progress``).

        Returns translated strings and errors, both keyed by ``(id(item), target)``; an error is
        ``(reason, pairs to install, advice)``, the pairs empty unless a model is missing.
        """
        jobs, spans, errors = self._jobs(prepared)
        if not jobs:
            return {}, errors
        hooks = {}
        if progress is not None:  # sentences through a model, as a share of the window
            expected = sum(len(job) * len(self.engine.route(*pair)) for pair, job in jobs.items())
            done = [0]

            def sentences(n: int) -> None:
                done[0] += n
                progress(articles * min(1.0, done[0] / max(expected, 1)))

            hooks["progress"] = sentences
        try:
            outputs = self.engine.translate(jobs, **hooks)
        except Exception:
            outputs = {}
            for pair, job in jobs.items():  # isolate the failing pair(s)
                try:
                    outputs.update(self.engine.translate({pair: job}))
                except Exception as exc:
                    if not isinstance(exc, PipelineError):  # a bug: fail only this pair
                        log.debug("unexpected error translating %s->%s", *pair, exc_info=True)
                        exc = _unexpected(f"{pair[0]}->{pair[1]}", exc)
                    log.info("%s", exc)  # each article's error line says it (no stray line)
                    outputs[pair] = self._cached_or_failed(pair, job, spans, errors, exc)
        translated = {
            key: outputs[pair][start:end]
            for key, (pair, start, end) in spans.items()
            if key not in errors
        }
        return translated, errors

    def _cached_or_failed(self, pair, job, spans, errors, exc) -> list[str | None]:
        """A pair the engine could not translate: its articles whose translations are all in
        the memory keep them (as a worker process finishing them would, see
        :meth:`finish_cached`); the others get ``exc``."""
        try:
            found = self.engine.cached({pair: job})[pair]
        except Exception:
            found = [None] * len(job)
        for key, (span_pair, start, end) in spans.items():
            if span_pair == pair and None in found[start:end]:
                errors[key] = (str(exc), exc.suggested, exc.advice)
        return found

    def _jobs(self, prepared: list[_Prepared]):
        """What one engine call for these articles is: the sentences of each pair, each
        article's span of them, and the errors of targets no installed model reaches."""
        jobs: dict[tuple[str, str], list[str]] = {}
        spans: dict[tuple[int, str], tuple[tuple[str, str], int, int]] = {}
        errors: dict[tuple[int, str], tuple[str, tuple[tuple[str, str], ...], str]] = {}
        for item in prepared:
            source = item.detection.code
            for target in self._targets(item):
                try:
                    self.engine.route(source, target)
                except PipelineError as exc:
                    errors[(id(item), target)] = (exc.reason, exc.suggested, exc.advice)
                    continue
                job = jobs.setdefault((source, target), [])
                wanted = self._wanted(item)
                spans[(id(item), target)] = ((source, target), len(job), len(job) + len(wanted))
                job.extend(wanted)
        return jobs, spans, errors

    def _assemble(self, item: _Prepared, translated, errors) -> ArticleResult:
        article, source = item.article, item.detection.code
        versions = [
            (
                source,
                LanguageVersion(
                    title=article.title,
                    paragraphs=article.paragraphs,
                    summary=tuple(item.flat[i] for i in item.indices),
                ),
            )
        ]
        problems: list[str] = []
        advice: list[str] = []
        missing: dict[tuple[str, str], None] = {}
        for target in self._targets(item):
            key = (id(item), target)
            if key in errors:
                reason, install, hint = errors[key]
                problems.append(f"not translated to {target}: {reason}")
                advice.append(hint)
                missing.update(dict.fromkeys(install))
                continue
            title, *body = translated[key]
            fresh = iter(body[len(body) - len(item.segments):] if item.segments else ())
            body = body[:len(body) - len(item.segments)]
            version = self._version(item, title, body, target)
            if item.reuse:
                segments = tuple(
                    title if r == "title" else version.paragraphs[r] if r is not None
                    else next(fresh) for r in item.reuse)
                version = LanguageVersion(version.title, version.paragraphs, version.summary,
                                          segments)
            versions.append((target, version))
        return ArticleResult(
            article=article,
            detection=item.detection,
            languages=tuple(versions),
            errors=tuple(problems),
            advice=tuple(advice),
            summary_indices=item.indices,
            missing_models=tuple(missing),
        )

    def _version(self, item: _Prepared, title: str, body: list[str],
                 target: str) -> LanguageVersion:
        if self.settings.translate == "summary":
            return LanguageVersion(title=title, paragraphs=(), summary=tuple(body))
        paragraphs, position = [], 0
        for para in item.paragraphs:
            paragraphs.append(join_sentences(body[position:position + len(para)], target))
            position += len(para)
        return LanguageVersion(
            title=title,
            paragraphs=tuple(paragraphs),
            summary=tuple(body[i] for i in item.indices),
        )


def build_pipeline(config: RunConfig) -> Pipeline:
    """The pipeline the commands run: an :class:`Engine` with ``config.engine``, created on first
    need, and the translation cache as translation memory and article memo when ``config.cache``
    is set and there are targets. Cluster workers build theirs with this too
    (:mod:`translate_pipeline.cluster.worker`)."""
    memory = None
    if config.settings.targets and config.cache:
        from translate_pipeline.translation.cache import TranslationMemory

        memory = TranslationMemory()
    return Pipeline(config.settings, engine_factory=lambda: Engine(config.engine, memory=memory),
                    memo=memory, window_articles=config.window_articles,
                    window_sentences=config.window_sentences)


def _unexpected(subject: str, exc: Exception) -> PipelineError:
    error = PipelineError(subject, f"unexpected {type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error
