"""``run --format document``: translated copies of Markdown documents that keep their structure.

The copies of the Hugo-like tree (tests/data/site/content) must parse to the same block structure
as the source (the parser's token trees compared), keep code blocks and URLs byte for byte, change
every prose text, translate the front matter's title/description/summary and set its language,
and resume like every output. Real CTranslate2 on random-weight Argos packages: the words are
gibberish, the structure is what is checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli import invoke

from translate_pipeline.markdown import parser, segments, split_front_matter, translate_document

SITE = Path(__file__).parent / "data" / "site" / "content"
DOCUMENTS = ["posts/biblioteca.md", "news/harbour.md"]


def _body(text: str) -> str:
    return split_front_matter(text)[2]


def _structure(text: str) -> list:
    """The token tree without its words: every block token, and every inline token's markup
    children with their URLs (text, line breaks and their contents left out)."""
    shape = []
    for token in parser().parse(_body(text)):
        if token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "softbreak", "hardbreak"):
                    continue
                attrs = {k: v for k, v in (child.attrs or {}).items() if k in ("href", "src", "title")}
                content = child.content if child.type in ("code_inline", "html_inline") else ""
                shape.append(("inline", child.type, child.markup if child.type == "code_inline"
                              else "", attrs, content))
        else:
            shape.append((token.type, token.tag, token.nesting, token.level, token.info,
                          token.content if token.type in ("fence", "code_block", "html_block")
                          else ""))
    return shape


def _html_tags(text: str) -> list[str]:
    """The HTML the parser renders the body to, tags and attributes only (text left out)."""
    return re.findall(r"<[^>]+>", parser().render(_body(text)))


def _texts(text: str) -> list[str]:
    return [child.content for token in parser().parse(_body(text)) if token.type == "inline"
            for child in token.children or () if child.type == "text" and child.content.strip()]


def _fences(text: str) -> list[str]:
    return re.findall(r"^```.*?^```$", text, re.S | re.M)


def _front(text: str) -> dict:
    kind, block, _ = split_front_matter(text)
    if kind == "toml":
        import tomllib

        return tomllib.loads(block)
    return yaml.safe_load(block)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_segment_replaced_keeps_the_structure(name):
    source = (SITE / name).read_text(encoding="utf-8")
    wanted = segments(source)
    # translations full of Markdown's own characters: they must come out escaped, as text
    fake = [f"*[{i}]* <b>|` {s[::-1]} # _x_" for i, s in enumerate(wanted)]
    copy = translate_document(source, fake, "uk")
    assert _structure(copy) == _structure(source)
    assert _fences(copy) == _fences(source)
    texts = " ".join(_texts(copy))
    for i in range(len(wanted) - len(_front_prose(source))):
        assert f"*[{i + len(_front_prose(source))}]* <b>|`" in texts


def _front_prose(source: str) -> list[str]:
    front = _front(source)
    return [front[k] for k in ("title", "description", "summary") if k in front]


def test_front_matter_prose_translated_language_set_rest_byte_identical():
    source = (SITE / "posts/biblioteca.md").read_text(encoding="utf-8")
    wanted = segments(source)
    copy = translate_document(source, [f"T{i}: {s}" for i, s in enumerate(wanted)], "uk")
    front = _front(copy)
    assert front["title"] == "T0: La biblioteca de Peñalba abre por la noche"
    assert front["description"].startswith("T1: La sala de lectura")
    assert front["lang"] == "uk"
    assert (front["date"], front["slug"], front["tags"]) == (
        _front(source)["date"], "biblioteca-noche", ["cultura", "educación"])
    kept = [line for line in source.split("\n") if line.startswith(
        ("date:", "author:", "slug:", "tags:", "[asoc]:", "<div", "horario", "print(", "|---"))]
    assert len(kept) == 9
    for line in kept:
        assert line in copy.split("\n")


def test_toml_front_matter_copy():
    source = (SITE / "news/harbour.md").read_text(encoding="utf-8")
    wanted = segments(source)
    copy = translate_document(source, [f"Ü{i} {s}" for i, s in enumerate(wanted)], "de")
    front = _front(copy)
    assert front["title"].startswith("Ü0 Harbour")
    assert front["summary"].startswith("Ü1 Ferry")
    assert front["language"] == "de" and front["tags"] == ["transport", "harbour"]


@pytest.mark.parametrize("source", [
    "Plain *emph* and **strong** and ~~gone~~ and `code` and <span>html</span>.\n",
    "A [link](</a b> \"T\") and ![img](/i.png) and <https://x.example>.\n",
    "Setext heading\n==============\n\nText\nover lines.\n",
    "1. one\n2. two\n   - nested *x*\n",
    "> quoted\n> lines\n",
    "Footnote[^a].\n\n[^a]: The note.\n",
])
def test_small_documents_keep_their_structure(source):
    wanted = segments(source)
    copy = translate_document(source, ["# 1. - > |*x*| " + s for s in wanted], "uk")
    assert _structure(copy) == _structure(source), copy
    assert wanted and "".join(_texts(copy)).count("# 1. - > |*x*| ") == len(wanted)


def _run_site(out: Path, *formats: str):
    args = [a for f in formats for a in ("--format", f)]
    return invoke("run", SITE, "--to", "uk", "--to", "de", "-o", out, *args)


@pytest.fixture
def site_models(install_argos):
    for pair in (("es", "en"), ("en", "uk"), ("en", "de"), ("es", "uk"), ("es", "de")):
        install_argos(*pair)


def test_run_writes_a_translated_copy_of_the_tree(tmp_path, site_models):
    out = tmp_path / "translated"
    result = _run_site(out, "document", "json")
    assert result.exit_code == 0, result.output
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert names == ["de/news/harbour.md", "de/posts/biblioteca.md",
                     "uk/news/harbour.md", "uk/posts/biblioteca.md"]
    for name in DOCUMENTS:
        source = (SITE / name).read_text(encoding="utf-8")
        for lang in ("uk", "de"):
            copy = (out / lang / name).read_text(encoding="utf-8")
            assert _structure(copy) == _structure(source), (lang, name)
            assert _html_tags(copy) == _html_tags(source)  # renders to the same HTML elements
            assert _fences(copy) == _fences(source)
            front, original = _front(copy), _front(source)
            assert front.get("lang", front.get("language")) == lang
            assert front["title"] != original["title"]
            assert "fingerprint" not in copy  # the JSON record holds it
            # every prose text changed (autolinks, numbers-only cells and code stay)
            changed = set(_texts(copy)) - set(_texts(source))
            assert len(changed) >= len(segments(source)) - len(_front_prose(source)) - 3
    record = json.loads((out / "posts" / "biblioteca.json").read_text(encoding="utf-8"))
    assert list(record["languages"]) == ["es", "uk", "de"]
    # a paragraph without markup is translated once, as sentences: the copy has the record's text
    source_paragraphs = record["languages"]["es"]["text"].split("\n\n")
    quote = source_paragraphs.index(next(p for p in source_paragraphs if p.startswith("Los est")))
    uk = record["languages"]["uk"]
    copy_texts = _texts((out / "uk" / "posts" / "biblioteca.md").read_text(encoding="utf-8"))
    assert uk["text"].split("\n\n")[quote] in copy_texts
    assert _front((out / "uk" / "posts" / "biblioteca.md").read_text())["title"] == uk["title"]
    again = _run_site(out, "document", "json")
    assert "done 0, skipped 2, failed 0" in again.stderr, again.stderr


def test_document_alone_resumes_from_its_front_matter(tmp_path, site_models):
    out = tmp_path / "translated"
    result = _run_site(out, "document")
    assert result.exit_code == 0, result.output
    assert not list(out.rglob("*.json"))
    copy = (out / "uk" / "posts" / "biblioteca.md").read_text(encoding="utf-8")
    assert '\n# fingerprint: "sha256:' in split_front_matter(copy)[1]
    again = _run_site(out, "document")
    assert "done 0, skipped 2, failed 0" in again.stderr, again.stderr
    (out / "de" / "news" / "harbour.md").unlink()
    third = _run_site(out, "document")
    assert "done 1, skipped 1, failed 0" in third.stderr, third.stderr
    assert (out / "de" / "news" / "harbour.md").is_file()


def test_document_to_a_url_is_a_usage_error(tmp_path):
    result = invoke("run", SITE, "--to", "uk", "-o", "memory://x", "--format", "document")
    assert result.exit_code == 2
    assert "--format document writes to a local folder" in result.output


_PIECES = ["word ", "*em* ", "**st** ", "_u_ ", "[l](/u) ", "![i](/i.png) ", "`c` ", "<b>h</b> ",
           "\n", "\n\n", "# ", "## ", "- ", "1. ", "> ", "| a | b |\n|---|---|\n| c | d |\n",
           "```\ncode\n```\n", "    ind\n", "[^1] ", "\n\n[^1]: note\n", "---\n",
           "<div>\nx\n</div>\n", "\\* ", "&amp; ", "  \n", "Title\n===\n", "[ref][r] ",
           "\n\n[r]: /ref\n", "<https://a.b> ", "~~s~~ ", "é ", "12. ", "+ ", "  - ", "***", "_",
           "*", "[", "]", "(", ")", "`", "|"]
_FILLS = ["x", "* # | _ [ ] ` < > & ~ 1. -", "Wort", "1. x", "12) - ~~", "&amp; &#35; ~~s~~"]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=st.one_of(st.lists(st.sampled_from(_PIECES), max_size=25).map("".join),
                        st.text(alphabet="ab \n*_[]()!`<>|#-=+>1.:~\\&^\t", max_size=60)),
       fill=st.sampled_from(_FILLS))
def test_any_translation_of_any_document_keeps_its_structure(source, fill):
    """Translations that start, end or are made of Markdown's own characters: the copy parses to
    the same token tree as the source, whatever the source (a block that cannot be rebuilt the
    same is kept as it was, never broken)."""
    copy = translate_document(source, [f"{fill} {s}" for s in segments(source)], "uk")
    assert _structure(copy) == _structure(source), (source, copy)


def test_a_missing_model_is_in_errors_jsonl_and_a_rerun_adds_the_copy(tmp_path, install_argos):
    install_argos("es", "uk")
    install_argos("en", "uk")
    out = tmp_path / "translated"
    result = invoke("run", SITE, "--to", "uk", "--to", "de", "-o", out, "--format", "document")
    assert result.exit_code == 1
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md")) == [
        "uk/news/harbour.md", "uk/posts/biblioteca.md"]
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert {e["id"] for e in errors} == {"news/harbour", "posts/biblioteca"}
    assert all("not translated to de" in e["message"] for e in errors), errors
    install_argos("es", "de")
    install_argos("en", "de")
    again = invoke("run", SITE, "--to", "uk", "--to", "de", "-o", out, "--format", "document")
    assert again.exit_code == 0, again.output
    assert (out / "de" / "posts" / "biblioteca.md").is_file()
