"""Shared fixtures for Argos packages built with random weights (support.testmodel).

Register once in tests/conftest.py with ``pytest_plugins = ["argos_fixtures"]`` (tests/ is on
sys.path because conftest.py lives there without an ``__init__.py``).

- ``argos_package_factory(from_code, to_code, **kw) -> Path``: a built ``.argosmodel`` file, built
  once per session for each distinct argument set. Keywords are those of
  ``build_random_package``; ``seed`` defaults to ``argos_package_factory.pair_seed(from, to)``,
  so different pairs give different (garbage) output.
- ``en_de_package``, ``de_en_package``, ``en_uk_package``, ``uk_en_package``: small package files.
- ``install_argos(from_code, to_code, **kw) -> InstalledPackage``: build (cached) and install into
  this test's packages directory.
- ``installed_en_de``, ``installed_de_en``: the small packages installed for this test.
- ``argos_index_server``: a real HTTP server on 127.0.0.1 serving an Argos index; see
  :class:`IndexServer`. ``ARGOS_PACKAGE_INDEX`` is pointed at it for the test.
"""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import zlib
from pathlib import Path

import pytest
from loopback import serve_on_loopback
from support.testmodel import build_random_package

_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def pair_seed(from_code: str, to_code: str) -> int:
    """The default seed of a pair's test package (stable across runs)."""
    return zlib.crc32(f"{from_code}_{to_code}".encode()) % 10_000


@pytest.fixture(scope="session")
def argos_package_factory(tmp_path_factory):
    root = tmp_path_factory.mktemp("argos-built")
    cache: dict[tuple, Path] = {}
    lock = threading.Lock()

    def factory(from_code: str, to_code: str, **kw) -> Path:
        kw.setdefault("seed", pair_seed(from_code, to_code))
        key = (from_code, to_code, tuple(sorted(kw.items())))
        with lock:
            if key not in cache:
                out = root / f"build-{len(cache)}"
                cache[key] = build_random_package(out, from_code, to_code, **kw)
            return cache[key]

    factory.pair_seed = pair_seed
    return factory


@pytest.fixture(scope="session")
def en_de_package(argos_package_factory) -> Path:
    return argos_package_factory("en", "de")


@pytest.fixture(scope="session")
def de_en_package(argos_package_factory) -> Path:
    return argos_package_factory("de", "en")


@pytest.fixture(scope="session")
def en_uk_package(argos_package_factory) -> Path:
    return argos_package_factory("en", "uk")


@pytest.fixture(scope="session")
def uk_en_package(argos_package_factory) -> Path:
    return argos_package_factory("uk", "en")


@pytest.fixture
def install_argos(argos_package_factory):
    from translate_pipeline.translation.packages import install_file

    def install(from_code: str, to_code: str, **kw):
        return install_file(argos_package_factory(from_code, to_code, **kw))

    return install


@pytest.fixture
def installed_en_de(install_argos):
    return install_argos("en", "de")


@pytest.fixture
def installed_de_en(install_argos):
    return install_argos("de", "en")


class IndexServer:
    """Serves ``index.json`` and package files from a folder over HTTP on 127.0.0.1.

    ``base_url`` ends with ``/`` (what ``ARGOS_PACKAGE_INDEX`` expects). ``add(path, **extra)``
    copies a package file into the served folder and lists it in the index (metadata read from
    the archive, ``links`` pointing at this server); ``write_index(entries)`` replaces the index.
    ``requests`` records the paths asked for (GET), ``heads`` those of HEAD requests; a path
    under ``/moved/`` redirects (302) to the same path without it. ``close()``
    takes it off the network (its port then refuses connections): the index "offline".
    """

    def __init__(self, root: Path):
        self.root = root
        self.entries: list[dict] = []
        self.requests: list[str] = []
        self.heads: list[str] = []
        self._closed = False
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(server.root), **kwargs)

            def do_GET(self):  # noqa: N802 (http.server API)
                server.requests.append(self.path)
                self._redirect() or super().do_GET()

            def do_HEAD(self):  # noqa: N802 (http.server API)
                server.heads.append(self.path)
                self._redirect() or super().do_HEAD()

            def _redirect(self) -> bool:
                if not self.path.startswith("/moved/"):
                    return False
                self.send_response(302)
                self.send_header("Location", self.path[len("/moved"):])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True

            def log_message(self, *args):  # keep test output quiet
                pass

        self.httpd, base, self.thread = serve_on_loopback(Handler)
        self.base_url = base + "/"
        self.write_index([])

    def url(self, name: str) -> str:
        return self.base_url + name

    def write_index(self, entries: list[dict]) -> None:
        self.entries = list(entries)
        (self.root / "index.json").write_text(json.dumps(self.entries), encoding="utf-8")

    def add(self, package: Path, **extra) -> dict:
        import zipfile

        with zipfile.ZipFile(package) as zf:
            meta_name = next(n for n in zf.namelist() if n.endswith("/metadata.json"))
            metadata = json.loads(zf.read(meta_name))
        shutil.copyfile(package, self.root / package.name)
        entry = {**metadata, "links": [self.url(package.name)], **extra}
        self.write_index(self.entries + [entry])
        return entry

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def argos_index_server(tmp_path, monkeypatch):
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "index-server"
    root.mkdir()
    server = IndexServer(root)
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", server.base_url)
    try:
        yield server
    finally:
        server.close()
