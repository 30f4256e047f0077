"""The configuration file (TOML): which file is read, defaults for every command's options,
precedence flag > environment > file > default at every level, and one clear line for a bad file.

Everything runs the real CLI (click's CliRunner); translation runs real CTranslate2 inference on
the dictionary model, whose thread count the engine logs when it loads.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from support.cli import invoke

from translate_pipeline.cli import cli
from translate_pipeline.cli.configfile import config_option

ENGLISH = (
    "Council passes the budget\n\n"
    "The city council approved the new budget on Tuesday. Schools will get more money than "
    "last year. Critics point to the high costs.\n\n"
    "The opposition wants another vote in September. The mayor called it a good day.\n"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def summary_lines(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("- ")]


@pytest.fixture
def article(tmp_path) -> Path:
    return write(tmp_path / "council.txt", ENGLISH)


# which file


def test_the_user_file_is_read_when_there_is_one(article, isolated_dirs):
    assert len(summary_lines(invoke("summarize", article, "--from", "en"))) == 3  # the default
    write(isolated_dirs / "xdg_config_home" / "translate-pipeline" / "config.toml",
          "sentences = 1\n")
    assert len(summary_lines(invoke("summarize", article, "--from", "en"))) == 1


def test_the_environment_variable_then_the_flag_choose_the_file(article, tmp_path, isolated_dirs,
                                                                monkeypatch):
    write(isolated_dirs / "xdg_config_home" / "translate-pipeline" / "config.toml",
          "sentences = 1\n")
    monkeypatch.setenv("TRANSLATE_PIPELINE_CONFIG", str(write(tmp_path / "env.toml",
                                                              "sentences = 2\n")))
    assert len(summary_lines(invoke("summarize", article, "--from", "en"))) == 2
    flagged = write(tmp_path / "flag.toml", "[summarize]\nsentences = 4\n")
    result = invoke("--config", flagged, "summarize", article, "--from", "en")
    assert result.exit_code == 0, result.output
    assert len(summary_lines(result)) == 4


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_a_named_file_that_is_missing_is_a_usage_error(article, tmp_path, monkeypatch, how):
    missing = tmp_path / "nowhere.toml"
    args = ["summarize", article, "--from", "en"]
    if how == "flag":
        args = ["--config", missing, *args]
    else:
        monkeypatch.setenv("TRANSLATE_PIPELINE_CONFIG", str(missing))
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {missing}: no such configuration file"
        + (" (named by TRANSLATE_PIPELINE_CONFIG)" if how == "environment" else "")]
    assert result.stdout == ""


# defaults for every command


def test_run_takes_every_option_from_its_table(article, tmp_path):
    out = tmp_path / "out"
    config = write(tmp_path / "tp.toml", f"""
        [run]
        inputs = ["{article}"]
        to = "en"
        from = "en"
        output = "{out}"
        format = ["jsonl"]
        sentences = 2
        algorithm = "lead"
        quiet = true
        """.replace("\n        ", "\n"))
    result = invoke("--config", config, "run")
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    assert record["languages"]["en"]["summary"] == [
        "The city council approved the new budget on Tuesday.",
        "Schools will get more money than last year."]
    assert not list(out.glob("*.json"))  # --format jsonl came from the file


def test_feed_takes_its_sources_and_options_from_the_file(tmp_path):
    items = "".join(
        f"<item><title>Story {n}</title><link>http://news.example/{n}</link>"
        f"<pubDate>Mon, 02 Jun 2025 0{n}:00:00 GMT</pubDate>"
        f"<description>Story {n} is about the city council. It has two sentences.</description>"
        "</item>" for n in range(3))
    rss = write(tmp_path / "news.xml", '<?xml version="1.0"?><rss version="2.0"><channel>'
                f"<title>News</title><link>http://news.example/</link>{items}</channel></rss>")
    out = tmp_path / "feeds"
    config = write(tmp_path / "tp.toml", f"""
        from = "en"
        [feed]
        sources = ["{rss}"]
        to = ["en"]
        output = "{out}"
        state = "{tmp_path / 'state.sqlite3'}"
        max-items = 2
        """.replace("\n        ", "\n"))
    result = invoke("--config", config, "feed")
    assert result.exit_code == 0, result.output
    assert "items done 2," in result.stderr and "left for the next run 1" in result.stderr
    assert (tmp_path / "state.sqlite3").exists() and len(list(out.glob("*/*.json"))) == 2


def test_nested_tables_and_shared_keys(tmp_path):
    """[models.list] is the models list command; a top-level key is shared by every command
    that has the option, and a command's table overrides it."""
    config = write(tmp_path / "tp.toml", 'format = "json"\n[detect]\nformat = "text"\n'
                                         '[models.list]\nformat = "json"\n')
    detected = invoke("--config", config, "detect", input=ENGLISH)
    assert detected.exit_code == 0 and detected.stdout.split("\t")[1] == "en"
    stats = invoke("--config", config, "cache", "stats")
    assert stats.exit_code == 0 and json.loads(stats.stdout)["entries"] == 0


