"""Follow RSS/Atom feeds: process each new item exactly once, publish translated Atom feeds.

For each feed (a URL, a local file, or those an OPML file lists):

1. fetch it (conditional GET; a ``304``, or the same bytes as last time, costs nothing more);
2. parse it with feedparser (RSS 0.9x/1.0/2.0, Atom); a malformed feed that feedparser recovers
   is processed with a warning, one it cannot is an error for that feed, its state untouched;
3. key every item (guid, else link, else a hash of its content) and keep those that still need
   work: never seen, failed last time, or missing one of the ``--to`` languages;
4. run them, oldest first and at most ``max_items`` per feed, through :class:`Pipeline` (all
   feeds' items in one stream, so the engine batches across feeds), write each item's JSON and
   Markdown with :func:`write_outputs` under ``DIR/<feed slug>/``, and record the outcome and the
   translated title and summary per language in the state, one transaction per item;
5. save the feed's HTTP validators and regenerate ``DIR/<feed slug>.<lang>.atom``.

Made for cron, which mails whatever a run prints: each error or warning line is reported once,
when it first occurs. The state remembers the lines of the latest run of the same sources and
targets; a later run that meets the same problem again counts it (``FeedReport.reminders``) and
logs it at INFO level instead of reporting it, and a problem that went away and comes back is
new again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from translate_pipeline.errors import DetectionError, InputError, OutputError, with_advice
from translate_pipeline.feeds.atom import render_atom, write_atom
from translate_pipeline.feeds.parse import (
    FeedItem,
    item_label,
    oldest_first,
    parse_feed,
)
from translate_pipeline.feeds.state import ATOM_ENTRIES, EntryRow, FeedState, ItemRow
from translate_pipeline.inputs.fetch import (
    fetch,
    fetch_article,
    is_url,
    looks_like_opml,
    read_local,
    read_opml,
)
from translate_pipeline.inputs.names import feed_slug, item_slug
from translate_pipeline.nlp.sentences import join_sentences
from translate_pipeline.outputs.local import write_outputs
from translate_pipeline.records import Article, ArticleResult, outcome_line

if TYPE_CHECKING:  # the pipeline (and sumy) load only when there is something to process
    from translate_pipeline.pipeline import Pipeline, Settings

__all__ = ["FeedOptions", "FeedReport", "run_feeds"]

log = logging.getLogger(__name__)

Emit = Callable[[str, str], None]  # (level: "error" | "warning", message)
# (folder, article) per item -> its outcome, files already written (see run_feeds)
Process = Callable[[list[tuple[Path, Article]]], Iterable[object]]


@dataclass(frozen=True)
class FeedOptions:
    """``output``: the folder; ``settings``: the pipeline's (its targets, and ``--from``: no
    detection and no declared-language fallback); the rest: ``feed``'s own options."""

    output: Path
    settings: Settings
    max_items: int | None = None
    fetch_article: bool = False
    timeout: float = 30.0
    #: Where ``output`` is published (``https://example.org/feeds``): the Atom feeds' self links
    feed_url: str | None = None


@dataclass
class FeedReport:
    """``feeds`` seen, of which ``not_modified`` and ``failed_feeds``; items ``done`` (complete),
    ``partial`` (written, a target missing), ``failed`` (nothing written), ``skipped`` (nothing
    to translate: no title, no text) and ``deferred`` (left for the next run by ``max_items``).
    Of the items, ``repeated`` had the same outcome as in the previous run (an item still
    missing a language). ``new_problems``: error and warning lines reported this run;
    ``reminders``: lines not reported again because an earlier run did; ``missing``: per model
    to install, the items of this run's new error lines it would complete."""

    feeds: int = 0
    not_modified: int = 0
    failed_feeds: int = 0
    done: int = 0
    partial: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0
    repeated: int = 0
    new_problems: int = 0
    reminders: int = 0
    missing: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not (self.failed_feeds or self.partial or self.failed)

    @property
    def news(self) -> bool:
        """Whether this run did or met anything that the previous one had not."""
        items = self.done + self.partial + self.failed + self.skipped
        return bool(self.new_problems or items > self.repeated)

    @property
    def missing_models(self) -> tuple[tuple[tuple[str, str], int], ...]:
        """``((from, to), items)``, the most needed first (then by pair)."""
        return tuple(sorted(self.missing.items(), key=lambda item: (-item[1], item[0])))


