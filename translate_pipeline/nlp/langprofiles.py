"""langdetect's language profiles, loaded in a few milliseconds instead of a third of a second.

langdetect reads 55 JSON files (one per language) into a dict from each of 87,598 n-grams to a
list of 55 probabilities every time a process first detects a language: about 0.35 s, most of a
one-off ``detect``. The same numbers are kept here in a compact form -- only the 184,000 non-zero
probabilities, as float64 (the very same values), in one file of about 3 MB under the
project's data directory -- written the first time a process builds them, read by every later
process. :class:`CompactProfiles` answers langdetect's two questions (``ngram in profiles``,
``profiles[ngram]``) from it with the same floats, so detection gives exactly the same answers.

The file is named after a digest of langdetect's profile files and is checked when read
(array shapes, language count); one that is missing, stale or damaged is rebuilt, and one that
cannot be written (a read-only home) costs nothing but the time: the profiles are then used as
langdetect built them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from array import array
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..config import data_dir

__all__ = ["CompactProfiles", "load_factory"]

log = logging.getLogger(__name__)
FORMAT = 3


class CompactProfiles(Mapping):
    """n-gram -> list of per-language probabilities, from compressed-sparse-row arrays."""

    def __init__(self, ngrams: list[str], indptr: Any, indices: Any, values: Any, width: int):
        self._row = dict(zip(ngrams, range(len(ngrams))))
        self._indptr = indptr
        self._indices = indices
        self._values = values
        self._width = width

    def __contains__(self, ngram: object) -> bool:
        return ngram in self._row

    def __getitem__(self, ngram: str) -> list[float]:
        k = self._row[ngram]
        start, end = self._indptr[k], self._indptr[k + 1]
        probabilities = [0.0] * self._width
        for j, p in zip(self._indices[start:end], self._values[start:end]):
            probabilities[j] = p
        return probabilities

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


def cache_path(profiles: str) -> Path:
    """The compact file for langdetect's profile folder as it is now: named after a digest of
    the folder's path and its files' names, sizes and times, so another langdetect (or an
    edited profile) gets a file of its own."""
    entries = sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(profiles))
    key = hashlib.sha256(repr((FORMAT, os.path.abspath(profiles), entries)).encode())
    return data_dir() / f"langdetect-profiles-{key.hexdigest()[:16]}.bin"


def load_factory():
    """A langdetect ``DetectorFactory`` with every profile, from the compact file when it can."""
    from langdetect import DetectorFactory
    from langdetect.detector_factory import PROFILES_DIRECTORY

    path = cache_path(PROFILES_DIRECTORY)
    factory = DetectorFactory()
    compact = _read(path)
    if compact is not None:
        factory.langlist, factory.word_lang_prob_map = compact
        return factory
    factory.load_profile(PROFILES_DIRECTORY)
    _write(path, factory.langlist, factory.word_lang_prob_map)
    return factory


# The file: MAGIC, a JSON header line (languages and the byte length of each part), then the
# n-grams (UTF-8, NUL-separated), the row offsets (int64), the language indices (uint8) and the
# probabilities (float64), all in this machine's byte order (named in the header).
MAGIC = b"translate-pipeline langdetect profiles\n"
_PARTS = (("ngrams", "B"), ("indptr", "q"), ("indices", "B"), ("values", "d"))


def _read(path: Path) -> tuple[list[str], CompactProfiles] | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.debug("langdetect profile cache %s unreadable (%s): rebuilding it", path, exc)
        return None
    try:
        if not data.startswith(MAGIC):
            raise ValueError("not a profile file")
        end = data.index(b"\n", len(MAGIC))
        header = json.loads(data[len(MAGIC):end])
        if header["byteorder"] != sys.byteorder:
            raise ValueError("written on a machine of the other byte order")
        position = end + 1
        parts = {}
        for name, code in _PARTS:
            size = int(header[name])
            parts[name] = array(code, data[position:position + size])
            position += size
        if position != len(data):
            raise ValueError("wrong length")
        langs = list(header["langs"])
        ngrams = parts["ngrams"].tobytes().decode().split("\0")
        indptr, indices, values = parts["indptr"], parts["indices"], parts["values"]
        width = len(langs)
        if (not width or len(indptr) != len(ngrams) + 1 or len(indices) != len(values)
                or indptr[-1] != len(values) or (indices and max(indices) >= width)):
            raise ValueError("inconsistent")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        log.debug("langdetect profile cache %s is damaged (%s): rebuilding it", path, exc)
        return None
    return langs, CompactProfiles(ngrams, indptr, indices, values, width)


def _write(path: Path, langs: list[str], profiles: dict[str, list[float]]) -> None:
    ngrams = list(profiles)
    indptr = array("q", [0])
    indices = array("B")
    values = array("d")
    for ngram in ngrams:
        for j, p in enumerate(profiles[ngram]):
            if p:
                indices.append(j)
                values.append(p)
        indptr.append(len(values))
    parts = {"ngrams": "\0".join(ngrams).encode(), "indptr": indptr.tobytes(),
             "indices": indices.tobytes(), "values": values.tobytes()}
    header = {"langs": langs, "byteorder": sys.byteorder,
              **{name: len(blob) for name, blob in parts.items()}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(MAGIC + json.dumps(header).encode() + b"\n")
                for name, _ in _PARTS:
                    out.write(parts[name])
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:  # a read-only home: detection works, only slower to start
        log.debug("cannot write the langdetect profile cache %s: %s", path, exc)
