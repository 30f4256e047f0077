"""Argos Translate packages: list, find, install from a file, remove (the online index is
:mod:`~translate_pipeline.translation.index`).

Packages live in :func:`translate_pipeline.config.argos_packages_dir`, read on every call. A
package is installed atomically: the archive is checked, extracted into a hidden staging folder
inside the packages directory, checked again, then renamed into place; on any error nothing new is
left behind and what was installed before is untouched. Hidden entries (names starting with ``.``)
in the packages directory are never listed.

``argostranslate.translate`` is never imported (it pulls in stanza and torch), nor is
``argostranslate.package.install_from_path`` / ``get_available_packages`` used: the first imports
it, the second recurses forever when offline. ``argostranslate.package`` is imported lazily, only
to read installed packages.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from translate_pipeline import config
from translate_pipeline.errors import PackageError, PackageNotFoundError

__all__ = [
    "InstalledPackage", "InstallOutcome", "list_installed", "find_installed", "install_file",
    "install", "archive_metadata", "remove", "remove_stale", "version_key", "MAX_INSTALLED_BYTES",
]

log = logging.getLogger(__name__)

#: A package whose files add up to more than this once extracted (4 GiB) is refused: the declared
#: sizes are checked before anything is written, the extraction itself stops at the same budget
#: (declared sizes may lie), and an install that would not fit in the free space is refused too.
MAX_INSTALLED_BYTES = 4 << 30
_FREE_MARGIN = 64 << 20  # left free on the disk after an install
_OWNER = ".owner"  # in a staging folder: flock-ed by the live install that owns it
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_UNSAFE = re.compile(r"\\|\x00|^[A-Za-z]:")  # backslashes, NULs, drive letters
_TOKENIZER_FILES = ("sentencepiece.model", "bpe.model")
_lock = threading.Lock()


@dataclass(frozen=True)
class InstalledPackage:
    from_code: str
    to_code: str
    version: str  # metadata package_version
    path: Path  # installed package directory
    target_prefix: str = ""

    @property
    def name(self) -> str:
        """The directory name, e.g. ``translate-en_de-1_0``."""
        return self.path.name

    @property
    def pair(self) -> tuple[str, str]:
        return (self.from_code, self.to_code)

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    def tokenizer(self):
        """A new tokenizer for this package (:mod:`translate_pipeline.translation.tokenizers`)."""
        from translate_pipeline.translation.tokenizers import (
            SentencePieceTokenizer,
            bpe_tokenizer,
        )

        if (self.path / "sentencepiece.model").is_file():
            return SentencePieceTokenizer(self.path / "sentencepiece.model")
        if (self.path / "bpe.model").is_file():
            return bpe_tokenizer(self.name, self.path / "bpe.model", self.from_code, self.to_code)
        raise PackageError(self.name, f"no sentencepiece.model or bpe.model in {self.path}")


@dataclass(frozen=True)
class InstallOutcome:
    """What an install did. ``package`` is installed now; ``previous`` was installed for the
    same pair before (None: the pair is new); ``changed`` is False when nothing was done because
    that version was installed already."""

    package: InstalledPackage
    previous: InstalledPackage | None = None
    changed: bool = True

    @property
    def action(self) -> str:
        """``installed`` (a new pair), ``upgraded``, ``downgraded``, ``reinstalled`` (the same
        version again) or ``unchanged``."""
        if not self.changed:
            return "unchanged"
        if self.previous is None:
            return "installed"
        old, new = version_key(self.previous.version), version_key(self.package.version)
        return "upgraded" if new > old else "downgraded" if new < old else "reinstalled"


# ---------------------------------------------------------------------------------------------
# Listing


def version_key(version: str):
    """A sort key for package versions: PEP 440 order (``1.10`` after ``1.9``, ``1.0`` equal to
    ``1.0.0``), and versions that are not PEP 440 before all those that are, in text order."""
    import packaging.version

    try:
        return (1, packaging.version.Version(version))
    except packaging.version.InvalidVersion:
        return (0, version)


def _sort_key(pkg: InstalledPackage):
    return (pkg.from_code, pkg.to_code, version_key(pkg.version), pkg.name)


def _check_metadata(metadata, where: str) -> tuple[str, str, str, str]:
    """(from_code, to_code, version, target_prefix) from a metadata object, or PackageError."""
    if not isinstance(metadata, dict):
        raise PackageError(where, "metadata.json is not a JSON object")
    values = []
    for key in ("from_code", "to_code", "package_version"):
        value = metadata.get(key)
        if value is None or value == "":
            raise PackageError(where, f"metadata.json has no {key}")
        if not isinstance(value, str):
            raise PackageError(where, f"metadata.json {key} is not a string: {value!r}")
        if key != "package_version" and not _CODE.match(value):
            raise PackageError(where, f"metadata.json {key} is not a language code: {value!r}")
        values.append(value)
    kind = metadata.get("type", "translate")
    if kind != "translate":
        raise PackageError(where, f"metadata.json type is {kind!r}, not 'translate'")
    prefix = metadata.get("target_prefix", "") or ""
    if not isinstance(prefix, str):
        raise PackageError(where, f"metadata.json target_prefix is not a string: {prefix!r}")
    return values[0], values[1], values[2], prefix


def _read_installed(path: Path) -> InstalledPackage:
    """One installed package directory, or PackageError saying why it is unusable (its
    metadata.json read as argostranslate reads it: ``type`` defaults to translate,
    ``target_prefix`` to none)."""
    try:
        with open(path / "metadata.json", encoding="utf-8") as handle:
            metadata = json.load(handle)
    except FileNotFoundError:
        raise PackageError(str(path), "no metadata.json") from None
    except RecursionError:
        raise PackageError(str(path), "unreadable metadata.json: nested too deeply") from None
    except (ValueError, OSError) as exc:  # bad JSON, not UTF-8, unreadable
        raise PackageError(str(path), f"unreadable metadata.json: {exc}") from exc
    from_code, to_code, version, prefix = _check_metadata(metadata, str(path))
    if not (path / "model" / "model.bin").is_file():
        raise PackageError(str(path), "no model/model.bin")
    if not any((path / name).is_file() for name in _TOKENIZER_FILES):
        raise PackageError(str(path), "no sentencepiece.model or bpe.model")
    return InstalledPackage(from_code, to_code, version, path, prefix)


def _scan(directory: Path, *, warn: bool) -> list[InstalledPackage]:
    try:
        entries = sorted(directory.iterdir())
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        if warn:
            log.warning("Argos packages directory %s is not a directory", directory)
        return []
    found = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        try:
            found.append(_read_installed(entry))
        except PackageError as exc:
            if warn:
                log.warning("skipping broken Argos package %s", exc)
        except Exception as exc:  # never let one odd directory break listing
            if warn:
                log.warning("skipping unreadable Argos package %s: %s", entry, exc)
    return found


def list_installed() -> tuple[InstalledPackage, ...]:
    """Installed translate packages, sorted by pair (then version); broken ones are skipped."""
    remove_stale()
    return tuple(sorted(_scan(config.argos_packages_dir(), warn=True), key=_sort_key))


def find_installed(from_code: str, to_code: str) -> InstalledPackage | None:
    """The installed package for the pair (the highest version if several), or None."""
    matches = [p for p in list_installed() if p.pair == (from_code, to_code)]
    return matches[-1] if matches else None


# ---------------------------------------------------------------------------------------------
# Installing from a file


def _inspect_archive(path: Path) -> tuple[str, tuple[str, str, str, str], int]:
    """Check a package archive without extracting it: (top folder, metadata values, the sum of
    its declared sizes)."""
    where = str(path)
    if not path.is_file():
        raise PackageError(where, "no such file")
    try:
        if not zipfile.is_zipfile(path):
            raise PackageError(where, "not a zip archive (an .argosmodel file is a zip)")
        zf = zipfile.ZipFile(path)
    except OSError as exc:
        raise PackageError(where, f"cannot read: {exc}") from exc
    except zipfile.BadZipFile as exc:
        raise PackageError(where, f"not a zip archive: {exc}") from exc
    with zf:
        tops: set[str] = set()
        files: set[str] = set()
        declared = sum(info.file_size for info in zf.infolist())
        if declared > MAX_INSTALLED_BYTES:
            raise PackageError(where, f"the archive inflates to {_size(declared)}, more than the "
                               f"{_size(MAX_INSTALLED_BYTES)} a package may take")
        for info in zf.infolist():
            name = info.filename
            parts = PurePosixPath(name).parts
            if not parts or name.startswith("/") or ".." in parts or _UNSAFE.search(name):
                raise PackageError(where, f"unsafe path in archive: {name!r}")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise PackageError(where, f"symbolic link in archive: {name!r}")
            if parts[0] == "__MACOSX":  # macOS zip litter: extracted to staging, never installed
                continue
            tops.add(parts[0])
            if len(parts) == 1 and not info.is_dir():
                raise PackageError(where, f"file {name!r} outside the package folder")
            if not info.is_dir():
                files.add("/".join(parts[1:]))
        if len(tops) != 1:
            found = ", ".join(sorted(tops)) or "nothing"
            raise PackageError(where, f"expected exactly one top-level folder, found: {found}")
        top = tops.pop()
        if top.startswith(".") or top in (".", ""):
            raise PackageError(where, f"bad top-level folder name {top!r}")
        if "metadata.json" not in files:
            raise PackageError(where, "no metadata.json in the package folder")
        try:
            metadata = json.loads(zf.read(f"{top}/metadata.json").decode("utf-8"))
        except RecursionError:
            raise PackageError(where, "metadata.json is not valid JSON: nested too deeply"
                               ) from None
        except (ValueError, KeyError, zipfile.BadZipFile, OSError) as exc:
            raise PackageError(where, f"metadata.json is not valid JSON: {exc}") from exc
        values = _check_metadata(metadata, where)
        for required in ("model/model.bin", "model/config.json"):
            if required not in files:
                raise PackageError(where, f"no {required} in the package folder")
        if not any(name in files for name in _TOKENIZER_FILES):
            raise PackageError(where, "no tokenizer (sentencepiece.model or bpe.model)")
        return top, values, declared


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"


def _extract(zf: zipfile.ZipFile, staging: Path, where: str) -> None:
    """Extract every member (their names were checked by :func:`_inspect_archive`), streaming,
    with a byte budget of :data:`MAX_INSTALLED_BYTES` whatever the members declare."""
    budget = MAX_INSTALLED_BYTES
    for info in zf.infolist():
        target = staging.joinpath(*PurePosixPath(info.filename).parts)
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as source, open(target, "xb") as out:
            while chunk := source.read(1 << 20):
                budget -= len(chunk)
                if budget < 0:
                    raise PackageError(where, "the archive inflates to more than the "
                                       f"{_size(MAX_INSTALLED_BYTES)} a package may take")
                out.write(chunk)


def _check_free_space(packages_dir: Path, needed: int, where: str) -> None:
    try:
        free = shutil.disk_usage(packages_dir).free
    except OSError:
        return
    if needed + _FREE_MARGIN > free:
        raise PackageError(where, f"the package needs {_size(needed)} and {packages_dir} has only "
                           f"{_size(free)} free")


def _new_staging(packages_dir: Path, prefix: str) -> tuple[Path, int]:
    """A fresh hidden folder in the packages directory, and the flock that marks it live."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=packages_dir))
    fd = os.open(folder / _OWNER, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return folder, fd


def remove_stale(packages_dir: Path | None = None) -> int:
    """Delete the ``.installing-*`` / ``.removing-*`` folders a killed install or remove left in
    the packages directory (those of a live one, whose owner flock is held, are kept).
    Returns how many were removed; never fails."""
    packages_dir = packages_dir or config.argos_packages_dir()
    removed = 0
    try:
        entries = list(packages_dir.iterdir())
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith((".installing-", ".removing-")) or entry.is_symlink():
            continue
        try:
            fd = os.open(entry / _OWNER, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            fd = None  # left by an older version, or killed before the flock
        except OSError:
            continue
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a live install
            elif time.time() - entry.stat().st_mtime < 60:
                continue  # perhaps an install between mkdtemp and its flock
            shutil.rmtree(entry, ignore_errors=True)
            removed += not entry.exists()
        except OSError:
            continue
        finally:
            if fd is not None:
                os.close(fd)
    if removed:
        log.info("removed %d unfinished install folder(s) in %s", removed, packages_dir)
    return removed


def install_file(path: Path) -> InstalledPackage:
    """Install an ``.argosmodel`` file, replacing any installed package for the same pair."""
    path = Path(path).expanduser()
    where = str(path)
    top, (from_code, to_code, _version, _prefix), declared = _inspect_archive(path)
    packages_dir = config.argos_packages_dir()
    try:
        packages_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = f"cannot create the packages directory: {exc}"
        raise PackageError(str(packages_dir), reason) from exc
    remove_stale(packages_dir)
    _check_free_space(packages_dir, declared, where)
    with _lock:
        try:
            staging, owner = _new_staging(packages_dir, ".installing-")
        except OSError as exc:
            raise PackageError(where, f"cannot install into {packages_dir}: {exc}") from exc
        try:
            try:
                with zipfile.ZipFile(path) as zf:
                    _extract(zf, staging, where)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
                raise PackageError(where, f"cannot extract: {exc}") from exc
            staged = staging / top
            pkg = _read_installed(staged)  # the checks listing makes, on the extracted files
            if pkg.pair != (from_code, to_code):
                raise PackageError(where, "metadata.json changed while installing")
            target = packages_dir / top
            previous = [p for p in _scan(packages_dir, warn=False) if p.pair == pkg.pair]
            if target.exists() or target.is_symlink():
                if target not in {p.path for p in previous} and _other_pair(target, pkg.pair):
                    raise PackageError(where, f"{target} holds a package for another pair")
                aside = staging / ".previous"  # deleted with staging once the new one is in place
                os.rename(target, aside)
                try:
                    os.rename(staged, target)
                except OSError:
                    os.rename(aside, target)
                    raise
            else:
                os.rename(staged, target)
            for old in previous:  # the same pair under another directory name
                if old.path != target:
                    _discard(old.path, packages_dir)
        except OSError as exc:
            raise PackageError(where, f"cannot install into {packages_dir}: {exc}") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            os.close(owner)
    return dataclasses.replace(pkg, path=target)


def archive_metadata(path: Path) -> tuple[str, str, str]:
    """(from_code, to_code, version) of an ``.argosmodel`` file, checked as an install checks it
    (PackageError naming the file), without installing anything."""
    _top, values, _declared = _inspect_archive(Path(path).expanduser())
    from_code, to_code, version, _prefix = values
    return from_code, to_code, version


def install(path: Path, *, reinstall: bool = False) -> InstallOutcome:
    """Install an ``.argosmodel`` file as :func:`install_file` does, unless the same version of
    its pair is installed already: then nothing changes (``changed`` False), unless
    ``reinstall``. Another version installed is replaced, newer or older."""
    from_code, to_code, version = archive_metadata(path)
    previous = find_installed(from_code, to_code)
    if (previous is not None and not reinstall
            and version_key(previous.version) == version_key(version)):
        return InstallOutcome(previous, previous, changed=False)
    return InstallOutcome(install_file(path), previous)


def _other_pair(path: Path, pair: tuple[str, str]) -> bool:
    try:
        return _read_installed(path).pair != pair
    except Exception:
        return False  # a broken directory in the way is replaced


def _discard(path: Path, packages_dir: Path) -> None:
    """Make a package directory disappear at once (rename), then delete it."""
    trash, owner = _new_staging(packages_dir, ".removing-")
    try:
        os.rename(path, trash / path.name)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
        os.close(owner)


def remove(from_code: str, to_code: str) -> InstalledPackage:
    """Remove the installed package(s) for the pair; returns the one :func:`find_installed` gave."""
    installed = list_installed()
    matches = [p for p in installed if p.pair == (from_code, to_code)]
    if not matches:
        pairs = ", ".join(f"{p.from_code}->{p.to_code}" for p in installed) or "none"
        raise PackageNotFoundError(
            f"{from_code}->{to_code}", f"no installed package to remove (installed: {pairs})"
        )
    packages_dir = config.argos_packages_dir()
    with _lock:
        for pkg in matches:
            try:
                _discard(pkg.path, packages_dir)
            except OSError as exc:
                raise PackageError(pkg.name, f"cannot remove {pkg.path}: {exc}") from exc
    return matches[-1]
