"""Every input kind, from real files in tests/data/inputs: HTML pages, JSON Lines, Markdown with
front matter, legacy encodings, CRLF, BOM; URLs from a loopback server; content sniffing."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from loopback import serve_on_loopback
from support.cli import invoke

from translate_pipeline.batch import read_items
from translate_pipeline.errors import InputError
from translate_pipeline.inputs.discovery import discover
from translate_pipeline.inputs.documents import sniff
from translate_pipeline.inputs.encoding import declared_charset, decode_text
from translate_pipeline.inputs.files import read_file
from translate_pipeline.inputs.kinds import InputFile
from translate_pipeline.nlp.detect import detect_language
from translate_pipeline.records import Article, Failure

DATA = Path(__file__).parent / "data" / "inputs"


def read(name: str, path: Path | None = None) -> Article:
    return read_file(InputFile(path or DATA / name, Path(name).stem))



def language(article: Article) -> str:
    return detect_language(f"{article.title}\n{article.text}", article.source).code


# --- HTML -------------------------------------------------------------------------------------


def test_html_page_main_text_title_and_metadata_without_the_clutter():
    article = read("page.html")
    assert article.title == "Neue Buslinie zum Bahnhof"
    assert article.paragraphs == (
        "Die Verkehrsbetriebe haben am Montag die neue Linie 12 vorgestellt. Die Busse fahren ab "
        "Oktober alle zehn Minuten vom Rathaus zum Bahnhof.",
        "Die Fahrzeuge sind elektrisch und bieten Platz für sechzig Fahrgäste. Der Fahrplan steht "
        "ab sofort im Netz, die Haltestellen werden im Sommer umgebaut.",
        "Der Bürgermeister sprach von einem wichtigen Schritt für die Stadt. Kritiker bemängeln, "
        "dass die Außenbezirke weiterhin schlecht angebunden seien.",
    )
    clutter = ["Startseite", "Politik", "Cookies", "ANZEIGE", "Kredite", "Urlaub", "tracking",
               "dataLayer", "Redaktion", "Mehr zum Thema", "Straßenbahn wird teurer",
               "Kommentare", "Endlich", "Monika", "Impressum", "Stadtanzeiger", "Von Erika"]
    text = article.title + " " + article.text
    assert [word for word in clutter if word in text] == []
    assert dict(article.metadata) == {
        "url": "https://stadtanzeiger.example/verkehr/neue-buslinie",  # its canonical link
        "date": "2024-05-14", "author": "Erika Muster"}
    assert language(article) == "de"


def test_html_in_windows_1251_declared_by_meta_http_equiv():
    article = read("lviv-cp1251.html")
    assert article.title.startswith("Львів відкриває нову бібліотеку")
    assert article.paragraphs[0].startswith("У центрі Львова в суботу відкриється")
    assert "Головна" not in article.text and "Реклама" not in article.text
    assert language(article) == "uk"


def test_html_without_article_text_is_an_error(tmp_path):
    page = tmp_path / "empty.html"
    page.write_text("<html><head><title>x</title><script>var a = 1;</script></head>"
                    "<body><nav></nav></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.html: no article text found"):
        read("empty.html", page)


def test_trafilatura_is_imported_only_for_html(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from click.testing import CliRunner
        from translate_pipeline.cli import cli
        runner = CliRunner()
        for args in (["--help"], ["detect", {str(DATA / "kyiv-cp1251.txt")!r}],
                     ["summarize", {str(DATA / "metro.md")!r}],
                     ["detect", {str(DATA / "articles.jsonl")!r}]):
            result = runner.invoke(cli, args)
            assert result.exit_code in (0, 1), (args, result.output)
        print("BEFORE", [m for m in ("trafilatura", "torch") if m in sys.modules])
        result = runner.invoke(cli, ["detect", {str(DATA / "page.html")!r}])
        assert result.exit_code == 0, result.output
        print("AFTER", [m for m in ("trafilatura", "torch") if m in sys.modules])
        """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "BEFORE []" in result.stdout and "AFTER ['trafilatura']" in result.stdout


