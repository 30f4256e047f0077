"""Finding inputs: files and folders (recursively, sorted), URLs and ``-`` (stdin), in order.

Nothing is read here (:mod:`~translate_pipeline.inputs.read` does); a folder of a million files
is walked as the run goes, never listed whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from translate_pipeline.errors import InputError
from translate_pipeline.inputs.fetch import is_url
from translate_pipeline.inputs.kinds import (
    SUFFIXES,
    InputFile,
    InputStdin,
    InputURL,
    url_id,
    where,
)

__all__ = ["discover"]


def discover(inputs: Sequence[str]) -> Iterator[InputFile | InputError]:
    """Walk files and folders (recursively, sorted) in order; yield files or the error for an input.

    A folder contributes its ``.txt``/``.md`` files with ids relative to it; a file given by name is
    taken whatever its suffix (its id is its stem). Two inputs with the same id are an error for the
    second: its outputs would overwrite the first's.
    """
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
            found = _walk(root)
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


def _walk(root: Path) -> Iterator[InputFile]:
    for folder, dirs, files in os.walk(root):  # does not follow symlinked folders: no loops
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix.lower() in SUFFIXES:
                rel = path.relative_to(root).with_suffix("")
                yield InputFile(path, rel.as_posix())
