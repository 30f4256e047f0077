"""Stage 6: render results (JSON record, Markdown, plain text) and write them atomically.

Every file is written to a temporary name in its own folder (``.NAME.XXXXXXXX.tmp``) and renamed
into place, so no reader ever sees half a file. An article's files are all written to temporary
names first and renamed only once every one of them is written (Markdown first, the JSON record
last), so a full disk or a killed process leaves the article's previous outputs as they were, and a
JSON record on disk means its Markdown files are there too. Temporary files a killed process left
behind are removed by the next ``run`` on the folder (:func:`remove_temp_files`), which holds
:func:`output_lock` meanwhile.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from translate_pipeline.errors import OutputError, OutputLockedError
from translate_pipeline.records import ArticleResult

__all__ = [
    "atomic_write",
    "atomic_write_all",
    "to_json",
    "to_markdown",
    "to_text",
    "output_paths",
    "render_outputs",
    "write_outputs",
    "encode",
    "temp_name",
    "output_lock",
    "remove_temp_files",
    "check_writable",
    "LOCK_NAME",
    "FULL_DISK_ERRNOS",
]

#: The lock file a ``run`` holds in its output folder (never deleted; it is not an output).
LOCK_NAME = ".translate-pipeline.lock"
#: OSError numbers after which no further output can be written: a batch stops on them.
FULL_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
# The names _create_temp makes (and tempfile.mkstemp's, which older versions used).
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
_TEMP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"


def _write_fd(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``: the one place output bytes hit the disk (tests inject
    faults here)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def temp_name(name: str) -> str:
    """A fresh temporary name for the file ``name``: ``.NAME.XXXXXXXX.tmp`` (what
    :func:`remove_temp_files` removes), random enough that writers never collide."""
    token = "".join(secrets.choice(_TEMP_CHARS) for _ in range(8))
    return f".{name}.{token}.tmp"


def encode(text: str) -> bytes:
    """An output's bytes. backslashreplace: a file name that is not UTF-8 (held as surrogates) is
    written as \\udcXX, which inside a JSON string is a valid escape, instead of failing the write."""
    return text.encode("utf-8", "backslashreplace")


def _create_temp(path: Path) -> tuple[int, Path]:
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


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    error = OutputError(str(path), f"cannot write: {exc.strerror or exc}")
    error.__cause__ = exc
    return error


def _stage(path: Path, text: str) -> Path:
    """Write ``text`` to a new temporary file beside ``path``; return the temporary file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temp(path)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    try:
        try:
            _write_fd(fd, encode(text))
        finally:
            os.close(fd)
    except BaseException as exc:
        _unlink(tmp)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from exc
        raise
    return tmp


def _unlink(path: Path) -> None:
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
                raise _cannot_write(path, exc) from exc
            staged.pop(0)
    finally:
        for tmp, _ in staged:
            _unlink(tmp)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename: readers never see half."""
    atomic_write_all([(path, text)])


def to_json(result: ArticleResult, *, indent: int | None = 2) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=indent)


def to_markdown(result: ArticleResult, lang: str, *, fingerprint: str | None = None) -> str:
    """One language version as a Markdown document: YAML front matter (``title``, ``language``,
    ``source``, ``translated_from``, ``date`` where known, and ``run``'s ``fingerprint``), which
    static site generators read, then the headline, summary and full text."""
    version = result.version(lang)
    detection = result.detection
    how = "given" if detection.method == "given" else f"detected, confidence {detection.confidence:.2f}"
    source_lang = result.languages[0][0]
    metadata = dict(result.article.metadata)
    front = {"title": version.title or result.article.id, "language": lang,
             "source": result.article.source}
    if lang != source_lang:
        front["translated_from"] = source_lang
    date = metadata.get("date") or metadata.get("published")
    if date:
        front["date"] = date
    if fingerprint:
        front["fingerprint"] = fingerprint
    # JSON strings are YAML double-quoted scalars: safe for any title.
    lines = ["---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}"
                      for key, value in front.items()), "---", ""]
    lines += [f"# {version.title or result.article.id}", ""]
    note = f"*Language: {lang}"
    if lang != source_lang:
        note += f", translated from {source_lang}"
    note += f" ({source_lang} {how}). Source: {result.article.source}*"
    lines += [note, "", "## Summary", ""]
    lines += [f"- {sentence}" for sentence in version.summary] or ["(no summary)"]
    if version.paragraphs:
        lines += ["", "## Text", ""]
        for paragraph in version.paragraphs:
            lines += [paragraph, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def to_text(result: ArticleResult) -> str:
    """The plain-text summary ``summarize`` prints: one block per language."""
    d = result.detection
    how = "given" if d.method == "given" else f"confidence {d.confidence:.2f}"
    lines = [f"{result.article.source}: {d.code} ({how})"]
    for lang, version in result.languages:
        lines += ["", f"[{lang}] {version.title}".rstrip()]
        lines += [f"- {sentence}" for sentence in version.summary]
    return "\n".join(lines) + "\n"


def output_paths(out_dir: Path, result: ArticleResult) -> list[Path]:
    base = out_dir / result.article.id
    return [base.with_name(base.name + ".json")] + [
        base.with_name(f"{base.name}.{lang}.md") for lang, _ in result.languages
    ]


def render_outputs(
    out_dir: Path, result: ArticleResult, *, fingerprint: str | None = None,
    formats: Sequence[str] = ("json", "markdown"),
) -> list[tuple[Path, str]]:
    """The ``(path, text)`` of each file :func:`write_outputs` writes, in the order it renames
    them (Markdown first, the JSON record last); also what URL outputs write
    (:mod:`translate_pipeline.remote`), so both give the same bytes."""
    paths = output_paths(out_dir, result)
    files = []
    if "markdown" in formats:
        files += [(path, to_markdown(result, lang, fingerprint=fingerprint))
                  for path, (lang, _) in zip(paths[1:], result.languages)]
    if "json" in formats:
        record = result.to_dict()
        if fingerprint is not None:
            record["fingerprint"] = fingerprint
        files.append((paths[0], json.dumps(record, ensure_ascii=False, indent=2) + "\n"))
    return files


def write_outputs(
    out_dir: Path, result: ArticleResult, *, fingerprint: str | None = None,
    formats: Sequence[str] = ("json", "markdown"),
) -> list[Path]:
    """``DIR/<id>.json`` and ``DIR/<id>.<lang>.md`` for every language; returns the paths.

    All or nothing (see :func:`atomic_write_all`); the JSON record is renamed into place last.
    ``fingerprint`` (see :mod:`translate_pipeline.resume`) is stored in the record as
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
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _cannot_write(out_dir, exc) from exc
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
        try:  # who holds it, for the message above; a full disk must not stop the run here
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            pass
        yield lock_path
    finally:
        os.close(fd)  # releases the lock


def check_writable(folder: Path) -> None:
    """Raise :class:`OutputError` unless a new file can be created in ``folder``."""
    try:
        fd, tmp = _create_temp(folder / "probe")
    except OSError as exc:
        raise _cannot_write(folder, exc) from exc
    os.close(fd)
    _unlink(tmp)


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
