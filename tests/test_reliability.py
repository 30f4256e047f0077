"""Reliability of ``run``: kill -9 and resume, skip and --force, bad inputs, corrupt models,
full disk, a second process on the same folder, bounded memory on very long articles."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.cli import invoke, kill_when_written

from translate_pipeline.batch import run_batch
from translate_pipeline.inputs.discovery import discover
from translate_pipeline.outputs import local as writers
from translate_pipeline.outputs.destination import LocalFolder
from translate_pipeline.pipeline import Pipeline, Settings

LOCK = ".translate-pipeline.lock"


def german(i: int, paragraphs: int = 3) -> str:
    """A distinct small German article (so translations are not all shared)."""
    body = [
        f"Der Stadtrat von Ort {i} hat am Dienstag den Haushalt Nummer {i * 7 + j} beschlossen. "
        f"Die Schulen erhalten {i + j},5 Mio. Euro mehr als im Vorjahr. "
        f"Kritiker aus dem Bezirk {j} bemängeln die hohen Kosten."
        for j in range(paragraphs)
    ]
    return f"Meldung Nummer {i}\n\n" + "\n\n".join(body) + "\n"


def make_corpus(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        folder = root / ("a" if i % 2 else "b")
        folder.mkdir(exist_ok=True)
        (folder / f"n{i:02d}.txt").write_text(german(i), encoding="utf-8")
    return root


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` but the lock file (which holds the pid of the last run)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != LOCK
    }


def temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp")]



# --- kill -9 and resume ------------------------------------------------------------------------


def test_kill_9_then_rerun_gives_the_outputs_of_an_uninterrupted_run(tmp_path, install_argos):
    install_argos("de", "en")
    install_argos("en", "uk")  # uk through en: two legs
    total = 30
    corpus = make_corpus(tmp_path / "corpus", total)
    (corpus / "empty.txt").write_text(" \n", encoding="utf-8")  # errors.jsonl must match too
    base = [sys.executable, "-m", "translate_pipeline", "run", str(corpus),
            "--from", "de", "--to", "en", "--to", "uk", "--quiet", "--output"]
    env = dict(os.environ, TRANSLATE_PIPELINE_WINDOW="2", TRANSLATE_PIPELINE_THREADS="2")

    reference = tmp_path / "reference"
    done = subprocess.run(base + [str(reference)], capture_output=True, text=True, timeout=120,
                          check=False, env=dict(env, TRANSLATE_PIPELINE_CACHE=str(tmp_path / "ref.sqlite3")))
    assert done.returncode == 1, done.stderr  # the empty file
    assert f"done {total}, skipped 0, failed 1;" in done.stderr

    out = tmp_path / "out"
    env["TRANSLATE_PIPELINE_CACHE"] = str(tmp_path / "run.sqlite3")
    assert kill_when_written(base + [str(out)], out, env) == -signal.SIGKILL, (
        "the run ended before it could be killed")
    complete = len(list(out.rglob("*.json")))
    assert 0 < complete < total
    # what a kill in the middle of a write leaves behind
    (out / "a" / ".n01.en.md.k3x_9zq0.tmp").write_text("half a fi", encoding="utf-8")

    rerun = subprocess.run(base + [str(out)], capture_output=True, text=True, timeout=120,
                           check=False, env=env)
    assert rerun.returncode == 1, rerun.stderr
    assert f"done {total - complete}, skipped {complete}, failed 1;" in rerun.stderr
    assert temp_files(out) == []
    assert snapshot(out) == snapshot(reference)
    assert len(snapshot(out)) == total * 4 + 1  # json + de, en, uk .md each; errors.jsonl


# --- skip, --force, stale errors ---------------------------------------------------------------


def test_rerun_skips_complete_articles_without_translating(tmp_path, install_argos, monkeypatch):
    install_argos("de", "en")
    corpus = make_corpus(tmp_path / "corpus", 4)
    out = tmp_path / "out"
    args = ("run", corpus, "--from", "de", "--to", "en", "-o", out, "-q")
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert "done 4, skipped 0, failed 0;" in first.stderr
    record = json.loads((out / "a" / "n01.json").read_text(encoding="utf-8"))
    assert record["fingerprint"].startswith("sha256:") and len(record["fingerprint"]) == 71
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.*") if p.name != LOCK}
    contents = snapshot(out)

    from translate_pipeline.translation.engine import Engine

    def no_translation(self, jobs):
        raise AssertionError("a complete article was translated again")

    with monkeypatch.context() as patch:
        patch.setattr(Engine, "translate", no_translation)
        again = invoke(*args)
    assert again.exit_code == 0, again.output
    assert "done 0, skipped 4, failed 0;" in again.stderr
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*.*") if p.name != LOCK}
    assert after == before  # nothing rewritten

    # a changed input, a deleted output: only those are redone
    (corpus / "a" / "n01.txt").write_text(german(99), encoding="utf-8")
    (out / "b" / "n02.en.md").unlink()
    changed = invoke(*args)
    assert "done 2, skipped 2, failed 0;" in changed.stderr
    assert snapshot(out)["b/n02.en.md"] == contents["b/n02.en.md"]

    # settings that change the result redo everything; so does --force
    assert "done 4, skipped 0, failed 0;" in invoke(*args, "--sentences", "2").stderr
    assert "done 0, skipped 4, failed 0;" in invoke(*args, "--sentences", "2").stderr
    assert "done 4, skipped 0, failed 0;" in invoke(*args, "--sentences", "2", "--force").stderr
    # a new version of the model
    install_argos("de", "en", version="1.1")
    assert "done 4, skipped 0, failed 0;" in invoke(*args, "--sentences", "2").stderr


def test_partial_articles_are_redone_and_errors_jsonl_is_the_latest_run(tmp_path, install_argos):
    corpus = make_corpus(tmp_path / "corpus", 2)
    (corpus / "bad.txt").write_bytes(b"\x01\x02\x03\x04 no text in any encoding \x05\x06" * 20)
    out = tmp_path / "out"
    args = ("run", corpus, "--from", "de", "--to", "en", "-o", out, "-q")
    first = invoke(*args)  # no de->en model: both articles written without en
    assert first.exit_code == 1
    assert "done 0, skipped 0, failed 1, incomplete 2 (written without some languages);" in first.stderr
    entries = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [(Path(e["source"]).name, e["error"]) for e in entries] == [
        ("bad.txt", "InputError"), ("n01.txt", "NotTranslated"), ("n00.txt", "NotTranslated"),
    ]
    assert all(set(e) == {"source", "id", "error", "reason", "message"} for e in entries)
    assert entries[0]["id"] == "bad" and "binary" in entries[0]["reason"]
    assert entries[0]["message"].startswith(str(corpus / "bad.txt") + ": ")
    assert entries[1]["id"] == "a/n01" and "not translated to en" in entries[1]["reason"]

    install_argos("de", "en")
    (corpus / "bad.txt").unlink()
    second = invoke(*args)  # the partial ones are not "complete": redone, now with en
    assert second.exit_code == 0, second.output
    assert "done 2, skipped 0, failed 0;" in second.stderr
    assert not (out / "errors.jsonl").exists()  # no stale entries
    assert (out / "a" / "n01.en.md").is_file()


# --- bad inputs --------------------------------------------------------------------------------


def test_bad_inputs_never_stop_a_batch(tmp_path, monkeypatch):
    from translate_pipeline.inputs import files as readers

    monkeypatch.setattr(readers, "MAX_INPUT_BYTES", 64 * 1024)
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "good.txt").write_text(german(1), encoding="utf-8")
    bad = {
        "empty.txt": "is empty",
        "blank.md": "is empty",
        "binary.txt": "binary",
        "controls.txt": "looks like a binary file",
        "huge.txt": "larger than the 64 KiB",
        "fifo.txt": "not a regular file",
        "loop.txt": "cannot read: Too many levels of symbolic links",
        "dangling.txt": "cannot read: No such file",
        "heading.md": "no text",
    }
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.md").write_text(" \n\t\n\u3000\n", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (corpus / "controls.txt").write_bytes(bytes(range(1, 32)) * 40)  # no NUL, yet no text
    # a legacy encoding is no error any more: read, detected as Windows-1251 (see test_inputs)
    (corpus / "cp1251.txt").write_bytes("Заголовок\n\nТекст статьи о погоде в Москве.".encode("cp1251"))
    (corpus / "huge.txt").write_text(german(2) * 200, encoding="utf-8")
    os.mkfifo(corpus / "fifo.txt")  # would block a naive reader for ever
    (corpus / "loop.txt").symlink_to(corpus / "loop2.txt")
    (corpus / "loop2.txt").symlink_to(corpus / "loop.txt")
    (corpus / "dangling.txt").symlink_to(tmp_path / "deleted.txt")
    (corpus / "heading.md").write_text("# Only a heading\n", encoding="utf-8")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "back").symlink_to(corpus)  # a folder loop: not followed
    if os.geteuid() != 0:  # root reads anything
        (corpus / "secret.txt").write_text(german(3), encoding="utf-8")
        (corpus / "secret.txt").chmod(0)
        bad["secret.txt"] = "cannot read: Permission denied"

    out = tmp_path / "out"
    started = time.monotonic()
    result = invoke("run", corpus, "--from", "de", "--to", "de", "-o", out, "-q")
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    # loop2.txt is a second name of the same loop; nothing but error lines and the tally
    assert len(errors) == len(bad) + 1, result.stderr
    assert len(result.stderr.splitlines()) == len(errors) + 1
    for name, reason in bad.items():
        (line,) = [e for e in errors if f"{corpus / name}:" in e]
        assert reason in line, line
    assert f"done 2, skipped 0, failed {len(bad) + 1}; outputs in {out}" in result.stderr
    assert (out / "good.json").is_file() and (out / "good.de.md").is_file()
    record = json.loads((out / "cp1251.json").read_text(encoding="utf-8"))
    assert record["title"] == "Заголовок"
    entries = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert sorted(Path(e["source"]).name for e in entries) == sorted([*bad, "loop2.txt"])
    assert all(e["error"] == "InputError" for e in entries)


def test_a_bug_on_one_article_fails_that_article_only(tmp_path, monkeypatch):
    import translate_pipeline.nlp.summarize as summarize_module

    corpus = _german_corpus(tmp_path / "in", 3)
    real = summarize_module.select_sentences

    def buggy(paragraphs, lang, count, algorithm, **options):
        if "Ort 1 " in paragraphs[0][0]:
            raise ZeroDivisionError("division by zero")
        return real(paragraphs, lang, count, algorithm, **options)

    monkeypatch.setattr(summarize_module, "select_sentences", buggy)
    result = invoke("run", corpus, "--from", "de", "--to", "de", "-o", tmp_path / "out", "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {corpus / 'n1.txt'}: unexpected ZeroDivisionError: division by zero",
        f"done 2, skipped 0, failed 1; outputs in {tmp_path / 'out'}",
    ]


def test_file_name_not_utf8_is_processed_and_outputs_get_normal_modes(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    with open(os.path.join(os.fsencode(corpus), b"caf\xe9.txt"), "wb") as handle:
        handle.write(german(1).encode("utf-8"))
    with open(os.path.join(os.fsencode(corpus), b"\xff.txt"), "wb"):
        pass
    out = tmp_path / "out"
    umask = os.umask(0o027)
    try:
        result = invoke("run", corpus, "--from", "de", "--to", "de", "-o", out, "-q")
    finally:
        os.umask(umask)
    assert result.exit_code == 1
    assert "done 1, skipped 0, failed 1;" in result.stderr
    assert f"error: {corpus}/\\udcff.txt: is empty" in result.stderr
    record = json.loads((out / "caf\udce9.json").read_text(encoding="utf-8"))
    assert record["source"] == str(corpus / "caf\udce9.txt")
    (entry,) = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert entry["id"] == "\udcff"
    assert {oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {oct(0o640)}
    assert temp_files(out) == []


def test_long_article_is_processed_in_bounded_time_and_memory(tmp_path):
    """A 1 MiB article (17,000 sentences) with LexRank, which without its cap needs ~10 GB."""
    sentences = [f"Der Zug Nummer {i} fährt heute von Gleis {i % 17} nach Ort {i % 101} ab."
                 for i in range(17_000)]
    text = "\n\n".join(" ".join(sentences[i:i + 6]) for i in range(0, len(sentences), 6))
    path = tmp_path / "long.txt"
    path.write_text("Fahrplan\n\n" + text, encoding="utf-8")
    assert len(text.encode()) > 1024 * 1024
    started = time.monotonic()
    result = invoke("run", path, "--from", "de", "--to", "de", "--algorithm", "lexrank",
                    "-o", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 20
    summary = json.loads((tmp_path / "out" / "long.json").read_text())["languages"]["de"]["summary"]
    assert len(summary) == 3 and all(s in sentences for s in summary)


def test_quadratic_algorithms_rate_a_bounded_prefix(monkeypatch):
    from translate_pipeline.nlp import summarize

    paragraphs = [[f"Satz {i} über Haus {i % 5} und Baum {i % 3} in der Stadt {i % 7}."
                   for i in range(j * 4, j * 4 + 4)] for j in range(30)]
    monkeypatch.setattr(summarize, "MAX_RATED_SENTENCES", 20)
    for algorithm in ("lexrank", "textrank", "sumbasic"):
        whole = summarize.select_sentences(paragraphs, "de", 3, algorithm)
        assert whole == summarize.select_sentences(paragraphs[:5], "de", 3, algorithm)
        assert len(summarize.select_sentences(paragraphs, "de", 30, algorithm)) == 30


# --- corrupt models at load time ---------------------------------------------------------------


def _garbage(data: bytes) -> bytes:
    return os.urandom(4096)


def _scrambled(data: bytes) -> bytes:
    """The header intact, 2,000 bytes of the rest changed (raised IndexError, not RuntimeError)."""
    import random

    rng, scrambled = random.Random(1), bytearray(data)
    for _ in range(2000):
        scrambled[rng.randrange(300, len(scrambled))] = rng.randrange(256)
    return bytes(scrambled)


@pytest.mark.parametrize(
    "damage, how, reason",
    [
        ("model/model.bin", _garbage, "cannot load its CTranslate2 model"),
        ("model/model.bin", _scrambled, "cannot load its CTranslate2 model"),
        ("sentencepiece.model", _garbage, "cannot use its tokenizer"),
    ],
    ids=["model-garbage", "model-scrambled", "tokenizer-garbage"],
)
def test_corrupt_installed_model_fails_its_pair_only(tmp_path, install_argos, damage, how, reason):
    broken = install_argos("de", "en")
    install_argos("fr", "en")
    (broken.path / damage).write_bytes(how((broken.path / damage).read_bytes()))
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "de.txt").write_text(german(1), encoding="utf-8")
    (corpus / "fr.txt").write_text(
        "Le conseil vote le budget\n\nLe conseil municipal a approuvé mardi le nouveau budget. "
        "Les écoles recevront 4,8 millions d'euros de plus que l'an dernier.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", corpus, "--to", "en", "-o", out, "-q")
    assert result.exit_code == 1
    error, tally = result.stderr.splitlines()  # one line for the failure, nothing stray
    assert error.startswith(f"error: {corpus / 'de.txt'}: not translated to en: ")
    assert f"translate-de_en-1_0: {reason}" in error
    assert tally.startswith("done 1, skipped 0, failed 0, incomplete 1 (written without some languages);")
    assert (out / "fr.en.md").is_file() and (out / "de.de.md").is_file()
    assert not (out / "de.en.md").exists()
    (entry,) = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert entry["id"] == "de" and "translate-de_en-1_0" in entry["reason"]


# --- full disk, unwritable folder --------------------------------------------------------------


def _german_corpus(root: Path, count: int) -> Path:
    root.mkdir()
    for i in range(count):
        (root / f"n{i}.txt").write_text(german(i), encoding="utf-8")
    return root


def _batch(corpus: Path, out: Path, sentences: int, **kw):
    pipeline = Pipeline(Settings(targets=("de",), sentences=sentences, source_language="de"))
    return run_batch(list(discover([str(corpus)])), LocalFolder(out), pipeline, **kw)


def test_disk_full_stops_the_batch_and_keeps_what_was_written(tmp_path, monkeypatch):
    corpus = _german_corpus(tmp_path / "in", 5)
    out = tmp_path / "out"
    assert _batch(corpus, out, 3).done == 5
    old = snapshot(out)

    real = writers.write_fd
    calls = []

    def fill_up(fd, data):  # each article is two files: n.de.md, then n.json
        calls.append(fd)
        if len(calls) == 5:  # n2.de.md
            real(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, data)

    monkeypatch.setattr(writers, "write_fd", fill_up)
    seen = []
    report = _batch(corpus, out, 2, on_outcome=lambda outcome, problems: seen.append(problems))
    assert (report.done, report.failed, report.skipped) == (2, 1, 0)
    assert report.stopped and "No space left on device" in report.stopped and not report.ok
    assert len(seen) == 3 and "n2.de.md: cannot write: No space left on device" in seen[2][0]
    now = snapshot(out)
    assert temp_files(out) == []
    for name in ("n2.json", "n2.de.md", "n3.json", "n3.de.md", "n4.json", "n4.de.md"):
        assert now[name] == old[name], name  # not attempted, or left exactly as it was
    assert now["n0.json"] != old["n0.json"]  # the ones before were done with the new settings
    (entry,) = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert entry["id"] == "n2" and entry["error"] == "OutputError"

    monkeypatch.setattr(writers, "write_fd", real)
    report = _batch(corpus, out, 2)  # space freed: the same run finishes the rest
    assert (report.done, report.skipped, report.failed, report.stopped) == (3, 2, 0, None)


def test_write_outputs_is_all_or_nothing(tmp_path, monkeypatch):
    corpus = _german_corpus(tmp_path / "in", 1)
    out = tmp_path / "out"
    _batch(corpus, out, 3)
    old = snapshot(out)
    real = writers.write_fd

    def json_fails(fd, data):
        if data.lstrip().startswith(b"{"):
            raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))
        real(fd, data)

    monkeypatch.setattr(writers, "write_fd", json_fails)
    report = _batch(corpus, out, 1)
    assert report.failed == 1 and "quota" in report.stopped.lower()
    new = snapshot(out)
    assert new.pop("errors.jsonl") and new == old  # the .md written first was not renamed in
    assert temp_files(out) == []


def test_unwritable_output_folder_is_one_clear_error(tmp_path, monkeypatch):
    corpus = _german_corpus(tmp_path / "in", 3)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = invoke("run", corpus, "--from", "de", "--to", "de", "-o", blocker / "out")
    assert result.exit_code == 1
    assert result.stderr.count("error: ") == 1
    assert str(blocker / "out") in result.stderr and "cannot write" in result.stderr

    out = tmp_path / "read-only"  # as chmod 555 would make it, with a lock file from before
    out.mkdir()
    (out / LOCK).write_text("")

    def refuse(path):  # root ignores modes: refuse new files the way the kernel would
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(writers, "create_temp", refuse)
    result = invoke("run", corpus, "--from", "de", "--to", "de", "-o", out)
    assert result.exit_code == 1
    assert result.stderr == f"error: {out}: cannot write: Permission denied\n"


def test_remove_temp_files_only_takes_ours(tmp_path):
    keep = [".hidden.txt", "a.tmp", ".x.tmp", ".a.json.ABCDEFGH.tmp", "n.json"]
    drop = [".n.json.k3x_9zq0.tmp", "sub/.n.de.md.abcdefgh.tmp"]
    for name in keep + drop:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert writers.remove_temp_files(tmp_path) == 2
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*")) == sorted(keep)


# --- two processes on one folder ---------------------------------------------------------------


def test_second_run_on_the_same_folder_exits_75(tmp_path):
    corpus = _german_corpus(tmp_path / "in", 2)
    out = tmp_path / "out"
    out.mkdir()
    holder_code = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "os.write(fd, str(os.getpid()).encode())\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", holder_code, str(out / LOCK)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = invoke("run", corpus, "--from", "de", "--to", "de", "-o", out, "-q")
        assert result.exit_code == 75
        assert result.stderr == (
            f"error: {out}: another translate-pipeline run (pid {holder.pid}) is writing to this "
            "folder; wait for it to finish or use another --output\n"
        )
        assert sorted(p.name for p in out.iterdir()) == [LOCK]  # nothing done
    finally:
        holder.kill()
        holder.wait(10)
    result = invoke("run", corpus, "--from", "de", "--to", "de", "-o", out, "-q")
    assert result.exit_code == 0 and "done 2, skipped 0, failed 0;" in result.stderr


def test_window_variable_is_checked(tmp_path, monkeypatch):
    corpus = _german_corpus(tmp_path / "in", 1)
    monkeypatch.setenv("TRANSLATE_PIPELINE_WINDOW", "zero")
    result = invoke("run", corpus, "--from", "de", "--to", "de", "-o", tmp_path / "out")
    assert result.exit_code == 2 and "TRANSLATE_PIPELINE_WINDOW" in result.output
