"""translate_pipeline.summarize: the contract, languages, offline use and the evaluation."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_pipeline.nlp import summarize
from translate_pipeline.errors import PipelineError
from translate_pipeline.nlp.summarize import ALGORITHMS, DEFAULT_ALGORITHM, select_sentences
from translate_pipeline.nlp.summarize_lang import (
    RUSSIAN_STOP_WORDS,
    WordTokenizer,
    resources_for,
    sumy_language,
)

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "eval"


def _load_evaluate():
    spec = importlib.util.spec_from_file_location("tp_evaluate", EVAL / "evaluate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


evaluate = _load_evaluate()
ARTICLES = evaluate.load_articles()
BY_LANG = {}
for _article in ARTICLES:
    BY_LANG.setdefault(_article.lang, _article)

CZECH = (
    ("Vláda schválila zvýšení minimální mzdy na 20 800 korun od ledna.",
     "Rozhodla o tom v pondělí."),
    ("Zvýšení se týká asi 150 tisíc zaměstnanců.", "Odbory požadovaly více."),
    ("Zaměstnavatelé varují před dopadem na malé firmy.",),
)
# (paragraphs, lang) for every language the contract is checked in; "xx" is no language at all.
SAMPLES = [(a.paragraphs, lang) for lang, a in sorted(BY_LANG.items())] + [
    (BY_LANG["en"].paragraphs, "xx"),
    (BY_LANG["ru"].paragraphs, "ru-RU"),
    (CZECH, "cs"),
]


def assert_contract(result, total: int, count: int, *, exact: bool = True) -> None:
    """``exact``: as many sentences as asked for (or all); else at most that many (``news`` skips
    sentences that are not content)."""
    assert isinstance(result, tuple)
    assert all(type(i) is int for i in result)
    assert list(result) == sorted(set(result)), "ascending, no duplicates"
    assert all(0 <= i < total for i in result)
    if exact:
        assert len(result) == max(0, min(count, total))
    else:
        assert len(result) <= max(0, min(count, total))


def test_public_constants():
    assert ALGORITHMS == ("news", "lexrank", "lsa", "textrank", "luhn", "sumbasic", "kl", "lead")
    assert DEFAULT_ALGORITHM == "news"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("paragraphs, lang", SAMPLES, ids=[lang for _, lang in SAMPLES])
def test_contract_in_every_language(algorithm, paragraphs, lang):
    total = sum(len(p) for p in paragraphs)
    for count in (-1, 0, 1, 3, total - 1, total, total + 5):
        result = select_sentences(paragraphs, lang, count, algorithm)
        assert_contract(result, total, count)
        assert select_sentences(paragraphs, lang, count, algorithm) == result, "deterministic"


def test_default_algorithm_is_news():
    article = BY_LANG["en"]
    assert select_sentences(article.paragraphs, "en", 3) == select_sentences(
        article.paragraphs, "en", 3, "news"
    )


def test_lead_is_the_first_sentences():
    paragraphs = [["a b c.", "d e f."], [], ["g h i."]]
    assert select_sentences(paragraphs, "en", 2, "lead") == (0, 1)
    assert select_sentences(paragraphs, "en", 9, "lead") == (0, 1, 2)


EDGE_CASES = {
    "nothing": [],
    "empty paragraphs": [[], [], []],
    "one sentence": [["Only one sentence here."]],
    "two": [["A cat sat on the mat.", "A dog ran in the park."]],
    "wordless": [["—", "123", "...", ""], ["", "42 %"]],
    "mixed": [["—", "The mayor resigned today."], [], ["123"], ["The mayor said sorry.", "!!!"]],
    "copies": [["Same text.", "Same text.", "Same text."], ["Same text."]],
    "one word each": [["Hi.", "Hi.", "Yo."], ["Hi"]],
    "stop words only": [["the and of", "a the"], ["it is"], ["and"]],
}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("case", EDGE_CASES, ids=list(EDGE_CASES))
@pytest.mark.parametrize("lang", ["en", "uk", "xx"])
def test_degenerate_input(algorithm, case, lang):
    paragraphs = EDGE_CASES[case]
    total = sum(len(p) for p in paragraphs)
    for count in (-3, 0, 1, 2, 3, 10):
        assert_contract(select_sentences(paragraphs, lang, count, algorithm), total, count,
                        exact=algorithm != "news")


def test_input_may_be_iterators_and_tuples():
    paragraphs = (iter(("First fact here.", "More detail.")), iter(("Another fact.",)))
    assert select_sentences(iter(paragraphs), "en", 5) == (0, 1, 2)


def test_news_takes_a_repeated_sentence_last_and_a_wordless_one_never():
    paragraphs = [["—", "A flood hit the town on Monday."], ["A flood hit the town on Monday."],
                  ["Schools closed for a week after the damage."], ["123"]]
    # the first copy is the lede; the second repeats it, so the next fact comes before it
    assert select_sentences(paragraphs, "en", 2) == (1, 3)
    assert select_sentences(paragraphs, "en", 3) == (1, 2, 3)
    assert select_sentences(paragraphs, "en", 5) == (1, 2, 3)  # "—" and "123" are not content


def test_news_takes_the_lede_then_what_the_headline_says():
    paragraphs = [["The council met on Tuesday evening."], ["Members discussed the roads."],
                  ["The mayor thanked the volunteers."], ["Parking fees will double from March."],
                  ["The next meeting is in April."]]
    assert select_sentences(paragraphs, "en", 3) == (0, 1, 2)
    assert select_sentences(paragraphs, "en", 3, title="Parking fees to double") == (0, 1, 3)
    assert select_sentences(paragraphs, "en", 3, "lead", title="Parking fees to double") == (
        0, 1, 2)


def test_news_lede_is_the_first_paragraph():
    sentences = ["The council met on Tuesday evening.", "Members discussed the roads.",
                 "The mayor thanked the volunteers.", "Parking fees will double from March.",
                 "The next meeting is in April."]
    title = "Parking fees to double"
    # a one-sentence first paragraph is the whole lede: the body tops it up
    assert select_sentences([[s] for s in sentences], "en", 3, title=title) == (0, 1, 3)
    # a text without paragraph breaks: its first three sentences are the lede
    assert select_sentences([sentences], "en", 3, title=title) == (0, 1, 2)
    # the lede paragraph is the first one with content: a byline above it does not count
    byline = [["By Jane Smith"], sentences[:3], sentences[3:]]
    assert select_sentences(byline, "en", 3, title=title) == (1, 2, 3)


def test_unknown_algorithm():
    for count in (3, 0):
        with pytest.raises(PipelineError) as info:
            select_sentences([["One.", "Two."]], "en", count, "bogus")
        assert info.value.subject == "algorithm"
        assert "unknown summary algorithm 'bogus'" in str(info.value)
        assert "choose one of: news, lexrank, lsa, textrank, luhn, sumbasic, kl, lead" in str(
            info.value
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paragraphs=st.lists(
        st.lists(st.text(alphabet="ab cž Ж1—.'-", max_size=30), max_size=4), max_size=5
    ),
    lang=st.sampled_from(["en", "ru", "uk", "de", "xx"]),
    count=st.integers(-2, 8),
    algorithm=st.sampled_from(ALGORITHMS),
)
def test_contract_on_arbitrary_text(paragraphs, lang, count, algorithm):
    total = sum(len(p) for p in paragraphs)
    result = select_sentences(paragraphs, lang, count, algorithm)
    assert_contract(result, total, count, exact=algorithm != "news")
    assert select_sentences(paragraphs, lang, count, algorithm) == result


@pytest.mark.parametrize("algorithm", [a for a in ALGORITHMS if a != "lead"])
def test_long_article_keeps_the_contract(algorithm):
    """300+ sentences (speed is measured by benchmarks, not asserted here)."""
    paragraphs = [p for a in ARTICLES for p in a.paragraphs if a.lang == "en"]
    while sum(len(p) for p in paragraphs) < 300:
        paragraphs += [[f"{s} (update {len(paragraphs)})" for s in p] for p in paragraphs]
    result = select_sentences(paragraphs, "en", 10, algorithm)
    assert_contract(result, sum(len(p) for p in paragraphs), 10)


@pytest.mark.parametrize("algorithm", ["lexrank", "lsa", "kl"])
def test_speedups_choose_what_stock_sumy_chooses(algorithm, monkeypatch):
    """The numpy LexRank matrix, the SVD-free LSA and the bounded KL loop are exact."""
    articles = ARTICLES[::4]

    def choices():
        return [select_sentences(a.paragraphs, a.lang, n, algorithm)
                for a in articles for n in (1, 3)]

    fast = choices()
    module, name = summarize._SUMY_SUMMARIZERS[algorithm]
    stock = getattr(importlib.import_module(module), name)
    monkeypatch.setattr(summarize, "_summarizer_class", lambda _: stock)
    assert choices() == fast


# --- languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, name",
    [("en", "english"), ("EN", "english"), ("de", "german"), ("uk", "ukrainian"),
     ("ru", "russian"), ("pl", "polish"), ("pt-BR", "portuguese"), ("pt_PT", "portuguese"),
     ("cs", "czech"), ("sk", "slovak"), ("el", "greek"), ("zh-Hant", "chinese"),
     ("english", "english"), ("xx", None), ("", None)],
)
def test_language_names(code, name):
    assert sumy_language(code) == name


def test_stemmers_and_stop_words():
    assert resources_for("en").stemmer("running") == "run"
    assert resources_for("ru").stemmer("президента") == resources_for("ru").stemmer("президент")
    assert resources_for("pl").stemmer("wyborach") == "wybór"  # pystempel, bundled table
    assert resources_for("uk").stemmer("річки") == resources_for("uk").stemmer("річка")
    assert resources_for("ru").stop_words is RUSSIAN_STOP_WORDS
    assert {"и", "в", "что", "это", "который"} <= RUSSIAN_STOP_WORDS
    assert {"the", "and"} <= resources_for("en").stop_words
    assert "але" in resources_for("uk").stop_words and "się" in resources_for("pl").stop_words
    unknown = resources_for("xx")
    assert unknown.stemmer("Wörter") == "wörter" and unknown.stop_words == frozenset()
    greek = resources_for("el")  # sumy's Greek stemmer needs an optional package: falls back
    assert greek.stemmer("Αθήνα") in {"αθήνα", "αθην", "αθηνα"} and greek.stop_words


def test_tokenizer():
    ukrainian = WordTokenizer("ukrainian").to_words("М'ясо, п’ять і сімʼї!")
    assert ukrainian == ("м'ясо", "п'ять", "і", "сім'ї")  # one apostrophe for all three
    assert WordTokenizer("french").to_words("L'accident d’un train à Saint-Étienne") == (
        "accident", "un", "train", "à", "saint-étienne",
    )
    numbers = WordTokenizer(None).to_words("3rd of 42 COVID-19 cases — 2024")
    assert numbers == ("of", "covid", "cases")  # numbers are not words, as in sumy
    assert WordTokenizer("chinese").to_words("北京下雨 rain") == ("北", "京", "下", "雨", "rain")
    assert WordTokenizer("hindi").to_words("भारत की राजधानी") == ("भारत", "की", "राजधानी")
    assert WordTokenizer("english").to_sentences("  One sentence.  ") == ("One sentence.",)


# --- offline -----------------------------------------------------------------------------------


def test_no_nltk_data_needed(monkeypatch):
    """Nothing may look for NLTK data (punkt & co.) or try to download it."""
    import nltk

    def refuse(*args, **kwargs):
        raise AssertionError(f"NLTK data asked for: {args!r}")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(nltk.data, "find", refuse)
    monkeypatch.setattr(nltk.data, "load", refuse)
    for paragraphs, lang in SAMPLES:
        for algorithm in ALGORITHMS:
            select_sentences(paragraphs, lang, 3, algorithm)


_CHILD = r"""
import json, socket, sys
def refuse(*args, **kwargs):
    raise SystemExit(f"forbidden: {args!r}")
