"""The ``feed`` command against a real HTTP server on 127.0.0.1 (tests/feed_server.py).

Feeds are written here (RSS 2.0, RSS 1.0, Atom; one malformed but recoverable, one not; one in
Windows-1251). Translation runs real CTranslate2 inference on small random-weight Argos packages.
"""

from __future__ import annotations

import fcntl
import io
import json
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser
import pytest
from click.testing import CliRunner

from translate_pipeline.cli import cli
from translate_pipeline.feeds.state import FeedState

GERMAN = [
    ("Stadtrat beschließt Haushalt",
     ["Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen. Die Schulen erhalten mehr "
      "Geld als im Vorjahr.", "Kritiker bemängeln die hohen Kosten. Die Opposition will im "
      "September erneut abstimmen lassen."]),
    ("Neue Buslinie zum Bahnhof",
     ["Die Stadt eröffnet im Herbst eine neue Buslinie zum Bahnhof. Die Busse fahren alle zehn "
      "Minuten.", "Der Fahrplan wird im Internet veröffentlicht. Die Anwohner begrüßen die "
      "Entscheidung der Verwaltung."]),
    ("Schwimmbad wird saniert",
     ["Das städtische Schwimmbad wird ab Montag für drei Monate geschlossen. Die Sanierung "
      "kostet zwei Millionen Euro.", "Die Schulen müssen in dieser Zeit auf ein anderes Bad "
      "ausweichen."]),
    ("Bibliothek verlängert Öffnungszeiten",
     ["Die Stadtbibliothek ist ab dem ersten Juli auch am Samstag geöffnet. Die Leiterin "
      "freut sich über die vielen Besucher.", "Im Lesesaal gibt es zusätzliche Arbeitsplätze "
      "für Schüler und Studenten."]),
]
ENGLISH = [
    ("Council approves the new budget",
     ["The city council approved the new budget on Tuesday. Schools will get more money than "
      "last year.", "Critics point to the high costs. The opposition wants another vote in "
      "September."]),
    ("New bus line to the station",
     ["The city will open a new bus line to the station in autumn. Buses will run every ten "
      "minutes.", "The timetable will be published online. Residents welcomed the decision."]),
]
UKRAINIAN = [
    ("Міська рада ухвалила бюджет",
     ["Міська рада у вівторок ухвалила новий бюджет. Школи отримають більше грошей, ніж "
      "торік.", "Критики вказують на високі витрати. Опозиція хоче нового голосування."]),
]
BASE = datetime(2025, 6, 2, 8, 0, tzinfo=timezone.utc)


def _date(n: int) -> datetime:
    return BASE + timedelta(hours=n)


def _html(paragraphs) -> str:
    return escape("".join(f"<p>{p}</p>" for p in paragraphs) + "<script>alert(1)</script>")


