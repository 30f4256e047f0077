"""``run --jobs N``: worker processes prepare (and write) articles while the run's process
translates; the outputs are byte for byte those of ``--jobs 1``, whatever happens on the way."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.cli import error_lines, invoke, kill_when_written, tally

from translate_pipeline.translation.engine import Engine
from translate_pipeline.workers import TEST_KILL_ENV

DATA = Path(__file__).parent / "data"
LOCK = ".translate-pipeline.lock"


def german(i: int) -> str:
    body = [
        f"Der Stadtrat von Ort {i} hat am Dienstag den Haushalt Nummer {i * 7 + j} beschlossen. "
        f"Die Schulen erhalten {i + j},5 Mio. Euro mehr als im Vorjahr. "
        f"Kritiker aus dem Bezirk {j} bemängeln die hohen Kosten."
        for j in range(3)
    ]
    return f"Meldung Nummer {i}\n\n" + "\n\n".join(body) + "\n"


def mixed_folder(root: Path) -> Path:
    """More inputs than a chunk, of every kind: text, Markdown (front matter, a site's pages),
    HTML, JSON Lines (a bad line, a record named like a file), failures, a language without a
    model."""
    for i in range(40):
        folder = root / ("a" if i % 2 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"n{i:02d}.txt").write_text(german(i), encoding="utf-8")
    for name in ("metro.md", "page.html", "budget-crlf.txt", "kyiv-cp1251.txt"):
        shutil.copy(DATA / "inputs" / name, root / name)
    shutil.copytree(DATA / "site" / "content", root / "site")
    (root / "c").mkdir()
    (root / "c" / "empty.txt").write_text(" \n", encoding="utf-8")
    (root / "c" / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (root / "c" / "fr.txt").write_text(
        "Le conseil vote le budget\n\nLe conseil municipal a approuvé mardi le nouveau budget. "
        "Les écoles recevront 4,8 millions d'euros de plus que l'an dernier.\n", encoding="utf-8")
    (root / "z.jsonl").write_text(
        "\n".join((DATA / "inputs" / "articles.jsonl").read_text(encoding="utf-8")
                  .splitlines()[:2]) + "\n{not json\n", encoding="utf-8")
    # given after (or before) the folder: its record b/n00 is named like the file b/n00.txt
    (root.parent / "b.jsonl").write_text(json.dumps(
        {"id": "n00", "title": "Gleicher Name", "text": german(99)}) + "\n", encoding="utf-8")
    return root


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != LOCK}


@pytest.fixture
def models(install_dictionary):
    install_dictionary("de", "en")
    install_dictionary("es", "en")
    install_dictionary("en", "uk")  # uk from de and es through en: two legs


@pytest.fixture
def engine_calls(monkeypatch):
    """How often this process's engine was asked to translate (the workers never are)."""
    calls = []
    real = Engine.translate

    def counted(self, jobs):
        calls.append(sum(len(s) for s in jobs.values()))
        return real(self, jobs)

    monkeypatch.setattr(Engine, "translate", counted)
    return calls


@pytest.mark.parametrize("formats, records_first", [((), False),
                                                     (("json", "jsonl", "document"), True)],
                         ids=["default", "all"])
def test_jobs_2_writes_the_bytes_of_jobs_1(tmp_path, models, monkeypatch, engine_calls, formats,
                                           records_first):
    corpus = mixed_folder(tmp_path / "in")
    inputs = [corpus, tmp_path / "b.jsonl"][::-1 if records_first else 1]
    monkeypatch.setenv("TRANSLATE_PIPELINE_WINDOW", "4")  # many windows, chunks across them
    flags = [arg for kind in formats for arg in ("--format", kind)]

    def run(out: Path, jobs: int, cache: str, *extra):
        monkeypatch.setenv("TRANSLATE_PIPELINE_CACHE", str(tmp_path / f"{cache}.sqlite3"))
        return invoke("run", *inputs, "--to", "en", "--to", "uk", "-o", out, "-q",
                      "--jobs", jobs, *flags, *extra)

    one = run(tmp_path / "one", 1, "one")
    assert one.exit_code == 1  # the failures and the missing models
    reference = snapshot(tmp_path / "one")
    assert "c/empty.txt" in (tmp_path / "one" / "errors.jsonl").read_text(encoding="utf-8")
    assert any("z.jsonl:3: is not valid JSON" in line for line in error_lines(one))
    assert any("same name 'b/n00'" in line for line in error_lines(one))

    two = run(tmp_path / "two", 2, "two")  # translating: its own, empty cache
    assert (two.exit_code, two.stderr) == (one.exit_code, one.stderr.replace(
        str(tmp_path / "one"), str(tmp_path / "two")))
    assert snapshot(tmp_path / "two") == reference

    # every translation cached: the workers finish and write every article themselves
    engine_calls.clear()
    cached = run(tmp_path / "cached", 2, "one")
    assert engine_calls == []
    assert tally(cached) == tally(one)
    assert snapshot(tmp_path / "cached") == reference

    # a rerun skips what is complete (the workers check) and rewrites it not; it redoes the
    # articles that miss a language (no model), which it writes again with the same bytes
    complete = [p for p in (tmp_path / "two").rglob("*.json")
                if "errors" not in json.loads(p.read_text(encoding="utf-8"))]
    before = {p: p.stat().st_mtime_ns for p in complete}
    again = run(tmp_path / "two", 2, "two")
    assert tally(again).startswith(f"done 0, skipped {len(complete)}, ")
    assert snapshot(tmp_path / "two") == reference
    assert {p: p.stat().st_mtime_ns for p in complete} == before


def test_jobs_2_to_stdout_prints_the_lines_of_jobs_1(tmp_path, models, monkeypatch):
    corpus = mixed_folder(tmp_path / "in")
    lines = []
    for jobs in (1, 2):
        monkeypatch.setenv("TRANSLATE_PIPELINE_CACHE", str(tmp_path / f"{jobs}.sqlite3"))
        result = invoke("run", corpus, "--to", "en", "-o", "-", "--jobs", jobs)
        assert result.exit_code == 1
        lines.append((result.stdout, result.stderr))
    assert lines[0] == lines[1]
    assert len(lines[0][0].splitlines()) > 40


def test_cached_articles_survive_a_model_that_fails(tmp_path, install_dictionary, monkeypatch):
    """--jobs 1 as the workers: an article whose translations are all cached never fails with
    the model (here, a model that stops working between two runs)."""
    install_dictionary("de", "en")
    corpus = tmp_path / "in"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"n{i}.txt").write_text(german(i), encoding="utf-8")
    first = invoke("run", corpus, "--from", "de", "--to", "en", "-o", tmp_path / "out", "-q")
    assert first.exit_code == 0, first.output
    (corpus / "new.txt").write_text(german(50), encoding="utf-8")

    def broken(self, sentences):
        from translate_pipeline.errors import PackageError

        raise PackageError("translate-de_en-1_0", "translation failed: the model broke")

    from translate_pipeline.translation import engine

    monkeypatch.setattr(engine._PackageRunner, "translate", broken)
    for jobs in (1, 2):
        out = tmp_path / f"again-{jobs}"
        result = invoke("run", corpus, "--from", "de", "--to", "en", "-o", out, "-q",
                        "--jobs", jobs)
        assert result.exit_code == 1
        (line,) = error_lines(result)
        assert line.startswith(f"error: {corpus / 'new.txt'}: not translated to en: ")
        assert tally(result) == "done 3, skipped 0, failed 0, incomplete 1 (written without some languages)"
        assert snapshot(out)["n1.en.md"] == snapshot(tmp_path / "out")["n1.en.md"]