# --- encodings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, encoding, lang, title", [
    ("kyiv-cp1251.txt", "cp1251", "uk", "Київ готується до опалювального сезону"),
    ("moskva-koi8r.txt", "koi8_r", "ru", "Москва обновит трамвайные линии"),
    ("rada-latin2.txt", "iso8859_2", "pl", "Rada miasta przyjęła budżet"),
    ("sequia-latin1.txt", "cp1252", "es", "¿Cuándo llegará la lluvia?"),  # Latin-1 ⊂ cp1252
    ("budget-crlf.txt", "utf-8", "fr", "Le conseil vote le budget"),
    ("haushalt-bom.txt", "utf-8", "de", "Stadtrat beschließt Haushalt"),
])
def test_encodings_line_ends_and_bom(name, encoding, lang, title):
    data = (DATA / name).read_bytes()
    assert decode_text(data, name)[1] == encoding
    article = read(name)
    assert article.title == title
    assert len(article.paragraphs) == 2
    assert all("\r" not in p and "\ufeff" not in p for p in (article.title, *article.paragraphs))
    assert language(article) == lang


def test_crlf_file_paragraphs_are_joined_lines():
    article = read("budget-crlf.txt")
    assert article.paragraphs[0] == ("Le conseil municipal a approuvé mardi le nouveau budget. "
                                     "Les écoles recevront 4,8 millions d'euros de plus que "
                                     "l'an dernier.")


@pytest.mark.parametrize("text, encoding", [
    ("Żółć i źdźbło: gęś ślizga się po łące, a Łódź świętuje.", "cp1250"),
    ("Příliš žluťoučký kůň úpěl ďábelské ódy v Českých Budějovicích.", "iso8859_2"),
    ("Съешь же ещё этих мягких французских булок да выпей чаю.", "koi8_r"),
    ("Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!", "koi8_u"),
    ("Ξεσκεπάζω την ψυχοφθόρα βδελυγμία των αθηναίων.", "cp1253"),
    ("Pijamalı hasta yağız şoföre çabucak güvendi.", "cp1254"),
    ("Die Straße nach Łódź über die Brücke ist gesperrt.", "iso8859_2"),
    ("北京市政府周二宣布，将在明年开通三条新的地铁线路。", "gb18030"),
    ("台北市政府週二宣布，明年將開通三條新的捷運路線。", "big5"),
    ("東京都は火曜日、新しい地下鉄の路線を来年開業すると発表した。", "shift_jis"),
    ("서울시는 화요일 내년에 새로운 지하철 노선을 개통한다고 발표했다.", "euc_kr"),
])
def test_more_legacy_encodings(text, encoding):
    decoded, _ = decode_text(text.encode(encoding), "x")
    assert decoded == text


def test_declared_charset():
    assert declared_charset(b"<meta charset='windows-1251'>") == "cp1251"
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R">'
                            ) == "koi8_r"
    assert declared_charset(b"", "text/html; charset=ISO-8859-1") == "cp1252"  # as browsers do
    assert declared_charset(b"<meta charset='no-such-thing'>") is None


@pytest.mark.parametrize("data, reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 4, "looks like a binary file"),
    (bytes(range(1, 32)) * 8, "looks like a binary file"),
    (bytes(range(128, 256)) + bytes(range(1, 32)) * 4, "looks like a binary file"),
])
def test_binary_input_is_refused_naming_the_file(tmp_path, data, reason):
    path = tmp_path / "photo.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read("photo.txt", path)
    assert str(info.value).startswith(f"{path}: {reason}")
    result = invoke("detect", path)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {path}: {reason}")


# --- Markdown front matter ----------------------------------------------------------------------


def test_markdown_front_matter():
    article = read("metro.md")
    assert article.title == "Madrid amplía el horario del metro"
    assert article.language == "es"  # taken as given, like --from
    assert dict(article.metadata) == {"url": "https://example.org/madrid/metro-horario",
                                      "date": "2024-06-01", "author": "Lucía Gómez"}
    assert article.paragraphs[0].startswith("El metro de Madrid abrirá una hora más")
    assert len(article.paragraphs) == 2 and "---" not in article.text
    assert language(article) == "es"
    record = json.loads(invoke("summarize", DATA / "metro.md", "--format", "json").output)
    assert record["language"] == {"code": "es", "confidence": 1.0, "method": "given"}
    assert record["metadata"]["date"] == "2024-06-01"


def test_front_matter_heading_and_errors(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: From the front matter\nlang: de-AT\n---\n# Another heading\n\n"
                    "Der Text des Artikels steht hier.\n", encoding="utf-8")
    article = read("a.md", path)
    assert article.title == "From the front matter" and article.language == "de"
    assert article.paragraphs == ("Another heading", "Der Text des Artikels steht hier.")
    path.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.md: front matter is not valid YAML"):
        read("a.md", path)
    path.write_text("---\nlanguage: Deutsch\n---\nText hier.\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a language code"):
        read("a.md", path)


