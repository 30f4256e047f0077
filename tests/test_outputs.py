"""run --format json|jsonl|markdown, --output - (JSON Lines on stdout), Markdown front matter for
static site generators, and the HTML digest (run --html, the digest command), rendered in headless
Chromium."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.cli import invoke

DATA = Path(__file__).parent / "data" / "inputs"
LOCK = ".translate-pipeline.lock"
GERMAN = DATA / "haushalt-bom.txt"
CHROMIUM = "/usr/bin/chromium"



def files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and p.name != LOCK)


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text[4:text.index("\n---\n")])


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    for name in ("haushalt-bom.txt", "kyiv-cp1251.txt", "metro.md"):
        shutil.copy(DATA / name, root / name)
    return root


# --- Markdown for static site generators ---------------------------------------------------------


def test_markdown_front_matter_is_for_sites_no_paths_no_fingerprint(tmp_path, install_argos):
    install_argos("de", "en")
    out = tmp_path / "out"
    result = invoke("run", GERMAN, DATA / "metro.md", "--to", "en", "-o", out, "-q")
    assert result.exit_code == 1  # no es->en model for metro.md
    record = json.loads((out / "haushalt-bom.json").read_text())
    english = record["languages"]["en"]
    assert front_matter(out / "haushalt-bom.en.md") == {
        "title": english["title"], "lang": "en", "translated_from": "de",
        "summary": " ".join(english["summary"])}
    assert front_matter(out / "haushalt-bom.de.md")["title"] == "Stadtrat beschließt Haushalt"
    metro = front_matter(out / "metro.es.md")
    assert (metro["lang"], metro["date"]) == ("es", "2024-06-01")
    assert "translated_from" not in metro
    text = (out / "metro.es.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    assert body.startswith("\n## Summary\n")  # the title is not repeated
    assert "# Madrid" not in body
    for name in ("haushalt-bom.en.md", "metro.es.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert str(DATA) not in text and "fingerprint" not in text and "sha256:" not in text


def test_markdown_pages_hold_the_text_as_text(tmp_path):
    """Text that looks like markup (a paragraph starting "1.", a "*", a "<tag>") stays text."""
    from translate_pipeline.markdown import parser

    path = tmp_path / "odd.txt"
    path.write_text("Odd headline\n\n1. Rang für *Berlin* und <b>Hamburg</b> im Test der "
                    "Stadtwerke.\n\n# Kein Titel, sondern Text über Preise der Bahn.\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", path, "--to", "de", "--from", "de", "-o", out, "--format", "markdown")
    assert result.exit_code == 0, result.output
    body = (out / "odd.de.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    tokens = parser().parse(body)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h2", "h2"]  # ours only
    assert not any(t.type in ("ordered_list_open", "html_inline", "em_open") for t in tokens
                   for t in [t, *(t.children or ())])
    assert "1. Rang für *Berlin* und <b>Hamburg</b>" in parser().render(body).replace(
        "&lt;", "<").replace("&gt;", ">")


def test_markdown_alone_keeps_its_fingerprint_as_a_comment_and_resumes(tmp_path):
    out = tmp_path / "out"
    result = invoke("run", DATA / "metro.md", "--to", "es", "-o", out, "--format", "markdown")
    assert result.exit_code == 0, result.output
    text = (out / "metro.es.md").read_text(encoding="utf-8")
    assert "\n# fingerprint: \"sha256:" in text.split("\n---\n", 1)[0]
    assert "fingerprint" not in front_matter(out / "metro.es.md")  # a comment, not a key
    again = invoke("run", DATA / "metro.md", "--to", "es", "-o", out, "--format", "markdown")
    assert again.exit_code == 0 and "done 0, skipped 1, failed 0" in again.stderr, again.stderr


# --- --format ------------------------------------------------------------------------------------


@pytest.mark.parametrize("formats, expected", [
    (["json"], ["haushalt-bom.json", "kyiv-cp1251.json", "metro.json"]),
    (["markdown"], ["haushalt-bom.de.md", "kyiv-cp1251.uk.md", "metro.es.md"]),
    (["jsonl"], ["articles.jsonl"]),
])
def test_each_format_alone_writes_only_its_files_and_resumes(corpus, tmp_path, formats, expected):
    out = tmp_path / "out"
    args = ["run", corpus, "-o", out, "-q", "--to", "de",
            *[x for f in formats for x in ("--format", f)]]
    first = invoke(*args)
    assert first.exit_code == 1  # no models: uk and es are written without de
    assert files(out) == sorted([*expected, "errors.jsonl"])
    before = {name: (out / name).read_bytes() for name in expected}
    (corpus / "haushalt-bom.txt").write_text(  # de is complete; change it to see it redone
        "Stadtrat beschließt Haushalt\n\nDer Stadtrat hat am Dienstag den Haushalt beschlossen. "
        "Die Schulen bekommen mehr Geld.\n", encoding="utf-8")
    again = invoke(*args)
    assert "done 1, skipped 0, failed 0, incomplete 2 (written without some languages)" in again.stderr
    third = invoke(*args)
    assert "done 0, skipped 1, failed 0, incomplete 2 (written without some languages)" in third.stderr
    after = {name: (out / name).read_bytes() for name in expected}
    changed = [name for name in expected if before[name] != after[name]]
    assert changed == (["articles.jsonl"] if formats == ["jsonl"]
                       else [n for n in expected if n.startswith("haushalt-bom")])


def test_jsonl_file_keeps_every_article_once_in_its_latest_version(corpus, tmp_path):
    out = tmp_path / "out"
    args = ("run", corpus, "--to", "de", "--from", "de", "-o", out, "-q", "--format", "jsonl")
    assert invoke(*args).exit_code == 0
    records = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == ["haushalt-bom", "kyiv-cp1251", "metro"]
    assert all(r["fingerprint"].startswith("sha256:") for r in records)
    assert records[0]["languages"]["de"]["summary"]
    original = (out / "articles.jsonl").read_bytes()
    (out / ".articles.jsonl.k3x_9zq0.tmp").write_bytes(b"half a li")  # what a kill leaves
    again = invoke(*args)
    assert "done 0, skipped 3, failed 0" in again.stderr
    assert (out / "articles.jsonl").read_bytes() == original and files(out) == ["articles.jsonl"]
    (corpus / "metro.md").unlink()  # not an input any more: its record is carried over, after
    (corpus / "kyiv-cp1251.txt").write_bytes("Новий текст статті про місто Київ.".encode("cp1251"))
    third = invoke(*args)
    assert "done 1, skipped 1, failed 0" in third.stderr
    ids = [json.loads(line)["id"] for line in (out / "articles.jsonl").read_text().splitlines()]
    assert ids == ["haushalt-bom", "kyiv-cp1251", "metro"]
    assert b"\xd0\x9d\xd0\xbe\xd0\xb2\xd0\xb8\xd0\xb9" in (out / "articles.jsonl").read_bytes()


def test_json_and_jsonl_together(corpus, tmp_path):
    out = tmp_path / "out"
    result = invoke("run", corpus, "--to", "de", "--from", "de", "-o", out, "-q",
                    "--format", "json", "--format", "jsonl")
    assert result.exit_code == 0
    assert files(out) == ["articles.jsonl", "haushalt-bom.json", "kyiv-cp1251.json", "metro.json"]


# --- --output - ----------------------------------------------------------------------------------


def test_output_dash_streams_json_lines_and_writes_no_file(tmp_path, monkeypatch):
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    result = invoke("run", DATA / "articles.jsonl", GERMAN, DATA / "kyiv-cp1251.txt",
                    "--to", "uk", "-o", "-")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["language"]["code"]) for r in records] == [
        ("articles/odesa-port", "uk"), ("articles/berlin-bvg-2024-ef021419cd", "de"), ("articles/17", "en"),
        ("haushalt-bom", "de"), ("kyiv-cp1251", "uk")]
    assert "fingerprint" not in records[0]
    assert records[0]["metadata"]["author"] == "Олена Коваль"
    assert records[-1]["languages"]["uk"]["title"] == "Київ готується до опалювального сезону"
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert f"error: {DATA / 'articles.jsonl'}:3: is not valid JSON" in result.stderr
    assert len(errors) == 4  # the broken line, and three articles without uk
    lines = result.stderr.splitlines()
    at = lines.index("done 2, skipped 0, failed 1, incomplete 3 (written without some "
                     "languages); records on stdout")
    # then, once, the models to install: most needed first (de->uk goes through en)
    assert lines[at + 1].startswith("missing models: install them, then run")
    assert lines[at + 2:] == ["  translate-pipeline models install en uk   # 3 articles",
                              "  translate-pipeline models install de en   # 2 articles",
                              "  (offline: translate-pipeline models install FILE.argosmodel)"]
    assert os.listdir(tmp_path / "cwd") == []  # no lock, no errors.jsonl, nothing


def test_stdin_to_stdout_composes_with_pipes():
    lines = "".join(json.dumps({"id": f"n{i}", "title": f"Meldung {i}", "text": "Der Stadtrat hat "
                               f"am Dienstag den Haushalt Nummer {i} beschlossen."}) + "\n"
                    for i in range(3))
    result = invoke("run", "-", "--from", "de", "--to", "de", "-o", "-", input=lines)
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["title"]) for r in records] == [
        ("stdin/n0", "Meldung 0"), ("stdin/n1", "Meldung 1"), ("stdin/n2", "Meldung 2")]
    assert result.stderr == "done 3, skipped 0, failed 0; records on stdout\n"


def test_output_dash_usage_errors(tmp_path):
    for extra in (["--format", "markdown"], ["--format", "json"], ["--html"]):
        result = invoke("run", GERMAN, "--to", "de", "-o", "-", *extra)
        assert result.exit_code == 2, extra
    assert invoke("run", GERMAN, "--to", "de", "-o", "-", "--format", "jsonl").exit_code == 0


def test_output_dash_into_a_closed_pipe_stops_quietly(tmp_path):
    dump = tmp_path / "many.jsonl"
    text = "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen. " * 8
    dump.write_text("".join(json.dumps({"id": i, "title": f"Nummer {i}", "text": text}) + "\n"
                            for i in range(300)), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "translate_pipeline", "run", str(dump), "--from", "de", "--to", "de",
         "-o", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = json.loads(process.stdout.readline())  # like `| head -1`
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(60) == 141  # the shell's code for SIGPIPE, as `translate` (README)
    assert first["id"] == "many/0"
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


# --- the HTML digest -----------------------------------------------------------------------------


def _digest_corpus(tmp_path, install_argos) -> Path:
    install_argos("de", "en")
    out = tmp_path / "out"
    result = invoke("run", GERMAN, DATA / "kyiv-cp1251.txt", DATA / "page.html", "--to", "en",
                    "-o", out, "-q", "--html")
    assert result.exit_code == 1, result.output  # no uk->en model
    return out


def test_run_html_writes_a_self_contained_digest(tmp_path, install_argos):
    out = _digest_corpus(tmp_path, install_argos)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http" not in page.replace("https://stadtanzeiger.example", "")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.replace(
        'href="https://stadtanzeiger.example/verkehr/neue-buslinie"', ""))
    assert 'name="viewport"' in page and "@media" in page
    for title in ("Stadtrat beschließt Haushalt", "Київ готується до опалювального сезону",
                  "Neue Buslinie zum Bahnhof"):
        assert html.escape(title) in page
    assert 'href="haushalt-bom.en.md"' in page and 'href="kyiv-cp1251.uk.md"' in page
    assert "detected, confidence 1.00" in page
    # the Ukrainian one, without a uk->en model: readers see what is missing, not what to install
    assert '<p class="missing">Not available in: en</p>' in page
    assert "models install" not in page and "no model" not in page
    # a resumed run (everything skipped) still lists everything; the digest command agrees
    shutil.copy(out / "index.html", tmp_path / "first.html")
    result = invoke("run", GERMAN, DATA / "kyiv-cp1251.txt", DATA / "page.html", "--to", "en",
                    "-o", out, "-q", "--html")
    assert "done 0, skipped 2" in result.stderr
    assert (out / "index.html").read_bytes() == (tmp_path / "first.html").read_bytes()
    (out / "index.html").unlink()
    result = invoke("digest", out)
    assert result.exit_code == 0 and result.output == f"wrote {out / 'index.html'}\n"
    assert (out / "index.html").read_bytes() == (tmp_path / "first.html").read_bytes()


def test_digest_of_jsonl_output_and_of_an_empty_folder(corpus, tmp_path):
    out = tmp_path / "out"
    result = invoke("run", corpus, "--to", "de", "--from", "de", "-o", out, "-q",
                    "--format", "jsonl", "--html")
    assert result.exit_code == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "3 articles" in page and "<details" in page  # no files: the text itself, folded
    empty = tmp_path / "empty"
    empty.mkdir()
    assert invoke("digest", empty, "--title", "Nichts").exit_code == 0
    assert "No articles in this folder yet" in (empty / "index.html").read_text()
    assert invoke("digest", tmp_path / "missing").exit_code == 2


_VISIBLE = """<script>
const text = document.body.innerText;
const boxes = [...document.querySelectorAll("article.item")].map(a =>
  [...a.querySelectorAll(".lang")].map(s => Math.round(s.getBoundingClientRect().left)));
