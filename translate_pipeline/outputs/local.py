"""A local output folder: atomic writes, its lock, and the per-article and JSON Lines outputs.

Every file is written to a temporary name in its own folder (``.NAME.XXXXXXXX.tmp``) and renamed
into place, so no reader ever sees half a file. An article's files are all written to temporary
names first and renamed only once every one of them is written (Markdown first, the JSON record
last), so a full disk or a killed process leaves the article's previous outputs as they were, and a
JSON record on disk means its Markdown files are there too. Temporary files a killed process left
behind are removed by the next ``run`` on the folder (:func:`remove_temp_files`), which holds
:func:`output_lock` meanwhile.

- :class:`FileOutputs`: ``DIR/<id>.json`` and/or ``DIR/<id>.<lang>.md`` per article, written
  with :func:`write_outputs`.
- :class:`JsonlOutputs`: ``DIR/articles.jsonl``, one compact JSON record per line. It is written
  to a temporary file as the run goes and renamed into place at the end (so no reader sees half
  of it); records of articles this run did not redo (skipped as complete, failed, or not among
  the inputs this time) are carried over from the previous file, after this run's, so the file
  keeps every article ever written into DIR, once, in its latest version. A killed run leaves the
  previous file as it was.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import secrets
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from translate_pipeline import config
from translate_pipeline.errors import OutputError, OutputLockedError
from translate_pipeline.outputs.formats import DEFAULT_FORMATS, JSONL_NAME, Outputs
from translate_pipeline.outputs.render import encode, record_line, render_outputs
from translate_pipeline.outputs.resume import is_complete
from translate_pipeline.records import ArticleResult

__all__ = [
    "atomic_write",
    "atomic_write_all",
    "write_outputs",
    "write_fd",
    "create_temp",
    "cannot_write",
    "unlink_quietly",
    "temp_name",
    "is_temp_name",
    "output_lock",
    "open_lock_file",
    "write_pid",
    "remove_temp_files",
    "check_writable",
    "FileOutputs",
    "JsonlOutputs",
    "JsonlIndex",
    "LOCK_NAME",
    "FULL_DISK_ERRNOS",
]

#: The lock file a ``run`` holds in its output folder (never deleted; it is not an output).
LOCK_NAME = config.LOCK_NAME

#: OSError numbers after which no further output can be written: a batch stops on them.
FULL_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})

#: What temp_name() makes (8 hex digits now; earlier versions also used the rest of a-z and _,
#: and a killed run of theirs may have left such files behind).
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def write_fd(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``: the one place output bytes hit the disk (tests inject
    faults here)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def temp_name(name: str) -> str:
    """A fresh temporary name for the file ``name``: ``.NAME.XXXXXXXX.tmp`` (what
    :func:`remove_temp_files` removes), random enough that writers never collide."""
    token = secrets.token_hex(4)  # drawing 8 characters one by one cost 50 us a file
    return f".{name}.{token}.tmp"


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is one :func:`temp_name` makes (what a killed run may leave behind)."""
    return _TEMP_NAME.match(name) is not None


def create_temp(path: Path) -> tuple[int, Path]:
    """A new, empty ``.NAME.XXXXXXXX.tmp`` beside ``path``, open for writing.

    Created with mode 0666 less the umask, as ``open()`` would (``mkstemp``'s 0600 would survive
    the rename and hide the outputs from other users).
    """
    for _ in range(100):
        tmp = path.with_name(temp_name(path.name))
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


def cannot_write(path: Path, exc: OSError) -> OutputError:
    error = OutputError(str(path), f"cannot write: {exc.strerror or exc}")
    error.__cause__ = exc
    return error


def _stage(path: Path, text: str) -> Path:
    """Write ``text`` to a new temporary file beside ``path``; return the temporary file."""
    try:
        try:
            fd, tmp = create_temp(path)
        except FileNotFoundError:  # the folder is new (tried second: most writes need no mkdir)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = create_temp(path)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    try:
        try:
            write_fd(fd, encode(text))
        finally:
            os.close(fd)
    except BaseException as exc:
        unlink_quietly(tmp)
        if isinstance(exc, OSError):
            raise cannot_write(path, exc) from exc
        raise
    return tmp


def unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def atomic_write_all(files: Sequence[tuple[Path, str]]) -> None:
    """Write every ``(path, text)``: all to temporary files first, then rename them in order.

    When any write fails (full disk, no permission), every temporary file is removed and no
    ``path`` has changed; raises :class:`OutputError` naming the path (the OSError is its cause).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files:
            staged.append((_stage(path, text), path))
        while staged:
            tmp, path = staged[0]
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise cannot_write(path, exc) from exc
            staged.pop(0)
    finally:
        for tmp, _ in staged:
            unlink_quietly(tmp)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename: readers never see half."""
    atomic_write_all([(path, text)])


def write_outputs(
    out_dir: Path, result: ArticleResult, *, fingerprint: str | None = None,
    formats: Sequence[str] = ("json", "markdown"),
) -> list[Path]:
    """``DIR/<id>.json`` and ``DIR/<id>.<lang>.md`` for every language; returns the paths.

    All or nothing (see :func:`atomic_write_all`); the JSON record is renamed into place last.
    ``fingerprint`` (see :mod:`translate_pipeline.outputs.resume`) is stored in the record as
    ``"fingerprint"`` (and in the Markdown front matter), which is how a later ``run`` knows the
    article is done. ``formats`` says which files: ``json``, ``markdown`` or both.
    """
    files = render_outputs(out_dir, result, fingerprint=fingerprint, formats=formats)
    atomic_write_all(files)
    return [path for path, _ in files]


