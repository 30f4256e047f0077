"""Markdown read as Markdown: a Hugo-like content tree (tests/data/site/content: YAML and TOML front
matter, nested lists, a table, code fences, reference links, footnotes, raw HTML, an image,
emphasis inside sentences) goes through the reader and ``run``; no markup may reach a summary or
the translation engine (the translation memory holds every sentence the engine was given)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from support.cli import invoke

from translate_pipeline.errors import InputError
from translate_pipeline.inputs.documents import markdown_article, parse_document, sniff
from translate_pipeline.inputs.markdown import prose_blocks
from translate_pipeline.translation.cache import default_cache_path

SITE = Path(__file__).parent / "data" / "site" / "content"

#: What must never appear in prose taken from the site: markup, URLs, code, HTML, footnotes.
MARKUP = ["](", "![", "[^", "[asoc]", "|", "---", "```", "`", "<", ">", "**", "*", "# ",
          "/img/sala.jpg", "https://", "estudiantes.example", "horario = ", "print(",
          "RES-2024-17", "curl", "aviso", "Aviso", "7:00", "+++"]


def _read(name: str):
    path = SITE / name
    return markdown_article(path.read_text(encoding="utf-8"), source=str(path), id=name)


def _no_markup(text: str) -> None:
    for mark in MARKUP:
        assert mark not in text, f"{mark!r} leaked into {text!r}"
    assert not text.lstrip().startswith(("-", "1.", "2.")), text


@pytest.mark.parametrize("name", ["posts/biblioteca.md", "news/harbour.md"])
def test_site_articles_are_prose_only(name):
    article = _read(name)
    assert article.paragraphs
    for text in (article.title, *article.paragraphs):
        _no_markup(text)


def test_yaml_article_keeps_prose_link_text_and_front_matter():
    article = _read("posts/biblioteca.md")
    assert article.title == "La biblioteca de Peñalba abre por la noche"
    assert article.language == "es"
    assert dict(article.metadata) == {"date": "2024-05-13", "author": "Ana Ruiz"}
    # the "# Title" that repeats the front matter's title is not text
    assert article.title not in article.paragraphs
    text = article.text
    assert "petición de la asociación de estudiantes, que reunió" in text  # link text, no URL
    assert "abrirá su sala de lectura hasta" in text  # emphasis gone, words kept
    assert "Horario" in article.paragraphs  # a heading inside is text
    assert "Domingos y festivos: cerrado." in article.paragraphs  # a nested list item
    assert {"Día", "Apertura", "Lunes", "24:00"} <= set(article.paragraphs)  # table cells
    assert any(p.startswith("Los estudiantes llevaban") for p in article.paragraphs)  # quote
    assert "Sala de lectura" not in text  # the image's alt text
    assert "La reserva se abre" not in text  # a footnote's definition


def test_toml_front_matter():
    article = _read("news/harbour.md")
    assert article.title == "Harbour ferries return after the winter break"
    assert article.language == "en"
    assert dict(article.metadata) == {"date": "2024-03-02T09:00:00+00:00"}
    assert "On Sundays the last boat leaves an hour earlier." in article.paragraphs
    assert "Tickets can be bought on the harbour website or from machines" in article.text


def test_toml_front_matter_that_is_not_toml_names_the_file():
    with pytest.raises(InputError, match=r"a\.md: front matter is not valid TOML"):
        markdown_article("+++\ntitle = \n+++\n\nText.", source="a.md", id="a")


def test_sniffed_toml_front_matter_and_setext_heading():
    assert sniff("+++\ntitle = 'x'\n+++\n\nText.") == "markdown"
    article = parse_document(b"+++\ntitle = 'T'\n+++\n\nHeadline\n========\n\nSome *text*.\n",
                             source="-", id="stdin")
    assert article.title == "T"
    assert article.paragraphs == ("Headline", "Some text.")


@pytest.mark.parametrize("body, prose", [
    ("Run `pip install x` now.", ["Run now."]),
    ("See <https://example.org/a> or [docs](https://example.org/d).", ["See or docs."]),
    ("A<sup>2</sup> b<!-- note -->.", ["A2 b."]),
    ("Code `x`, an image ![i](/i.png): gone.", ["Code, an image: gone."]),
    ("    indented code\n\nText.", ["Text."]),
    ("<div>\nraw html\n</div>\n\nText.", ["Text."]),
    ("Text[^n].\n\n[^n]: The note.", ["Text."]),
    ("***\n\n- a\n- b\n\n> q", ["a", "b", "q"]),
    ("[ref]: https://example.org\n\nText with [a ref][ref].", ["Text with a ref."]),
])
def test_prose_blocks(body, prose):
    assert [block.text for block in prose_blocks(body)] == prose


def test_markup_only_is_refused_with_the_reason():
    with pytest.raises(InputError, match=r"a\.md: has no text to process: only markup"):
        markdown_article("```\ncode\n```\n\n![x](/x.png)\n", source="a.md", id="a")


def test_site_summaries_and_engine_input_hold_no_markup(tmp_path, install_argos):
    install_argos("es", "en")
    install_argos("en", "de")
    out = tmp_path / "out"
    result = invoke("run", SITE, "--to", "en", "--to", "de", "-o", out, "--sentences", "5")
    assert result.exit_code == 0, result.output
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.rglob("*.json"))]
    assert [r["id"] for r in records] == ["news/harbour", "posts/biblioteca"]
    for record in records:
        source = record["languages"][record["language"]["code"]]
        assert source["summary"]
        for sentence in source["summary"]:
            _no_markup(sentence)
        _no_markup(source["text"])
    spanish = records[1]["languages"]["es"]["summary"]
    assert not any("8:00" in s or "lunes a viernes" in s for s in spanish), spanish
    with sqlite3.connect(default_cache_path()) as db:
        sent = [row[0] for row in db.execute("SELECT source FROM translations")]
    assert len(sent) > 10
    for sentence in sent:
        _no_markup(sentence)
