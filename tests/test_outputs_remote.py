"""``run --output URL``: outputs written through fsspec, here to a real FTP server on 127.0.0.1
(pyftpdlib, in a thread, serving a temporary folder), with and without ``--cluster``.

The URL outputs must be byte-identical to a folder's (same names, same bytes), resume the same
way, and fail with one clear line.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import pytest
from support.cli import error_lines, invoke, tally
from test_reliability import german, make_corpus, snapshot

pytest.importorskip("fsspec")
pyftpdlib = pytest.importorskip("pyftpdlib")

with warnings.catch_warnings():  # asyncore and asynchat, on Python 3.11
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import FTPServer

ARTICLES = 6
SECRET = "s3cret-pw"




class FtpServer:
    """pyftpdlib on a free loopback port, serving ``root``: user ``tp`` may do anything,
    ``reader`` may only list and read, ``limited`` may do anything but write in ``limited/b``. ``url(path)`` is ``ftp://tp:PASSWORD@127.0.0.1:PORT/path``."""

    def __init__(self, root: Path, idle_timeout: float = 300):
        logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
        authorizer = DummyAuthorizer()
        authorizer.add_user("tp", SECRET, str(root), perm="elradfmwMT")
        authorizer.add_user("reader", SECRET, str(root), perm="elr")
        authorizer.add_user("limited", SECRET, str(root), perm="elradfmwMT")
        (root / "limited" / "b").mkdir(parents=True)  # limited may not write in limited/b
        authorizer.override_perm("limited", str(root / "limited" / "b"), perm="elr",
                                 recursive=True)
        handler = type("Handler", (FTPHandler,), {"authorizer": authorizer,
                                                  "timeout": idle_timeout})
        self.root = root
        self.server = FTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())
        self.port = self.server.address[1]
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            self.server.serve_forever(timeout=0.02, blocking=False, handle_exit=False)
        self.server.close_all()

    def url(self, path: str, user: str = "tp") -> str:
        return f"ftp://{user}:{SECRET}@127.0.0.1:{self.port}/{path}"

    def shown(self, path: str, user: str = "tp") -> str:
        """The URL as messages show it: the password hidden."""
        return f"ftp://{user}:***@127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self._stop.set()
        self.thread.join(5)


@pytest.fixture
def ftp(tmp_path):
    root = tmp_path / "ftp-root"
    root.mkdir()
    server = FtpServer(root)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def batch(tmp_path, install_argos, monkeypatch):
    """A small corpus (6 articles in two folders, an empty file, a JSON Lines file of one article
    and a bad line) given by a relative path, de->en installed; ``run(out, *extra, cache=...)``."""
    install_argos("de", "en")
    make_corpus(tmp_path / "corpus", ARTICLES)
    (tmp_path / "corpus" / "empty.txt").write_text(" \n", encoding="utf-8")
    wire = json.dumps({"id": "w1", "title": "Meldung", "text": german(40)})
    (tmp_path / "corpus" / "wire.jsonl").write_text(wire + "\n{not json\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRANSLATE_PIPELINE_THREADS", "1")

    def run(out: str, *extra, cache: str = "cache.sqlite3"):
        monkeypatch.setenv("TRANSLATE_PIPELINE_CACHE", str(tmp_path / cache))
        return invoke("run", "corpus", "--to", "en", "-o", out, "-q", *extra)

    return run


DONE, FAILED = ARTICLES + 1, 2


def mtimes(folder: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_run_to_an_ftp_url_is_byte_identical_to_a_folder_and_resumes(batch, ftp, tmp_path):
    local = batch("local-out", cache="local.sqlite3")
    assert f"done {DONE}, skipped 0, failed {FAILED};" in local.stderr

    remote = batch(ftp.url("news/out"), cache="remote.sqlite3")
    assert remote.exit_code == local.exit_code == 1, remote.output
    assert error_lines(remote) == error_lines(local)
    assert tally(remote) == tally(local)
    assert remote.stderr.rstrip().endswith(f"outputs in {ftp.shown('news/out')}")
    assert SECRET not in remote.output
    served = ftp.root / "news" / "out"
    assert snapshot(served) == snapshot(tmp_path / "local-out")  # same names, same bytes
    assert len(snapshot(served)) == DONE * 3 + 1  # .json, .de.md, .en.md; errors.jsonl
    entries = (served / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(e)["source"] for e in entries] == ["corpus/empty.txt",
                                                          "corpus/wire.jsonl:2"]

    # resume: nothing redone, nothing rewritten
    before = {p: m for p, m in mtimes(served).items() if p.name != "errors.jsonl"}
    again = batch(ftp.url("news/out"), cache="remote.sqlite3")
    assert again.exit_code == 1
    assert f"done 0, skipped {DONE}, failed {FAILED};" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in before} == before

    # a missing Markdown file redoes that article only; a killed run's temporary file goes
    (served / "a" / "n01.en.md").unlink()
    (served / "b" / ".n02.json.abcd1234.tmp").write_text("{half", encoding="utf-8")
    partly = batch(ftp.url("news/out"), cache="remote.sqlite3")
    assert f"done 1, skipped {DONE - 1}, failed {FAILED};" in partly.stderr
    assert snapshot(served) == snapshot(tmp_path / "local-out")

    # --force redoes everything, to the same bytes
    forced = batch(ftp.url("news/out"), "--force", cache="remote.sqlite3")
    assert f"done {DONE}, skipped 0, failed {FAILED};" in forced.stderr
    assert snapshot(served) == snapshot(tmp_path / "local-out")
    assert all(p.stat().st_mtime_ns > before[p] for p in before)