socket.socket.connect = refuse
socket.getaddrinfo = refuse
import nltk
nltk.download = nltk.data.find = nltk.data.load = refuse
from translate_pipeline.nlp.summarize import ALGORITHMS, select_sentences
samples = json.loads(sys.stdin.read())
print(json.dumps([[select_sentences(p, lang, 3, a) for a in ALGORITHMS] for p, lang in samples]))
"""


def test_fresh_process_without_nltk_data_gives_the_same_answers(tmp_path):
    """A new interpreter (other hash seed) with an empty NLTK_DATA: same indices, no output."""
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    env = dict(os.environ, NLTK_DATA=str(empty), PYTHONHASHSEED="1234",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    samples = [(p, lang) for p, lang in SAMPLES]
    child = subprocess.run(
        [sys.executable, "-c", _CHILD], input=json.dumps(samples), env=env,
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert child.returncode == 0, child.stderr
    assert child.stderr == "", "the library must print nothing (no progress bars, no warnings)"
    expected = [[list(select_sentences(p, lang, 3, a)) for a in ALGORITHMS] for p, lang in samples]
    assert json.loads(child.stdout) == expected


# --- evaluation ---------------------------------------------------------------------------------


def test_evaluation_set_is_as_described():
    assert len(ARTICLES) >= 16
    langs = [a.lang for a in ARTICLES]
    assert langs.count("en") >= len(ARTICLES) / 2 - 1
    for lang in ("de", "fr", "es", "uk", "pl"):
        assert langs.count(lang) >= 2, lang
    for article in ARTICLES:
        assert 10 <= len(article.sentences) <= 25, article.name
        assert 3 <= len(article.keys) <= 4, article.name
        assert article.title, article.name
    assert any(0 not in a.keys for a in ARTICLES), "not every lede is key"
    assert sum(max(a.keys) >= len(a.keys) for a in ARTICLES) >= len(ARTICLES) / 2


def test_evaluation_script_rates_every_algorithm():
    """The key-sentence recall of tests/eval (a smoke check of the script; quality is measured on
    real corpora by benchmarks/eval_summaries.py, not on articles we wrote)."""
    results = evaluate.evaluate(ARTICLES, ALGORITHMS)
    assert set(results) == set(ALGORITHMS)
    assert all(0 < r.at_keys <= 1 and 0 < r.at_fixed <= 1 for r in results.values())
    assert results["lead"].at_fixed == pytest.approx(
        sum(len({0, 1, 2} & a.keys) / len(a.keys) for a in ARTICLES) / len(ARTICLES))
    rows = evaluate.format_table(ARTICLES, results).splitlines()[4:]
    assert sorted(row.split()[0] for row in rows if row.strip()) == sorted(ALGORITHMS)
