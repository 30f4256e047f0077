"""The feed state: which items were processed, HTTP validators, and what the Atom outputs hold.

One SQLite file (WAL mode), by default ``<data dir>/feeds.sqlite3`` (``--state`` to choose), used
by one run at a time: :func:`open_state` takes an exclusive ``flock`` on ``<state>.lock`` beside it,
waits a little, and raises :class:`StateLocked` when another run still holds it. The lock is the
kernel's, so a run that dies releases it; SQLite transactions keep the file consistent whatever
happens.

Tables:

- ``feeds``: per feed (its URL or absolute path) the ETag, Last-Modified and body hash of the last
  successful fetch, the targets of that run and whether items were left to do (``pending``, which
  makes the next fetch unconditional: a ``304`` must not hide work still to be done).
- ``items``: per feed and item key (``guid:...``, ``link:...`` or ``hash:...``) its output name
  (slug), status (``done``; ``partial``: a target missing; ``failed``: nothing written;
  ``skipped``: nothing to translate), the languages written, attempts, last error.
- ``entries``: per feed, item and target language the translated title and summary, link,
  dates and the item's own language (``source``): what the translated Atom feed is regenerated
  from (newest 50 kept per feed and language).
- ``problems``: the error and warning lines the latest run of the same sources and targets
  (its ``scope``) reported, so that the next run reports only new ones (a cron job mails a
  problem once, when it first occurs, not every run while it lasts).
"""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from translate_pipeline.config import data_dir
from translate_pipeline.errors import OutputError, StateLocked
from translate_pipeline.outputs.local import open_lock_file, write_pid

__all__ = [
    "ATOM_ENTRIES",
    "StateLocked",
    "FeedRow",
    "ItemRow",
    "EntryRow",
    "FeedState",
    "default_state_path",
    "open_state",
]