@contextmanager
def output_lock(out_dir: Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``out_dir`` (created if missing) for one writer at a time.

    ``flock`` on ``DIR/.translate-pipeline.lock``: the kernel releases it when the process ends,
    however it ends, so a killed run never leaves the folder locked. Raises
    :class:`OutputLockedError` at once when another process holds it, :class:`OutputError` when the
    folder cannot be created or written.
    """
    lock_path = out_dir / LOCK_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file or a device (-o /dev/full), not a folder
        raise OutputError(str(out_dir), "is not a folder: --output names a folder to write "
                          "into") from None
    except OSError as exc:
        raise cannot_write(out_dir, exc) from exc
    fd = open_lock_file(lock_path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            except OSError:
                holder = ""
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise OutputLockedError(
                str(out_dir),
                f"another translate-pipeline run{who} is writing to this folder; "
                "wait for it to finish or use another --output",
            ) from None
        write_pid(fd)
        yield lock_path
    finally:
        os.close(fd)  # releases the lock


def open_lock_file(path: Path) -> int:
    """Open (or create) the lock file ``path`` for reading and writing; returns the descriptor.

    The lock lives in a folder other users may be able to write to, so the file is opened with
    ``O_NOFOLLOW`` and must be a plain regular file with a single link: a symbolic link, a hard
    link to another file, a FIFO or a device planted there is refused with :class:`OutputError`
    (nothing is written through it), never followed.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(str(path), "refusing the lock file: it is a symbolic link "
                              "(remove it; nothing was written through it)") from None
        raise OutputError(str(path), f"cannot create the lock file: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise OutputError(str(path), f"cannot open the lock file: {exc.strerror or exc}") from exc
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = "it is not a regular file"
    elif info.st_nlink != 1:
        problem = "it is a hard link to another file"
    if problem:
        os.close(fd)
        raise OutputError(str(path), f"refusing the lock file: {problem} "
                          "(remove it; nothing was written to it)")
    return fd


def write_pid(fd: int) -> None:
    """Note this process's id in the lock file ``fd`` (for the message another run prints), only
    when the file is ours: a lock file another user created is never truncated. Never fails."""
    try:
        if os.fstat(fd).st_uid != os.geteuid():
            return
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except OSError:
        pass


def check_writable(folder: Path) -> None:
    """Raise :class:`OutputError` unless a new file can be created in ``folder``."""
    try:
        fd, tmp = create_temp(folder / "probe")
    except OSError as exc:
        raise cannot_write(folder, exc) from exc
    os.close(fd)
    unlink_quietly(tmp)


def remove_temp_files(out_dir: Path) -> int:
    """Delete temporary files (``.NAME.XXXXXXXX.tmp``) a killed run left under ``out_dir``.

    Call it only while holding :func:`output_lock`, so no live writer's files are touched.
    Returns how many were removed.
    """
    removed = 0
    for folder, _dirs, names in os.walk(out_dir):
        for name in names:
            if _TEMP_NAME.match(name):
                try:
                    os.unlink(os.path.join(folder, name))
                    removed += 1
                except OSError:
                    pass
    return removed


class FileOutputs(Outputs):
    """``DIR/<id>.json`` and/or ``DIR/<id>.<lang>.md`` per article."""

    def __init__(self, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS):
        self.out_dir = out_dir
        self.formats = tuple(f for f in ("json", "markdown") if f in formats)

    def is_complete(self, article_id, fingerprint, languages) -> bool:
        return is_complete(self.out_dir, article_id, fingerprint, languages, self.formats)

    def write(self, result, fingerprint) -> None:
        write_outputs(self.out_dir, result, fingerprint=fingerprint, formats=self.formats)


class JsonlIndex(Outputs):
    """What the previous ``DIR/articles.jsonl`` holds, for :meth:`is_complete` only (a worker
    process of ``run --jobs`` asks it; :class:`JsonlOutputs` writes the file)."""

    def __init__(self, out_dir: Path, *, keep_open: bool = False):
        self.path = out_dir / JSONL_NAME
        self._old: dict[str, tuple[int, int, bool]] = {}  # id -> offset, length, complete
        self._fingerprints: dict[str, tuple[str, list]] = {}
        self._previous: BinaryIO | None = None
        try:
            self._previous = open(self.path, "rb")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise cannot_write(self.path, exc) from exc
        try:
            self._index(self._previous)
        except OSError as exc:
            self._previous.close()
            raise cannot_write(self.path, exc) from exc
        if not keep_open:
            self._previous.close()
            self._previous = None

    def _index(self, handle: BinaryIO) -> None:
        offset = 0
        for line in handle:
            try:
                record = json.loads(line)
                article_id = record["id"]
            except (ValueError, KeyError, TypeError):
                article_id = None
            if not isinstance(article_id, str):
                offset += len(line)
                continue  # a damaged line is dropped
            complete = not record.get("errors")
            self._old[article_id] = (offset, len(line), complete)
            self._fingerprints[article_id] = (record.get("fingerprint"),
                                              list(record.get("languages") or ()))
            offset += len(line)

    def is_complete(self, article_id, fingerprint, languages) -> bool:
        old = self._old.get(article_id)
        known = self._fingerprints.get(article_id)
        return bool(old and old[2] and known == (fingerprint, list(languages)))


class JsonlOutputs(JsonlIndex):
    """``DIR/articles.jsonl`` (see the module docstring)."""

    def __init__(self, out_dir: Path):
        super().__init__(out_dir, keep_open=True)
        self._written: set[str] = set()
        self._failed: OutputError | None = None
        try:
            self._fd, self._tmp = create_temp(self.path)
        except OSError as exc:
            if self._previous is not None:
                self._previous.close()
            raise cannot_write(self.path, exc) from exc

    def _put(self, data: bytes) -> None:
        if self._failed is not None:
            raise self._failed
        try:
            write_fd(self._fd, data)
        except OSError as exc:
            self._failed = cannot_write(self.path, exc)
            raise self._failed from exc

    def write(self, result, fingerprint) -> None:
        record = result.to_dict()
        if fingerprint is not None:
            record["fingerprint"] = fingerprint
        self._put(record_line(record))
        self._written.add(result.article.id)

    def written(self, result, fingerprint) -> None:
        self.write(result, fingerprint)

    def _old_line(self, article_id: str) -> bytes:
        offset, length, _ = self._old[article_id]
        self._previous.seek(offset)
        return self._previous.read(length)

    def skipped(self, article_id) -> None:
        if article_id in self._old and article_id not in self._written:
            self._put(self._old_line(article_id))
            self._written.add(article_id)

    def close(self) -> str | None:
        try:
            for article_id in self._old:  # the previous file's other records, in their order
                if article_id not in self._written:
                    self._put(self._old_line(article_id))
            os.close(self._fd)
            self._fd = -1
            os.replace(self._tmp, self.path)
        except (OSError, OutputError) as exc:
            self.abort()
            error = exc if isinstance(exc, OutputError) else cannot_write(self.path, exc)
            return f"{error}; the previous {JSONL_NAME} is intact"
        finally:
            if self._previous is not None:
                self._previous.close()
        return None

    def abort(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        unlink_quietly(self._tmp)
