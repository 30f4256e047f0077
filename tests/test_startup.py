"""A one-off summary or detection starts fast, and gives the same answers as before.

langdetect's profiles come from a compact copy (translate_pipeline.nlp.langprofiles) and stemmers
from Snowball's C build: these tests check that detection answers exactly as langdetect's own
loading does, that the copy is written once and reused, rebuilt when damaged, and optional when
it cannot be written; and that the one-off path imports nothing it does not need (speed itself is
measured by benchmarks/startup.py, not here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY

from translate_pipeline.nlp.langprofiles import CompactProfiles, cache_path, load_factory

ROOT = Path(__file__).resolve().parents[1]


def _texts() -> list[str]:
    """Real-looking texts of many languages and lengths: the evaluation articles, the samples,
    and their first lines alone (short texts are where detection is least sure)."""
    texts = []
    for folder in (ROOT / "tests" / "eval" / "articles", ROOT / "samples"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".txt", ".md"}:
                text = path.read_text(encoding="utf-8")
                texts += [text, text.splitlines()[-1][:60]]
    return texts


def _answers(factory) -> list[list[tuple[str, float]]]:
    answers = []
    for text in _texts():
        detector = factory.create()
        detector.seed = 0
        detector.append(text)
        answers.append([(c.lang, c.prob) for c in detector.get_probabilities()])
    return answers


def test_compact_profiles_give_exactly_langdetects_answers():
    reference = DetectorFactory()
    reference.load_profile(PROFILES_DIRECTORY)
    load_factory()  # builds and writes the compact copy
    compact = load_factory()  # reads it
    assert isinstance(compact.word_lang_prob_map, CompactProfiles)
    assert compact.langlist == reference.langlist
    assert len(compact.word_lang_prob_map) == len(reference.word_lang_prob_map)
    for ngram in ("a", " th", "ие", "ß", "の"):
        if ngram in reference.word_lang_prob_map:
            assert compact.word_lang_prob_map[ngram] == reference.word_lang_prob_map[ngram]
    assert "no such n-gram" not in compact.word_lang_prob_map
    assert _answers(compact) == _answers(reference)  # the same floats, to the last bit


def test_the_copy_is_written_once_and_reused_by_other_processes(tmp_path):
    env = dict(os.environ, TRANSLATE_PIPELINE_HOME=str(tmp_path / "home"))
    child = ("import json; from translate_pipeline.nlp.langprofiles import load_factory; "
             "f = load_factory(); print(json.dumps(type(f.word_lang_prob_map).__name__))")
    first = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True,
                           text=True, check=True)
    files = list((tmp_path / "home").iterdir())
    assert [f.name for f in files] == [cache_path(PROFILES_DIRECTORY).name]
    assert files[0].stat().st_size < 4_000_000
    second = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True,
                            text=True, check=True)
    assert json.loads(first.stdout) == "dict"  # built from langdetect's files
    assert json.loads(second.stdout) == "CompactProfiles"  # read from the copy
    assert list((tmp_path / "home").iterdir()) == files


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "wrong header"])
def test_a_damaged_copy_is_rebuilt(damage):
    load_factory()
    path = cache_path(PROFILES_DIRECTORY)
    data = path.read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 2], "garbage": os.urandom(5000),
                      "empty": b"", "wrong header": data.replace(b'"langs"', b'"lang"', 1)}[damage])
    factory = load_factory()
    assert isinstance(factory.word_lang_prob_map, dict)  # rebuilt from langdetect's files
    assert path.read_bytes() == data  # and written again
    assert isinstance(load_factory().word_lang_prob_map, CompactProfiles)


def test_an_unwritable_home_only_costs_time(tmp_path, monkeypatch):
    home = tmp_path / "file-not-folder"
    home.write_text("x")
    monkeypatch.setenv("TRANSLATE_PIPELINE_HOME", str(home))
    factory = load_factory()
    assert isinstance(factory.word_lang_prob_map, dict)
    reference = DetectorFactory()
    reference.load_profile(PROFILES_DIRECTORY)
    assert _answers(factory)[:6] == _answers(reference)[:6]
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


_ONE_OFF = r"""
import json, runpy, sys
sys.argv = ["translate-pipeline"] + sys.argv[1:]
try:
    runpy.run_module("translate_pipeline", run_name="__main__")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

HEAVY = {"torch", "nltk", "ctranslate2", "sentencepiece", "requests", "trafilatura", "numpy",
         "stanza", "argostranslate",
         "multiprocessing", "concurrent"}  # the process pool is for run --jobs only


@pytest.mark.parametrize("command", [["summarize"], ["detect"], ["summarize", "--algorithm",
                                                                  "lead"]])
def test_the_one_off_path_imports_nothing_heavy(tmp_path, command):
    article = tmp_path / "article.txt"
    article.write_text("Rail strike next week\n\nRail workers will strike for three days next "
                       "week after talks over pay collapsed on Friday. The union said the offer "
                       "was far below inflation.\n", encoding="utf-8")
    env = dict(os.environ, TRANSLATE_PIPELINE_HOME=str(tmp_path / "home"))
    child = subprocess.run([sys.executable, "-c", _ONE_OFF, *command, str(article)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert "Rail" in child.stdout or "\ten\t" in child.stdout, child.stderr
    modules = set(json.loads(child.stderr.strip().splitlines()[-1]))
    imported = {m.split(".")[0] for m in modules}
    assert "translate_pipeline" in imported and "langdetect" in imported
    assert not imported & HEAVY, imported & HEAVY
    # nor the batch runner and its worker pool (reading inputs lives in inputs/read.py)
    assert not modules & {"translate_pipeline.batch", "translate_pipeline.workers"}