# --- JSON Lines ---------------------------------------------------------------------------------


def test_jsonl_records_are_articles_and_a_bad_line_fails_alone():
    items = list(read_items(discover([str(DATA / "articles.jsonl")])))
    articles = [i for i in items if isinstance(i, Article)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert [a.id for a in articles] == ["articles/odesa-port", "articles/berlin-bvg-2024-ef021419cd",
                                        "articles/17"]
    odesa, berlin, york = articles
    assert odesa.title == "Одеський порт збільшив перевалку зерна"
    assert odesa.source == f"{DATA / 'articles.jsonl'}#odesa-port"
    assert odesa.paragraphs[0].startswith("Одеський морський порт минулого місяця")
    assert dict(odesa.metadata) == {"url": "https://example.org/uk/odesa-port",
                                    "date": "2024-09-02", "author": "Олена Коваль"}
    assert dict(berlin.metadata) == {"id": "berlin/bvg 2024"}  # made file-name safe
    assert york.language == "en"
    assert [language(a) for a in articles] == ["uk", "de", "en"]
    (failure,) = failures
    assert failure.source == f"{DATA / 'articles.jsonl'}:3"
    assert str(failure.error).startswith(f"{DATA / 'articles.jsonl'}:3: is not valid JSON")


@pytest.mark.parametrize("line, reason", [
    ('{"id": "a", "title": "t"}', 'has no "text"'),
    ('{"title": "t", "text": "Ein Text."}', 'has no "id"'),
    ('["a", "b"]', "is a JSON list, not an object"),
    ('{"id": "x", "text": 5}', '"text" is not a string'),
    ('{"id": "...", "text": "Ein Text."}', "cannot name a file"),
    ('{"id": "b", "text": "Ein Text.", "language": "Deutsch"}', "not a language code"),
    ('{"id": "ok", "text": "Ein Text."}', 'repeats the id \'ok\' of line 1'),
])
def test_jsonl_bad_lines(tmp_path, line, reason):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "ok", "text": "Ein Text."}\n\n' + line + "\n", encoding="utf-8")
    items = list(read_items(discover([str(path)])))
    assert isinstance(items[0], Article) and items[0].id == "in/ok"
    (failure,) = items[1:]
    assert str(failure.error) .startswith(f"{path}:3: ") and reason in str(failure.error)


def test_jsonl_ids_colliding_with_a_file_fail_the_later(tmp_path):
    (tmp_path / "in" / "news").mkdir(parents=True)
    (tmp_path / "in" / "news" / "a.txt").write_text("Titel\n\nEin Text.", encoding="utf-8")
    (tmp_path / "in" / "news.jsonl").write_text('{"id": "a", "text": "Noch ein Text."}\n',
                                                encoding="utf-8")
    items = list(read_items(discover([str(tmp_path / "in")])))  # a folder's files come first
    assert isinstance(items[0], Article) and items[0].source.endswith("news.jsonl#a")
    assert items[0].id == "news/a"
    assert isinstance(items[1], Failure) and items[1].source.endswith("a.txt")
    assert "would overwrite those of" in str(items[1].error)


def test_run_jsonl_resume_and_errors_per_record(tmp_path, install_argos):
    install_argos("uk", "en")
    out = tmp_path / "out"
    args = ("run", DATA / "articles.jsonl", "--to", "en", "-o", out, "-q")
    first = invoke(*args)
    assert first.exit_code == 1
    assert "done 2, skipped 0, failed 1, incomplete 1 (written without some languages)" in first.stderr
    assert f"error: {DATA / 'articles.jsonl'}:3: is not valid JSON" in first.stderr
    assert sorted(p.name for p in (out / "articles").iterdir()) == [
        "17.en.md", "17.json", "berlin-bvg-2024-ef021419cd.de.md", "berlin-bvg-2024-ef021419cd.json",
        "odesa-port.en.md", "odesa-port.json", "odesa-port.uk.md"]
    entries = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [(e["source"].removeprefix(f"{DATA}/"), e["error"]) for e in entries] == [
        ("articles.jsonl#berlin/bvg 2024", "NotTranslated"), ("articles.jsonl:3", "InputError")]
    again = invoke(*args)  # the complete ones are skipped, per record
    assert "done 0, skipped 2, failed 1, incomplete 1 (written without some languages)" in again.stderr


