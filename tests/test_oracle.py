"""The dictionary model as an oracle: every word the pipeline writes is checked against what it
must be, through the CLI and the library, in batches, through pivots, the cache, --translate
summary, kill -9 and resume, and the cluster.

de->en rotates letters by 1 and en->uk by 3 (tests/support/dictionary_model.py), so uk is de
rotated by 4: a dropped, swapped, repeated or misattached sentence, a pivot leg run twice or
skipped, or a cached translation served for the wrong sentence all change the text.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import invoke, kill_when_written

from translate_pipeline.translation.cache import TranslationMemory
from translate_pipeline.translation.engine import Engine, EngineOptions
from translate_pipeline.pipeline import Pipeline, Settings
from translate_pipeline.inputs.discovery import discover
from translate_pipeline.inputs.files import read_file

EN_SHIFT, UK_SHIFT = 1, 3


def options() -> EngineOptions:
    return EngineOptions(device="cpu", threads=2, compute_type="int8")


@pytest.fixture
def legs(install_dictionary):
    """de->en and en->uk installed; ``legs[target](text)`` is what ``text`` must become."""
    en = install_dictionary("de", "en", shift=EN_SHIFT)
    uk = install_dictionary("en", "uk", shift=UK_SHIFT)
    return {"de": lambda text: text, "en": en.translate,
            "uk": lambda text: uk.translate(en.translate(text))}


def make_corpus(root: Path, words: list[str], count: int, seed: int = 0) -> Path:
    """``count`` articles (``a/n000.txt`` ...) of 1-3 paragraphs of 1-4 sentences; every
    sentence distinct (it names its article and its place) and made of ``words`` (one piece
    each), so hundreds of articles translate in seconds."""
    lower = [w for w in words if w.islower()]
    upper = [w for w in words if w[0].isupper()] or [w.capitalize() for w in lower]
    rng = random.Random(seed)
    for i in range(count):
        paragraphs = []
        for j in range(rng.randint(1, 3)):
            sentences = []
            for k in range(rng.randint(1, 4)):
                body = " ".join(rng.choice(lower) for _ in range(rng.randint(3, 8)))
                sentences.append(f"{rng.choice(upper)} {body} {i} {j}{k} {rng.choice(lower)}.")
            paragraphs.append(" ".join(sentences))
        title = f"{rng.choice(upper)} {rng.choice(lower)} {i}"
        folder = root / "ab"[i % 2]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"n{i:03d}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n",
                                              encoding="utf-8")
    return root


@pytest.fixture
def corpus(tmp_path, dictionary_factory):
    def make(count: int, seed: int = 0) -> Path:
        words = dictionary_factory("de", "en", shift=EN_SHIFT).whole_words()
        return make_corpus(tmp_path / f"corpus-{count}-{seed}", words, count, seed)

    return make


def articles(root: Path):
    return [read_file(item) for item in discover([str(root)])]


def check_outputs(out: Path, root: Path, legs, targets=("en", "uk"), *, summary_only=False):
    """Every article of ``root`` has its record in ``out``, and every word in it is right."""
    found = articles(root)
    assert found
    for article in found:
        record = json.loads((out / f"{article.id}.json").read_text(encoding="utf-8"))
        source = record["languages"]["de"]
        assert source["text"] == article.text and source["title"] == article.title
        assert source["summary"] and all(s in article.text for s in source["summary"])
        for target in targets:
            version, oracle = record["languages"][target], legs[target]
            assert version["title"] == oracle(article.title), (article.id, target)
            assert version["summary"] == [oracle(s) for s in source["summary"]], article.id
            expected = "" if summary_only else "\n\n".join(map(oracle, article.paragraphs))
            assert version["text"] == expected, (article.id, target)
    assert len(list(out.rglob("*.json"))) == len(found)


# --- batches, windows, pivots ------------------------------------------------------------------


@pytest.mark.parametrize("window", ["1", "64"])
def test_hundreds_of_articles_every_sentence_exact_and_in_order(legs, corpus, tmp_path,
                                                                monkeypatch, window):
    root = corpus(200)
    monkeypatch.setenv("TRANSLATE_PIPELINE_WINDOW", window)
    result = invoke("run", root, "--from", "de", "--to", "en", "--to", "uk", "-o",
                    tmp_path / "out", "-q", "--no-cache", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "done 200, skipped 0, failed 0;" in result.stderr
    check_outputs(tmp_path / "out", root, legs)


@pytest.mark.parametrize("window_articles, window_sentences", [(7, 4000), (64, 50)])
def test_the_library_windows_and_the_pivot_runs_de_en_once(legs, corpus, window_articles,
                                                           window_sentences):
    found = articles(corpus(200, seed=1))
    engine = Engine(options())
    pipeline = Pipeline(Settings(targets=("en", "uk"), source_language="de"), engine=engine,
                        window_articles=window_articles, window_sentences=window_sentences)
    results = list(pipeline.process(found))
    assert [r.article.id for r in results] == [a.id for a in found]
    for article, result in zip(found, results):
        source = result.version("de")
        for target in ("en", "uk"):
            version = result.version(target)
            assert version.title == legs[target](article.title)
            assert version.paragraphs == tuple(map(legs[target], article.paragraphs))
            assert version.summary == tuple(map(legs[target], source.summary))
    # de->en ran once for both targets, en->uk once on its output: each distinct source
    # string (titles and sentences) went through a model exactly twice
    distinct = {s for a in found for s in [a.title, *_sentences(a)]}
    assert engine.translated_count == 2 * len(distinct)


def _sentences(article):
    from translate_pipeline.nlp.sentences import split_sentences

    return [s for p in article.paragraphs for s in split_sentences(p, "de")]


# --- the cache ---------------------------------------------------------------------------------


def test_the_cache_returns_what_a_fresh_translation_gives(legs, corpus, tmp_path):
    sentences = [s for a in articles(corpus(40, seed=2)) for s in _sentences(a)]
    memory = TranslationMemory(tmp_path / "cache.sqlite3")
    first = Engine(options(), memory=memory)
    half = sentences[: len(sentences) // 2]
    assert first.translate({("de", "uk"): half})[("de", "uk")] == list(map(legs["uk"], half))
    # the other half new, the first half known, all in another order
    mixed = list(reversed(sentences))
    again = Engine(options(), memory=memory)
    out = again.translate({("de", "en"): mixed, ("de", "uk"): mixed})
    assert out[("de", "en")] == list(map(legs["en"], mixed))
    assert out[("de", "uk")] == list(map(legs["uk"], mixed))
    new = len(set(sentences) - set(half))
    assert again.translated_count == 2 * new  # the known half came from the cache
    memory.close()


def test_a_cached_rerun_writes_the_same_words(legs, corpus, tmp_path, monkeypatch):
    root = corpus(30, seed=3)
    monkeypatch.setenv("TRANSLATE_PIPELINE_CACHE", str(tmp_path / "cache.sqlite3"))
    for out in ("first", "second"):  # the second from the cache alone
        result = invoke("run", root, "--from", "de", "--to", "en", "--to", "uk", "-o",
                        tmp_path / out, "-q")
        assert result.exit_code == 0, result.output
        check_outputs(tmp_path / out, root, legs)
    stats = TranslationMemory(tmp_path / "cache.sqlite3").stats()
    assert dict(stats.packages) == {"translate-de_en-1_0@1.0": stats.entries // 2,
                                    "translate-en_uk-1_0@1.0": stats.entries // 2}


# --- summaries ---------------------------------------------------------------------------------


def test_translate_summary_translates_exactly_the_title_and_the_summary(legs, corpus, tmp_path):
    root = corpus(60, seed=4)
    result = invoke("run", root, "--from", "de", "--to", "en", "--to", "uk", "-o",
                    tmp_path / "out", "-q", "--no-cache", "--translate", "summary",
                    "--sentences", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    check_outputs(tmp_path / "out", root, legs, summary_only=True)
    # and nothing else went through a model
    found = articles(root)
    engine = Engine(options())
    pipeline = Pipeline(Settings(targets=("en",), source_language="de", sentences=2,
                                 translate="summary"), engine=engine)
    results = list(pipeline.process(found))
    wanted = {s for r in results for s in [r.article.title, *r.version("de").summary]}
    assert engine.translated_count == len(wanted) < len({s for a in found for s in _sentences(a)})


# --- kill -9 and resume; the cluster -----------------------------------------------------------


def test_resume_after_kill_9_gives_the_same_words(legs, corpus, tmp_path):
    root = corpus(60, seed=5)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "translate_pipeline", "run", str(root), "--from", "de",
               "--to", "en", "--to", "uk", "--quiet", "--output", str(out)]
    env = dict(os.environ, TRANSLATE_PIPELINE_WINDOW="2", TRANSLATE_PIPELINE_THREADS="2",
               TRANSLATE_PIPELINE_CACHE=str(tmp_path / "cache.sqlite3"))
    assert kill_when_written(command, out, env) == -signal.SIGKILL, (
        "the run ended before it could be killed")
    complete = len(list(out.rglob("*.json")))
    assert 0 < complete < 60
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"done {60 - complete}, skipped {complete}, failed 0;" in rerun.stderr
    check_outputs(out, root, legs)


def test_the_cluster_gives_the_same_words(legs, corpus, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    root = corpus(24, seed=6)
    monkeypatch.setenv("TRANSLATE_PIPELINE_PARTITION_ARTICLES", "4")
    monkeypatch.setenv("TRANSLATE_PIPELINE_THREADS", "1")
    monkeypatch.setenv("TRANSLATE_PIPELINE_CACHE", str(tmp_path / "cache.sqlite3"))
    result = invoke("run", root, "--from", "de", "--to", "en", "--to", "uk", "-o",
                    tmp_path / "out", "-q", "--cluster", "local:2")
    assert result.exit_code == 0, result.output
    assert "done 24, skipped 0, failed 0;" in result.stderr
    check_outputs(tmp_path / "out", root, legs)
