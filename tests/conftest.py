"""Test isolation: every user directory points into tmp, and the network is off.

argostranslate reads XDG directories when it is first imported, so the process-wide defaults are
set here, before any test module imports it; the autouse fixture then gives every test its own.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
from pathlib import Path

import pytest

pytest_plugins = ["argos_fixtures", "support.dictionary_fixtures"]

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="tp-tests-home-"))
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = str(_SESSION_HOME / _name.lower())
os.environ["ARGOS_PACKAGES_DIR"] = str(_SESSION_HOME / "argos-packages")
os.environ["TRANSLATE_PIPELINE_HOME"] = str(_SESSION_HOME / "tp-home")
os.environ.pop("ARGOS_PACKAGE_INDEX", None)
os.environ.pop("TRANSLATE_PIPELINE_CONFIG", None)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Each test gets fresh XDG, Argos and project directories under its tmp_path."""
    home = tmp_path / "home"
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(home / "argos-packages"))
    monkeypatch.setenv("TRANSLATE_PIPELINE_HOME", str(home / "tp-home"))
    monkeypatch.delenv("TRANSLATE_PIPELINE_CONFIG", raising=False)  # no developer's own file
    return home


def _is_loopback(address) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    elif isinstance(address, (str, bytes)):
        return True  # AF_UNIX socket path
    else:
        return False
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NetworkBlocked(AssertionError):
    """A test tried to reach a non-loopback address."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection attempt to a non-loopback address fails the test (even if caught)."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guard(address):
        if not _is_loopback(address):
            attempts.append(repr(address))
            raise NetworkBlocked(f"test tried to connect to {address!r}")

    def connect(self, address):
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None:
            name = host.decode() if isinstance(host, bytes) else str(host)
            guard((name, 0))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    if attempts:
        pytest.fail(f"network access attempted: {', '.join(attempts)}")


@pytest.fixture
def server(monkeypatch):
    """A loopback feed server (tests/feed_server.py), with no proxy between it and the tests."""
    from feed_server import FeedServer

    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                 "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    srv = FeedServer()
    yield srv
    srv.close()