# precedence: flag > environment > file > default


def test_flag_over_file_over_default(article, tmp_path):
    config = write(tmp_path / "tp.toml", "sentences = 2\n[summarize]\nalgorithm = \"lead\"\n")
    assert len(summary_lines(invoke("summarize", article, "--from", "en"))) == 3
    from_file = invoke("--config", config, "summarize", article, "--from", "en")
    assert len(summary_lines(from_file)) == 2
    assert summary_lines(from_file)[1] == "- Schools will get more money than last year."
    flagged = invoke("--config", config, "summarize", article, "--from", "en", "-n", "1",
                     "--algorithm", "news")
    assert len(summary_lines(flagged)) == 1


def test_threads_flag_over_environment_over_file_over_default(install_dictionary, tmp_path,
                                                              monkeypatch, caplog):
    """The engine logs the threads it runs with; each level in turn overrides the one below."""
    from translate_pipeline.config import usable_cores

    built = install_dictionary("de", "en")
    words = [w for w in built.whole_words() if w.islower()]
    text = f"{words[0].capitalize()} {words[1]}.\n\n{words[2].capitalize()} {words[3]}.\n"
    config = write(tmp_path / "tp.toml", "[translate]\nthreads = 3\n")
    caplog.set_level(logging.INFO, logger="translate_pipeline")

    def threads(*args, flag=()) -> int:
        caplog.clear()
        result = invoke(*args, "translate", "--from", "de", "--to", "en", "--no-cache", *flag,
                        input=text)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip().split("\n\n")[0] == built.translate(
            f"{words[0].capitalize()} {words[1]}.")
        (found,) = re.findall(r"(\d+) threads", caplog.text)
        return int(found)

    assert threads() == usable_cores()
    assert threads("--config", config) == 3
    monkeypatch.setenv("TRANSLATE_PIPELINE_THREADS", "2")
    assert threads("--config", config) == 2
    assert threads("--config", config, flag=("--threads", "1")) == 1


def test_the_layer_is_generic_over_options_added_later(tmp_path, monkeypatch):
    """An option nobody told the configuration layer about (one with click's own envvar, one
    with a list) is read from the file with the same precedence."""

    @click.group()
    @config_option
    def group():
        pass

    seen = []

    @group.command()
    @click.option("--jobs", type=click.IntRange(1, 64), default=1, envvar="TP_TEST_JOBS")
    @click.option("--tag", multiple=True)
    @click.option("--loud", count=True, expose_value=False,
                  callback=lambda ctx, param, value: seen.append(value))
    def work(jobs, tag):
        click.echo(f"{jobs} {','.join(tag)}")

    config = write(tmp_path / "tp.toml", '[work]\njobs = 4\ntag = ["a", "b"]\n')
    runner = CliRunner()
    assert runner.invoke(group, ["work"]).output == "1 \n"
    assert runner.invoke(group, ["--config", str(config), "work"]).output == "4 a,b\n"
    monkeypatch.setenv("TP_TEST_JOBS", "8")
    assert runner.invoke(group, ["--config", str(config), "work"]).output == "8 a,b\n"
    assert runner.invoke(group, ["--config", str(config), "work", "--jobs", "2", "--tag", "c"]
                         ).output == "2 c\n"
    write(config, "[work]\nloud = 2\n")  # an option whose callback keeps the value
    assert runner.invoke(group, ["--config", str(config), "work"]).exit_code == 0
    assert seen[-1] == 2
    write(config, "[work]\njobs = 100\n")
    bad = runner.invoke(group, ["--config", str(config), "work"])
    assert bad.exit_code == 2 and f"{config}:2: key 'jobs' in [work]: 100 is not in the range" \
        in bad.output