@dataclass
class _Feed:
    id: str  # URL or absolute path: the identity in the state
    label: str  # as the user wrote it, for messages
    slug: str
    title: str = ""
    link: str = ""
    date: str = "1970-01-01T00:00:00Z"  # for items without one (see ParsedFeed.date)
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    todo: int = 0  # items that still need work after this run
    changed: bool = False


# sources


def _expand(sources: Sequence[str], state: FeedState, options: FeedOptions, emit: Emit,
            report: FeedReport) -> list[tuple[str, str, object]]:
    """``(identity, label, prefetched)`` per feed; OPML lists expanded, duplicates dropped."""
    feeds: dict[str, tuple[str, str, object]] = {}
    for source in sources:
        if is_url(source):
            if state.feed(source) is not None:  # known feed: fetched later, conditionally
                feeds.setdefault(source, (source, source, None))
                continue
            try:
                fetched = fetch(source, timeout=options.timeout)
            except InputError as exc:
                report.feeds += 1
                report.failed_feeds += 1
                emit("error", str(exc))
                continue
            data, identity, prefetched = fetched.body, source, fetched
        else:
            try:
                data = read_local(source)
            except InputError as exc:
                report.feeds += 1
                report.failed_feeds += 1
                emit("error", str(exc))
                continue
            identity, prefetched = str(Path(source).resolve()), data
        if not looks_like_opml(data):
            feeds.setdefault(identity, (identity, source, prefetched))
            continue
        try:
            listed = read_opml(data, source)
        except InputError as exc:
            report.feeds += 1
            report.failed_feeds += 1
            emit("error", str(exc))
            continue
        for entry in listed:
            if is_url(entry):
                feeds.setdefault(entry, (entry, entry, None))
            elif not is_url(source):
                path = (Path(source).parent / entry).resolve()
                feeds.setdefault(str(path), (str(path), str(path), None))
            else:
                resolved = urllib.parse.urljoin(source, entry)
                if is_url(resolved):
                    feeds.setdefault(resolved, (resolved, resolved, None))
    return list(feeds.values())


def _load(feed: _Feed, prefetched, state: FeedState, options: FeedOptions, emit: Emit):
    """Fetch and parse; None when not modified. Raises InputError when the feed is unusable."""
    row = state.feed(feed.id)
    unfinished = row is None or row.pending > 0 or row.targets != _targets_key(options)
    headers: dict[str, str] = {}
    if is_url(feed.id):
        fetched = prefetched or fetch(
            feed.id,
            etag=None if unfinished else row.etag,
            last_modified=None if unfinished else row.last_modified,
            timeout=options.timeout,
        )
        if fetched.status == 304:
            return None
        body = fetched.body
        headers = {"content-location": feed.id}
        for name in ("content-type", "content-language"):
            if name in fetched.headers:
                headers[name] = fetched.headers[name]
        feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    else:
        body = prefetched if prefetched is not None else read_local(feed.id)
    feed.body_sha256 = hashlib.sha256(body).hexdigest()
    if not unfinished and row.body_sha256 == feed.body_sha256:
        return None
    parsed = parse_feed(body, headers, feed.label)
    if parsed.warning:
        emit("warning", f"{feed.label}: {parsed.warning}")
    feed.title, feed.link, feed.date = parsed.title, parsed.link, parsed.date
    return parsed.items


# articles and outcomes


def _article(feed: _Feed, item: FeedItem, slug: str, options: FeedOptions,
             emit: Emit) -> Article | None:
    """The item as an article; None when it has nothing to translate (no title, no text)."""
    source = item.link or feed.label
    label = f"{feed.label}: {item_label(item)}"
    paragraphs = item.paragraphs
    if options.fetch_article:
        try:
            paragraphs = fetch_article(item.link, timeout=options.timeout)
            if len(paragraphs) > 1 and paragraphs[0].strip() == item.title.strip():
                paragraphs = paragraphs[1:]  # the page repeats the headline
        except InputError as exc:
            emit("warning", f"{label}: cannot fetch the article ({exc.reason}); "
                            "using the feed's text")
    if not paragraphs and item.title:
        paragraphs = [item.title]  # headline-only feeds: the headline is the text
    if not paragraphs:
        return None
    metadata = [("feed", feed.label), ("feed_title", feed.title), ("key", item.key)]
    metadata += [(k, v) for k, v in (("link", item.link), ("published", item.published),
                                     ("updated", item.updated)) if v]
    article = Article(id=slug, source=source, title=item.title, paragraphs=tuple(paragraphs),
                      metadata=tuple(metadata))
    if item.language and not options.settings.source_language:
        from translate_pipeline.nlp.detect import detect_language

        try:  # detect as usual; only text too short to detect falls back to the declared code
            detect_language(f"{item.title}\n{article.text}", source)
        except DetectionError:
            article = dataclasses.replace(article, language=item.language)
    return article