def _lock_is_free(out: Path) -> bool:
    """The folder's lock can be taken (no worker of a killed run holds it), waiting a while."""
    deadline = time.monotonic() + 30
    fd = os.open(out / LOCK, os.O_RDWR)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
    finally:
        os.close(fd)


def test_kill_9_with_jobs_2_then_rerun_gives_the_outputs_of_jobs_1(tmp_path, models):
    total = 60
    corpus = tmp_path / "in"
    for i in range(total):
        (corpus / f"d{i % 3}").mkdir(parents=True, exist_ok=True)
        (corpus / f"d{i % 3}" / f"n{i:02d}.txt").write_text(german(i), encoding="utf-8")
    (corpus / "empty.txt").write_text(" \n", encoding="utf-8")
    base = [sys.executable, "-m", "translate_pipeline", "run", str(corpus), "--from", "de",
            "--to", "en", "--to", "uk", "--quiet", "--output"]
    env = dict(os.environ, TRANSLATE_PIPELINE_WINDOW="2", TRANSLATE_PIPELINE_THREADS="1")
    reference = tmp_path / "reference"
    done = subprocess.run(base + [str(reference), "--jobs", "1"], capture_output=True, text=True,
                          timeout=300, check=False,
                          env=dict(env, TRANSLATE_PIPELINE_CACHE=str(tmp_path / "ref.sqlite3")))
    assert done.returncode == 1, done.stderr

    out = tmp_path / "out"
    env["TRANSLATE_PIPELINE_CACHE"] = str(tmp_path / "run.sqlite3")
    assert kill_when_written(base + [str(out), "--jobs", "2"], out, env) == -signal.SIGKILL
    assert _lock_is_free(out)  # its workers died with it
    complete = len(list(out.rglob("*.json")))
    assert 0 < complete < total

    rerun = subprocess.run(base + [str(out), "--jobs", "2"], capture_output=True, text=True,
                           timeout=300, check=False, env=env)
    assert rerun.returncode == 1, rerun.stderr
    assert f"done {total - complete}, skipped {complete}, failed 1;" in rerun.stderr
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
    assert snapshot(out) == snapshot(reference)


