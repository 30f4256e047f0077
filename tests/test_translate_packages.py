"""Argos packages: install (file, index), list, find, replace, remove; never half-installed."""

from __future__ import annotations

import json
import logging
import socket
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from translate_pipeline import config
from translate_pipeline.errors import NetworkError, PackageError, PackageNotFoundError
from translate_pipeline.translation import index, packages
from translate_pipeline.translation.index import index_url, install_from_index
from translate_pipeline.translation.packages import (
    InstalledPackage,
    find_installed,
    install_file,
    list_installed,
    remove,
)


def _entries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def _rewrite(package: Path, out: Path, *, drop=(), replace=None, add=None) -> Path:
    """A copy of a package archive with members dropped, replaced or added."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            rel = info.filename.split("/", 1)[1] if "/" in info.filename else ""
            if rel in drop:
                continue
            data = replace.get(rel, src.read(info))
            dst.writestr(info.filename, data)
        for name, data in add.items():
            dst.writestr(name, data)
    return out


def _metadata(package: Path) -> dict:
    with zipfile.ZipFile(package) as zf:
        return json.loads(zf.read(next(n for n in zf.namelist() if n.endswith("metadata.json"))))


# --- install_file, list, find, remove ---------------------------------------------------------


def test_nothing_installed():
    assert not config.argos_packages_dir().exists()
    assert list_installed() == ()
    assert find_installed("en", "de") is None


def test_install_list_find(en_de_package, de_en_package):
    pkg = install_file(en_de_package)
    assert isinstance(pkg, InstalledPackage)
    assert (pkg.from_code, pkg.to_code, pkg.version, pkg.target_prefix) == ("en", "de", "1.0", "")
    assert pkg.name == "translate-en_de-1_0" and pkg.pair == ("en", "de")
    assert pkg.path == config.argos_packages_dir() / "translate-en_de-1_0"
    assert (pkg.model_dir / "model.bin").is_file()
    install_file(de_en_package)
    assert [p.pair for p in list_installed()] == [("de", "en"), ("en", "de")]
    assert find_installed("en", "de") == pkg
    assert find_installed("en", "fr") is None
    assert _entries(config.argos_packages_dir()) == ["translate-de_en-1_0", "translate-en_de-1_0"]


def test_tokenizer_encodes_and_decodes(installed_en_de):
    tokenizer = installed_en_de.tokenizer()
    pieces = tokenizer.encode("Die Regierung hat am Montag neue Preise angekündigt.")
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert tokenizer.decode(pieces).strip().startswith("Die Regierung")
    assert installed_en_de.tokenizer() is not tokenizer


def test_target_prefix_is_read(argos_package_factory):
    pkg = install_file(argos_package_factory("en", "fr", target_prefix="__fr__"))
    assert pkg.target_prefix == "__fr__"
    assert find_installed("en", "fr").target_prefix == "__fr__"


def test_reinstall_replaces_the_pair(argos_package_factory):
    first = install_file(argos_package_factory("en", "de"))
    marker = first.path / "marker.txt"
    marker.write_text("old")
    second = install_file(argos_package_factory("en", "de"))  # same version, same directory
    assert second.path == first.path and not marker.exists()
    newer = install_file(argos_package_factory("en", "de", version="1.9"))
    assert newer.version == "1.9" and newer.name == "translate-en_de-1_9"
    assert list_installed() == (newer,)  # the 1.0 directory is gone
    assert _entries(config.argos_packages_dir()) == ["translate-en_de-1_9"]


def test_remove(installed_en_de, installed_de_en):
    removed = remove("en", "de")
    assert removed == installed_en_de and not removed.path.exists()
    assert list_installed() == (installed_de_en,)
    assert _entries(config.argos_packages_dir()) == ["translate-de_en-1_0"]
    with pytest.raises(PackageNotFoundError) as info:
        remove("en", "de")
    assert "en->de" in str(info.value) and "de->en" in str(info.value)


def test_remove_when_nothing_installed():
    with pytest.raises(PackageNotFoundError, match="installed: none"):
        remove("en", "de")


def test_packages_dir_is_read_on_every_call(tmp_path, monkeypatch, en_de_package):
    install_file(en_de_package)
    assert len(list_installed()) == 1
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "elsewhere" / "packages"))
    assert list_installed() == ()
    pkg = install_file(en_de_package)  # creates the directory
    assert pkg.path.parent == tmp_path / "elsewhere" / "packages"


def test_broken_installed_dirs_are_skipped(installed_en_de, caplog):
    root = config.argos_packages_dir()
    (root / "no-metadata").mkdir()
    (root / "garbled").mkdir()
    (root / "garbled" / "metadata.json").write_text("{not json")
    (root / "no-codes").mkdir()
    (root / "no-codes" / "metadata.json").write_text(json.dumps({"package_version": "1"}))
    (root / "binary").mkdir()
    (root / "binary" / "metadata.json").write_bytes(b"\xff\xfe\x00garbage")
    (root / "stray-file.txt").write_text("x")
    (root / ".installing-leftover").mkdir()
    with caplog.at_level(logging.WARNING, logger="translate_pipeline.translation.packages"):
        assert list_installed() == (installed_en_de,)
    warned = caplog.text
    for name in ("no-metadata", "garbled", "no-codes", "binary"):
        assert name in warned
    assert ".installing-leftover" not in warned


def test_packages_dir_is_a_file(tmp_path, monkeypatch):
    path = tmp_path / "not-a-dir"
    path.write_text("x")
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(path))
    assert list_installed() == ()


# --- corrupt package files ---------------------------------------------------------------------


def _zip_with(out: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out


def _corruptions(package: Path, tmp: Path) -> dict[str, tuple[Path, str]]:
    meta = _metadata(package)
    no_from = {k: v for k, v in meta.items() if k != "from_code"}
    traversal = _rewrite(package, tmp / "traversal.argosmodel",
                         add={"translate-en_de-1_0/../../evil.txt": b"x"})
    return {
        "not a zip": (_write(tmp / "text.argosmodel", b"hello, not a zip"), "not a zip archive"),
        "empty file": (_write(tmp / "empty.argosmodel", b""), "not a zip archive"),
        "truncated zip": (_write(tmp / "cut.argosmodel", package.read_bytes()[:4000]),
                          "not a zip archive"),
        "no metadata": (_rewrite(package, tmp / "nometa.argosmodel", drop={"metadata.json"}),
                        "no metadata.json"),
        "metadata not json": (_rewrite(package, tmp / "badjson.argosmodel",
                                       replace={"metadata.json": b"{oops"}), "not valid JSON"),
        "metadata without from_code": (
            _rewrite(package, tmp / "nofrom.argosmodel",
                     replace={"metadata.json": json.dumps(no_from).encode()}), "from_code"),
        "metadata a list": (_rewrite(package, tmp / "list.argosmodel",
                                     replace={"metadata.json": b"[]"}), "not a JSON object"),
        "missing model.bin": (_rewrite(package, tmp / "nobin.argosmodel",
                                       drop={"model/model.bin"}), "model/model.bin"),
        "missing config.json": (_rewrite(package, tmp / "noconfig.argosmodel",
                                         drop={"model/config.json"}), "model/config.json"),
        "missing tokenizer": (_rewrite(package, tmp / "notok.argosmodel",
                                       drop={"sentencepiece.model"}), "tokenizer"),
        "path traversal": (traversal, "unsafe path"),
        "absolute path": (_zip_with(tmp / "abs.argosmodel", {"/etc/evil": b"x"}), "unsafe path"),
        "two top folders": (_rewrite(package, tmp / "two.argosmodel", add={"other/x.txt": b"x"}),
                            "exactly one top-level folder"),
        "file at top level": (_rewrite(package, tmp / "topfile.argosmodel",
                                       add={"README.txt": b"x"}), "outside the package folder"),
        "empty zip": (_zip_with(tmp / "emptyzip.argosmodel", {}), "exactly one top-level folder"),
        "sbd package": (_rewrite(package, tmp / "sbd.argosmodel", replace={
            "metadata.json": json.dumps({**meta, "type": "sbd"}).encode()}), "not 'translate'"),
    }


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_corrupt_files_are_refused_and_leave_nothing(en_de_package, de_en_package, tmp_path):
    existing = install_file(de_en_package)
    root = config.argos_packages_dir()
    before = _entries(root)
    for case, (path, expected) in _corruptions(en_de_package, tmp_path).items():
        with pytest.raises(PackageError) as info:
            install_file(path)
        message = str(info.value)
        assert str(path) in message, case
        assert expected in message, (case, message)
        assert _entries(root) == before, case
    assert list_installed() == (existing,)
    assert not (tmp_path / "evil.txt").exists()


def test_macos_litter_is_ignored(en_de_package, tmp_path):
    litter = _rewrite(en_de_package, tmp_path / "mac.argosmodel",
                      add={"__MACOSX/translate-en_de-1_0/._metadata.json": b"x"})
    pkg = install_file(litter)
    assert _entries(config.argos_packages_dir()) == [pkg.name]


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(PackageError, match="no such file"):
        install_file(tmp_path / "nope.argosmodel")
    assert not config.argos_packages_dir().exists() or _entries(config.argos_packages_dir()) == []


def test_corrupt_member_data_leaves_nothing(en_de_package, tmp_path, installed_de_en):
    # Valid structure, but a member's bytes are damaged: caught during extraction.
    data = bytearray(en_de_package.read_bytes())
    with zipfile.ZipFile(en_de_package) as zf:
        info = zf.getinfo("translate-en_de-1_0/model/model.bin")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 100
    data[start:start + 64] = bytes(64)
    damaged = _write(tmp_path / "damaged.argosmodel", bytes(data))
    with pytest.raises(PackageError, match="damaged.argosmodel"):
        install_file(damaged)
    assert _entries(config.argos_packages_dir()) == ["translate-de_en-1_0"]


def test_failed_replacement_keeps_the_old_package(en_de_package, tmp_path, monkeypatch):
    old = install_file(en_de_package)
    real_rename = packages.os.rename
    calls = []

    def failing_rename(src, dst):
        calls.append((src, dst))
        if Path(dst) == old.path and ".installing-" in str(src) and "previous" not in str(src):
            raise OSError("disk on fire")
        return real_rename(src, dst)

    monkeypatch.setattr(packages.os, "rename", failing_rename)
    with pytest.raises(PackageError, match="disk on fire"):
        install_file(en_de_package)
    assert calls
    assert list_installed() == (old,) and (old.model_dir / "model.bin").is_file()
    assert _entries(config.argos_packages_dir()) == ["translate-en_de-1_0"]


def test_interrupted_install_leaves_nothing(en_de_package, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(packages, "_extract", boom)  # halfway through the extraction
    with pytest.raises(KeyboardInterrupt):
        install_file(en_de_package)
    assert _entries(config.argos_packages_dir()) == []


# --- install_from_index ------------------------------------------------------------------------


def test_index_url(monkeypatch):
    monkeypatch.delenv("ARGOS_PACKAGE_INDEX", raising=False)
    assert index_url() == index.DEFAULT_INDEX_URL
    assert index_url().endswith("/")
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", "http://127.0.0.1:9/mirror")
    assert index_url() == "http://127.0.0.1:9/mirror/"
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", "")
    assert index_url() == index.DEFAULT_INDEX_URL


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """tempfile's directory for this test only, to check that downloads are cleaned up."""
    path = tmp_path / "tmp"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    return path


