"""``translate``: the full translation on stdout, and language codes checked at the door.

The models are real Argos packages with random weights (their output is deterministic
gibberish), so these tests check structure: every paragraph and the headline come back, in
order, once per target; formats, headers, errors and exit codes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support.cli import invoke

GERMAN = """Stadtrat beschließt Haushalt

Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen. Die Debatte dauerte
sechs Stunden.

Die Opposition stimmte dagegen. Sie kritisierte die Kürzungen bei den Schulen.

Der Bürgermeister zeigte sich zufrieden mit dem Ergebnis.
"""


def _blocks(text: str) -> list[str]:
    return [b for b in text.strip().split("\n\n") if b]


def test_stdin_to_one_language_keeps_headline_and_paragraphs(installed_de_en):
    result = invoke("translate", "--from", "de", "--to", "en", input=GERMAN)
    assert result.exit_code == 0, result.stderr
    blocks = _blocks(result.stdout)
    assert len(blocks) == 4  # the headline, then the three paragraphs
    assert "\n" not in blocks[0] and not result.stdout.startswith("==")
    assert result.stderr == ""
    again = invoke("translate", "--from", "de", "--to", "en", "--no-cache", input=GERMAN)
    assert again.stdout == result.stdout  # deterministic, cache or not


def test_several_targets_are_headed_and_go_through_english(installed_de_en, install_argos):
    install_argos("en", "uk")
    result = invoke("translate", "-", "--from", "de", "--to", "en", "--to", "uk", input=GERMAN)
    assert result.exit_code == 0, result.stderr
    headers = [line for line in result.stdout.splitlines() if line.startswith("== ")]
    assert headers == ["== - (de -> en)", "== - (de -> uk)"]
    en, uk = result.stdout.removeprefix("== - (de -> en)\n").split("== - (de -> uk)\n")
    assert len(_blocks(en)) == 4 and len(_blocks(uk)) == 4  # headline and paragraphs, each
    assert _blocks(en) != _blocks(uk)


def test_files_and_json_formats(tmp_path, installed_de_en):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(GERMAN, encoding="utf-8")
    lines = invoke("translate", tmp_path / "a.txt", tmp_path / "b.txt", "--to", "en",
                   "--format", "jsonl")
    assert lines.exit_code == 0, lines.stderr
    records = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [r["source"] for r in records] == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    for record in records:
        assert record["language"] == "de" and record["target"] == "en"
        assert record["title"] and len(record["paragraphs"]) == 3
    indented = invoke("translate", tmp_path / "a.txt", "--to", "en", "--format", "json")
    assert indented.stdout.startswith("{\n  ")
    assert json.loads(indented.stdout) == records[0]
    text = invoke("translate", tmp_path / "a.txt", tmp_path / "b.txt", "--to", "en")
    assert [line for line in text.stdout.splitlines() if line.startswith("==")] == [
        f"== {tmp_path / 'a.txt'} (de -> en)", f"== {tmp_path / 'b.txt'} (de -> en)"]


def test_json_lines_input_gives_one_translation_per_record(tmp_path, installed_de_en):
    dump = tmp_path / "dump.jsonl"
    rows = [{"id": f"n{i}", "title": f"Meldung {i}", "text": GERMAN.split("\n\n", 1)[1]}
            for i in range(3)]
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = invoke("translate", dump, "--to", "en", "--from", "de", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        "dump/n0", "dump/n1", "dump/n2"]


def test_a_missing_model_is_one_error_line_and_exit_1(installed_de_en):
    result = invoke("translate", "--from", "de", "--to", "en", "--to", "fr", input=GERMAN)
    assert result.exit_code == 1
    assert "== - (de -> en)" in result.stdout  # what can be translated still is
    line, *advice = result.stderr.splitlines()
    assert line == "error: -: not translated to fr: no model de->fr"
    assert advice == ["missing models: install them, then run the same command again to add "
                      "the missing languages",
                      "  translate-pipeline models install en fr   # 1 article",
                      "  (offline: translate-pipeline models install FILE.argosmodel)"]


def test_an_unreadable_input_fails_alone(tmp_path, installed_de_en):
    good = tmp_path / "good.txt"
    good.write_text(GERMAN, encoding="utf-8")
    result = invoke("translate", tmp_path / "missing.txt", good, "--to", "en", "--from", "de")
    assert result.exit_code == 1
    assert str(tmp_path / "missing.txt") in result.stderr
    assert result.stdout.startswith(f"== {good} (de -> en)\n")  # two inputs: headed
    assert len(_blocks(result.stdout)) == 4


@pytest.mark.parametrize(("given", "expected"), [
    ("English", "'English' is a language name, not a code; did you mean 'en'?"),
    ("ukrainian", "did you mean 'uk'?"),
    ("Deutsch", "did you mean 'de'?"),
    ("xx", "'xx' is not a language code"),
])
@pytest.mark.parametrize("command", ["translate", "summarize", "run"])
def test_language_names_and_unknown_codes_are_usage_errors(tmp_path, given, expected, command):
    article = tmp_path / "a.txt"
    article.write_text(GERMAN, encoding="utf-8")
    extra = ["-o", tmp_path / "out"] if command == "run" else []
    result = invoke(command, article, "--to", given, *extra)
    assert result.exit_code == 2
    assert expected in result.stderr
    if given == "xx":
        assert "no translation models are installed" in result.stderr
    from_result = invoke(command, article, "--to", "en", "--from", given, *extra)
    assert from_result.exit_code == 2 and expected in from_result.stderr


def test_an_unknown_code_lists_the_installed_languages(tmp_path, installed_de_en):
    result = invoke("translate", "--to", "xx", input=GERMAN)
    assert result.exit_code == 2
    assert "the installed models translate de, en" in result.stderr


@pytest.mark.parametrize("spelling", ["EN", "en-GB", "en_US", "eng"])
def test_codes_in_any_case_and_region_tags_mean_the_language(spelling, installed_de_en):
    result = invoke("translate", "--from", "DE", "--to", spelling, "--format", "jsonl",
                    input=GERMAN)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["target"] == "en"


def test_a_closed_pipe_ends_quietly_with_141(tmp_path, installed_de_en):
    dump = tmp_path / "many.jsonl"
    body = GERMAN.split("\n\n", 1)[1]
    dump.write_text("".join(json.dumps({"id": f"n{i}", "text": body}) + "\n"
                            for i in range(300)), encoding="utf-8")
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL)
    child = subprocess.run(
        [sys.executable, "-m", "translate_pipeline", "translate", str(dump), "--from", "de",
         "--to", "en", "--format", "jsonl"],
        stdout=reader.stdin, stderr=subprocess.PIPE, text=True, timeout=240, env=os.environ)
    reader.stdin.close()
    reader.wait(timeout=30)
    assert child.returncode == 141
    assert child.stderr == ""  # no traceback, no "Exception ignored" from the last flush


def test_every_word_comes_back_translated_in_order(install_dictionary):
    """With the dictionary model (each piece's letters rotated by one) the output is known word
    for word: the headline as one segment, each paragraph sentence by sentence, joined."""
    from translate_pipeline.nlp.sentences import split_sentences

    en = install_dictionary("de", "en", shift=1)
    words = en.whole_words()
    lower = [w for w in words if w.islower()]
    headline = f"{lower[0].capitalize()} {lower[1]} {lower[2]}"
    paragraphs = [f"{lower[3].capitalize()} {lower[4]} {lower[5]}. {lower[6].capitalize()} "
                  f"{lower[7]}.", f"{lower[8].capitalize()} {lower[9]} {lower[10]} {lower[11]}."]
    text = headline + "\n\n" + "\n\n".join(paragraphs) + "\n"
    result = invoke("translate", "--from", "de", "--to", "en", input=text)
    assert result.exit_code == 0, result.stderr
    expected = [en.translate(headline)] + [
        " ".join(en.translate(s) for s in split_sentences(p, "de")) for p in paragraphs]
    assert _blocks(result.stdout) == expected
    import translate_pipeline as tp

    assert tp.translate(text, to="en", source="de") == "\n\n".join(expected)
    assert tp.translate_many([paragraphs[1], paragraphs[0]], to="en", source="de") == [
        expected[2], expected[1]]
