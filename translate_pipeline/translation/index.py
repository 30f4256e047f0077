"""The Argos package index: fetched when a command asks for the network, cached in one file,
read from that file offline; installing and upgrading packages from it.

The index is argospm-index's ``index.json`` (a JSON list of package entries) under
:func:`index_url` (``ARGOS_PACKAGE_INDEX``). Every fetch writes it, with its URL and the time, to
:func:`cache_path` (``$TRANSLATE_PIPELINE_HOME/argos-index.json``), atomically: a temporary file
in the same folder, flushed and renamed over the old one, so a reader finds the previous index or
the new one, never a mix. Reading the cache never touches the network: ``models available``
works offline with the index of the last fetch, and ``models install FROM TO`` and ``models
update``, which fetch it anew, fall back to the cached one (saying so) when the fetch fails.

Argos's index gives no package sizes. ``fetch(sizes=True)`` (``models available --refresh``)
asks each package's first link for its size (HEAD requests, 8 at a time, all within the
timeout); sizes already known for the same link are carried over from the cached index, and an
entry's own integer ``size`` (bytes), when an index has one, is taken as it is.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate_pipeline import config
from translate_pipeline.errors import (
    IndexNotCached,
    NetworkError,
    PackageError,
    PackageNotFoundError,
    PipelineError,
)
from translate_pipeline.translation import download
from translate_pipeline.translation.packages import (
    InstalledPackage,
    InstallOutcome,
    archive_metadata,
    find_installed,
    install_file,
    list_installed,
    version_key,
)

__all__ = [
    "DEFAULT_INDEX_URL", "CACHE_NAME", "IndexPackage", "PackageIndex", "IndexInstall",
    "UpdateFailure", "UpdateReport", "index_url", "cache_path", "fetch", "read_cache", "load",
    "install_pair", "install_from_index", "update_all",
]

log = logging.getLogger(__name__)

#: argostranslate's default package index base (``index.json`` is appended).
DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"
CACHE_NAME = "argos-index.json"
MAX_INDEX_BYTES = 32 << 20
MAX_DOWNLOAD_BYTES = 1 << 30  # a package bigger than 1 GiB is refused
_CACHE_FORMAT = 1
_SIZE_REQUESTS = 8  # HEAD requests at a time
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_WHAT_INDEX = "the Argos package index"


@dataclass(frozen=True)
class IndexPackage:
    """One package the index lists."""

    from_code: str
    to_code: str
    version: str
    links: tuple[str, ...]
    size: int | None = None  # bytes of the .argosmodel file, when known
    from_name: str = ""
    to_name: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        return (self.from_code, self.to_code)

    @property
    def name(self) -> str:
        """The package's file and folder name as Argos writes it, ``translate-de_en-1_9``."""
        return f"translate-{self.from_code}_{self.to_code}-{self.version.replace('.', '_')}"


@dataclass(frozen=True)
class PackageIndex:
    """The index as fetched, or as cached by the last fetch (``cached``).

    ``fetch_error`` is set when this call tried to fetch the index and could not: this is then
    the cached index, as old as ``fetched_at`` says.
    """

    url: str  # of index.json
    packages: tuple[IndexPackage, ...]  # by pair, then version
    fetched_at: float  # seconds since the epoch
    cached: bool = False
    fetch_error: NetworkError | None = None

    def newest(self, from_code: str, to_code: str) -> IndexPackage | None:
        """The highest version the index lists for the pair, or None."""
        matches = [p for p in self.packages if p.pair == (from_code, to_code)]
        return max(matches, key=lambda p: version_key(p.version)) if matches else None

    def for_language(self, code: str) -> tuple[IndexPackage, ...]:
        """The packages that translate from or into ``code``."""
        return tuple(p for p in self.packages if code in p.pair)

    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({code for p in self.packages for code in p.pair}))

    def age(self, now: float | None = None) -> float:
        """Seconds since it was fetched (never negative)."""
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)


# ---------------------------------------------------------------------------------------------
# Fetching and caching


def index_url() -> str:
    """``ARGOS_PACKAGE_INDEX`` (a base URL; ``index.json`` is appended), else argostranslate's."""
    url = config.env_setting("ARGOS_PACKAGE_INDEX", DEFAULT_INDEX_URL)
    return url if url.endswith("/") else url + "/"