def test_a_worker_that_dies_is_one_error_and_loses_nothing(tmp_path, monkeypatch):
    total = 50
    corpus = tmp_path / "in"
    corpus.mkdir()
    for i in range(total):
        (corpus / f"n{i:02d}.txt").write_text(german(i), encoding="utf-8")
    args = ("run", corpus, "--from", "de", "--to", "de", "-q", "--jobs", "2", "-o")
    reference = invoke(*args, tmp_path / "reference", "--jobs", "1")
    assert reference.exit_code == 0, reference.output

    marker = tmp_path / "killed"
    monkeypatch.setenv(TEST_KILL_ENV, str(marker))
    out = tmp_path / "out"
    died = invoke(*args, out)
    assert died.exit_code == 1
    (line,) = error_lines(died)
    assert line.startswith("error: stopped early: a worker process preparing articles died")
    how = line.split("died", 1)[1].split(", at ", 1)[0]  # when its exit status could be read
    assert how in ("", " (killed by signal 9: SIGKILL)"), line
    assert line.endswith("outputs already written are intact; run the same command again to "
                         "finish the rest")
    killed_at = marker.read_text(encoding="utf-8")
    assert (out / f"{killed_at}.json").is_file()  # written just before it died
    written = {p.stem for p in out.glob("*.json")}
    for name in written:  # whatever is there is whole
        assert json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["id"] == name
        assert (out / f"{name}.de.md").read_bytes() == \
            (tmp_path / "reference" / f"{name}.de.md").read_bytes()
    done = int(tally(died).split(",")[0].split()[1])
    assert done <= len(written) < total

    monkeypatch.delenv(TEST_KILL_ENV)
    rerun = invoke(*args, out)
    assert rerun.exit_code == 0, rerun.output
    assert tally(rerun) == f"done {total - len(written)}, skipped {len(written)}, failed 0"
    assert snapshot(out) == snapshot(tmp_path / "reference")


def test_jobs_is_checked_and_documented(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(german(1), encoding="utf-8")
    bad = invoke("run", tmp_path / "a.txt", "--to", "de", "-o", tmp_path / "out", "--jobs", "0")
    assert bad.exit_code == 2 and "--jobs" in bad.stderr
    monkeypatch.setenv("TRANSLATE_PIPELINE_JOBS", "many")
    bad = invoke("run", tmp_path / "a.txt", "--to", "de", "-o", tmp_path / "out")
    assert bad.exit_code == 2 and "TRANSLATE_PIPELINE_JOBS" in bad.stderr
    assert "--jobs" in invoke("run", "--help").stdout
    monkeypatch.delenv("TRANSLATE_PIPELINE_JOBS")
    config = tmp_path / "config.toml"
    config.write_text("[run]\njobs = 0\n", encoding="utf-8")  # a key of the file, checked
    bad = invoke("--config", config, "run", tmp_path / "a.txt", "--to", "de", "-o", tmp_path / "o")
    assert bad.exit_code == 2 and "jobs" in bad.stderr
    config.write_text("[run]\njobs = 1\n", encoding="utf-8")
    good = invoke("--config", config, "run", tmp_path / "a.txt", "--from", "de", "--to", "de",
                  "-o", tmp_path / "o")
    assert good.exit_code == 0, good.output