def rss2(items, *, title="Stadtnachrichten", lang="de", encoding="utf-8", guid=True) -> str:
    """items: (n, title, paragraphs) -> an RSS 2.0 document (item n is published at hour n)."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>http://news.example/{n}</link>"
        + (f"<guid isPermaLink='false'>item-{n}</guid>" if guid else "")
        + f"<pubDate>{format_datetime(_date(n))}</pubDate>"
        f"<description>{_html(ps)}</description></item>\n"
        for n, t, ps in items
    )
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
            f"<title>{title}</title><link>http://news.example/</link><language>{lang}</language>"
            f"\n{entries}</channel></rss>\n")


def rss1(items) -> str:
    lis = "".join(f'<rdf:li rdf:resource="http://en.example/{n}"/>' for n, _, _ in items)
    entries = "".join(
        f'<item rdf:about="http://en.example/{n}"><title>{escape(t)}</title>'
        f"<link>http://en.example/{n}</link><description>{escape(' '.join(ps))}</description>"
        f"<dc:date>{_date(n).isoformat()}</dc:date></item>\n"
        for n, t, ps in items
    )
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<channel rdf:about="http://en.example/"><title>City News</title>'
            f"<link>http://en.example/</link><description>News</description>"
            f"<items><rdf:Seq>{lis}</rdf:Seq></items></channel>\n{entries}</rdf:RDF>\n")


def atom(items) -> str:
    entries = "".join(
        f"<entry><id>urn:example:{n}</id><title>{escape(t)}</title>"
        f'<link rel="alternate" href="http://atom.example/{n}"/>'
        f"<updated>{_date(n).isoformat()}</updated>"
        f'<content type="html">{_html(ps)}</content></entry>\n'
        for n, t, ps in items
    )
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Atom-Nachrichten</title><id>urn:example:feed</id>"
            f"<updated>{_date(9).isoformat()}</updated>\n{entries}</feed>\n")


def numbered(texts, start=0):
    return [(start + i, t, ps) for i, (t, ps) in enumerate(texts)]



@pytest.fixture
def engine_calls(monkeypatch):
    """Sentences handed to the translation engine, per call (any Engine in this process)."""
    from translate_pipeline.translation.engine import Engine

    calls: list[int] = []
    real = Engine.translate

    def counting(self, jobs):
        calls.append(sum(len(v) for v in jobs.values()))
        return real(self, jobs)

    monkeypatch.setattr(Engine, "translate", counting)
    return calls


@pytest.fixture
def feed(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"

    def run(*args):
        args = [str(a) for a in args]
        if "-o" not in args:
            args += ["-o", str(out)]
        return runner.invoke(cli, ["feed", *args], catch_exceptions=False)

    run.out = out
    return run


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def records(out: Path) -> dict[str, dict]:
    return {p.relative_to(out).as_posix(): json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(out.glob("*/*.json"))}


def snapshot(out: Path) -> dict[str, float]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns
            for p in out.rglob("*") if p.is_file() and p.name != ".translate-pipeline.lock"}


def parse_atom(path: Path):
    parsed = feedparser.parse(io.BytesIO(path.read_bytes()))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


# formats, HTTP, conditional GET


def test_rss2_rss1_atom_then_rerun_is_304_and_does_nothing(feed, server, install_argos,
                                                          engine_calls):
    install_argos("de", "en")
    server.serve("/de.rss", rss2(numbered(GERMAN[:2])), gzip=True)
    server.serve("/en.rdf", rss1(numbered(ENGLISH)), content_type="application/rdf+xml")
    server.serve("/atom.xml", atom(numbered(GERMAN[2:])), content_type="application/atom+xml")
    server.redirect("/old-atom", "/atom.xml")
    sources = [server.url("/de.rss"), server.url("/en.rdf"), server.url("/old-atom")]

    result = feed(*sources, "--to", "en")
    assert result.exit_code == 0, result.output
    assert "items done 6, partial 0, failed 0" in result.stderr
    found = records(feed.out)
    assert len(found) == 6 and len({Path(name).parent for name in found}) == 3
    by_title = {r["title"]: r for r in found.values()}
    german = by_title["Stadtrat beschließt Haushalt"]
    assert german["language"]["code"] == "de" and set(german["languages"]) == {"de", "en"}
    assert german["languages"]["de"]["text"].count("\n\n") == 1  # paragraphs survive the HTML
    assert "alert" not in german["languages"]["de"]["text"]
    assert german["metadata"]["link"] == "http://news.example/0"
    assert german["metadata"]["published"] == "2025-06-02T08:00:00Z"
    assert by_title["New bus line to the station"]["language"]["code"] == "en"
    assert by_title["Schwimmbad wird saniert"]["metadata"]["link"] == "http://atom.example/0"
    for name in found:  # Markdown beside each JSON record, per language
        assert (feed.out / name).with_suffix(".en.md").exists()

    first = server.requests[0].headers
    agent = first["user-agent"]
    assert agent.startswith("translate-pipeline/") and "feed reader" in agent
    assert "gzip" in first["accept-encoding"]
    assert "if-none-match" not in first
    assert server.for_path("/old-atom")[0].status == 301
    translated = sum(engine_calls)
    assert translated > 0

    before = snapshot(feed.out)
    started = time.monotonic()
    again = feed(*sources, "--to", "en")
    assert again.exit_code == 0 and not errors(again)
    assert time.monotonic() - started < 3
    assert again.stderr == ""  # nothing new: nothing to say (a cron job mails nothing)
    second = server.requests[-3:]
    assert all(r.status == 304 for r in second if r.path != "/old-atom")
    assert all("if-none-match" in r.headers for r in second if r.path != "/old-atom")
    assert sum(engine_calls) == translated  # nothing translated
    assert snapshot(feed.out) == before  # nothing rewritten, Atom files included


def test_only_the_new_item_is_processed(feed, server, install_argos, engine_calls):
    install_argos("de", "en")
    server.serve("/de.rss", rss2(numbered(GERMAN[:2])))
    assert feed(server.url("/de.rss"), "--to", "en").exit_code == 0
    before = snapshot(feed.out)
    calls = len(engine_calls)

    server.serve("/de.rss", rss2(numbered(GERMAN[:3])))  # a new item, a new ETag
    result = feed(server.url("/de.rss"), "--to", "en")
    assert result.exit_code == 0, result.output
    assert "items done 1," in result.stderr
    after = snapshot(feed.out)
    new = sorted(set(after) - set(before))
    assert len(new) == 3 and any(n.startswith(tuple(p.split("/")[0] for p in before)) for n in new)
    assert all(after[name] == before[name] for name in before if not name.endswith(".atom"))
    assert len(engine_calls) == calls + 1
    (atom_path,) = feed.out.glob("*.en.atom")
    assert len(parse_atom(atom_path).entries) == 3


def test_translated_atom_feed(feed, server, install_argos):
    install_argos("de", "en")
    server.serve("/de.rss", rss2(numbered(GERMAN)))
    result = feed(server.url("/de.rss"), "--to", "en", "--sentences", "2")
    assert result.exit_code == 0, result.output
    (path,) = feed.out.glob("*.en.atom")
    assert path.name.startswith("127-0-0-1-de-rss-")
    parsed = parse_atom(path)
    assert parsed.feed.language == "en" and "Stadtnachrichten" in parsed.feed.title
    assert parsed.feed.updated == "2025-06-02T11:00:00Z"  # the newest item, not the clock
    assert [e.link for e in parsed.entries] == [f"http://news.example/{n}" for n in (3, 2, 1, 0)]
    found = {r["metadata"]["link"]: r for r in records(feed.out).values()}
    for entry in parsed.entries:
        english = found[entry.link]["languages"]["en"]
        assert entry.title == english["title"] != found[entry.link]["title"]
        assert entry.summary == " ".join(english["summary"])
        assert entry.id.startswith("urn:uuid:") and entry.updated
    assert len({e.id for e in parsed.entries}) == 4


def test_atom_keeps_the_newest_50(feed, tmp_path):
    texts = [(f"Story number {n}", [f"This is story number {n} about the city council. It has "
                                    "two sentences."]) for n in range(55)]
    path = tmp_path / "many.xml"
    path.write_text(rss2(numbered(texts), lang="en"), encoding="utf-8")
    result = feed(path, "--from", "en", "--to", "en")
    assert result.exit_code == 0, result.output
    assert len(records(feed.out)) == 55
    entries = parse_atom(next(feed.out.glob("*.en.atom"))).entries
    assert len(entries) == 50
    assert entries[0].title == "Story number 54" and entries[-1].title == "Story number 5"


def test_windows_1251_feed(feed, server, install_argos):
    install_argos("uk", "en")
    body = rss2(numbered(UKRAINIAN), title="Новини", lang="uk", encoding="windows-1251")
    server.serve("/uk.rss", body.encode("cp1251"),
                 content_type="application/rss+xml; charset=windows-1251")
    result = feed(server.url("/uk.rss"), "--to", "en")
    assert result.exit_code == 0, result.output
    (record,) = records(feed.out).values()
    assert record["title"] == "Міська рада ухвалила бюджет"
    assert record["language"]["code"] == "uk"
    assert record["languages"]["uk"]["summary"][0].startswith("Міська рада у вівторок")
    assert parse_atom(next(feed.out.glob("*.en.atom"))).feed.title == "Новини (English)"


# malformed feeds, failures, retries


def test_malformed_feeds(feed, server, install_argos):
    install_argos("de", "en")
    recoverable = rss2(numbered(GERMAN[:1])).replace("Stadtrat ", "Stadtrat&nbsp;")
    server.serve("/recoverable.rss", recoverable)
    server.serve("/broken.rss", '<?xml version="1.0"?>\n<rss version="2.0"><channel>'
                                "<title>Kaputt</title><<<>>>")
    server.serve("/good.rss", rss2(numbered(GERMAN[1:2])))
    urls = [server.url(p) for p in ("/recoverable.rss", "/broken.rss", "/good.rss")]
    result = feed(*urls, "--to", "en")
    assert result.exit_code == 1
    assert any(line.startswith(f"warning: {urls[0]}: malformed feed")
               for line in result.stderr.splitlines())
    (error,) = errors(result)
    assert error.startswith(f"error: {urls[1]}: cannot parse the feed")
    titles = {r["title"] for r in records(feed.out).values()}
    assert titles == {"Stadtrat beschließt Haushalt", "Neue Buslinie zum Bahnhof"}
    state = FeedState(Path(feed.out).parent / "home" / "tp-home" / "feeds.sqlite3")
    try:
        assert state.feed(urls[1]) is None and not state.items(urls[1])  # untouched
        assert state.feed(urls[2]).etag
    finally:
        state.close()


def test_unreachable_feed_and_missing_file(feed, server, install_argos, tmp_path):
    import socket

    install_argos("de", "en")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/feed"
    server.serve("/good.rss", rss2(numbered(GERMAN[:1])))
    result = feed(closed, server.url("/missing.rss"), tmp_path / "nope.xml",
                  server.url("/good.rss"), "--to", "en")
    assert result.exit_code == 1
    lines = errors(result)
    assert len(lines) == 3
    assert lines[0].startswith(f"error: {closed}: cannot fetch")
    assert lines[1] == f"error: {server.url('/missing.rss')}: HTTP 404 Not Found"
    assert "nope.xml" in lines[2] and "no such file" in lines[2]
    assert len(records(feed.out)) == 1


def test_failed_item_is_retried_next_run(feed, server, install_argos, monkeypatch):
    import translate_pipeline.feeds.run as feeds
    from translate_pipeline.errors import OutputError

    install_argos("de", "en")
    server.serve("/de.rss", rss2(numbered(GERMAN[:2])))
    real = feeds.write_outputs

    def flaky(out_dir, result):
        if result.article.title == "Neue Buslinie zum Bahnhof":
            raise OutputError(str(out_dir), "cannot write: disk full")
        return real(out_dir, result)

    monkeypatch.setattr(feeds, "write_outputs", flaky)
    result = feed(server.url("/de.rss"), "--to", "en")
    assert result.exit_code == 1
    (error,) = errors(result)
    assert error.startswith(f"error: {server.url('/de.rss')}: http://news.example/1: ")
    assert "disk full" in error
    assert len(records(feed.out)) == 1

    monkeypatch.setattr(feeds, "write_outputs", real)
    again = feed(server.url("/de.rss"), "--to", "en")
    assert again.exit_code == 0, again.output
    assert "items done 1," in again.stderr and len(records(feed.out)) == 2
    assert "if-none-match" not in server.requests[-1].headers  # work was left: full fetch
    third = feed(server.url("/de.rss"), "--to", "en")
    assert third.exit_code == 0 and server.requests[-1].status == 304


def test_missing_model_writes_source_and_retries_until_installed(feed, server, install_argos):
    server.serve("/de.rss", rss2(numbered(GERMAN[:1])))
    result = feed(server.url("/de.rss"), "--to", "en")
    assert result.exit_code == 1
    (error,) = errors(result)
    assert error.endswith(": not translated to en: no model de->en")
    assert "  translate-pipeline models install de en   # 1 article" in result.stderr
    (record,) = records(feed.out).values()
    assert list(record["languages"]) == ["de"] and record["errors"]
    assert not list(feed.out.glob("*.atom"))

    install_argos("de", "en")
    again = feed(server.url("/de.rss"), "--to", "en")
    assert again.exit_code == 0, again.output
    (record,) = records(feed.out).values()
    assert list(record["languages"]) == ["de", "en"] and "errors" not in record
    assert len(parse_atom(next(feed.out.glob("*.en.atom"))).entries) == 1


def test_max_items_oldest_first_rest_next_run(feed, server, install_argos):
    install_argos("de", "en")
    server.serve("/de.rss", rss2(numbered(GERMAN[:3])[::-1]))  # newest first, as feeds are
    result = feed(server.url("/de.rss"), "--to", "en", "--max-items", "2")
    assert result.exit_code == 0, result.output
    assert "items done 2," in result.stderr and "left for the next run 1" in result.stderr
    assert {r["title"] for r in records(feed.out).values()} == {t for t, _ in GERMAN[:2]}
    again = feed(server.url("/de.rss"), "--to", "en", "--max-items", "2")
    assert again.exit_code == 0 and "items done 1," in again.stderr
    assert len(records(feed.out)) == 3
    assert "if-none-match" not in server.requests[-1].headers


# sources: OPML, local files; locking; usage


def test_opml_lists_two_feeds(feed, server, install_argos, tmp_path):
    install_argos("de", "en")
    server.serve("/de.rss", rss2(numbered(GERMAN[:1])))
    local = tmp_path / "feeds" / "atom.xml"
    local.parent.mkdir()
    local.write_text(atom(numbered(GERMAN[1:2])), encoding="utf-8")
    opml = tmp_path / "feeds" / "list.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>'
        '<outline text="Local">'
        f'<outline type="rss" text="a" xmlUrl="{escape(server.url("/de.rss"))}"/>'
        '<outline type="rss" text="b" xmlUrl="atom.xml"/></outline></body></opml>',
        encoding="utf-8",
    )
    result = feed(opml, "--to", "en")
    assert result.exit_code == 0, result.output
    assert "feeds 2 (" in result.stderr
    assert len(records(feed.out)) == 2 and len(list(feed.out.glob("*.en.atom"))) == 2


def test_second_run_on_a_locked_state_exits_75(feed, tmp_path):
    state = tmp_path / "state.sqlite3"
    with open(tmp_path / "state.sqlite3.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        result = feed(tmp_path / "nothing.xml", "--to", "en", "--state", state, "--wait", "0.3")
        assert time.monotonic() - started < 3
    assert result.exit_code == 75
    (error,) = errors(result)
    assert str(state) in error and "another run holds the feed state" in error
    assert not state.exists()


def test_fetch_article_with_fallback(feed, server, install_argos):
    install_argos("de", "en")
    page = ("<html><head><title>x</title><script>var tracking = 1;</script></head><body>"
            "<nav><a href='/'>Start</a></nav><article><h1>Neue Buslinie zum Bahnhof</h1>"
            "<p>Die Verkehrsbetriebe haben am Montag die neue Linie vorgestellt. Die Busse fahren "
            "ab Oktober alle zehn Minuten vom Rathaus zum Bahnhof.</p><p>Die Fahrzeuge sind "
            "elektrisch und bieten Platz für sechzig Fahrgäste. Der Fahrplan steht im Netz.</p>"
            "</article><footer>Impressum</footer></body></html>")
    server.serve("/article/1", page, content_type="text/html; charset=utf-8")
    body = rss2(numbered(GERMAN[:2])).replace("http://news.example/1", server.url("/article/1"))
    body = body.replace("http://news.example/0", server.url("/article/gone"))
    server.serve("/de.rss", body)
    result = feed(server.url("/de.rss"), "--to", "en", "--fetch-article")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "/article/gone" in warnings[0] and "HTTP 404" in warnings[0]
    found = {r["metadata"]["link"]: r for r in records(feed.out).values()}
    fetched = found[server.url("/article/1")]["languages"]["de"]["text"]
    assert fetched.startswith("Die Verkehrsbetriebe haben am Montag") and "Impressum" not in fetched
    fallback = found[server.url("/article/gone")]["languages"]["de"]["text"]
    assert fallback.startswith("Der Stadtrat hat am Dienstag")


def test_feed_usage_errors_exit_2(feed, tmp_path):
    assert feed(tmp_path / "x.xml").exit_code == 2  # no --to
    assert feed("--to", "en").exit_code == 2  # no source
    assert feed(tmp_path / "x.xml", "--to", "en", "--max-items", "0").exit_code == 2


def test_trafilatura_is_imported_only_for_fetch_article(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "en.xml"
    path.write_text(rss2(numbered(ENGLISH), lang="en"), encoding="utf-8")
    args = ["feed", str(path), "--from", "en", "--to", "en", "-o", str(tmp_path / "out"), "-q"]
    code = (
        "import sys\nfrom translate_pipeline.cli import cli\n"
        f"try:\n    cli({args!r}, prog_name='translate-pipeline')\n"
        "except SystemExit as exc:\n    status = exc.code\n"
        "print(status, [m for m in ('trafilatura', 'torch', 'stanza') if m in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "0 []", result.stderr
    assert len(list((tmp_path / "out").glob("*/*.json"))) == 2


def test_a_folder_another_run_writes_to_exits_75(feed, server, install_argos):
    install_argos("de", "en")
    server.serve("/de.rss", rss2(numbered(GERMAN[:1])))
    feed.out.mkdir()
    with open(feed.out / ".translate-pipeline.lock", "w") as held:  # as a `run` on it does
        fcntl.flock(held, fcntl.LOCK_EX)
        result = feed(server.url("/de.rss"), "--to", "en", "--state", feed.out.parent / "s.db")
    assert result.exit_code == 75
    (error,) = errors(result)
    assert str(feed.out) in error and "another translate-pipeline run" in error
    assert records(feed.out) == {}
    again = feed(server.url("/de.rss"), "--to", "en", "--state", feed.out.parent / "s.db")
    assert again.exit_code == 0 and len(records(feed.out)) == 1  # nothing was marked as seen
