"""``--cluster``: run and feed on a Dask cluster (``local:2``: two worker processes on 127.0.0.1).

The same inputs through the single-process path and through the cluster give byte-identical
outputs, tallies, ``error:`` lines, ``errors.jsonl`` and exit codes; a worker killed mid-partition
(SIGKILL, from inside its task) loses nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.cli import error_lines, invoke, tally
from test_feeds import ENGLISH, GERMAN, atom, numbered, rss1, rss2
from test_reliability import german, make_corpus, snapshot

pytest.importorskip("distributed")

from translate_pipeline.cluster import client as cluster  # noqa: E402
from translate_pipeline.errors import InputError  # noqa: E402
from translate_pipeline.inputs.kinds import InputFile  # noqa: E402
from translate_pipeline.outputs.destination import LocalFolder  # noqa: E402

ARTICLES = 12
DONE, FAILED = ARTICLES + 2, 3  # the JSON Lines file's two articles; three bad inputs




@pytest.fixture
def batch(tmp_path, install_argos, monkeypatch):
    """A corpus (12 articles, an empty file, a short cp1251 file, a JSON Lines file of two
    articles and a bad line) given by a relative path, and de->en, en->uk installed (uk goes
    through en); 4 inputs a partition."""
    install_argos("de", "en")
    install_argos("en", "uk")
    make_corpus(tmp_path / "corpus", ARTICLES)
    (tmp_path / "corpus" / "empty.txt").write_text(" \n", encoding="utf-8")
    (tmp_path / "corpus" / "a" / "cp1251.txt").write_bytes("Привет, мир".encode("cp1251"))
    wire = [json.dumps({"id": f"w{i}", "title": f"Meldung {i}", "text": german(50 + i)})
            for i in range(2)]
    (tmp_path / "corpus" / "wire.jsonl").write_text(  # two articles and a bad line
        wire[0] + "\n{not json\n" + wire[1] + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRANSLATE_PIPELINE_PARTITION_ARTICLES", "4")
    monkeypatch.setenv("TRANSLATE_PIPELINE_THREADS", "1")

    def run(out: str, *extra, cache: str):
        monkeypatch.setenv("TRANSLATE_PIPELINE_CACHE", str(tmp_path / cache))
        return invoke("run", "corpus", "--to", "en", "--to", "uk", "-o", out, "-q", *extra)

    return run


def assert_same_run(local, clustered, local_out: Path, cluster_out: Path):
    assert clustered.exit_code == local.exit_code == 1, clustered.output
    assert error_lines(clustered) == error_lines(local)
    assert tally(clustered) == tally(local)
    assert snapshot(cluster_out) == snapshot(local_out)


def test_cluster_run_is_byte_identical_to_the_local_run(batch, tmp_path):
    local = batch("local-out", cache="local.sqlite3")
    assert f"done {DONE}, skipped 0, failed {FAILED};" in local.stderr
    assert len(error_lines(local)) == FAILED

    clustered = batch("cluster-out", "--cluster", "local:2", cache="cluster.sqlite3")
    assert_same_run(local, clustered, tmp_path / "local-out", tmp_path / "cluster-out")
    assert len(snapshot(tmp_path / "cluster-out")) == DONE * 4 + 1  # .json, 3 .md; errors
    entries = (tmp_path / "cluster-out" / "errors.jsonl").read_text(encoding="utf-8")
    assert [json.loads(line)["source"] for line in entries.splitlines()] == [
        "corpus/empty.txt", "corpus/wire.jsonl:2", "corpus/a/cp1251.txt"]  # as given, in order
    assert not (tmp_path / "cluster-out" / cluster.SCRATCH_NAME).exists()

    # resume on the cluster: nothing redone, nothing rewritten
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "cluster-out").rglob("*.*")
              if p.suffix != ".lock" and p.name != "errors.jsonl"}
    again = batch("cluster-out", "--cluster", "local:2", cache="cluster.sqlite3")
    assert again.exit_code == 1
    assert f"done 0, skipped {DONE}, failed {FAILED};" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_cached_translations_are_reused_whatever_the_partitioning(batch, tmp_path, monkeypatch,
                                                                   install_argos):
    """The guarantee that holds on a realistic model too (docs/scale-out.md, *Batching*): a rerun
    on other partitions and windows reuses every cached translation, so what was written never
    changes. The models are swapped for ones of the same name and version but other weights:
    anything translated again, instead of read from the cache, would come out different."""
    local = batch("local-out", cache="local.sqlite3")
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "other-weights"))
    install_argos("de", "en", seed=101)
    install_argos("en", "uk", seed=102)
    monkeypatch.setenv("TRANSLATE_PIPELINE_WINDOW", "1")
    monkeypatch.setenv("TRANSLATE_PIPELINE_PARTITION_ARTICLES", "3")
    clustered = batch("cluster-out", "--cluster", "local:2", cache="local.sqlite3")
    assert_same_run(local, clustered, tmp_path / "local-out", tmp_path / "cluster-out")
    batch("fresh-out", cache="fresh.sqlite3")  # the same run without the cache differs
    assert snapshot(tmp_path / "fresh-out") != snapshot(tmp_path / "local-out")


def test_a_worker_killed_mid_partition_loses_nothing(batch, tmp_path, monkeypatch):
    local = batch("local-out", cache="local.sqlite3")
    marker = tmp_path / "killed"
    # The first task to write an article (of a partition of 4) creates the marker and kills
    # its own worker with SIGKILL; the nanny restarts it and the scheduler reruns the partition.
    monkeypatch.setenv(cluster.TEST_KILL_ENV, str(marker))
    clustered = batch("cluster-out", "--cluster", "local:2", cache="cluster.sqlite3")
    assert marker.exists(), "no worker was killed"
    assert_same_run(local, clustered, tmp_path / "local-out", tmp_path / "cluster-out")
    # the retry skipped what the killed attempt had written (not rewritten since), and still
    # counts it as done
    killed = tmp_path / "cluster-out" / (marker.read_text(encoding="utf-8") + ".json")
    assert killed.stat().st_mtime_ns <= marker.stat().st_mtime_ns
    assert f"done {DONE}, skipped 0, failed {FAILED};" in clustered.stderr
    assert not list((tmp_path / "cluster-out").rglob("*.tmp"))


def test_feed_on_the_cluster_matches_the_local_feed(tmp_path, install_argos, monkeypatch):
    install_argos("de", "en")  # no en->uk: every item lacks uk (partial, exit 1)
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "de.rss").write_text(rss2(numbered(GERMAN[:2])), encoding="utf-8")
    (feeds / "atom.xml").write_text(atom(numbered(GERMAN[2:])), encoding="utf-8")
    (feeds / "en.rdf").write_text(rss1(numbered(ENGLISH)), encoding="utf-8")
    sources = [feeds / "de.rss", feeds / "atom.xml", feeds / "en.rdf"]

    def run(name: str, *extra):
        monkeypatch.setenv("TRANSLATE_PIPELINE_CACHE", str(tmp_path / f"{name}.sqlite3"))
        return invoke("feed", *sources, "--to", "en", "--to", "uk", "-o", tmp_path / name,
                      "--state", tmp_path / f"{name}-state.sqlite3", *extra)

    local = run("local")
    assert local.exit_code == 1 and "items done 0, partial 6, failed 0" in local.stderr
    clustered = run("cluster", "--cluster", "local:2")
    assert clustered.exit_code == 1, clustered.output
    assert error_lines(clustered) == error_lines(local) and len(error_lines(local)) == 6
    assert tally(clustered) == tally(local)
    assert snapshot(tmp_path / "cluster") == snapshot(tmp_path / "local")
    assert len(list((tmp_path / "cluster").glob("*.en.atom"))) == 3

    # nothing to translate (every item has en): no cluster is even started
    def no_cluster(spec):
        raise AssertionError("connected to a cluster with nothing to do")

    monkeypatch.setattr(cluster, "connect", no_cluster)
    nothing = invoke("feed", *sources, "--to", "en", "-o", tmp_path / "cluster", "--state",
                     tmp_path / "cluster-state.sqlite3", "--cluster", "local:2")
    assert nothing.exit_code == 0, nothing.output
    assert nothing.stderr == ""  # nothing new: nothing said


@pytest.mark.parametrize("args, message", [
    (("--cluster", "local:0"), "local:N needs"),
    (("--cluster", "locale"), "is not local or local:N"),
    (("--cluster", "tcp://a b"), "not a scheduler address"),
])
def test_cluster_usage_errors_exit_2(tmp_path, args, message):
    (tmp_path / "a.txt").write_text("Titel\n\nText.\n", encoding="utf-8")
    args = (*args, "-o", tmp_path / "out")  # URL outputs: tests/test_outputs_remote.py
    result = invoke("run", tmp_path / "a.txt", "--to", "en", *args)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert not (tmp_path / "out").exists()
    feed = invoke("feed", tmp_path / "a.xml", "--to", "en", *args)
    assert feed.exit_code == 2 and message in feed.stderr, feed.output


def test_cluster_without_dask_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails
    result = invoke("run", tmp_path, "--to", "en", "-o", tmp_path / "out", "--cluster", "local")
    assert result.exit_code == 2
    assert "pip install -e '.[dask]'" in result.stderr  # what works from a checkout


def test_unreachable_scheduler_is_one_error_line(tmp_path, monkeypatch):
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1)
    (tmp_path / "a.txt").write_text("Titel\n\nText.\n", encoding="utf-8")
    result = invoke("run", tmp_path / "a.txt", "--to", "en", "-o", tmp_path / "out",
                    "--cluster", f"tcp://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert error_lines(result) == [line for line in result.stderr.splitlines() if line.strip()]
    assert f"--cluster tcp://127.0.0.1:{port}: cannot use the Dask cluster" in result.stderr
    assert not (tmp_path / "out").exists()  # nothing touched


def test_partitions_by_size_and_count(tmp_path):
    sizes = [10, 10, 10, 100, 10, 10]
    found: list = []
    for i, size in enumerate(sizes):
        (tmp_path / f"{i}.txt").write_bytes(b"x" * size)
        found.append(InputFile(Path(f"{i}.txt"), str(i)))
    found.insert(2, InputError("missing", "no such file or folder"))
    names = lambda parts: [[getattr(i, "id", "E") for i in p] for p in parts]  # noqa: E731
    base = str(tmp_path)
    assert names(cluster.partitions(found, base, 1, 35, 100)) == [
        ["0", "1", "E", "2"], ["3"], ["4", "5"]]
    assert names(cluster.partitions(found, base, 1, 10**6, 2)) == [
        ["0", "1"], ["E", "2"], ["3", "4"], ["5"]]
    # by default about four partitions per worker thread, at most 64 inputs each
    assert len(cluster.partitions(found, base, 1, 10**6, None)) == 4
    assert len(cluster.partitions(found * 100, base, 1, 10**9, None)) == 11


def test_parse_cluster():
    assert cluster.parse_cluster("local:3") == cluster.ClusterSpec("local:3", None, 3)
    assert cluster.parse_cluster("local").workers >= 1
    spec = cluster.parse_cluster("tcp://scheduler:8786")
    assert spec.address == "tcp://scheduler:8786" and not spec.local
    from translate_pipeline.outputs.urls import (
        parse_output,  # --output, for run and feed
    )

    assert parse_output("file:///srv/out") == Path("/srv/out")
    assert parse_output("out") == Path("out")


def test_dask_is_imported_only_with_cluster(tmp_path, installed_de_en):
    (tmp_path / "a.txt").write_text(
        "Titel\n\nDer Stadtrat hat am Dienstag den neuen Haushalt beschlossen.\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import sys
        from click.testing import CliRunner
        import translate_pipeline, translate_pipeline.cli, translate_pipeline.batch
        from translate_pipeline.cli import cli
        for args in (["run", "--help"], ["feed", "--help"],
                     ["run", {str(tmp_path / "a.txt")!r}, "--to", "en", "-o",
                      {str(tmp_path / "out")!r}, "-q"]):
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, (args, result.output)
        print("LOADED", sorted(m for m in ("dask", "distributed", "translate_pipeline.cluster.client")
                               if m in sys.modules))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout


# --- the client's bookkeeping, on an in-process cluster (worker threads in this process) -------


@pytest.fixture
def threads_cluster(monkeypatch):
    """``--cluster`` on a LocalCluster of two worker *threads* in this process, so that faults
    can be injected with monkeypatch."""
    import logging
    from contextlib import contextmanager

    import distributed

    @contextmanager
    def connect(spec):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                      protocol="tcp", host="127.0.0.1",
                                      dashboard_address=None,
                                      silence_logs=logging.CRITICAL) as local, \
                distributed.Client(local) as client:
            yield client

    monkeypatch.setattr(cluster, "connect", connect)
    monkeypatch.setenv("TRANSLATE_PIPELINE_PARTITION_ARTICLES", "2")
    return cluster.ClusterSpec("local:2", None, 2)


def _job():
    from translate_pipeline.pipeline import RunConfig, Settings

    return cluster.Job(RunConfig(Settings(targets=("de",), source_language="de"), cache=False))


def test_full_disk_stops_a_cluster_run(tmp_path, threads_cluster, monkeypatch):
    import errno
    import os

    from translate_pipeline.inputs.discovery import discover
    from translate_pipeline.outputs import local as writers

    corpus = make_corpus(tmp_path / "corpus", 12)
    real, calls = writers.write_fd, []

    def fill_up(fd, data):
        calls.append(1)
        if len(calls) > 6:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, data)

    monkeypatch.setattr(writers, "write_fd", fill_up)
    out = tmp_path / "out"
    report = cluster.run_on_cluster(threads_cluster, discover([str(corpus)]), LocalFolder(out),
                                    _job())
    assert report.stopped and "No space left on device" in report.stopped
    assert 0 < report.done < 12 and report.failed >= 1
    assert not list(out.rglob("*.tmp")) and not (out / cluster.SCRATCH_NAME).exists()
    monkeypatch.setattr(writers, "write_fd", real)  # space again: the rerun finishes the rest
    again = cluster.run_on_cluster(threads_cluster, discover([str(corpus)]), LocalFolder(out),
                                    _job())
    assert (again.done, again.skipped, again.stopped) == (12 - report.done, report.done, None)


def test_a_partition_lost_on_every_try_fails_its_inputs(tmp_path, threads_cluster, monkeypatch):
    from translate_pipeline.inputs.discovery import discover

    corpus = make_corpus(tmp_path / "corpus", 6)  # a/n01, a/n03, a/n05, b/n00, b/n02, b/n04
    real, tries = cluster.run_partition, tmp_path / "tries"

    def flaky(job, base, out_dir, items, *rest):  # the task runs a copy: count tries in a file
        if any(getattr(i, "id", "") == "a/n03" for i in items):
            with open(tries, "a") as handle:
                handle.write("x")
            raise RuntimeError("boom")
        return real(job, base, out_dir, items, *rest)

    monkeypatch.setattr(cluster, "run_partition", flaky)
    out, problems = tmp_path / "out", []
    report = cluster.run_on_cluster(threads_cluster, discover([str(corpus)]), LocalFolder(out),
                                    _job(), on_problem=problems.append)
    assert len(tries.read_text()) == cluster.RETRIES + 1
    assert (report.done, report.failed) == (4, 2)
    assert problems == [f"{corpus}/a/{name}.txt: lost on the cluster (RuntimeError: boom); a "
                        "rerun redoes it" for name in ("n01", "n03")]
    entries = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [(e["id"], e["error"]) for e in entries] == [("a/n01", "ClusterError"),
                                                       ("a/n03", "ClusterError")]


def test_missing_models_are_summed_over_partitions(tmp_path, threads_cluster):
    from translate_pipeline.inputs.discovery import discover
    from translate_pipeline.pipeline import RunConfig, Settings

    corpus = make_corpus(tmp_path / "corpus", 5)  # 3 partitions of at most 2
    # nothing installed: de->fr would go de->en->fr
    job = cluster.Job(RunConfig(Settings(targets=("fr",), source_language="de"), cache=False))
    report = cluster.run_on_cluster(threads_cluster, discover([str(corpus)]),
                                    LocalFolder(tmp_path / "out"), job)
    assert (report.done, report.partial, report.failed) == (0, 5, 0)
    assert report.missing_models == ((("de", "en"), 5), (("en", "fr"), 5))