def test_jsonl_on_stdin_and_sniffed_without_suffix(tmp_path):
    lines = (DATA / "articles.jsonl").read_text(encoding="utf-8")
    result = invoke("detect", "--format", "json", input=lines)
    assert result.exit_code == 1
    assert [json.loads(line)["language"] for line in result.stdout.splitlines()] == [
        "uk", "de", "en"]
    assert result.stderr.startswith("error: -:3: is not valid JSON")
    plain = tmp_path / "dump"  # no suffix: sniffed
    shutil.copy(DATA / "articles.jsonl", plain)
    result = invoke("detect", plain)
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [
        f"{plain}#odesa-port", f"{plain}#berlin/bvg 2024", f"{plain}#17"]
    result = invoke("summarize", plain)
    assert result.exit_code == 2 and "holds several articles" in result.output


# --- sniffing -----------------------------------------------------------------------------------


def test_sniffing_without_a_suffix(tmp_path):
    assert sniff("<!DOCTYPE html><html>") == "html"
    assert sniff("\n  <!-- x --><html lang=de>") == "html"
    assert sniff('{"id": 1, "text": "x"}\n{"id": 2') == "jsonl"
    assert sniff("---\ntitle: x\n---\nText") == "markdown"
    assert sniff("# Heading\n\nText") == "markdown"
    assert sniff("Headline\n\n<b>not html</b>") == "text"
    page = tmp_path / "page"
    shutil.copy(DATA / "page.html", page)
    assert read("page", page).title == "Neue Buslinie zum Bahnhof"
    result = invoke("summarize", "--format", "json", input=(DATA / "page.html").read_bytes())
    assert json.loads(result.output)["title"] == "Neue Buslinie zum Bahnhof"


# --- URLs ---------------------------------------------------------------------------------------


@pytest.fixture
def web(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    pages: dict[str, tuple[bytes, str]] = {}
    seen: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(dict(self.headers))
            if self.path not in pages:
                self.send_error(404)
                return
            body, content_type = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd, base, thread = serve_on_loopback(Handler)
    yield pages, base, seen
    httpd.shutdown()
    httpd.server_close()


def test_url_input_is_fetched_and_named_by_a_slug(web, tmp_path):
    pages, base, seen = web
    pages["/news/bus"] = ((DATA / "page.html").read_bytes(), "text/html; charset=utf-8")
    page = (DATA / "lviv-cp1251.html").read_bytes()
    pages["/lviv"] = (page, "text/html")  # the charset only in the page's <meta>
    out = tmp_path / "out"
    result = invoke("run", f"{base}/news/bus", f"{base}/lviv", "--to", "uk", "-o", out, "-q")
    assert result.exit_code == 1  # no de->uk model: reported, the rest written
    records = {p.name: json.loads(p.read_text()) for p in out.glob("*.json")}
    (name,) = [n for n in records if n.startswith("127-0-0-1-news-bus-")]
    record = records[name]
    assert record["source"] == record["metadata"]["url"] == f"{base}/news/bus"
    assert record["title"] == "Neue Buslinie zum Bahnhof"
    assert "Impressum" not in record["languages"]["de"]["text"]
    assert record["language"]["code"] == "de"
    (lviv,) = [r for n, r in records.items() if n.startswith("127-0-0-1-lviv-")]
    assert lviv["language"]["code"] == "uk" and "errors" not in lviv
    assert lviv["languages"]["uk"]["text"].startswith("У центрі Львова")
    assert seen[0]["User-Agent"].startswith("translate-pipeline/")


def test_url_offline_and_too_large_are_one_clear_error_each(web, monkeypatch):
    pages, base, _ = web
    from translate_pipeline.inputs import fetch as feedfetch

    monkeypatch.setattr(feedfetch, "MAX_ARTICLE_BYTES", 1024 * 1024)
    pages["/big"] = (b"<html><body><p>" + b"Viel Text. " * 120_000 + b"</p></body></html>",
                     "text/html")
    with socket.socket() as probe:  # a port nothing listens on: as good as offline
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/article"
    result = invoke("detect", closed, f"{base}/big", f"{base}/missing")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {closed}: cannot fetch: Connection refused",
        f"error: {base}/big: is larger than the 1 MiB limit",
        f"error: {base}/missing: HTTP 404 Not Found",
    ]


@pytest.mark.parametrize("name", ["a.txt", "a.b.txt", ".txt", "a.", "..txt", "a", ".a.md",
                                  "x.TXT", "a..txt", "...", "noticia.es.md"])
def test_file_names_split_as_pathlib_splits_them(name: str) -> None:
    from pathlib import PurePath

    from translate_pipeline.inputs.kinds import split_suffix

    assert split_suffix(name) == (PurePath(name).stem, PurePath(name).suffix)