def test_install_from_index(argos_index_server, en_de_package, de_en_package, private_tmp):
    argos_index_server.add(de_en_package)
    argos_index_server.add(en_de_package)
    pkg = install_from_index("en", "de", timeout=5)
    assert pkg.pair == ("en", "de") and pkg.path.is_dir()
    assert list_installed() == (pkg,)
    assert argos_index_server.requests == ["/index.json", "/" + en_de_package.name]
    assert list(private_tmp.iterdir()) == []


def test_install_from_index_picks_highest_version_and_a_working_link(
        argos_index_server, argos_package_factory, private_tmp):
    old = argos_package_factory("en", "de")
    new = argos_package_factory("en", "de", version="1.9")
    argos_index_server.add(old)
    entry = argos_index_server.add(new)
    entry["links"] = [argos_index_server.url("missing.argosmodel")] + entry["links"]
    argos_index_server.write_index([argos_index_server.entries[0], entry])
    pkg = install_from_index("en", "de", timeout=5)
    assert pkg.version == "1.9"
    assert list(private_tmp.iterdir()) == []


def test_pair_absent_from_index(argos_index_server, de_en_package):
    argos_index_server.add(de_en_package)
    with pytest.raises(PackageNotFoundError) as info:
        install_from_index("en", "uk", timeout=5)
    assert "en->uk" in str(info.value) and "de->en" in str(info.value)
    assert list_installed() == ()