const overflow = document.documentElement.scrollWidth > window.innerWidth;
document.body.textContent = "";
const pre = document.createElement("pre");
pre.id = "result";
pre.textContent = JSON.stringify({text, boxes, overflow, width: window.innerWidth});
document.body.appendChild(pre);
</script>"""


def _render(page: Path, width: int, tmp_path: Path) -> dict:
    """What Chromium shows of ``page`` at ``width`` px: the visible text (innerText), where each
    language column starts, and whether the page overflows sideways. File only, no network."""
    probe = page.with_name(f".probe-{width}.html")  # beside it, so relative links still resolve
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _VISIBLE + "</body>"),
                     encoding="utf-8")
    profile = tmp_path / f"chromium-profile-{width}"
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
         f"--window-size={width},900", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120)
    probe.unlink()
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="result">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stdout[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.skipif(not os.path.exists(CHROMIUM),
                    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
def test_digest_in_headless_chromium_desktop_and_phone(tmp_path, install_argos):
    out = _digest_corpus(tmp_path, install_argos)
    record = json.loads((out / "haushalt-bom.json").read_text(encoding="utf-8"))
    desktop = _render(out / "index.html", 1280, tmp_path)
    text = desktop["text"]
    assert "News digest" in text and "3 articles" in text
    for expected in ("Stadtrat beschließt Haushalt", "Київ готується до опалювального сезону",
                     "Neue Buslinie zum Bahnhof", "detected, confidence 1.00",
                     record["languages"]["en"]["title"], *record["languages"]["de"]["summary"],
                     *record["languages"]["en"]["summary"], "Full text (de)", "Full text (en)",
                     "Not available in: en"):
        assert expected in text, expected
    assert "DE" in text and "EN" in text and "UK" in text  # language badges, upper-cased by CSS
    assert "<" not in text and "{" not in text  # no markup or CSS leaks into what is shown
    # side by side on a desktop: a German article's two columns start at different x
    assert any(len(set(columns)) == 2 for columns in desktop["boxes"])
    assert not desktop["overflow"]
    phone = _render(out / "index.html", 390, tmp_path)
    assert all(len(set(columns)) == 1 for columns in phone["boxes"])  # stacked
    assert not phone["overflow"]
    assert phone["text"] == desktop["text"]