def _entries(result: ArticleResult, item: FeedItem, date: str, targets: Sequence[str]):
    for lang, version in result.languages:
        if lang in targets:
            yield lang, EntryRow(
                key=item.key, title=version.title, summary=join_sentences(version.summary, lang),
                link=item.link, published=item.published,
                updated=item.updated or item.published or date, source=result.detection.code,
            )


# the run


def run_feeds(sources: Sequence[str], state: FeedState,
              pipeline: Pipeline | Callable[[], Pipeline], options: FeedOptions,
              emit: Emit, process: Process | None = None) -> FeedReport:
    """Process every feed's new items, write outputs and Atom feeds; never raises for one feed.

    ``pipeline`` may be a factory, called only when some item needs work. ``process``, when
    given, replaces the pipeline for the items: it gets ``(folder, article)`` for every item, in
    order, writes each item's files into its folder itself and yields its outcome, in the same
    order (a Dask cluster does, one task per feed: :mod:`translate_pipeline.cluster`).
    """
    report = FeedReport()
    targets = tuple(dict.fromkeys(options.settings.targets))
    scope = " ".join(sorted(set(sources))) + " -> " + " ".join(sorted(set(targets)))
    emit, reported = _once(emit, state.problems(scope), report)
    feeds: list[_Feed] = []
    work: list[tuple[_Feed, FeedItem, ItemRow | None, str, Article]] = []
    for identity, label, prefetched in _expand(sources, state, options, emit, report):
        report.feeds += 1
        feed = _Feed(identity, label, feed_slug(identity))
        try:
            items = _load(feed, prefetched, state, options, emit)
        except InputError as exc:
            report.failed_feeds += 1
            emit("error", str(exc) if exc.subject in (feed.label, feed.id)
                 else f"{feed.label}: {exc}")
            continue
        if items is None:
            report.not_modified += 1
            _ensure_atom(feed, state, options, targets, report, emit)
            continue
        feeds.append(feed)
        known = state.items(feed.id)
        taken = state.slugs(feed.id)
        todo = [i for i in items if _needs_work(known.get(i.key), targets)]
        todo = oldest_first(todo)
        if options.max_items is not None and len(todo) > options.max_items:
            report.deferred += len(todo) - options.max_items
            feed.todo += len(todo) - options.max_items
            todo = todo[:options.max_items]
        for item in todo:
            row = known.get(item.key)
            slug = row.slug if row else _unique(item_slug(item.title, item.key), taken)
            first_seen = row.first_seen if row else time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                  time.gmtime())
            article = _article(feed, item, slug, options, emit)
            if article is None:  # e.g. an enclosure-only item: nothing to do now or ever
                report.skipped += 1
                emit("warning", f"{feed.label}: {item_label(item)}: nothing to translate "
                                "(no title, no text); skipped")
                state.record_item(feed.id, item.key, slug=slug, status="skipped", languages=(),
                                  error=None, first_seen=first_seen)
                continue
            work.append((feed, item, row, first_seen, article))
    if work and process is not None:
        outcomes = process([(options.output / feed.slug, article) for feed, *_, article in work])
    else:
        if work and callable(pipeline):
            pipeline = pipeline()
        outcomes = pipeline.process(article for *_, article in work) if work else iter(())
    for (feed, item, row, first_seen, _), outcome in zip(work, outcomes, strict=True):
        _record(feed, item, row, first_seen, outcome, state, options, targets, report, emit,
                written=process is not None)
    for feed in feeds:
        state.save_feed(feed.id, title=feed.title, link=feed.link, etag=feed.etag,
                        last_modified=feed.last_modified, body_sha256=feed.body_sha256,
                        targets=_targets_key(options), pending=feed.todo)
        _ensure_atom(feed, state, options, targets, report, emit, force=feed.changed)
    state.save_problems(scope, reported)
    return report