@pytest.mark.parametrize("extra, names", [
    (("--format", "jsonl", "--format", "json", "--html"), {"articles.jsonl", "index.html"}),
    (("--format", "markdown",), {"a/n01.en.md"}),  # resumes from the front matter
])
def test_other_formats_and_html_at_a_url_match_a_folder(batch, ftp, tmp_path, extra, names):
    local = batch("local-out", *extra)
    remote = batch(ftp.url("out"), *extra)
    assert remote.exit_code == local.exit_code == 1, remote.output
    served = ftp.root / "out"
    assert snapshot(served) == snapshot(tmp_path / "local-out")
    assert names | {"errors.jsonl"} <= set(snapshot(served))
    again = batch(ftp.url("out"), *extra)  # resumes as in a folder
    assert f"done 0, skipped {DONE}, failed {FAILED};" in again.stderr
    assert snapshot(served) == snapshot(tmp_path / "local-out")


def test_run_on_a_cluster_to_an_ftp_url(batch, ftp, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from translate_pipeline.cluster import client as cluster

    monkeypatch.setenv("TRANSLATE_PIPELINE_PARTITION_ARTICLES", "3")
    local = batch("local-out", cache="local.sqlite3")
    # the first task to write an article (of a partition of 3) kills its own worker: the retry
    # skips what it wrote, and the journal at the URL still counts it as done
    marker = tmp_path / "killed"
    monkeypatch.setenv(cluster.TEST_KILL_ENV, str(marker))
    clustered = batch(ftp.url("out"), "--cluster", "local:2", cache="cluster.sqlite3")
    assert marker.exists(), "no worker was killed"
    assert clustered.exit_code == local.exit_code == 1, clustered.output
    assert error_lines(clustered) == error_lines(local)
    assert tally(clustered) == tally(local)
    served = ftp.root / "out"
    assert snapshot(served) == snapshot(tmp_path / "local-out")
    assert not (served / cluster.SCRATCH_NAME).exists()
    assert not [p for p in served.rglob("*") if p.name.endswith(".tmp")]

    monkeypatch.delenv(cluster.TEST_KILL_ENV)
    again = batch(ftp.url("out"), "--cluster", "local:2", cache="cluster.sqlite3")
    assert f"done 0, skipped {DONE}, failed {FAILED};" in again.stderr


@pytest.mark.parametrize("url, message", [
    ("nope://bucket/out", "unknown protocol 'nope'"),
    ("s3://bucket/out", "pip install s3fs"),
])
@pytest.mark.parametrize("cluster", [(), ("--cluster", "local:2")])
def test_url_usage_errors_exit_2(tmp_path, url, message, cluster):
    if url.startswith("s3:"):
        try:
            import s3fs  # noqa: F401
            pytest.skip("s3fs is installed here")
        except ImportError:
            pass
    if cluster:
        pytest.importorskip("distributed")
    (tmp_path / "a.txt").write_text("Titel\n\nText.\n", encoding="utf-8")
    result = invoke("run", tmp_path / "a.txt", "--to", "en", "-o", url, *cluster)
    assert result.exit_code == 2, result.output
    assert url in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


def test_url_output_without_fsspec_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "fsspec", None)  # import fails
    result = invoke("run", tmp_path, "--to", "en", "-o", "ftp://host/out")
    assert result.exit_code == 2
    assert "ftp://host/out" in result.stderr and "pip install fsspec" in result.stderr


