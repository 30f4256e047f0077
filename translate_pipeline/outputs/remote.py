"""``run --output URL``: outputs at any fsspec URL (``s3://bucket/news``, ``ftp://host/out``, ...).

The same files as a folder, with the same bytes (rendered by
:mod:`~translate_pipeline.outputs.render`), the same atomic writes and the same resume rules
(:mod:`~translate_pipeline.outputs.resume`), for ``run`` here and for the workers of
``run --cluster`` (:mod:`translate_pipeline.cluster.worker`):

- Each file is written to ``.NAME.XXXXXXXX.tmp`` in its own folder and moved into place
  (``fs.mv``; on an object store a single put is atomic anyway); an article's files are all
  written first and moved only then, Markdown first and the JSON record last. A failed write
  removes its temporary files; what a killed run left is removed by the next run.
- Resume reads the JSON record (or the Markdown front matter) as a local run does; each folder
  is listed once per batch (per partition on a cluster), so a missing article costs no request.
- ``errors.jsonl`` is collected in a local temporary file and uploaded at the end (it is deleted
  when the run starts, as locally). ``--format jsonl`` stages ``articles.jsonl`` locally and
  uploads it at the end. ``--html`` renders the digest from a local mirror of the records.
- There is no lock: most URL file systems have none. One writer per URL folder.

fsspec is imported only here (and in :mod:`~translate_pipeline.outputs.urls`, to check a URL
can work), and this module only when the output is a URL. Credentials and
options come from fsspec's usual places (the URL, ``AWS_*`` and other environment variables, the
backend's own configuration, ``~/.config/fsspec/``).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from translate_pipeline.errors import OutputError
from translate_pipeline.outputs.formats import DEFAULT_FORMATS, JSONL_NAME, Outputs, combine
from translate_pipeline.outputs.journal import ERRORS_NAME, ErrorLog
from translate_pipeline.outputs.local import JsonlOutputs, is_temp_name, temp_name
from translate_pipeline.outputs.render import encode, render_outputs
from translate_pipeline.outputs.resume import HEAD_BYTES, head_has_fingerprint, record_is_complete
from translate_pipeline.errors import OutputUsageError
from translate_pipeline.outputs.urls import RemoteFolder, fsspec_module

__all__ = [
    "Remote",
    "RemoteOutputs",
    "RemoteJsonlOutputs",
    "RemoteJournal",
    "open_remote_outputs",
    "open_remote_batch",
    "remove_tree",
    "write_remote_digest",
]

log = logging.getLogger(__name__)

# --- the connection ----------------------------------------------------------------------------


def _dropped_errors() -> tuple[type[BaseException], ...]:
    import ftplib

    # a server that closed an idle connection: ftplib says EOFError or 421 (error_temp)
    return (ConnectionError, EOFError, TimeoutError, ftplib.error_temp)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, FileNotFoundError):
        return "No such file or directory"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Remote:
    """One connection to a URL folder: its fsspec file system and root path. A call that fails
    because the connection dropped (an FTP server closes idle ones) reconnects and is tried once
    more. Not for several threads at once: each batch (each cluster task) opens its own."""

    def __init__(self, folder: RemoteFolder):
        self.folder = folder
        self._dropped = _dropped_errors()
        self._made: set[str] = set()
        self._connect(fresh=False)

    def _connect(self, fresh: bool) -> None:
        try:
            fsspec = fsspec_module(self.folder)
            options = {"skip_instance_cache": True} if fresh else {}
            self.fs, root = fsspec.core.url_to_fs(self.folder.url, **options)
        except OutputUsageError as exc:  # checked before any work: rare here
            raise OutputError(exc.subject, exc.reason) from exc
        except (ImportError, ValueError) as exc:
            raise OutputError(str(self.folder), f"cannot use: {_reason(exc)}") from exc
        except Exception as exc:  # refused, unknown host, bad credentials, ...
            raise _cannot_write(str(self.folder), exc, stop=True) from exc
        self.root = root.rstrip("/") or root
        self._made.clear()

    def path(self, relative: str = "") -> str:
        if not relative:
            return self.root
        return f"{self.root.rstrip('/')}/{relative}"

    def call(self, method: str, *args, **kwargs):
        try:
            return getattr(self.fs, method)(*args, **kwargs)
        except self._dropped as exc:
            log.info("%s: connection lost (%s); reconnecting", self.folder, _reason(exc))
            self._connect(fresh=True)
            return getattr(self.fs, method)(*args, **kwargs)

    def makedirs(self, relative: str) -> None:
        """Create the folder ``relative`` (and its parents) once; a failure is left to the write
        that follows (object stores have no folders; some refuse to "create" them)."""
        if relative in self._made:
            return
        try:
            self.call("makedirs", self.path(relative), exist_ok=True)
        except Exception as exc:
            log.debug("%s: makedirs %r: %s", self.folder, relative, exc)
        self._made.add(relative)

    def names(self, relative: str) -> set[str]:
        """The names in folder ``relative`` (fresh, not from fsspec's listing cache)."""
        path = self.path(relative)
        self.fs.invalidate_cache(path)
        try:
            listing = self.call("ls", path, detail=False)
        except FileNotFoundError:
            return set()
        return {str(name).rstrip("/").rsplit("/", 1)[-1] for name in listing}

    def files(self) -> list[str]:
        """Every file under the folder, as paths relative to it."""
        self.fs.invalidate_cache()
        try:
            found = self.call("find", self.root)
        except FileNotFoundError:
            return []
        prefix = self.root.rstrip("/") + "/"
        return [p[len(prefix):] for p in map(str, found) if p.startswith(prefix)]

    def remove(self, relative: str) -> None:
        """Delete a file; a missing one is no error."""
        try:
            self.call("rm_file", self.path(relative))
        except FileNotFoundError:
            pass
        except Exception:  # FTP says 550 for a missing file, like for a refused one
            if self._exists(relative):
                raise

    def _exists(self, relative: str) -> bool:
        parent, _, name = relative.rpartition("/")
        return name in self.names(parent)

    def put_all(self, files: Sequence[tuple[str, bytes | Path]]) -> None:
        """Write every ``(relative path, bytes or local file)`` atomically, in order: all to
        temporary names first, then each moved into place. Raises :class:`OutputError` naming the
        file (nothing half-written stays under a final name; temporary files are removed)."""
        staged: list[tuple[str, str]] = []
        current = files[0][0] if files else ""
        try:
            for relative, data in files:
                current = relative
                parent, _, name = relative.rpartition("/")
                self.makedirs(parent)
                tmp = f"{parent}/{temp_name(name)}" if parent else temp_name(name)
                staged.append((tmp, relative))
                if isinstance(data, Path):
                    self.call("put_file", str(data), self.path(tmp))
                else:
                    self.call("pipe_file", self.path(tmp), data)
            while staged:
                tmp, relative = staged[0]
                current = relative
                self.call("mv", self.path(tmp), self.path(relative))
                staged.pop(0)
        except OutputError:
            raise
        except Exception as exc:
            raise _cannot_write(self.folder.child(current), exc,
                                stop=isinstance(exc, self._dropped)) from exc
        finally:
            for tmp, _ in staged:
                try:
                    self.call("rm_file", self.path(tmp))
                except Exception:
                    pass  # gone with the connection: the next run removes it

    def check_writable(self) -> None:
        """Create the folder and a file in it (then delete it): one clear error before any
        work when the URL cannot be written."""
        self.makedirs("")
        probe = temp_name("probe")
        try:
            self.call("pipe_file", self.path(probe), b"")
            self.call("rm_file", self.path(probe))
        except Exception as exc:
            raise _cannot_write(str(self.folder), exc, stop=True) from exc

    def remove_temp_files(self) -> int:
        """Delete the temporary files (``.NAME.XXXXXXXX.tmp``) under the folder."""
        removed = 0
        try:
            found = self.files()
        except Exception as exc:  # they do no harm: the next run tries again
            log.warning("%s: cannot list the temporary files to remove: %s", self.folder,
                        _reason(exc))
            return 0
        for relative in found:
            if is_temp_name(relative.rsplit("/", 1)[-1]):
                try:
                    self.call("rm_file", self.path(relative))
                    removed += 1
                except Exception:
                    pass
        return removed


def _cannot_write(subject: str, exc: BaseException, *, stop: bool = False) -> OutputError:
    """``stop``: the server is gone, so the batch stops (see :class:`OutputError`)."""
    error = OutputError(subject, f"cannot write: {_reason(exc)}", stops_batch=stop)
    error.__cause__ = exc
    return error


def remove_tree(remote: Remote, relative: str) -> None:
    """Delete the folder ``relative`` and everything in it; missing is no error."""
    try:
        remote.fs.invalidate_cache()
        remote.call("rm", remote.path(relative), recursive=True)
    except Exception as exc:
        log.debug("%s: cannot remove %s: %s", remote.folder, relative, exc)


# --- outputs -----------------------------------------------------------------------------------


class RemoteOutputs(Outputs):
    """``URL/<id>.json`` and/or ``URL/<id>.<lang>.md`` per article (as :class:`FileOutputs`)."""

    def __init__(self, remote: Remote, formats: Sequence[str] = DEFAULT_FORMATS):
        self.remote = remote
        self.formats = tuple(f for f in ("json", "markdown") if f in formats)
        self._listings: dict[str, set[str]] = {}

    def _names(self, folder: str) -> set[str]:
        names = self._listings.get(folder)
        if names is None:
            names = self._listings[folder] = self.remote.names(folder)
        return names

    def is_complete(self, article_id, fingerprint, languages) -> bool:
        try:
            return self._is_complete(article_id, fingerprint, languages)
        except Exception as exc:  # unreadable: redo it (its write reports a real problem)
            log.debug("%s: resume check of %s: %s", self.remote.folder, article_id, exc)
            return False

    def _is_complete(self, article_id: str, fingerprint: str, languages: Sequence[str]) -> bool:
        import json

        folder, _, name = article_id.rpartition("/")
        names = self._names(folder)  # one listing per folder: a missing file costs no request
        if "json" in self.formats:
            if f"{name}.json" not in names:
                return False
            data = self.remote.call("cat_file", self.remote.path(f"{article_id}.json"))
            try:
                record = json.loads(data)
            except ValueError:
                return False
            if not record_is_complete(record, fingerprint, languages):
                return False
        if "markdown" not in self.formats:
            return True
        markdown = [f"{name}.{lang}.md" for lang in languages]
        if not all(m in names for m in markdown):
            return False
        if "json" in self.formats:
            return True
        for lang in languages:
            with self.remote.call("open", self.remote.path(f"{article_id}.{lang}.md"), "rb") as f:
                if not head_has_fingerprint(f.read(HEAD_BYTES), fingerprint):
                    return False
        return True

    def write(self, result, fingerprint) -> None:
        files = render_outputs(PurePosixPath(), result, fingerprint=fingerprint,
                                       formats=self.formats)
        self.remote.put_all([(path.as_posix(), encode(text)) for path, text in files])


class RemoteJsonlOutputs(JsonlOutputs):
    """``URL/articles.jsonl``: the previous file is downloaded to a local temporary folder, the
    new one is built there as in a folder (:class:`JsonlOutputs`) and uploaded at the end."""

    def __init__(self, remote: Remote):
        self.remote = remote
        self._staging = Path(tempfile.mkdtemp(prefix="translate-pipeline-jsonl-"))
        try:
            if JSONL_NAME in remote.names(""):
                remote.call("get_file", remote.path(JSONL_NAME), str(self._staging / JSONL_NAME))
        except Exception as exc:
            shutil.rmtree(self._staging, ignore_errors=True)
            error = OutputError(remote.folder.child(JSONL_NAME), f"cannot read: {_reason(exc)}")
            raise error from exc
        try:
            super().__init__(self._staging)
        except BaseException:
            shutil.rmtree(self._staging, ignore_errors=True)
            raise

    def close(self) -> str | None:
        try:
            problem = super().close()
            if problem is None:
                try:
                    self.remote.put_all([(JSONL_NAME, self.path)])
                except OutputError as exc:
                    problem = f"{exc}; the previous {JSONL_NAME} is intact"
            return problem
        finally:
            shutil.rmtree(self._staging, ignore_errors=True)

    def abort(self) -> None:
        super().abort()
        if self._previous is not None:
            self._previous.close()
        shutil.rmtree(self._staging, ignore_errors=True)


def open_remote_outputs(folder: RemoteFolder, formats: Sequence[str] = DEFAULT_FORMATS,
                        remote: Remote | None = None) -> Outputs:
    """The outputs of a URL folder (one connection) for ``--format`` values."""
    remote = remote or Remote(folder)
    return combine(formats, lambda kinds: RemoteOutputs(remote, kinds),
                   lambda: RemoteJsonlOutputs(remote))


@contextmanager
def open_remote_batch(folder: RemoteFolder) -> Iterator:
    """A batch's start on a URL folder: check it can be written, remove temporary files a
    killed run left, delete ``errors.jsonl`` and yield a fresh one,
    collected locally and uploaded when the batch ends. No lock (see the module docstring)."""
    remote = Remote(folder)
    remote.check_writable()
    removed = remote.remove_temp_files()
    if removed:
        log.info("removed %d temporary files a killed run left in %s", removed, folder)
    with tempfile.TemporaryDirectory(prefix="translate-pipeline-errors-") as staging:
        errors = ErrorLog(Path(staging, ERRORS_NAME))
        try:
            remote.remove(ERRORS_NAME)
        except Exception as exc:
            log.warning("cannot delete %s: %s", folder.child(ERRORS_NAME), _reason(exc))
        try:
            yield errors
        finally:
            if errors.path.exists():
                try:
                    remote.put_all([(ERRORS_NAME, errors.path)])
                except OutputError as exc:
                    log.warning("%s", exc)


# --- the cluster journal -----------------------------------------------------------------------


class RemoteJournal:
    """The articles one partition of a cluster run wrote (see
    :mod:`translate_pipeline.cluster.worker`): one empty object per article in the folder
    ``relative`` (a hash of its id: any id makes a valid name), listed when a retry starts."""

    def __init__(self, remote: Remote, relative: str):
        self.remote = remote
        self.relative = relative
        try:
            self._before = remote.names(relative)
        except Exception:
            self._before = set()

    @staticmethod
    def _name(article_id: str) -> str:
        return hashlib.sha256(article_id.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def written_before(self, article_id: str) -> bool:
        return self._name(article_id) in self._before

    def add(self, article_id: str) -> None:
        try:
            self.remote.makedirs(self.relative)
            self.remote.call("pipe_file",
                             self.remote.path(f"{self.relative}/{self._name(article_id)}"), b"")
        except Exception:
            pass  # only the tally of a retried partition depends on it


# --- --html ------------------------------------------------------------------------------------


def write_remote_digest(folder: RemoteFolder, title: str = "News digest") -> str:
    """``URL/index.html``, the same bytes as
    :func:`translate_pipeline.outputs.digest.write_digest` on a folder: rendered from a local mirror of the records (the ``.json`` files and
    ``articles.jsonl``; the Markdown files as empty stand-ins, only their names count), then
    uploaded. Returns the page's displayed URL."""
    from translate_pipeline.outputs.digest import (
        INDEX_NAME,
        collect_records,
        render_digest,
    )

    remote = Remote(folder)
    with tempfile.TemporaryDirectory(prefix="translate-pipeline-digest-") as tmp:
        mirror = Path(tmp)
        try:
            wanted = []
            for relative in remote.files():
                local = mirror.joinpath(*relative.split("/"))
                if relative.endswith(".md"):
                    local.parent.mkdir(parents=True, exist_ok=True)
                    local.touch()
                elif relative.endswith(".json") or relative == JSONL_NAME:
                    wanted.append((relative, local))
            for relative, local in wanted:
                local.parent.mkdir(parents=True, exist_ok=True)
                remote.call("get_file", remote.path(relative), str(local))
        except OutputError:
            raise
        except Exception as exc:
            raise OutputError(str(folder), f"cannot read the records: {_reason(exc)}") from exc
        page = render_digest(collect_records(mirror), mirror, title)
    remote.put_all([(INDEX_NAME, encode(page))])
    return folder.child(INDEX_NAME)