def cache_path() -> Path:
    """The one file the last fetched index is kept in (read from the environment each call)."""
    return config.data_dir() / CACHE_NAME


def _parse(entries: Sequence, sizes: Mapping[str, int]) -> tuple[IndexPackage, ...]:
    """The translate packages of an index's entries; an entry without usable codes, version or
    links is skipped (the rest of the index stays usable)."""
    found = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type", "translate") != "translate":
            continue
        from_code, to_code = entry.get("from_code"), entry.get("to_code")
        version = entry.get("package_version")
        if not all(isinstance(code, str) and _CODE.match(code) for code in (from_code, to_code)):
            continue
        if not isinstance(version, str) or not version.strip():
            continue
        raw_links = entry.get("links")
        links = tuple(link for link in raw_links if isinstance(link, str) and link
                      ) if isinstance(raw_links, list) else ()
        size = entry.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            size = sizes.get(links[0]) if links else None
        names = [entry.get(key) for key in ("from_name", "to_name")]
        found.append(IndexPackage(from_code, to_code, version, links, size,
                                  *(name if isinstance(name, str) else "" for name in names)))
    return tuple(sorted(found, key=lambda p: (p.from_code, p.to_code, version_key(p.version))))


def _measure(packages: Sequence[IndexPackage], timeout: float) -> dict[str, int]:
    """Sizes (by link) of the packages whose size is unknown, from HEAD requests made
    :data:`_SIZE_REQUESTS` at a time; whatever has not answered within ``timeout`` stays
    unknown."""
    links = list(dict.fromkeys(p.links[0] for p in packages if p.size is None and p.links))
    if not links:
        return {}
    found: dict[str, int] = {}
    deadline = time.monotonic() + timeout
    pool = concurrent.futures.ThreadPoolExecutor(_SIZE_REQUESTS, thread_name_prefix="argos-size")
    try:
        futures = {pool.submit(download.content_length, link, min(timeout, 10.0)): link
                   for link in links}
        for future in concurrent.futures.as_completed(
                futures, timeout=max(0.0, deadline - time.monotonic())):
            try:
                size = future.result()
            except Exception as exc:  # content_length catches network errors; anything else
                log.debug("no size for %s: %s", futures[future], exc)
                continue
            if size is not None:
                found[futures[future]] = size
    except concurrent.futures.TimeoutError:
        log.info("package sizes: %d of %d links answered within %.0f s", len(found), len(links),
                 timeout)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return found


def _read_cache_file() -> dict | None:
    path = cache_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except RecursionError:
        log.warning("ignoring the cached package index %s: nested too deeply", path)
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring the cached package index %s: %s", path, exc)
        return None
    if not (isinstance(data, dict) and data.get("format") == _CACHE_FORMAT
            and isinstance(data.get("url"), str) and isinstance(data.get("index"), list)
            and isinstance(data.get("fetched_at"), (int, float))
            and not isinstance(data.get("fetched_at"), bool)):
        log.warning("ignoring the cached package index %s: not an index this program wrote", path)
        return None
    return data


def _sizes(data: dict) -> dict[str, int]:
    sizes = data.get("sizes")
    if not isinstance(sizes, dict):
        return {}
    return {link: size for link, size in sizes.items()
            if isinstance(size, int) and not isinstance(size, bool) and size >= 0}


def read_cache() -> PackageIndex | None:
    """The index the last fetch of :func:`index_url` cached, or None (nothing cached, the cache
    is of another index URL, or it is unreadable: a warning says so)."""
    data = _read_cache_file()
    url = index_url() + "index.json"
    if data is None or data["url"] != url:
        return None
    return PackageIndex(url, _parse(data["index"], _sizes(data)), float(data["fetched_at"]),
                        cached=True)


def _write_cache(url: str, entries: list, sizes: Mapping[str, int], fetched_at: float) -> None:
    """Replace the cache file atomically; a cache that cannot be written is a warning (the index
    fetched is used all the same)."""
    path = cache_path()
    data = {"format": _CACHE_FORMAT, "url": url, "fetched_at": fetched_at,
            "sizes": dict(sizes), "index": entries}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{CACHE_NAME}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    except (OSError, ValueError) as exc:
        log.warning("could not cache the package index in %s: %s", path, exc)