#: Entries kept per feed and language for the translated Atom feeds.
ATOM_ENTRIES = 50

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    etag TEXT,
    last_modified TEXT,
    body_sha256 TEXT,
    targets TEXT NOT NULL DEFAULT '',
    pending INTEGER NOT NULL DEFAULT 0,
    checked_at TEXT
);
CREATE TABLE IF NOT EXISTS items (
    feed TEXT NOT NULL,
    key TEXT NOT NULL,
    slug TEXT NOT NULL,
    status TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    first_seen TEXT NOT NULL,
    processed_at TEXT,
    PRIMARY KEY (feed, key)
);
CREATE TABLE IF NOT EXISTS entries (
    feed TEXT NOT NULL,
    key TEXT NOT NULL,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    published TEXT,
    updated TEXT NOT NULL,
    source TEXT,
    PRIMARY KEY (feed, key, lang)
);
CREATE TABLE IF NOT EXISTS problems (
    scope TEXT NOT NULL,
    message TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (scope, message)
);
"""
#: Columns added since the first schema, each with its type: added to an older state as it opens.
_ADDED_COLUMNS = {"entries": {"source": "TEXT"}}


def default_state_path() -> Path:
    return data_dir() / "feeds.sqlite3"


@dataclass(frozen=True)
class FeedRow:
    url: str
    title: str
    link: str
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    targets: str
    pending: int


@dataclass(frozen=True)
class ItemRow:
    key: str
    slug: str
    status: str
    languages: frozenset[str]
    attempts: int
    first_seen: str
    error: str | None = None


@dataclass(frozen=True)
class EntryRow:
    """One item's translated Atom entry. ``source``: the item's own language (None in a state
    written before it was kept); ``slug``: the item's output name (read from ``items``)."""

    key: str
    title: str
    summary: str
    link: str
    published: str | None
    updated: str
    source: str | None = None
    slug: str = ""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _lock(path: Path, wait: float, subject: str) -> int:
    """An exclusive flock on ``path``, waiting up to ``wait`` seconds; returns the descriptor."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(str(path), f"cannot create the lock file: {exc.strerror or exc}") from exc
    fd = open_lock_file(path)
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                os.close(fd)
                raise OutputError(str(path), f"cannot lock: {exc.strerror or exc}") from exc
            if time.monotonic() >= deadline:
                holder = _read_pid(fd)
                os.close(fd)
                by = f" (pid {holder})" if holder else ""
                raise StateLocked(
                    subject,
                    f"another run holds the feed state{by}; waited {wait:g} s; try again later",
                ) from None
            time.sleep(0.05)
            continue
        write_pid(fd)  # say who holds it, for the message another run prints
        return fd


def _read_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""


def open_state(path: Path | None = None, *, wait: float = 10.0) -> "FeedState":
    """Lock and open the state (created if missing); close it to release the lock."""
    path = Path(path) if path is not None else default_state_path()
    fd = _lock(path.with_name(path.name + ".lock"), wait, str(path))
    try:
        return FeedState(path, fd)
    except BaseException:
        os.close(fd)
        raise


class FeedState:
    """The open, locked state. Every write is its own transaction."""

    def __init__(self, path: Path, lock_fd: int | None = None):
        self.path = path
        self._lock_fd = lock_fd
        try:
            self._db = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            for table, columns in _ADDED_COLUMNS.items():
                have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns.items():
                    if name not in have:
                        self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        except sqlite3.Error as exc:
            raise OutputError(str(path), f"cannot open the feed state: {exc}") from exc

    def close(self) -> None:
        try:
            self._db.close()
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # releases the flock
                self._lock_fd = None

    def __enter__(self) -> "FeedState":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self, statements: Iterable[tuple[str, tuple]]) -> None:
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                for sql, params in statements:
                    self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise OutputError(str(self.path), f"cannot write the feed state: {exc}") from exc

    # feeds

    def feed(self, url: str) -> FeedRow | None:
        row = self._db.execute(
            "SELECT url, title, link, etag, last_modified, body_sha256, targets, pending "
            "FROM feeds WHERE url = ?", (url,)
        ).fetchone()
        return FeedRow(*row) if row else None

    def save_feed(self, url: str, *, title: str, link: str, etag: str | None,
                  last_modified: str | None, body_sha256: str | None, targets: str,
                  pending: int) -> None:
        self._write([(
            "INSERT INTO feeds (url, title, link, etag, last_modified, body_sha256, targets, "
            "pending, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET title=excluded.title, link=excluded.link, "
            "etag=excluded.etag, last_modified=excluded.last_modified, "
            "body_sha256=excluded.body_sha256, targets=excluded.targets, "
            "pending=excluded.pending, checked_at=excluded.checked_at",
            (url, title, link, etag, last_modified, body_sha256, targets, pending, _now()),
        )])

    # items

    def items(self, feed: str) -> dict[str, ItemRow]:
        rows = self._db.execute(
            "SELECT key, slug, status, languages, attempts, first_seen, error FROM items "
            "WHERE feed = ?", (feed,),
        )
        return {
            key: ItemRow(key, slug, status, frozenset(langs.split()), attempts, first_seen, error)
            for key, slug, status, langs, attempts, first_seen, error in rows
        }

    def slugs(self, feed: str) -> set[str]:
        return {s for (s,) in self._db.execute("SELECT slug FROM items WHERE feed = ?", (feed,))}

    def record_item(self, feed: str, key: str, *, slug: str, status: str,
                    languages: Iterable[str], error: str | None, first_seen: str,
                    entries: Iterable[tuple[str, EntryRow]] = ()) -> None:
        """One item's outcome and its Atom entries, in one transaction."""
        statements = [(
            "INSERT INTO items (feed, key, slug, status, languages, attempts, error, first_seen, "
            "processed_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) "
            "ON CONFLICT(feed, key) DO UPDATE SET status=excluded.status, "
            "languages=excluded.languages, attempts=items.attempts + 1, error=excluded.error, "
            "processed_at=excluded.processed_at",
            (feed, key, slug, status, " ".join(sorted(set(languages))), error, first_seen, _now()),
        )]
        for lang, entry in entries:
            statements.append((
                "INSERT OR REPLACE INTO entries (feed, key, lang, title, summary, link, "
                "published, updated, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (feed, key, lang, entry.title, entry.summary, entry.link, entry.published,
                 entry.updated, entry.source),
            ))
        self._write(statements)

    # problems

    def problems(self, scope: str) -> dict[str, str]:
        """The lines the latest run of ``scope`` reported: message -> when first reported."""
        rows = self._db.execute("SELECT message, first_seen FROM problems WHERE scope = ?",
                                (scope,))
        return dict(rows.fetchall())

    def save_problems(self, scope: str, problems: dict[str, str]) -> None:
        """Replace ``scope``'s problems with this run's (message -> first reported): one that
        went away and comes back later is new again."""
        self._write([("DELETE FROM problems WHERE scope = ?", (scope,))] + [
            ("INSERT INTO problems (scope, message, first_seen) VALUES (?, ?, ?)",
             (scope, message, first_seen)) for message, first_seen in problems.items()])

    # entries

    def entries(self, feed: str, lang: str, limit: int = ATOM_ENTRIES) -> list[EntryRow]:
        """The newest ``limit`` entries, newest first (by published, else updated, then key)."""
        rows = self._db.execute(
            "SELECT e.key, e.title, e.summary, e.link, e.published, e.updated, e.source, "
            "COALESCE(i.slug, '') FROM entries e "
            "LEFT JOIN items i ON i.feed = e.feed AND i.key = e.key "
            "WHERE e.feed = ? AND e.lang = ? "
            "ORDER BY COALESCE(e.published, e.updated) DESC, e.key DESC LIMIT ?",
            (feed, lang, limit),
        )
        return [EntryRow(*row) for row in rows]

    def prune_entries(self, feed: str, lang: str, keep: int = ATOM_ENTRIES) -> None:
        self._write([(
            "DELETE FROM entries WHERE feed = ? AND lang = ? AND key NOT IN ("
            "SELECT key FROM entries WHERE feed = ? AND lang = ? "
            "ORDER BY COALESCE(published, updated) DESC, key DESC LIMIT ?)",
            (feed, lang, feed, lang, keep),
        )])
