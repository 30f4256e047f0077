"""A persistent translation memory in SQLite: sentence translations keyed by package and source.

It also remembers, per article content and summary settings, the detected language and the chosen
summary sentences, so a rerun over known articles loads neither langdetect nor sumy.

A second run over the same or overlapping articles translates only the sentences it has not seen.
The key is the package's name and version (``translate-de_en-1_9@1.9``) plus the source sentence,
so installing a new version of a model never serves stale translations. WAL mode and a busy timeout
make it safe for several processes at once.

Location: ``TRANSLATE_PIPELINE_CACHE`` (a file path) when set, else
``<data dir>/translations.sqlite3`` (see :mod:`translate_pipeline.config`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate_pipeline.config import data_dir
from translate_pipeline.errors import OutputError
from translate_pipeline.records import Detection

__all__ = ["TranslationMemory", "CacheStats", "default_cache_path"]

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    package TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (package, source)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS articles (
    key TEXT PRIMARY KEY,
    language TEXT NOT NULL,
    confidence REAL NOT NULL,
    method TEXT NOT NULL,
    indices TEXT NOT NULL
) WITHOUT ROWID;
"""
_CHUNK = 500  # SQLite's host-parameter limit is far above this


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """Whether the error says the file is damaged or not a database (not busy, not locked)."""
    return type(exc) is sqlite3.DatabaseError or "malformed" in str(exc)


def default_cache_path() -> Path:
    explicit = os.environ.get("TRANSLATE_PIPELINE_CACHE")
    return Path(explicit) if explicit else data_dir() / "translations.sqlite3"


@dataclass(frozen=True)
class CacheStats:
    path: Path
    entries: int
    packages: tuple[tuple[str, int], ...]
    size_bytes: int


class TranslationMemory:
    """Implements the engine's ``SentenceStore`` protocol."""

    def __init__(self, path: Path | None = None, *, timeout: float = 30.0):
        self.path = Path(path) if path is not None else default_cache_path()
        self._timeout = timeout
        self.moved_aside: Path | None = None  # where a corrupt cache file went, if one did
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise self._cannot_open(exc) from exc
            self._recover(exc)

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=self._timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise self._cannot_open(exc) from exc
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            if _is_corrupt(exc):
                raise
            raise self._cannot_open(exc) from exc

    def after_fork(self) -> None:
        """In a child process made by ``fork``: open a connection of its own. The inherited one is
        kept but never used (SQLite connections must not cross a fork) nor closed (closing it
        could act on the parent's locks)."""
        self._inherited = getattr(self, "_inherited", ()) + (self._db,)
        self._open()

    def _cannot_open(self, exc: BaseException) -> OutputError:
        return OutputError(str(self.path), f"cannot open the translation cache: {exc}")

    def _recover(self, exc: sqlite3.DatabaseError) -> None:
        """The cache file is not a database (or is damaged): move it aside, say where, start a
        fresh cache. Only cached translations are lost; they are made again as needed."""
        try:
            self._db.close()
        except (AttributeError, sqlite3.Error):
            pass
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                try:
                    os.replace(f"{self.path}{suffix}", f"{aside}{suffix}")
                except FileNotFoundError:
                    pass
        except OSError as move:
            raise OutputError(str(self.path), f"the translation cache is corrupt ({exc}) and "
                              f"cannot be moved aside: {move.strerror or move}") from exc
        log.warning("the translation cache %s is corrupt (%s); moved it to %s and started a "
                    "fresh one", self.path, exc, aside)
        self.moved_aside = aside
        try:
            self._open()
        except sqlite3.DatabaseError as again:
            raise self._cannot_open(again) from again

    def _guarded(self, query):
        """Run ``query()``; when it finds the file damaged, recover and run it once more."""
        try:
            return query()
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise
            self._recover(exc)
            return query()

    def lookup(self, package_key: str, sentences: Sequence[str]) -> dict[str, str]:
        return self._guarded(lambda: self._lookup(package_key, sentences))

    def _lookup(self, package_key: str, sentences: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(sentences))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT source, target FROM translations WHERE package = ? AND source IN ({marks})",
                [package_key, *chunk],
            )
            found.update(rows.fetchall())
        return found

    def store(self, package_key: str, translations: Mapping[str, str]) -> None:
        rows = [(package_key, s, t) for s, t in translations.items()]
        try:
            with self._db:  # one transaction
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(
                    "INSERT OR REPLACE INTO translations (package, source, target) VALUES (?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as exc:
            raise OutputError(str(self.path), f"cannot write the translation cache: {exc}") from exc

    def recall_article(self, key: str) -> tuple[Detection, tuple[int, ...]] | None:
        """The detection and summary choice remembered for an article key, if any."""
        row = self._guarded(lambda: self._db.execute(
            "SELECT language, confidence, method, indices FROM articles WHERE key = ?", (key,)
        ).fetchone())
        if row is None:
            return None
        language, confidence, method, indices = row
        chosen = tuple(int(i) for i in indices.split(",") if i)
        return Detection(language, confidence, method), chosen

    def remember_article(self, key: str, detection: Detection, indices: Sequence[int]) -> None:
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)",
                    (key, detection.code, detection.confidence, detection.method,
                     ",".join(str(i) for i in indices)),
                )
        except sqlite3.Error as exc:
            raise OutputError(str(self.path), f"cannot write the translation cache: {exc}") from exc

    def stats(self) -> CacheStats:
        packages = tuple(self._guarded(lambda: self._db.execute(
            "SELECT package, COUNT(*) FROM translations GROUP BY package ORDER BY package"
        ).fetchall()))
        size = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"))
            if p.exists()
        )
        return CacheStats(self.path, sum(n for _, n in packages), packages, size)

    def clear(self) -> int:
        return self._guarded(self._clear)

    def _clear(self) -> int:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            removed = self._db.execute("DELETE FROM translations").rowcount
            self._db.execute("DELETE FROM articles")
        self._db.execute("VACUUM")
        return removed

    def close(self) -> None:
        self._db.close()