def fetch(*, timeout: float = 20.0, sizes: bool = False) -> PackageIndex:
    """Fetch the index from :func:`index_url` and cache it; NetworkError naming the URL and the
    reason when it cannot be fetched or is not an index (the cache is then left as it was).
    ``sizes``: also ask for the size of each package whose size is not known yet."""
    url = index_url() + "index.json"
    body = download.fetch_bytes(url, limit=MAX_INDEX_BYTES, timeout=timeout, what=_WHAT_INDEX)
    try:
        raw = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise NetworkError(url, "the package index is not valid JSON (nested too deeply); "
                           f"{download.OFFLINE_HINT}", cause="not valid JSON") from None
    except ValueError as exc:
        raise NetworkError(url, f"the package index is not valid JSON ({exc}); "
                           f"{download.OFFLINE_HINT}", cause="not valid JSON") from exc
    if not isinstance(raw, list):
        raise NetworkError(url, f"the package index is not a JSON list; {download.OFFLINE_HINT}",
                           cause="not a JSON list")
    entries = [entry for entry in raw if isinstance(entry, dict)]
    previous = _read_cache_file()
    known = _sizes(previous) if previous is not None and previous["url"] == url else {}
    packages = _parse(entries, known)
    if sizes:
        known = {**known, **_measure(packages, timeout)}
        packages = _parse(entries, known)
    listed = {p.links[0] for p in packages if p.links}
    known = {link: size for link, size in known.items() if link in listed}
    fetched_at = time.time()
    _write_cache(url, entries, known, fetched_at)
    return PackageIndex(url, packages, fetched_at)


def load(*, refresh: bool, timeout: float = 20.0, sizes: bool = False) -> PackageIndex:
    """The index: with ``refresh``, fetched now, else the cached one if that fails (its
    ``fetch_error`` says why; the fetch's NetworkError when nothing is cached either). Without,
    the cached one, never the network (IndexNotCached when there is none)."""
    if refresh:
        try:
            return fetch(timeout=timeout, sizes=sizes)
        except NetworkError as exc:
            cached = read_cache()
            if cached is None:
                raise
            return dataclasses.replace(cached, fetch_error=exc)
    cached = read_cache()
    if cached is not None:
        return cached
    url = index_url() + "index.json"
    data = _read_cache_file()
    other = f" (the one cached is of {data['url']})" if data is not None else ""
    raise IndexNotCached(url, f"no copy of the package index is cached{other} (one is kept "
                         "each time it is fetched)")


# ---------------------------------------------------------------------------------------------
# Installing and upgrading from the index


@dataclass(frozen=True)
class IndexInstall:
    """What installing a pair from the index did (``outcome``), from which ``index`` (None when
    it could not be had: the pair was installed already and is left as it is), the index's
    ``newest`` package for the pair, and the ``fetch_error`` when the index could not be fetched
    (the cached one, or none, was used)."""

    outcome: InstallOutcome
    index: PackageIndex | None
    newest: IndexPackage | None = None
    fetch_error: NetworkError | None = None


@dataclass(frozen=True)
class UpdateFailure:
    """An installed package whose newer version could not be installed; it is left as it was."""

    package: InstalledPackage
    newest: IndexPackage
    error: PipelineError


@dataclass(frozen=True)
class UpdateReport:
    """What :func:`update_all` did, against which ``index`` (see its ``fetch_error``)."""

    index: PackageIndex
    upgraded: tuple[InstallOutcome, ...]
    failed: tuple[UpdateFailure, ...]
    current: tuple[InstalledPackage, ...]  # at the index's newest version, or newer
    unlisted: tuple[InstalledPackage, ...]  # pairs the index does not list


def _newest_or_fail(index: PackageIndex, from_code: str, to_code: str) -> IndexPackage:
    entry = index.newest(from_code, to_code)
    if entry is None:
        pairs = sorted({f"{p.from_code}->{p.to_code}" for p in index.packages})
        raise PackageNotFoundError(
            f"{from_code}->{to_code}",
            f"no package for {from_code}->{to_code} in the index {index.url} "
            f"(available: {', '.join(pairs) or 'none'})",
        )
    return entry