def test_feed_refuses_url_outputs_with_or_without_cluster(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.xml").write_text("<rss version='2.0'><channel><title>x</title></channel></rss>",
                                    encoding="utf-8")
    extra = [[]] + ([["--cluster", "local:2"]] if _has("distributed") else [])
    for more in extra:
        result = invoke("feed", tmp_path / "a.xml", "--to", "en", "-o", "s3://bucket/out",
                        "--state", tmp_path / "state.db", *more)
        assert result.exit_code == 2 and "for run only" in result.stderr, (more, result.output)
        assert "s3://bucket/out" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xml"]  # no local "s3:" folder
    result = invoke("feed", tmp_path / "a.xml", "--to", "en", "-o", f"file://{tmp_path}/out",
                    "--state", tmp_path / "state.db")
    assert result.exit_code == 0 and (tmp_path / "out").is_dir(), result.output


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def test_unreachable_or_unwritable_ftp_is_one_error_line(tmp_path, ftp):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "a.txt").write_text("Titel\n\nText.\n", encoding="utf-8")
    url = f"ftp://tp:{SECRET}@127.0.0.1:{port}/out"
    result = invoke("run", tmp_path / "a.txt", "--to", "en", "-o", url)
    assert result.exit_code == 1  # as a folder that cannot be written
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"error: ftp://tp:***@127.0.0.1:{port}/out: cannot write: Connection refused"]

    read_only = invoke("run", tmp_path / "a.txt", "--to", "en", "-o", ftp.url("out", "reader"))
    assert read_only.exit_code == 1
    lines = [line for line in read_only.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {ftp.shown('out', 'reader')}: "
                                                   "cannot write: 550 "), lines
    assert not (ftp.root / "out").exists() or not any((ftp.root / "out").iterdir())


def test_articles_that_cannot_be_written_fail_alone_and_leave_nothing_half_written(
        tmp_path, ftp, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_corpus(tmp_path / "corpus", 4)  # a/n01, a/n03, b/n00, b/n02 (German)
    result = invoke("run", "corpus", "--to", "de", "-o", ftp.url("limited", "limited"), "-q")
    assert result.exit_code == 1, result.output
    assert "done 2, skipped 0, failed 2;" in result.stderr
    shown = ftp.shown("limited", "limited")
    assert [line.split(": cannot write: ")[0] for line in error_lines(result)] == [
        f"error: {shown}/b/n00.de.md", f"error: {shown}/b/n02.de.md"]
    assert all(": cannot write: 550 " in line for line in error_lines(result))
    served = ftp.root / "limited"
    assert sorted(snapshot(served)) == ["a/n01.de.md", "a/n01.json", "a/n03.de.md",
                                        "a/n03.json", "errors.jsonl"]
    assert [json.loads(line)["id"] for line in
            (served / "errors.jsonl").read_text(encoding="utf-8").splitlines()] == ["b/n00",
                                                                                   "b/n02"]


def test_a_connection_the_server_dropped_is_reopened(tmp_path, caplog):
    """An FTP server closes idle connections (a long translation window between writes)."""
    from translate_pipeline.outputs.remote import Remote
    from translate_pipeline.outputs.urls import RemoteFolder

    root = tmp_path / "ftp-root"
    root.mkdir()
    server = FtpServer(root, idle_timeout=0.5)
    try:
        remote = Remote(RemoteFolder(server.url("out")))
        remote.check_writable()
        time.sleep(1.2)  # the server hangs up
        with caplog.at_level(logging.INFO, logger="translate_pipeline.outputs.remote"):
            remote.put_all([("a/b.txt", b"one"), ("c.txt", b"two")])
        assert "connection lost" in caplog.text and SECRET not in caplog.text
        assert (root / "out" / "a" / "b.txt").read_bytes() == b"one"
        assert sorted(p.name for p in (root / "out").rglob("*")) == ["a", "b.txt", "c.txt"]
    finally:
        server.close()


def test_plain_runs_do_not_import_fsspec(tmp_path, installed_de_en):
    (tmp_path / "a.txt").write_text(
        "Titel\n\nDer Stadtrat hat am Dienstag den neuen Haushalt beschlossen.\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import sys
        from click.testing import CliRunner
        from translate_pipeline.cli import cli
        for out in ({str(tmp_path / "out")!r}, {"file://" + str(tmp_path / "out2")!r}):
            result = CliRunner().invoke(cli, ["run", {str(tmp_path / "a.txt")!r}, "--to", "en",
                                              "-o", out, "-q"])
            assert result.exit_code == 0, result.output
            print("LOADED", sorted(m for m in ("fsspec", "translate_pipeline.outputs.remote")
                                   if m in sys.modules))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    # a folder: neither; a file:// URL (a folder too): parsed by outputs/urls.py, which needs
    # neither fsspec nor the module that writes to URLs
    assert result.stdout.splitlines() == ["LOADED []", "LOADED []"]
    assert (tmp_path / "out" / "a.json").is_file() and (tmp_path / "out2" / "a.json").is_file()
