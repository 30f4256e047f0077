"""The Python API (translate_pipeline/__init__.py, translate_pipeline/api.py) on real Argos
packages: the same results as the CLI, models loaded once per process, the project's errors."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import ctranslate2
import pytest
from support.cli import invoke

import translate_pipeline as tp
from translate_pipeline import api
from translate_pipeline.errors import DetectionError, LanguageCodeError, ModelError

ROOT = Path(__file__).resolve().parents[1]

TEXT = """Der Stadtrat hat am Dienstag den Haushalt beschlossen. Die Debatte dauerte sechs Stunden.

Die Opposition stimmte dagegen. Sie kritisierte die Kürzungen bei den Schulen."""


@pytest.fixture
def loads(monkeypatch):
    """Every CTranslate2 model the engine loads (a fresh engine cache for the test)."""
    monkeypatch.setattr(api, "_ENGINES", {})
    real = ctranslate2.Translator
    loaded: list[str] = []

    def counting(model_dir, *args, **kwargs):
        loaded.append(Path(model_dir).parent.name)
        return real(model_dir, *args, **kwargs)

    monkeypatch.setattr(ctranslate2, "Translator", counting)
    return loaded


def test_all_names_are_exported_and_documented():
    assert sorted(tp.__all__) == sorted(
        ["__version__", "Article", "ArticleResult", "Detection", "Failure", "Summary", "detect",
         "process", "summarize", "translate", "translate_many"])
    for name in tp.__all__:
        assert getattr(tp, name) is not None, name
    with pytest.raises(AttributeError):
        tp.no_such_name  # noqa: B018


def test_importing_the_package_imports_no_stage():
    child = subprocess.run(
        [sys.executable, "-c", "import json, sys, translate_pipeline; "
         "print(json.dumps(sorted(m for m in sys.modules if m.startswith('translate_pipeline'))))"],
        capture_output=True, text=True, check=True)
    assert json.loads(child.stdout) == ["translate_pipeline", "translate_pipeline._version"]


def test_detect():
    found = tp.detect(TEXT)
    assert (found.code, found.method) == ("de", "langdetect") and found.confidence > 0.9
    with pytest.raises(DetectionError) as info:
        tp.detect("Hi")
    assert str(info.value).startswith("text: ") and "--from" not in str(info.value)


def test_translate_equals_the_cli_and_loads_the_model_once(installed_de_en, loads):
    article = "Stadtrat beschließt Haushalt\n\n" + TEXT
    cli = invoke("translate", "--to", "en", input=article)
    assert tp.translate(article, to="en") == cli.stdout.strip()  # a headline is a paragraph
    translated = tp.translate(TEXT, to="en")
    assert len(translated.split("\n\n")) == 2  # paragraphs stay paragraphs
    assert tp.translate(TEXT, to="EN", source="de") == translated
    many = tp.translate_many([TEXT, TEXT.split("\n\n")[1], TEXT], to="en", source="de")
    assert many[0] == many[2] == translated and many[1] == translated.split("\n\n")[1]
    assert loads == ["translate-de_en-1_0"]  # one load for every call above


def test_summarize_in_source_and_targets(installed_de_en, loads):
    summary = tp.summarize(TEXT, sentences=2, to=["en"])
    assert isinstance(summary, tp.Summary)
    assert summary.language == "de" and summary.confidence > 0.9
    assert set(summary.sentences) == {"de", "en"}
    assert len(summary.sentences["de"]) == len(summary.sentences["en"]) == 2
    assert all(s in TEXT for s in summary.sentences["de"])
    source_only = tp.summarize(TEXT, sentences=1, language="de")
    assert source_only.confidence == 1.0 and list(source_only.sentences) == ["de"]
    assert loads == ["translate-de_en-1_0"]


def test_process_yields_results_and_failures_in_order(installed_de_en):
    results = list(tp.process([TEXT, "   ", tp.Article("mine", "mine.txt", "Titel", (TEXT,))],
                              to=["en"]))
    assert [type(r).__name__ for r in results] == ["ArticleResult", "Failure", "ArticleResult"]
    assert results[0].article.source == "text" and results[2].article.id == "mine"
    assert [lang for lang, _ in results[2].languages] == ["de", "en"]
    assert "empty" in str(results[1].error)


def test_errors_are_the_projects(installed_de_en):
    with pytest.raises(LanguageCodeError) as info:
        tp.translate(TEXT, to="English")
    assert info.value.suggestion == "en" and "did you mean 'en'?" in str(info.value)
    with pytest.raises(ModelError) as missing:
        tp.translate(TEXT, to="fr")
    assert "not translated to fr" in str(missing.value) and "de->fr" in str(missing.value)
    with pytest.raises(TypeError):
        tp.translate(b"bytes", to="en")


def test_the_readme_example_runs(installed_de_en):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"## Python API\n\n```python\n(.*?)```", readme, re.S)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example, "README.md", "exec"), {})  # noqa: S102 (our own README)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Detection(code='de'")
    assert lines[1].startswith("de (")
    assert lines[-1] == "text-1 ['de', 'en'] ()"


def test_the_version_has_one_source():
    from importlib.metadata import version

    assert tp.__version__ == version("translate-pipeline")


def test_a_model_installed_between_calls_is_used(install_argos, loads):
    with pytest.raises(ModelError):
        tp.translate(TEXT, to="en", source="de")
    install_argos("de", "en")
    assert tp.translate(TEXT, to="en", source="de")  # a fresh engine sees the new package
    tp.translate(TEXT, to="en", source="de")
    assert loads == ["translate-de_en-1_0"]


def test_a_model_reinstalled_in_the_same_version_is_used(install_argos, argos_package_factory):
    """``models install --upgrade`` reinstalls the same version (a repair): a long-running
    process must translate with what is installed now, model and tokenizer, as a fresh one does."""
    from support.cli import invoke

    from translate_pipeline.translation.packages import install

    install_argos("de", "en")
    tp.translate(TEXT, to="en", source="de")
    other = argos_package_factory("de", "en", seed=77, vocab_size=600)  # same name and version
    assert install(other, reinstall=True).changed
    sentence = "Ein anderer Satz, der noch nicht im Cache ist."
    fresh = invoke("translate", "-", "--from", "de", "--to", "en", "--no-cache", input=sentence)
    assert fresh.exit_code == 0, fresh.output
    assert tp.translate(sentence, to="en", source="de") == fresh.stdout.strip()