def _download_and_install(entry: IndexPackage, index: PackageIndex,
                          timeout: float) -> InstalledPackage:
    """Download one of the entry's links to a temporary file and install it (replacing the
    pair's package atomically); the temporary file is always deleted."""
    pair = f"{entry.from_code}->{entry.to_code}"
    if not entry.links:
        raise PackageNotFoundError(pair, f"the index {index.url} lists no download link for it")
    fd, tmp_name = tempfile.mkstemp(prefix="translate-pipeline-", suffix=".argosmodel")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            link = download.download(entry.links, out, limit=MAX_DOWNLOAD_BYTES,
                                     timeout=timeout, what="the package download")
        try:
            got = archive_metadata(tmp)
            if got[:2] != entry.pair:
                raise PackageError(tmp_name, f"is a package for {got[0]}->{got[1]}, not the "
                                   f"{pair} the index lists")
            return install_file(tmp)
        except PackageError as exc:
            raise PackageError(link, exc.reason) from exc
    finally:
        tmp.unlink(missing_ok=True)


def install_from_index(from_code: str, to_code: str, *, timeout: float = 20.0) -> InstalledPackage:
    """Fetch the index, download the pair's newest package and install it, whatever is
    installed (see :func:`install_pair` to leave an installed package as it is)."""
    index = fetch(timeout=timeout)
    return _download_and_install(_newest_or_fail(index, from_code, to_code), index, timeout)


def install_pair(from_code: str, to_code: str, *, reinstall: bool = False,
                 timeout: float = 20.0,
                 on_index: Callable[[PackageIndex], None] | None = None) -> IndexInstall:
    """Install the pair's newest package from the index (fetched now; the cached one if that
    fails), unless it is installed already at that version or a newer one: then nothing
    changes (``reinstall``: download the index's version again when it is the installed one).
    A newer version in the index replaces the installed one atomically. When the index can be
    had neither way, an installed pair is left as it is; one not installed is a NetworkError.
    ``on_index`` is called with the index as soon as it is had, before any download."""
    installed = find_installed(from_code, to_code)
    unchanged = InstallOutcome(installed, installed, changed=False) if installed else None
    try:
        index = load(refresh=True, timeout=timeout)
    except NetworkError as exc:
        if unchanged is not None:
            return IndexInstall(unchanged, None, fetch_error=exc)
        raise
    if on_index is not None:
        on_index(index)
    if unchanged is not None and not reinstall and index.newest(from_code, to_code) is None:
        return IndexInstall(unchanged, index, fetch_error=index.fetch_error)
    entry = _newest_or_fail(index, from_code, to_code)
    if installed is not None:
        have, offered = version_key(installed.version), version_key(entry.version)
        if offered < have or (offered == have and not reinstall):
            return IndexInstall(unchanged, index, entry, index.fetch_error)
    package = _download_and_install(entry, index, timeout)
    return IndexInstall(InstallOutcome(package, installed), index, entry, index.fetch_error)


def update_all(*, timeout: float = 20.0,
               on_index: Callable[[PackageIndex], None] | None = None) -> UpdateReport:
    """Upgrade every installed package the index (fetched now; the cached one if that fails)
    lists a newer version of, each atomically; one that fails is reported and left as it was,
    and the others go on. NetworkError when the index can be had neither way. ``on_index`` is
    called with the index as soon as it is had, before any download."""
    index = load(refresh=True, timeout=timeout)
    if on_index is not None:
        on_index(index)
    newest_installed = {p.pair: p for p in list_installed()}  # sorted: the highest version wins
    upgraded, failed, current, unlisted = [], [], [], []
    for pkg in newest_installed.values():
        entry = index.newest(*pkg.pair)
        if entry is None:
            unlisted.append(pkg)
        elif version_key(entry.version) > version_key(pkg.version):
            try:
                upgraded.append(InstallOutcome(_download_and_install(entry, index, timeout), pkg))
            except PipelineError as exc:
                log.info("could not upgrade %s: %s", pkg.name, exc)
                failed.append(UpdateFailure(pkg, entry, exc))
        else:
            current.append(pkg)
    return UpdateReport(index, tuple(upgraded), tuple(failed), tuple(current), tuple(unlisted))