def test_broken_download_link(argos_index_server, en_de_package, private_tmp):
    entry = argos_index_server.add(en_de_package)
    entry["links"] = [argos_index_server.url("gone.argosmodel")]
    argos_index_server.write_index([entry])
    with pytest.raises(NetworkError, match="HTTP 404"):
        install_from_index("en", "de", timeout=5)
    assert list(private_tmp.iterdir()) == []
    assert _entries(config.argos_packages_dir()) == []


def test_corrupt_download_is_refused(argos_index_server, en_de_package, private_tmp):
    entry = argos_index_server.add(en_de_package)
    (argos_index_server.root / en_de_package.name).write_bytes(b"not a zip at all")
    with pytest.raises(PackageError) as info:
        install_from_index("en", "de", timeout=5)
    assert entry["links"][0] in str(info.value) and "not a zip archive" in str(info.value)
    assert list(private_tmp.iterdir()) == []
    assert _entries(config.argos_packages_dir()) == []


@pytest.mark.parametrize("body", [b"{not json", b'{"a": 1}'])
def test_garbage_index(argos_index_server, body):
    (argos_index_server.root / "index.json").write_bytes(body)
    with pytest.raises(NetworkError, match="index"):
        install_from_index("en", "de", timeout=5)


def test_missing_index_is_a_network_error(argos_index_server, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", argos_index_server.url("nowhere/"))
    with pytest.raises(NetworkError, match="HTTP 404"):
        install_from_index("en", "de", timeout=5)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_fails_fast_with_instructions(monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", f"http://127.0.0.1:{_closed_port()}/")
    start = time.monotonic()
    with pytest.raises(NetworkError) as info:
        install_from_index("en", "de")
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert "index.json" in message and "could not reach" in message and "offline" in message
    assert "translate-pipeline models install FILE.argosmodel" in message
    assert _entries(config.argos_packages_dir()) == []


def test_unresponsive_server_times_out(monkeypatch):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)  # accepts connections, never answers
        monkeypatch.setenv("ARGOS_PACKAGE_INDEX", f"http://127.0.0.1:{server.getsockname()[1]}/")
        start = time.monotonic()
        with pytest.raises(NetworkError, match="offline"):
            install_from_index("en", "de", timeout=0.5)
        assert time.monotonic() - start < 5


def test_unsupported_index_scheme(monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", "ftp://127.0.0.1/")
    with pytest.raises(NetworkError):
        install_from_index("en", "de", timeout=1)


BLOCK_HEAVY = (
    "import importlib.abc, sys\n"
    "class Block(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] in ('argostranslate', 'torch', 'stanza', 'spacy', 'sacremoses'):\n"
    "            raise ImportError(f'{name} is not installed (blocked by the test)')\n"
    "sys.meta_path.insert(0, Block())\n"
)


def test_the_whole_chain_works_without_argostranslate_or_torch(de_en_package, tmp_path):
    """The runtime install has no argostranslate (and so no torch, stanza, spacy): install a
    package, list it, and translate with it in an interpreter where they cannot be imported."""
    import os
    import subprocess
    import sys

    article = tmp_path / "rat.txt"
    article.write_text("Stadtrat beschließt Haushalt\n\nDer Stadtrat hat am Dienstag den neuen "
                       "Haushalt beschlossen. Die Schulen erhalten mehr Geld.\n", encoding="utf-8")
    code = BLOCK_HEAVY + (
        "from click.testing import CliRunner\n"
        "from translate_pipeline.cli import cli\n"
        "def ok(*args):\n"
        "    result = CliRunner().invoke(cli, [str(a) for a in args])\n"
        "    assert result.exit_code == 0, (args, result.output, result.exception)\n"
        "    return result.output\n"
        f"ok('models', 'install', {str(de_en_package)!r})\n"
        "assert 'de' in ok('models', 'list') and 'en' in ok('models', 'list')\n"
        f"ok('run', {str(article)!r}, '--to', 'en', '-o', {str(tmp_path / 'out')!r}, '-q')\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('argostranslate', 'torch')]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ), timeout=120)
    english = (tmp_path / "out" / "rat.en.md").read_text(encoding="utf-8")
    assert "translated_from: \"de\"" in english and "## Summary" in english


def test_a_bpe_package_without_argostranslate_is_a_clear_error(tmp_path, monkeypatch):
    from translate_pipeline.errors import PackageError
    from translate_pipeline.translation.packages import InstalledPackage

    (tmp_path / "bpe.model").write_text("#version: 0.2\n", encoding="utf-8")
    pkg = InstalledPackage("en", "de", "1.0", tmp_path, "")
    monkeypatch.setitem(sys.modules, "argostranslate.tokenizer", None)  # not installed
    with pytest.raises(PackageError, match=r"bpe\.model.*pip install -e '\.\[argos\]'"):
        pkg.tokenizer()


def test_size_limit(argos_index_server, en_de_package, monkeypatch, private_tmp):
    argos_index_server.add(en_de_package)
    monkeypatch.setattr(index, "MAX_DOWNLOAD_BYTES", 1000)
    with pytest.raises(NetworkError, match="limit"):
        install_from_index("en", "de", timeout=5)
    assert list(private_tmp.iterdir()) == []
