"""Where a run's outputs go, chosen once from ``--output``: a local folder, a URL folder, stdout.

Every caller (the batch runner, the cluster client and its workers, the CLI) asks the
:class:`Destination` instead of asking "folder or URL?" itself:

- :meth:`~Destination.open_batch`: what a batch holds for its whole run (a folder's lock, a
  writable check, a killed run's temporary files removed) and the ``errors.jsonl`` it journals
  failures in;
- :meth:`~Destination.open_outputs`: what writes each article (the ``--format`` kinds) and answers
  the complete-check for resuming;
- :meth:`~Destination.where`: an article's outputs, named for a message;
- :meth:`~Destination.write_digest`: ``index.html`` from every record there (``--html``);
- for ``run --cluster``: :meth:`~Destination.for_workers`, :meth:`~Destination.open_partition`,
  :meth:`~Destination.make_scratch`, :meth:`~Destination.remove_scratch`,
  :meth:`~Destination.remove_temp_files` and :meth:`~Destination.worker_problem`.

Destinations are small frozen records, so they travel to cluster workers as they are. A URL is
handled by :mod:`~translate_pipeline.outputs.remote`, imported (with fsspec) only for a URL.
"""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from translate_pipeline.errors import OutputError
from translate_pipeline.outputs.formats import DEFAULT_FORMATS, Outputs, combine
from translate_pipeline.outputs.journal import ERRORS_NAME, ErrorLog, FileJournal, NoErrorLog
from translate_pipeline.outputs.urls import RemoteFolder, check_protocol, looks_like_url, parse_output

__all__ = ["Destination", "LocalFolder", "URLFolder", "Stdout", "choose_destination"]

log = logging.getLogger(__name__)


class Destination:
    """The operations every caller needs; see the module docstring."""

    #: ``False`` where nothing is kept between runs (stdout): every article is redone.
    resumable = True
    #: What the worker processes of ``run --jobs`` do here: ``"write"`` (prepare articles and
    #: write their own files, :meth:`open_worker_outputs`), ``"prepare"`` (prepare only; the
    #: run's process writes), or ``None`` (nothing: the run stays in one process).
    workers: str | None = None

    def open_batch(self) -> AbstractContextManager[ErrorLog | NoErrorLog]:
        raise NotImplementedError

    def open_outputs(self, formats: Sequence[str] = ()) -> Outputs:
        raise NotImplementedError

    def where(self, article_id: str) -> str:
        raise NotImplementedError

    def open_worker_outputs(self, formats: Sequence[str] = ()) -> Outputs:
        """What a worker process of ``run --jobs`` writes (each article's own files) and asks
        ``is_complete`` of (every kind); where :attr:`workers` is ``"write"``."""
        raise OutputError(str(self), "worker processes cannot write here")

    def describe(self) -> str:
        """Where the outputs are, for the closing tally line."""
        return f"outputs in {self}"

    def write_digest(self, title: str = "News digest") -> str:
        raise OutputError(str(self), "--html needs an output folder")

    # --- run --cluster ---------------------------------------------------------------------

    def for_workers(self, base: str) -> Destination:
        """The same place as seen from a worker whose working folder is not ``base``."""
        return self

    def open_partition(self, formats: Sequence[str], journal: str) -> tuple[Outputs, Any]:
        """A worker's outputs, and the journal of what its partition wrote (``journal`` from
        :meth:`make_scratch`): ``written_before(id)``, ``add(id)``."""
        raise OutputError(str(self), "a cluster writes to a folder or a URL")

    def make_scratch(self, name: str, token: str, base: str) -> str:
        """Remove a killed cluster run's folder ``name``, make this run's journal folder in it
        and return where the workers find it (``base``: the client's working folder)."""
        raise OutputError(str(self), "a cluster writes to a folder or a URL")

    def remove_scratch(self, name: str) -> None:
        """Delete the folder ``name`` :meth:`make_scratch` made; missing is no error."""

    def remove_temp_files(self) -> int:
        """Delete the temporary files killed writers left; returns how many."""
        return 0

    def worker_problem(self) -> str | None:
        """Run on each cluster worker: why it cannot write here, or ``None``."""
        return None


