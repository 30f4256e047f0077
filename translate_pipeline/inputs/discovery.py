"""Finding inputs: files and folders (recursively, sorted), URLs and ``-`` (stdin), in order.

Nothing is read here (:mod:`~translate_pipeline.inputs.read` does); a folder of a million files
is walked as the run goes, never listed whole.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from translate_pipeline.config import LOCK_NAME
from translate_pipeline.errors import InputError
from translate_pipeline.inputs.names import is_url
from translate_pipeline.inputs.kinds import (
    SUFFIXES,
    InputFile,
    InputStdin,
    InputURL,
    split_suffix,
    url_id,
    where,
)

__all__ = ["discover"]

log = logging.getLogger(__name__)


def discover(
    inputs: Sequence[str], *, outputs: Iterable[Path] = (),
    on_skip: Callable[[str], None] | None = None,
) -> Iterator[InputFile | InputError]:
    """Walk files and folders (recursively, sorted) in order; yield files or the error for an input.

    A folder contributes its ``.txt``/``.md`` files with ids relative to it; a file given by name is
    taken whatever its suffix (its id is its stem). Two inputs with the same id are an error for the
    second: its outputs would overwrite the first's.

    Output folders are never read back: a folder walked into that is one of ``outputs`` or holds
    a ``run``/``feed`` lock file (:data:`~translate_pipeline.config.LOCK_NAME`) is skipped, and
    ``on_skip`` (else a logged warning) gets one message for each.
    """
    excluded = _Excluded(outputs, on_skip)
    # Memory stays flat on a folder of a million files: ids are kept, as text, only where a
    # later one could repeat them (for every input but the last, whose files are only checked
    # against the earlier inputs' and against their own folder's: a.txt and a.md are both "a").
    seen: dict[str, str] = {}
    for position, raw in enumerate(inputs):
        keep = seen if position < len(inputs) - 1 else None
        folder_ids: dict[str, str] = {}
        folder = None
        root = Path(raw)
        if raw == "-":
            found = iter([InputStdin()])
        elif is_url(raw):
            found = iter([InputURL(raw, url_id(raw))])
        elif root.is_dir():
            found = _walk(root, excluded)
        elif root.exists():
            found = iter([InputFile(root, root.stem)])
        else:
            yield InputError(raw, "no such file or folder")
            continue
        for item in found:
            named = where(item)
            first = seen.get(item.id) or folder_ids.get(item.id)
            if first is not None:
                yield InputError(
                    named, f"its outputs would overwrite those of {first} (same name {item.id!r})"
                )
                continue
            parent = item.id.rpartition("/")[0]
            if parent != folder:  # a folder's files come together: its ids recur nowhere else
                folder_ids.clear()
                folder = parent
            (keep if keep is not None else folder_ids)[item.id] = named
            yield item


class _Excluded:
    """Which folders a walk skips: output folders."""

    def __init__(self, outputs: Iterable[Path], on_skip: Callable[[str], None] | None):
        self._outputs = set()
        for path in outputs:
            try:
                self._outputs.add(os.stat(path)[1:3])  # inode, device
            except OSError:
                pass  # not there yet: it will hold the lock by the time it is walked into
        self._on_skip = on_skip or (lambda message: log.warning("%s", message))

    def __call__(self, folder: str) -> bool:
        try:
            is_output = os.stat(folder)[1:3] in self._outputs
            has_lock = os.path.lexists(os.path.join(folder, LOCK_NAME))
        except OSError:
            return False
        if is_output:
            self._on_skip(f"not reading {folder}: it is the output folder")
        elif has_lock:
            self._on_skip(f"not reading {folder}: it is an output folder (it holds {LOCK_NAME})")
        return is_output or has_lock


def _walk(root: Path, excluded: _Excluded) -> Iterator[InputFile]:
    if excluded(str(root)):
        return
    top = str(root)
    for folder, dirs, files in os.walk(top):  # does not follow symlinked folders: no loops
        dirs.sort()
        dirs[:] = [d for d in dirs if not excluded(os.path.join(folder, d))]
        inside = os.path.relpath(folder, top)
        prefix = "" if inside == os.curdir else inside.replace(os.sep, "/") + "/"
        for name in sorted(files):
            stem, suffix = split_suffix(name)
            if suffix.lower() in SUFFIXES:
                yield InputFile(Path(folder, name), prefix + stem)
