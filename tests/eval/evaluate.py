"""Key-sentence recall of every summary algorithm over hand-annotated news articles.

Each file in ``articles/`` is one article: ``# lang: xx`` and ``# title: ...`` header lines, then
one sentence per line, a blank line between paragraphs, and ``* `` before each key sentence (the
3-4 sentences an editor says a summary must contain). For every algorithm -- and the ``lead``
(first N sentences) baseline -- the script asks for as many sentences as the article has keys
(``@K``) and for a fixed 3 (``@3``), and prints the mean share of key sentences found, overall and
per language::

    python tests/eval/evaluate.py
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from translate_pipeline.nlp.summarize import ALGORITHMS, select_sentences  # noqa: E402

ARTICLES = Path(__file__).resolve().parent / "articles"
FIXED_COUNT = 3


@dataclass(frozen=True)
class Article:
    name: str
    lang: str
    title: str
    paragraphs: tuple[tuple[str, ...], ...]
    keys: frozenset[int]  # indices into the flattened sentence list

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(s for p in self.paragraphs for s in p)


@dataclass(frozen=True)
class Scores:
    """Mean recall of one algorithm: with K = number of keys, with 3, and @K per language."""

    at_keys: float
    at_fixed: float
    by_lang: dict[str, float]


def parse_article(name: str, text: str) -> Article:
    headers: dict[str, str] = {}
    paragraphs: list[tuple[str, ...]] = []
    current: list[str] = []
    keys: set[int] = set()
    index = 0
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            field, _, value = line[1:].partition(":")
            headers[field.strip()] = value.strip()
        elif not line:
            if current:
                paragraphs.append(tuple(current))
                current = []
        else:
            if line.startswith("* "):
                keys.add(index)
                line = line[2:].strip()
            current.append(line)
            index += 1
    if current:
        paragraphs.append(tuple(current))
    if "lang" not in headers or not keys:
        raise ValueError(f"{name}: needs a '# lang:' header and at least one '* ' key sentence")
    title = headers.get("title", "")
    return Article(name, headers["lang"], title, tuple(paragraphs), frozenset(keys))


def load_articles(folder: Path = ARTICLES) -> list[Article]:
    paths = sorted(folder.glob("*.txt"))
    return [parse_article(path.name, path.read_text(encoding="utf-8")) for path in paths]


def recall(article: Article, algorithm: str, count: int) -> float:
    chosen = select_sentences(article.paragraphs, article.lang, count, algorithm)
    return len(article.keys.intersection(chosen)) / len(article.keys)


def evaluate(
    articles: Sequence[Article], algorithms: Sequence[str] = ALGORITHMS
) -> dict[str, Scores]:
    languages = sorted({a.lang for a in articles})
    results: dict[str, Scores] = {}
    for algorithm in algorithms:
        at_keys = {a.name: recall(a, algorithm, len(a.keys)) for a in articles}
        at_fixed = [recall(a, algorithm, FIXED_COUNT) for a in articles]
        by_lang = {
            lang: mean(at_keys[a.name] for a in articles if a.lang == lang) for lang in languages
        }
        results[algorithm] = Scores(mean(at_keys.values()), mean(at_fixed), by_lang)
    return results


def format_table(articles: Sequence[Article], results: dict[str, Scores]) -> str:
    languages = sorted({a.lang for a in articles})
    counts = {lang: sum(a.lang == lang for a in articles) for lang in languages}
    sentences = sum(len(a.sentences) for a in articles)
    keys = sum(len(a.keys) for a in articles)
    lines = [
        f"Key-sentence recall: {len(articles)} articles, {sentences} sentences,"
        f" {keys} key sentences",
        "  @K = as many sentences as the article has keys, @3 = three sentences;"
        " per-language columns are @K",
        "",
        f"{'algorithm':<10} {'@K':>6} {'@3':>6}  "
        + " ".join(f"{lang}({counts[lang]})".rjust(7) for lang in languages),
    ]
    ranked = sorted(results.items(), key=lambda item: -item[1].at_keys)
    for algorithm, scores in ranked:
        per_lang = " ".join(f"{scores.by_lang[lang]:7.3f}" for lang in languages)
        lines.append(f"{algorithm:<10} {scores.at_keys:6.3f} {scores.at_fixed:6.3f}  {per_lang}")
    return "\n".join(lines)


def main() -> int:
    articles = load_articles()
    print(format_table(articles, evaluate(articles)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