@dataclass(frozen=True)
class LocalFolder(Destination):
    """A folder on this machine (or on storage every cluster worker sees)."""

    path: Path
    workers = "write"

    def __str__(self) -> str:
        return str(self.path)

    def open_batch(self) -> AbstractContextManager[ErrorLog]:
        return self._batch()

    @contextmanager
    def _batch(self) -> Iterator[ErrorLog]:
        from translate_pipeline.outputs.local import (
            check_writable,
            output_lock,
            remove_temp_files,
        )

        with output_lock(self.path):
            check_writable(self.path)  # a read-only folder is one error, not one per article
            removed = remove_temp_files(self.path)
            if removed:
                log.info("removed %d temporary files a killed run left in %s", removed, self.path)
            yield ErrorLog(self.path / ERRORS_NAME)

    def open_outputs(self, formats: Sequence[str] = ()) -> Outputs:
        from translate_pipeline.outputs.local import FileOutputs, JsonlOutputs

        from translate_pipeline.outputs.document import DocumentOutputs

        return combine(formats, lambda kinds: FileOutputs(self.path, kinds),
                       lambda: JsonlOutputs(self.path),
                       lambda alone: DocumentOutputs(self.path, alone=alone))

    def open_worker_outputs(self, formats: Sequence[str] = ()) -> Outputs:
        from translate_pipeline.outputs.document import DocumentOutputs
        from translate_pipeline.outputs.local import FileOutputs, JsonlIndex

        return combine(formats, lambda kinds: FileOutputs(self.path, kinds),
                       lambda: JsonlIndex(self.path),
                       lambda alone: DocumentOutputs(self.path, alone=alone))

    def where(self, article_id: str) -> str:
        return str(self.path / article_id)

    def write_digest(self, title: str = "News digest") -> str:
        from translate_pipeline.outputs.digest import write_digest

        return str(write_digest(self.path, title))

    def for_workers(self, base: str) -> LocalFolder:
        return LocalFolder(Path(base, self.path))

    def open_partition(self, formats: Sequence[str], journal: str) -> tuple[Outputs, Any]:
        return self.open_outputs(formats), FileJournal(Path(journal))

    def make_scratch(self, name: str, token: str, base: str) -> str:
        scratch = self.path / name
        shutil.rmtree(scratch, ignore_errors=True)
        journals = scratch / token
        try:
            journals.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(str(journals), f"cannot write: {exc.strerror or exc}") from exc
        return str(Path(base, journals))

    def remove_scratch(self, name: str) -> None:
        shutil.rmtree(self.path / name, ignore_errors=True)

    def remove_temp_files(self) -> int:
        from translate_pipeline.outputs.local import remove_temp_files

        return remove_temp_files(self.path)


@dataclass(frozen=True)
class URLFolder(Destination):
    """A folder at an fsspec URL (:mod:`~translate_pipeline.outputs.remote`); no lock."""

    folder: RemoteFolder

    def __str__(self) -> str:
        return self.folder.display

    def open_batch(self) -> AbstractContextManager[ErrorLog]:
        from translate_pipeline.outputs.remote import open_remote_batch

        return open_remote_batch(self.folder)

    def open_outputs(self, formats: Sequence[str] = ()) -> Outputs:
        from translate_pipeline.outputs.remote import open_remote_outputs

        return open_remote_outputs(self.folder, formats or DEFAULT_FORMATS)

    def where(self, article_id: str) -> str:
        return self.folder.child(article_id)

    def write_digest(self, title: str = "News digest") -> str:
        from translate_pipeline.outputs.remote import write_remote_digest

        return write_remote_digest(self.folder, title)

    def open_partition(self, formats: Sequence[str], journal: str) -> tuple[Outputs, Any]:
        from translate_pipeline.outputs.remote import Remote, RemoteJournal, open_remote_outputs

        remote = Remote(self.folder)  # one connection for the partition's writes and journal
        return (open_remote_outputs(self.folder, formats, remote), RemoteJournal(remote, journal))

    def make_scratch(self, name: str, token: str, base: str) -> str:
        self.remove_scratch(name)
        return f"{name}/{token}"

    def remove_scratch(self, name: str) -> None:
        from translate_pipeline.outputs.remote import Remote, remove_tree

        remove_tree(Remote(self.folder), name)

    def remove_temp_files(self) -> int:
        from translate_pipeline.outputs.remote import Remote

        return Remote(self.folder).remove_temp_files()

    def worker_problem(self) -> str | None:
        from translate_pipeline.outputs.urls import worker_problem

        return worker_problem(self.folder.url)


@dataclass(frozen=True)
class Stdout(Destination):
    """``--output -``: JSON Lines on standard output as each article is done; no files, no lock,
    no ``errors.jsonl`` (failures go to stderr only), no resume."""

    resumable = False
    workers = "prepare"

    def __str__(self) -> str:
        return "-"

    def describe(self) -> str:
        return "records on stdout"

    def open_batch(self) -> AbstractContextManager[NoErrorLog]:
        return nullcontext(NoErrorLog())

    def open_outputs(self, formats: Sequence[str] = (), stream: BinaryIO | None = None) -> Outputs:
        from translate_pipeline.errors import OutputError
        from translate_pipeline.outputs.stream import StreamOutputs

        if stream is None:
            if sys.stdout is None:  # started with stdout closed (``>&-``)
                raise OutputError("-", "cannot write: standard output is closed")
            stream = sys.stdout.buffer
        return StreamOutputs(stream)

    def where(self, article_id: str) -> str:
        return str(Path("-") / article_id)


def choose_destination(text: str, *, urls: bool = True, stdout: bool = True) -> Destination:
    """The destination ``--output TEXT`` names: ``-`` (where ``stdout``), a folder (``file://``
    URLs too), or, where ``urls``, any other fsspec URL, checked here (fsspec and the protocol's
    package must be importable; nothing is connected to). Raises
    :class:`~translate_pipeline.errors.OutputUsageError` for one that cannot work."""
    from translate_pipeline.errors import OutputUsageError

    if stdout and text == "-":
        return Stdout()
    if not looks_like_url(text):
        return LocalFolder(Path(text))
    target = parse_output(text)
    if isinstance(target, Path):
        return LocalFolder(target)
    if not urls:
        raise OutputUsageError(text, "feed writes to a folder; URL outputs (fsspec) are for run only")
    check_protocol(target)
    return URLFolder(target)