def _once(emit: Emit, known: dict[str, str], report: FeedReport):
    """``emit`` for lines an earlier run has not reported (it returns whether it reported the
    line), and the lines of this run (message -> when first reported) for the state."""
    reported: dict[str, str] = {}

    def once(level: str, message: str) -> bool:
        since = known.get(message)
        reported[message] = since or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if since is not None:
            report.reminders += 1
            log.info("%s: %s (reported since %s)", level, message, since)
            return False
        report.new_problems += 1
        emit(level, message)
        return True

    return once, reported


def _targets_key(options: FeedOptions) -> str:
    return " ".join(sorted(set(options.settings.targets)))


def _needs_work(row: ItemRow | None, targets: Sequence[str]) -> bool:
    if row is None or row.status == "failed":
        return True
    return row.status != "skipped" and not set(targets) <= row.languages


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _record(feed: _Feed, item: FeedItem, row: ItemRow | None, first_seen: str, outcome,
            state: FeedState, options: FeedOptions, targets, report: FeedReport,
            emit: Emit, written: bool = False) -> None:
    from translate_pipeline.records import Failure

    label = f"{feed.label}: {item_label(item)}"
    slug = row.slug if row else (outcome.article.id if isinstance(outcome, ArticleResult)
                                 else outcome.id)
    if isinstance(outcome, ArticleResult) and not written:
        try:
            write_outputs(options.output / feed.slug, outcome)
        except OutputError as exc:
            outcome = Failure(outcome.article.source, slug, exc)
    log.info("%s: %s", feed.label, outcome_line(outcome))
    if isinstance(outcome, Failure):
        report.failed += 1
        report.repeated += row is not None and row.status == "failed"
        feed.todo += 1
        error = outcome.error
        subject_is_item = error.subject in (item.link, outcome.source, slug)
        line = f"{error.reason}; {error.advice}" if error.advice else error.reason
        emit("error", f"{label}: {line if subject_is_item else with_advice(error)}")
        state.record_item(feed.id, item.key, slug=slug, status="failed",
                          languages=row.languages if row else (), error=str(outcome.error),
                          first_seen=first_seen)
        return
    languages = [lang for lang, _ in outcome.languages]
    if outcome.errors and emit("error", f"{label}: {outcome.problem()}"):
        report.missing.update(outcome.missing_models)
    complete = set(targets) <= set(languages)
    report.repeated += (row is not None and row.status == ("done" if complete else "partial")
                        and row.languages == frozenset(languages))
    if complete:
        report.done += 1
    else:
        report.partial += 1
        feed.todo += 1
    entries = list(_entries(outcome, item, feed.date, targets))
    feed.changed = feed.changed or bool(entries)
    state.record_item(feed.id, item.key, slug=slug, status="done" if complete else "partial",
                      languages=languages, error="; ".join(outcome.errors) or None,
                      first_seen=first_seen, entries=entries)


def _ensure_atom(feed: _Feed, state: FeedState, options: FeedOptions, targets,
                 report: FeedReport, emit: Emit, force: bool = False) -> None:
    """(Re)write each language's Atom feed when its content differs from the file (new items,
    or options such as ``feed_url`` changed); entries beyond the newest 50 are pruned when
    something changed (``force``)."""
    row = state.feed(feed.id)
    title = feed.title or (row.title if row else "")
    link = feed.link or (row.link if row else "")
    for lang in targets:
        path = options.output / f"{feed.slug}.{lang}.atom"
        if force or not path.exists():
            state.prune_entries(feed.id, lang, ATOM_ENTRIES)
        entries = state.entries(feed.id, lang, ATOM_ENTRIES)
        if entries:
            public = {}
            if options.feed_url:
                base = options.feed_url.rstrip("/")
                public = {"self_url": f"{base}/{urllib.parse.quote(path.name)}",
                          "pages_url": f"{base}/{urllib.parse.quote(feed.slug)}"}
            try:
                write_atom(path, render_atom(feed_url=feed.id, lang=lang, title=title, link=link,
                                             entries=entries, **public))
            except OutputError as exc:
                report.failed_feeds += 1
                emit("error", f"{feed.label}: {exc}")
                return
