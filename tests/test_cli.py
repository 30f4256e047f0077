"""Every CLI command through click's CliRunner: outputs, error lines and exit codes."""

import json
import time
from pathlib import Path

import pytest
from support.cli import invoke

from translate_pipeline.cli import cli

GERMAN = (
    "Stadtrat beschließt Haushalt\n\n"
    "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen. Die Schulen erhalten "
    "4,8 Mio. Euro mehr als im Vorjahr.\n\n"
    "Dr. Anna Weber sprach von einem guten Tag für die Stadt. Kritiker bemängeln die hohen "
    "Kosten. Die Opposition will am 22. September erneut abstimmen lassen.\n"
)
ENGLISH = (
    "# Council passes budget\n\n"
    "The city council approved the new budget on Tuesday. Schools will get 4.8 million euros "
    "more than last year.\n\n"
    "Dr. Anna Weber called it a good day for the city. Critics point to the high costs.\n"
)
FRENCH = (
    "Le conseil vote le budget\n\n"
    "Le conseil municipal a approuvé mardi le nouveau budget. Les écoles recevront 4,8 millions "
    "d'euros de plus que l'an dernier. M. Dupont a salué une bonne journée pour la ville.\n"
)


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "news"
    (root / "de").mkdir(parents=True)
    (root / "de" / "rat.txt").write_text(GERMAN, encoding="utf-8")
    (root / "council.md").write_text(ENGLISH, encoding="utf-8")
    (root / "fr.txt").write_text(FRENCH, encoding="utf-8")
    return root



def test_help_lists_commands_and_exit_codes():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("detect", "summarize", "run", "models"):
        assert command in result.output
    assert "Exit codes" in result.output


# detect


def test_detect_text_and_json(corpus):
    result = invoke("detect", corpus / "de" / "rat.txt", corpus / "council.md")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[0].split("\t")[:2] == [str(corpus / "de" / "rat.txt"), "de"]
    assert lines[1].split("\t")[1] == "en"
    result = invoke("detect", corpus, "--format", "json")
    records = [json.loads(line) for line in result.output.splitlines()]
    assert {(Path(r["source"]).name, r["language"]) for r in records} == {
        ("rat.txt", "de"), ("council.md", "en"), ("fr.txt", "fr")
    }
    assert all(0.5 < r["confidence"] <= 1 for r in records)


def test_detect_stdin():
    result = invoke("detect", "--format", "json", input=FRENCH)
    assert result.exit_code == 0
    assert json.loads(result.output) == {"source": "-", "language": "fr", "confidence": 1.0}


def test_detect_failures_exit_1_and_others_still_done(tmp_path, corpus):
    short = tmp_path / "short.txt"
    short.write_text("Hi there", encoding="utf-8")
    result = invoke("detect", short, tmp_path / "missing.txt", corpus / "fr.txt")
    assert result.exit_code == 1
    assert "\tfr\t" in result.stdout
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2
    assert str(short) in errors[0] and "too short" in errors[0]
    assert "--from" not in result.stderr  # detect has no --from to suggest
    assert "missing.txt" in errors[1] and "no such file" in errors[1]


# summarize


def test_summarize_source_only(corpus):
    result = invoke("summarize", corpus / "de" / "rat.txt", "--sentences", "2")
    assert result.exit_code == 0
    assert "de (confidence" in result.output
    assert "[de] Stadtrat beschließt Haushalt" in result.output
    assert result.output.count("\n- ") == 2


