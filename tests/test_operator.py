"""What an operator sees (issue 17): short error lines and one advice block, a truthful tally,
the digest for readers, cron-friendly feed runs, logging, progress and pipes."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from support.cli import invoke
from test_feeds import GERMAN, numbered, rss2

from translate_pipeline.outputs.digest import write_digest


def _record(folder, article_id, title, **metadata):
    record = {"id": article_id, "source": f"{article_id}.txt", "title": title,
              "language": {"code": "de", "confidence": 1.0, "method": "langdetect"},
              "languages": {"de": {"title": title, "text": title, "summary": [title]}}}
    if metadata:
        record["metadata"] = metadata
    (folder / f"{article_id}.json").write_text(json.dumps(record), encoding="utf-8")


def test_digest_lists_newest_first_undated_last_with_readable_dates(tmp_path):
    _record(tmp_path, "a-undated", "Ohne Datum A")
    _record(tmp_path, "b-old", "Alt", date="2023-12-31")
    _record(tmp_path, "c-new", "Neu", published="2024-05-14T09:30:00Z")
    _record(tmp_path, "d-rfc", "Mittel", published="Tue, 14 May 2024 08:00:00 +0200")
    _record(tmp_path, "e-unreadable", "Unlesbar", date="sometime in May")
    _record(tmp_path, "f-day", "Tag", date="2024-05-14")
    page = write_digest(tmp_path).read_text(encoding="utf-8")
    order = re.findall(r'<article class="item" id="a-([^"]+)"', page)
    # 09:30 UTC, then 06:00 UTC (08:00 +0200), then the day itself (its midnight), then 2023;
    # undated (and unreadable) ones last, by id
    assert order == ["c-new", "d-rfc", "f-day", "b-old", "a-undated", "e-unreadable"]
    assert '<time datetime="2024-05-14T09:30:00Z">14 May 2024, 09:30 UTC</time>' in page
    assert '<time datetime="2024-05-14T06:00:00Z">14 May 2024, 06:00 UTC</time>' in page
    assert '>31 December 2023</time>' in page
    assert "sometime in May" in page  # shown as it is, when it cannot be read


# --- feed under cron ----------------------------------------------------------------------------



def test_cron_reports_a_missing_model_once(server, tmp_path, install_argos):
    """The same crontab line, three runs against a loopback feed with no de->en model: the
    problem (and the models to install) is printed by the first run only."""
    server.serve("/de.rss", rss2(numbered(GERMAN[:2])))
    cron = ("feed", server.url("/de.rss"), "--to", "en", "-o", tmp_path / "out",
            "--state", tmp_path / "state.sqlite3", "--quiet")
    runs = [invoke(*cron) for _ in range(3)]
    assert [r.exit_code for r in runs] == [1, 1, 1]  # incomplete while the model is missing
    first = runs[0].stderr.splitlines()
    assert len([line for line in first if line.startswith("error: ")]) == 2
    assert all(line.endswith(": not translated to en: no model de->en")
               for line in first if line.startswith("error: "))
    assert first[2:] == ["missing models: install them, then run the same command again to "
                         "add the missing languages",
                         "  translate-pipeline models install de en   # 2 articles",
                         "  (offline: translate-pipeline models install FILE.argosmodel)"]
    assert runs[1].stderr == runs[2].stderr == ""  # cron mails nothing more
    # by hand (no --quiet): one reminder line, not the problems again
    by_hand = invoke(*cron[:-1])
    assert by_hand.stderr == ("2 problems reported by an earlier run still stand "
                              "(-v shows them)\n")
    # a new item with the same problem is new: only its line, and the model for it
    server.serve("/de.rss", rss2(numbered(GERMAN[:3])))
    third = invoke(*cron).stderr.splitlines()
    assert len(third) == 4 and "news.example/2: not translated" in third[0] and "# 1 article" in third[2]
    # the model installed: the items are completed; nothing is wrong, so --quiet says nothing
    install_argos("de", "en")
    fixed = invoke(*cron)
    assert fixed.exit_code == 0 and fixed.stderr == ""
    assert len(list((tmp_path / "out").glob("*/*.en.md"))) == 3
    # and a run that does nothing new prints nothing, even without --quiet
    idle = invoke(*cron[:-1])
    assert idle.exit_code == 0 and idle.stderr == "" and idle.stdout == ""


def test_cron_reports_a_problem_again_after_it_went_away(server, tmp_path):
    cron = ("feed", server.url("/gone.rss"), "--to", "de", "-o", tmp_path / "out",
            "--state", tmp_path / "state.sqlite3", "-q")
    first = invoke(*cron)  # nothing served there: 404
    assert first.exit_code == 1 and first.stderr.startswith("error: ")
    assert invoke(*cron).stderr == ""
    server.serve("/gone.rss", rss2(numbered(GERMAN[:1]), lang="de"))
    assert invoke(*cron).stderr == ""  # German to German: nothing wrong
    del server.routes["/gone.rss"]
    assert invoke(*cron).stderr.startswith("error: ")  # back: reported again


# --- logging ------------------------------------------------------------------------------------

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"


def _corpus(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    for n in range(3):
        (corpus / f"n{n}.txt").write_text(
            f"Meldung {n}\n\nDer Stadtrat hat am Dienstag den Haushalt Nummer {n} beschlossen. "
            "Die Schulen erhalten mehr Geld als im Vorjahr.\n", encoding="utf-8")
    return corpus


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_logs_one_timestamped_line_per_article(tmp_path, install_argos, where):
    install_argos("de", "en")
    corpus = _corpus(tmp_path)
    args = ["run", corpus, "--to", "en", "--to", "uk", "-o", tmp_path / "out"]
    result = invoke(*(["-v", *args] if where == "before" else [*args, "-v"]))
    assert result.exit_code == 1  # no en->uk
    lines = [line for line in result.stderr.splitlines() if "translate_pipeline.batch" in line]
    assert len(lines) == 3
    for n, line in enumerate(lines):
        assert re.fullmatch(
            ISO + rf" INFO translate_pipeline\.batch: {re.escape(str(corpus / f'n{n}.txt'))}: "
            r"de -> en: incomplete, not translated to uk: no model de->uk \(\d+\.\d\d s\)",
            line), line


def test_log_file_by_option_and_by_environment(tmp_path, install_argos, monkeypatch):
    install_argos("de", "en")
    corpus = _corpus(tmp_path)
    log = tmp_path / "run.log"
    result = invoke("run", corpus, "--to", "en", "-o", tmp_path / "out", "-q", "--log-file", log)
    assert result.exit_code == 0
    assert "INFO" not in result.stderr  # not -v: the log goes to the file only
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len([line for line in lines if ": de -> en: done (" in line]) == 3
    assert all(re.match(ISO + " ", line) for line in lines)
    monkeypatch.setenv("TRANSLATE_PIPELINE_LOG_FILE", str(tmp_path / "env.log"))
    assert invoke("run", corpus, "--to", "en", "-o", tmp_path / "out", "--force").exit_code == 0
    assert (tmp_path / "env.log").read_text(encoding="utf-8").count(": de -> en: done (") == 3
    assert log.read_text(encoding="utf-8").splitlines() == lines  # the option's file untouched
    bad = invoke("detect", corpus, "--log-file", tmp_path / "no" / "such" / "dir.log")
    assert bad.exit_code == 2 and "--log-file" in bad.stderr


@pytest.mark.parametrize("command", [
    ("detect", "-"), ("summarize", "-"), ("translate", "--to", "de", "--from", "de"),
    ("models", "list"), ("models", "remove", "de", "en"), ("cache", "stats"), ("cache", "clear"),
    ("digest", "."),
])
def test_every_command_takes_v_and_q_before_or_after(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = "Der Stadtrat hat am Dienstag den Haushalt beschlossen. Die Debatte dauerte lange."
    expected = 1 if command[:2] == ("models", "remove") else 0  # nothing installed to remove
    for args in (["-v", *command, "-q"], ["-q", *command, "-vv"], [*command, "-v", "-q"]):
        result = invoke(*args, input=text)
        assert result.exit_code == expected, (args, result.output)
        assert "No such option" not in result.stderr


# --- pipes --------------------------------------------------------------------------------------


def test_every_stdout_writer_ends_141_when_the_reader_goes_away(tmp_path):
    """`detect ... | head -1` as `run -o - | head -1` and `translate`: exit 141, nothing on
    stderr (no traceback, no BrokenPipeError)."""
    import subprocess
    import sys

    dump = tmp_path / "many.jsonl"
    text = "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen. " * 4
    dump.write_text("".join(json.dumps({"id": i, "title": f"Nummer {i}", "text": text}) + "\n"
                            for i in range(3000)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "translate_pipeline", "detect", str(dump)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(f"{dump}#0\tde".encode())
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(60) == 141 and stderr == ""


# --- progress -----------------------------------------------------------------------------------


def test_progress_line_counts_rate_and_estimate():
    import io

    from translate_pipeline.cli.progress import Progress

    stream = io.StringIO()
    bar = Progress(120, stream, shown=True)
    bar._start = 100.0
    assert bar.line(now=100.0) == "articles  0/120    0% |                            |"
    bar.advance(30)
    assert bar.line(now=110.0) == (
        "articles  30/120   25% |#######                     |  3.0/s  0:00:30 left")
    bar.window(6)  # a sixth of the next window translated: the count waits, the bar moves
    assert bar.line(now=110.0) == (
        "articles  30/120   30% |########                    |  3.6/s  0:00:23 left")
    bar.advance(90)
    assert bar.line(now=130.0).startswith("articles  120/120  100% |####")
    assert "left" not in bar.line(now=130.0)
    hidden = io.StringIO()
    Progress(5, hidden, shown=False).advance(5)
    assert hidden.getvalue() == ""


def test_the_pipeline_reports_progress_within_a_window(installed_de_en):
    """Per article, not per window: while one window of 40 articles is translated, the share
    done grows in steps, before any outcome comes out."""
    from translate_pipeline.pipeline import Pipeline, Settings
    from translate_pipeline.records import Article
    from translate_pipeline.translation.engine import Engine, EngineOptions

    articles = [Article(id=f"n{i}", source=f"n{i}", title=f"Meldung {i}", paragraphs=(
        " ".join(f"Der Rat hat am Tag {i} den Plan {j} beschlossen." for j in range(4)),))
        for i in range(40)]
    seen: list[float] = []
    outcomes = []
    engine = Engine(EngineOptions(device="cpu", threads=2, compute_type="int8"))
    pipeline = Pipeline(Settings(targets=("en",), source_language="de"), engine=engine)
    for outcome in pipeline.process(articles, progress=seen.append):
        outcomes.append((outcome, len(seen)))
    assert len(seen) >= 10 and seen == sorted(seen) and seen[0] < 4 and seen[-1] == 40
    assert all(calls == len(seen) for _, calls in outcomes)  # all before the first outcome
    assert all(not outcome.errors for outcome, _ in outcomes)


def test_run_draws_the_bar_on_a_terminal_only(tmp_path, install_argos):
    import os
    import pty
    import subprocess
    import sys

    install_argos("de", "en")
    corpus = _corpus(tmp_path)
    command = [sys.executable, "-m", "translate_pipeline", "run", str(corpus), "--to", "en"]
    leader, follower = pty.openpty()
    process = subprocess.Popen([*command, "-o", str(tmp_path / "tty")], stderr=follower,
                               stdout=subprocess.DEVNULL)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the run ended: the terminal is gone
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait(120) == 0
    text = seen.decode()
    assert "\rarticles  0/3" in text and "\rarticles  3/3  100% |" in text
    assert text.rstrip().endswith("done 3, skipped 0, failed 0; outputs in " + str(tmp_path / "tty"))
    plain = subprocess.run([*command, "-o", str(tmp_path / "pipe")], capture_output=True,
                           text=True, timeout=120)
    assert plain.returncode == 0 and "articles" not in plain.stderr  # not a terminal: no bar


# --- the offline demo, the README and the help --------------------------------------------------

ROOT = Path(__file__).parent.parent


def _shown_as(block: list[str], lines: list[str]) -> bool:
    """Whether ``lines`` are what the README's ``block`` shows, a ``...`` line standing for
    one or more lines left out."""
    pattern = "".join(r"(?:[^\n]*\n)+" if line.strip() == "..." else re.escape(line) + "\n"
                      for line in block)
    return re.fullmatch(pattern, "".join(line + "\n" for line in lines)) is not None


def test_offline_demo_fits_a_screen_and_is_what_the_readme_shows(tmp_path, monkeypatch):
    """scripts/demo.sh's run, offline (no model installed): one short line per article, then
    one summary block; and the README's Set-up shows that output."""
    demo = (ROOT / "scripts" / "demo.sh").read_text(encoding="utf-8")
    (line,) = [line for line in demo.splitlines() if line.startswith('"$tp" run ')]
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    result = invoke(*shlex.split(line)[1:])
    assert result.exit_code == 1  # every article written, some languages missing
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert lines[:len(errors)] == errors
    sources = [line.split(": ")[1] for line in errors]
    assert len(sources) == len(set(sources)) == 10  # one line per article lacking a language
    tally, heading, *installs = lines[len(errors):]
    assert tally == ("done 0, skipped 0, failed 0, incomplete 10 (written without some "
                     "languages); outputs in out")
    assert heading.startswith("missing models: ")
    *installs, offline = installs
    assert installs and all(line.startswith("  translate-pipeline models install ")
                            for line in installs)
    assert offline == "  (offline: translate-pipeline models install FILE.argosmodel)"
    assert len(lines) <= 24 and all(len(line) <= 100 for line in lines)  # one screen
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```text\n(error: .*?)```", readme, re.S)
    assert _shown_as(block.splitlines(), lines), block
    # the operator's instructions are in errors.jsonl, one entry per missing language
    entries = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").open()]
    assert len(entries) == 16 and all("models install" in e["message"] for e in entries)


def _leaves(group, prefix=()):
    import click

    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _leaves(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_command_help_has_examples_and_its_own_exit_codes():
    from translate_pipeline.cli import cli

    for path, _ in _leaves(cli):
        text = invoke(*path, "--help").output
        assert "Examples:" in text and "translate-pipeline " + " ".join(path) in text, path
        assert "Exit codes: 0 " in text, path
        if path[0] in ("models", "cache", "digest"):
            assert "inputs failed" not in text, path  # no inputs there


def test_install_hints_work_from_a_checkout():
    """The package is on no package index: pip install 'translate-pipeline[dask]' cannot work."""
    texts = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
             *(ROOT / "translate_pipeline").rglob("*.py")]
    for path in texts:
        assert "translate-pipeline[" not in path.read_text(encoding="utf-8"), path