# a bad file: one line naming the file, the line and the key; exit 2; nothing done


@pytest.mark.parametrize("text, line, expected", [
    ('to = ["en"]\n[run]\nsentences = 2\noutput = "out\n', 4,
     "not valid TOML (key 'output'): "),
    ("[run]\nto = 'en'\n[rnu]\nto = 'en'\n", 3,
     "unknown table [rnu]; the tables are the commands: [detect], [summarize]"),
    ("[run]\nto = 'en'\nsentence = 2\n", 3, "key 'sentence' in [run]: unknown key"),
    ("verbosity = 1\n", 1, "key 'verbosity': unknown key"),
    ("[feed]\nmax-items = 5\ntimeout = 'long'\n", 3,
     "key 'timeout' in [feed]: must be a number, not 'long'"),
    ("[run]\nquiet = 'yes'\n", 2, "key 'quiet' in [run]: must be true or false, not 'yes'"),
    ("sentences = [1, 2]\n", 1, "key 'sentences': must be a whole number, not a list"),
    ("[run]\n\nalgorithm = 'best'\n", 3,
     "key 'algorithm' in [run]: 'best' is not one of 'news', 'lexrank'"),
    ("[translate]\nformat = 'markdown'\n", 2, "key 'format' in [translate]: 'markdown' is not "
                                              "one of 'text', 'json', 'jsonl'"),
    ("to = ['en', 'English']\n", 1, "key 'to': 'English' is a language name"),
    ("[run]\nsentences = 0\n", 2, "key 'sentences' in [run]: 0 is not in the range 1<=x<=50"),
    ("[models]\nlist = 3\n", 2, "key 'list' in [models]: is a command: make it a table"),
])
def test_a_bad_file_is_one_line_naming_file_line_and_key(article, tmp_path, text, line,
                                                         expected):
    config = write(tmp_path / "tp.toml", text)
    result = invoke("--config", config, "run", article, "--to", "en", "-o", tmp_path / "out")
    assert result.exit_code == 2
    (only,) = result.stderr.splitlines()
    assert only.startswith(f"error: {config}:{line}: "), only
    assert expected in only
    assert not (tmp_path / "out").exists()


def test_a_bad_file_is_an_error_for_every_command_even_when_the_environment_wins(
        tmp_path, monkeypatch):
    config = write(tmp_path / "tp.toml", "device = 'gpu'\n")
    monkeypatch.setenv("TRANSLATE_PIPELINE_DEVICE", "cpu")
    result = invoke("--config", config, "models", "list")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {config}:1: key 'device': 'gpu' is not one of")


def test_help_works_and_names_the_option():
    result = invoke("--help")
    assert result.exit_code == 0 and "--config FILE" in result.output


def test_every_key_is_documented():
    """docs/configuration.md's table has a row for every key of every command."""
    from translate_pipeline.cli.configfile import _params

    reference = (Path(__file__).resolve().parents[1] / "docs" / "configuration.md").read_text(
        encoding="utf-8")
    rows = [line for line in reference.splitlines() if line.startswith("| `")]

    def walk(command, path):
        for key in _params(command):
            assert any(f"`{key}`" in row.split("|")[1]
                       and (not path or path[-1] in row or "every command" in row)
                       for row in rows), f"docs/configuration.md has no row for {key} of {path}"
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(cli, ())


def test_dev_null_reads_no_file(article, isolated_dirs, monkeypatch):
    write(isolated_dirs / "xdg_config_home" / "translate-pipeline" / "config.toml",
          "sentences = 1\n")
    result = invoke("--config", "/dev/null", "summarize", article, "--from", "en")
    assert result.exit_code == 0 and len(summary_lines(result)) == 3
    monkeypatch.setenv("TRANSLATE_PIPELINE_CONFIG", "/dev/null")
    assert len(summary_lines(invoke("summarize", article, "--from", "en"))) == 3