def test_summarize_json_with_translation(corpus, install_argos):
    install_argos("de", "en")
    result = invoke("summarize", corpus / "de" / "rat.txt", "--to", "EN", "--format", "json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["language"]["code"] == "de"
    assert set(record["languages"]) == {"de", "en"}
    for version in record["languages"].values():
        assert set(version) >= {"title", "text", "summary"}
        assert len(version["summary"]) == 3
    assert record["languages"]["de"]["title"] == "Stadtrat beschließt Haushalt"
    assert record["languages"]["en"]["text"] and record["languages"]["en"]["title"]


def test_summarize_markdown_from_stdin_with_from():
    result = invoke("summarize", "-", "--from", "fr", "--format", "markdown", "-n", "1",
                    input=FRENCH)
    assert result.exit_code == 0
    assert result.output.startswith(  # YAML front matter for static site generators, then the text
        '---\ntitle: "Le conseil vote le budget"\nlang: "fr"\nsummary: "')
    assert "\n---\n\n## Summary\n\n- " in result.output
    assert "# Le conseil" not in result.output  # the title is not repeated


@pytest.mark.parametrize("algorithm", ["lexrank", "lsa", "textrank", "luhn", "sumbasic", "kl"])
def test_summarize_algorithms(corpus, algorithm):
    result = invoke("summarize", corpus / "de" / "rat.txt", "--algorithm", algorithm,
                    "-n", "2", "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.output)["languages"]["de"]["summary"]
    assert len(summary) == 2
    assert all(sentence in GERMAN for sentence in summary)


def test_summarize_missing_model_exits_1_but_prints_source(corpus):
    result = invoke("summarize", corpus / "fr.txt", "--to", "uk")
    assert result.exit_code == 1
    assert "[fr]" in result.stdout
    assert "not translated to uk" in result.stderr
    assert "translate-pipeline models install fr en" in result.stderr
    assert "translate-pipeline models install en uk" in result.stderr


def test_summarize_undetectable_suggests_from():
    result = invoke("summarize", input="12 34 56")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: -: ") and "--from" in result.stderr


def test_summarize_usage_errors_exit_2(corpus):
    assert invoke("summarize", corpus).exit_code == 2
    assert invoke("summarize", corpus / "fr.txt", "--algorithm", "magic").exit_code == 2
    assert invoke("summarize", corpus / "fr.txt", "--to", "1x").exit_code == 2
    assert invoke("summarize", corpus / "fr.txt", "--sentences", "0").exit_code == 2


# run


def test_run_writes_json_and_markdown_per_language(corpus, tmp_path, install_argos):
    install_argos("de", "en")
    install_argos("fr", "en")
    install_argos("en", "uk")
    out = tmp_path / "out"
    result = invoke("run", corpus, "--to", "en", "--to", "uk", "--output", out, "-n", "2")
    assert result.exit_code == 0, result.output
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                   if p.is_file() and p.name != ".translate-pipeline.lock")  # run's lock file
    assert names == [
        "council.en.md", "council.json", "council.uk.md",
        "de/rat.de.md", "de/rat.en.md", "de/rat.json", "de/rat.uk.md",
        "fr.en.md", "fr.fr.md", "fr.json", "fr.uk.md",
    ]
    record = json.loads((out / "de" / "rat.json").read_text(encoding="utf-8"))
    assert record["source"] == str(corpus / "de" / "rat.txt")
    assert record["title"] == "Stadtrat beschließt Haushalt"
    assert record["language"]["code"] == "de" and record["language"]["confidence"] > 0.9
    assert list(record["languages"]) == ["de", "en", "uk"]
    assert all(len(v["summary"]) == 2 for v in record["languages"].values())
    markdown = (out / "de" / "rat.uk.md").read_text(encoding="utf-8")
    assert '\ntranslated_from: "de"\n' in markdown and "## Summary" in markdown
    assert "done 3, skipped 0, failed 0;" in result.stderr


def test_run_partial_and_failed_inputs_exit_1(corpus, tmp_path, install_argos):
    install_argos("de", "en")
    (corpus / "empty.txt").write_text("  \n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", corpus, "--to", "en", "-o", out, "--quiet")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert any("empty.txt" in e and "empty" in e for e in errors)
    assert any("fr.txt" in e and "not translated to en" in e for e in errors)
    assert ("done 2, skipped 0, failed 1, incomplete 1 (written without some languages);"
            in result.stderr)
    assert result.stderr.splitlines()[-3:] == [
        "missing models: install them, then run the same command again to add the missing "
        "languages",
        "  translate-pipeline models install fr en   # 1 article",
        "  (offline: translate-pipeline models install FILE.argosmodel)"]
    # the good ones, and the source-language part of the partial one, are written
    assert (out / "de" / "rat.en.md").exists()
    assert (out / "fr.fr.md").exists() and not (out / "fr.en.md").exists()
    assert json.loads((out / "fr.json").read_text())["errors"]
    assert not (out / "empty.json").exists()


def test_run_from_overrides_detection(corpus, tmp_path):
    out = tmp_path / "out"
    result = invoke("run", corpus / "council.md", "--from", "en", "--to", "en", "-o", out)
    assert result.exit_code == 0
    record = json.loads((out / "council.json").read_text())
    assert record["language"] == {"code": "en", "confidence": 1.0, "method": "given"}


def test_run_usage_errors_exit_2(corpus, tmp_path):
    assert invoke("run", corpus, "-o", tmp_path / "o").exit_code == 2  # no --to
    assert invoke("run", corpus, "--to", "de").exit_code == 2  # no --output
    assert invoke("run", "--to", "de", "-o", tmp_path / "o").exit_code == 2  # no input


def test_run_unwritable_output_is_a_clear_error(corpus, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = invoke("run", corpus / "fr.txt", "--to", "fr", "-o", blocker / "out")
    assert result.exit_code == 1
    assert "cannot write" in result.stderr and str(blocker) in result.stderr


# models


def test_models_install_list_remove_from_file(argos_package_factory):
    package = argos_package_factory("de", "en")
    result = invoke("models", "list")
    assert result.exit_code == 0 and "no models installed" in result.output
    result = invoke("models", "install", package)
    assert result.exit_code == 0 and "installed de -> en 1.0" in result.output
    result = invoke("models", "list", "--format", "json")
    (entry,) = [json.loads(line) for line in result.output.splitlines()]
    assert (entry["from"], entry["to"], entry["version"]) == ("de", "en", "1.0")
    assert invoke("models", "list").output.startswith("de -> en\t1.0\t")
    result = invoke("models", "remove", "de", "en")
    assert result.exit_code == 0 and "removed de -> en" in result.output
    result = invoke("models", "remove", "de", "en")
    assert result.exit_code == 1 and result.stderr.startswith("error: ")


def test_models_install_bad_file(tmp_path):
    bogus = tmp_path / "bogus.argosmodel"
    bogus.write_bytes(b"not a zip")
    result = invoke("models", "install", bogus)
    assert result.exit_code == 1
    assert str(bogus) in result.stderr
    assert invoke("models", "install", tmp_path / "nothing.argosmodel").exit_code == 2


def test_models_install_from_index(argos_index_server, argos_package_factory):
    argos_index_server.add(argos_package_factory("fr", "en"))
    result = invoke("models", "install", "fr", "en")
    assert result.exit_code == 0, result.output
    assert "installed fr -> en" in result.output
    assert "/index.json" in argos_index_server.requests


def test_models_install_offline_fails_fast(monkeypatch):
    import socket

    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", f"http://127.0.0.1:{port}/")
    started = time.monotonic()
    result = invoke("models", "install", "en", "de")
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert "FILE.argosmodel" in result.stderr


def test_python_dash_m_entry_point():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "translate_pipeline", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "translate-pipeline" in result.stdout


def test_cli_algorithms_match_the_library():
    from translate_pipeline.cli import options as cli_module
    from translate_pipeline.nlp.summarize import ALGORITHMS

    assert cli_module.ALGORITHMS == ALGORITHMS


def _commands(group, prefix=()):
    import click

    for name, command in group.commands.items():
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path, command


def test_every_command_and_option_is_documented():
    """sqlite-utils' idea: each command has help text, README shows an example of it, and the
    reference (docs/commands.md) shows it with every one of its options."""
    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    reference = (root / "docs" / "commands.md").read_text(encoding="utf-8")
    for path, command in _commands(cli):
        assert command.help, path
        usage = "translate-pipeline " + " ".join(path)
        assert usage in readme, f"README has no example of {usage!r}"
        assert usage in reference, f"docs/commands.md has no example of {usage!r}"
        for param in command.params:
            for flag in getattr(param, "opts", []):
                if flag.startswith("--") and flag != "--help":
                    assert flag in reference, f"docs/commands.md does not mention {flag} of {usage!r}"


def test_readme_is_short_and_its_links_resolve():
    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    # every command and option with an example, and no more: details belong in docs/
    assert len(readme.splitlines()) < 360
    import re

    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert links and all((root / link).is_file() for link in links), links


def test_pipeline_default_algorithm_is_the_summarizers():
    from translate_pipeline.nlp.summarize import DEFAULT_ALGORITHM
    from translate_pipeline.pipeline import Settings

    assert Settings().algorithm == DEFAULT_ALGORITHM
