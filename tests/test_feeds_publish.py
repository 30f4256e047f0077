"""Translated Atom feeds as a publisher needs them (issue 17): ``--feed-url`` (rel=self, absolute
links), the language named and "already in" said, transliterated file names for titles in other
scripts (Latin ones unchanged), skipped items named by what a person can find, and the W3C feed
validator's rules that can be checked offline.

Feeds are local files and a loopback HTTP server; translation is real CTranslate2 inference on
small random-weight Argos packages.
"""

from __future__ import annotations

import re
import sqlite3
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from support.cli import invoke

from translate_pipeline.inputs.names import item_slug

A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BASE = "https://news.example.org/feeds"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def validator_problems(document: bytes, location: str | None) -> list[str]:
    """What the W3C feed validator (validator.w3.org/feed) reports as an error or a warning, as
    far as it can be checked offline: well-formed, the required elements, rel=self present,
    absolute and where the document is, absolute links, RFC 3339 dates, unique ids and dates,
    a valid xml:lang, and every entry with content or an alternate link (RFC 4287 4.1.1)."""
    import langcodes

    problems: list[str] = []
    try:
        root = ET.fromstring(document)
    except ET.ParseError as exc:
        return [f"not well-formed: {exc}"]
    if root.tag != f"{A}feed":
        return [f"root is {root.tag}, not an Atom feed"]
    if not langcodes.tag_is_valid(root.get(XML_LANG, "")):
        problems.append(f"InvalidLanguage: xml:lang={root.get(XML_LANG)!r}")

    def dates(element, where):
        for name in ("updated", "published"):
            for date in element.findall(f"{A}{name}"):
                text = (date.text or "").strip()
                if not RFC3339.match(text):
                    problems.append(f"InvalidRFC3339Date: {where} {name} {text!r}")
                else:
                    datetime.fromisoformat(text.replace("Z", "+00:00"))

    def links(element, where):
        for link in element.findall(f"{A}link"):
            href = link.get("href", "")
            parts = urllib.parse.urlsplit(href)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                problems.append(f"not an absolute link: {where} {href!r}")

    for name in ("id", "title", "updated"):
        if len(root.findall(f"{A}{name}")) != 1:
            problems.append(f"MissingElement: feed {name}")
    dates(root, "feed")
    links(root, "feed")
    selves = [link.get("href") for link in root.findall(f"{A}link") if link.get("rel") == "self"]
    if not selves:
        problems.append("MissingSelf: no atom:link with rel=\"self\"")
    elif location is not None and selves != [location]:
        problems.append(f"SelfDoesntMatchLocation: {selves} is not {location}")
    entries = root.findall(f"{A}entry")
    ids, updated = [], []
    for n, entry in enumerate(entries):
        where = f"entry {n + 1}"
        for name in ("id", "title", "updated"):
            if len(entry.findall(f"{A}{name}")) != 1:
                problems.append(f"MissingElement: {where} {name}")
        ids += [(e.text or "").strip() for e in entry.findall(f"{A}id")]
        updated += [(e.text or "").strip() for e in entry.findall(f"{A}updated")]
        dates(entry, where)
        links(entry, where)
        alternate = [li for li in entry.findall(f"{A}link") if li.get("rel", "alternate")
                     == "alternate"]
        if entry.find(f"{A}content") is None and not alternate:
            problems.append(f"MissingAlternateLink: {where} has no content and no alternate link")
        if entry.find(f"{A}author") is None and root.find(f"{A}author") is None:
            problems.append(f"MissingAuthor: {where}")
    if any(not re.match(r"^[a-z][a-z0-9+.-]*:", i) for i in ids):
        problems.append(f"InvalidFullLink: ids {ids}")
    if len(set(ids)) != len(ids):
        problems.append("DuplicateIds: two entries with the same id")
    if len(set(updated)) != len(updated):
        problems.append("DuplicateUpdated: two entries with the same atom:updated")
    return problems


def rss(items, *, title="City News", link="http://news.example/", lang="en") -> str:
    """items: (hour, title, text, link or None, extra XML) -> an RSS 2.0 document."""
    entries = "".join(
        "<item>" + (f"<title>{escape(t)}</title>" if t else "")
        + (f"<link>{escape(href)}</link>" if href else "")
        + f"<pubDate>Mon, 02 Jun 2025 {hour:02d}:00:00 GMT</pubDate>"
        + (f"<description>{escape(text)}</description>" if text else "") + extra + "</item>\n"
        for hour, t, text, href, extra in items)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{title}</title><link>{link}</link><language>{lang}</language>\n"
            f"{entries}</channel></rss>\n")


ENGLISH = [
    (8, "Council approves the new budget", "The city council approved the new budget on "
     "Tuesday. Schools will get more money than last year.", "http://news.example/budget", ""),
    (9, "New bus line to the station", "The city will open a new bus line in autumn. Buses "
     "will run every ten minutes.", "/bus", ""),  # a relative link
    (10, "Library opens on Saturdays", "The library is open on Saturdays from July. The "
     "reading room has more desks.", None, ""),  # no link at all
]


def atom_of(out: Path, lang: str) -> Path:
    (path,) = out.glob(f"*.{lang}.atom")
    return path


# --feed-url and the validator's rules


def test_feed_url_gives_a_valid_feed_with_self_and_absolute_links(tmp_path):
    source = tmp_path / "news.xml"
    source.write_text(rss(ENGLISH), encoding="utf-8")
    out = tmp_path / "out"
    plain = invoke("feed", source, "--from", "en", "--to", "en", "-o", out,
                   "--state", tmp_path / "s.sqlite3")
    assert plain.exit_code == 0, plain.output
    path = atom_of(out, "en")
    without = path.read_bytes()
    assert validator_problems(without, None) == [  # as before
        "MissingSelf: no atom:link with rel=\"self\"",
        "MissingAlternateLink: entry 1 has no content and no alternate link",  # no link
        "MissingAlternateLink: entry 2 has no content and no alternate link"]  # relative
    assert b'rel="self"' not in without and b"/bus" not in without  # as before: no option, no link

    again = invoke("feed", source, "--from", "en", "--to", "en", "-o", out,
                   "--state", tmp_path / "s.sqlite3", "--feed-url", BASE + "/")
    assert again.exit_code == 0, again.output
    assert again.stderr == ""  # nothing translated again (a run with nothing new is silent)
    document = path.read_bytes()
    assert validator_problems(document, f"{BASE}/{path.name}") == []
    root = ET.fromstring(document)
    entries = {e.findtext(f"{A}title"): e.find(f"{A}link").get("href")
               for e in root.findall(f"{A}entry")}
    assert entries["Council approves the new budget"] == "http://news.example/budget"
    assert entries["New bus line to the station"] == "http://news.example/bus"
    library = entries["Library opens on Saturdays"]
    assert library.startswith(f"{BASE}/{out.glob('*/').__next__().name}/library-opens-on-")
    page = out / Path(urllib.parse.urlsplit(library).path).relative_to("/feeds")
    assert page.is_file() and page.name.endswith(".en.md")  # the link is to a published file


def test_a_feed_already_in_the_target_language_says_so(tmp_path):
    source = tmp_path / "news.xml"
    source.write_text(rss(ENGLISH[:1]), encoding="utf-8")
    result = invoke("feed", source, "--from", "en", "--to", "en", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    root = ET.fromstring(atom_of(tmp_path / "out", "en").read_bytes())
    assert root.findtext(f"{A}title") == "City News (English)"
    assert root.findtext(f"{A}subtitle") == ("City News, in English as published; summaries by "
                                             "translate-pipeline")
    assert "translated to" not in root.findtext(f"{A}subtitle")


def test_a_translated_feed_names_the_language_and_validates(tmp_path, server, install_argos):
    install_argos("de", "en")
    german = [(8, "Stadtrat beschließt Haushalt", "Der Stadtrat hat am Dienstag den Haushalt "
               "beschlossen. Die Schulen erhalten mehr Geld.", "/rat", ""),
              (9, "Neue Buslinie", "Die Stadt eröffnet eine neue Buslinie. Die Busse fahren "
               "alle zehn Minuten.", "http://stadt.example/bus", "")]
    server.serve("/de.rss", rss(german, title="Stadtnachrichten", link="http://stadt.example/",
                                lang="de"))
    out = tmp_path / "out"
    result = invoke("feed", server.url("/de.rss"), "--from", "de", "--to", "en", "-o", out,
                    "--feed-url", BASE)
    assert result.exit_code == 0, result.output
    path = atom_of(out, "en")
    assert validator_problems(path.read_bytes(), f"{BASE}/{path.name}") == []
    root = ET.fromstring(path.read_bytes())
    assert root.findtext(f"{A}title") == "Stadtnachrichten (English)"
    assert root.findtext(f"{A}subtitle") == ("Stadtnachrichten, translated to English by "
                                             "translate-pipeline")
    hrefs = [e.find(f"{A}link").get("href") for e in root.findall(f"{A}entry")]
    # feedparser resolves the relative link against the feed's own URL
    assert hrefs == ["http://stadt.example/bus", server.url("/rat")]


def test_the_checks_catch_what_the_validator_would(tmp_path):
    """The checks above can fail: a feed with the faults the validator reports."""
    bad = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="e n">'
           b"<id>urn:x</id><title>t</title><updated>2025-06-02 10:00</updated>"
           b'<link rel="self" href="/feeds/x.atom"/><author><name>a</name></author>'
           b"<entry><id>urn:1</id><title>a</title><updated>2025-06-02T10:00:00Z</updated></entry>"
           b"<entry><id>urn:1</id><title>b</title><updated>2025-06-02T10:00:00Z</updated>"
           b'<link href="rel/a"/></entry></feed>')
    found = " ".join(validator_problems(bad, f"{BASE}/x.atom"))
    for problem in ("InvalidLanguage", "InvalidRFC3339Date", "SelfDoesntMatchLocation",
                    "not an absolute link", "MissingAlternateLink", "DuplicateIds",
                    "DuplicateUpdated"):
        assert problem in found
    assert validator_problems(b"<feed>", None)[0].startswith("not well-formed")


@pytest.mark.parametrize("value", ["news.example.org/feeds", "/srv/feeds", "ftp://x/feeds",
                                   "https://x/feeds?a=1"])
def test_feed_url_must_be_an_absolute_http_url(tmp_path, value):
    result = invoke("feed", tmp_path / "x.xml", "--to", "en", "-o", tmp_path / "out",
                    "--feed-url", value)
    assert result.exit_code == 2 and "--feed-url" in result.stderr
    assert not (tmp_path / "out").exists()


def test_feed_url_from_the_configuration_file(tmp_path):
    source = tmp_path / "news.xml"
    source.write_text(rss(ENGLISH[:1]), encoding="utf-8")
    config = tmp_path / "tp.toml"
    config.write_text(f'[feed]\nfeed-url = "{BASE}"\nfrom = "en"\nto = "en"\n', encoding="utf-8")
    result = invoke("--config", config, "feed", source, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    path = atom_of(tmp_path / "out", "en")
    assert f'<link rel="self" type="application/atom+xml" href="{BASE}/{path.name}"/>' \
        in path.read_text(encoding="utf-8")


# names


def test_latin_titles_keep_their_names_and_other_scripts_are_transliterated():
    # what these titles were named before (the state keeps names; scripts rely on them)
    assert [item_slug(t, "guid:7") for t in (
        "Council approves the new budget", "Straße: 50% mehr!",
        "Zürich stimmt ab: Ja zu Öko-Strom", "Łódź: nowy tramwaj", "Ærø og Ødegaard", "  ",
        "São Paulo — “Eleição” 2026", "x" * 100, "İstanbul'da yağmur")] == [
        "council-approves-the-new-budget-442b2d0986", "strasse-50-mehr-442b2d0986",
        "zurich-stimmt-ab-ja-zu-oko-strom-442b2d0986", "lodz-nowy-tramwaj-442b2d0986",
        "aero-og-odegaard-442b2d0986", "item-442b2d0986", "sao-paulo-eleicao-2026-442b2d0986",
        "x" * 60 + "-442b2d0986", "istanbul-da-yagmur-442b2d0986"]
    assert item_slug("Міська рада ухвалила бюджет", "guid:7") == \
        "miska-rada-ukhvalila-biudzhet-442b2d0986"
    assert item_slug("Αθήνα: νέο μετρό", "guid:7") == "athena-neo-metro-442b2d0986"
    assert item_slug("Москва", "guid:7") == "moskva-442b2d0986"
    assert item_slug("北京新闻", "guid:7") == "bei-jing-xin-wen-442b2d0986"
    long = item_slug("Москва " * 30, "guid:7")
    assert len(long) <= 71 and re.fullmatch(r"[a-z0-9-]+", long) and "--" not in long


def test_a_cyrillic_item_is_written_under_a_transliterated_name(tmp_path):
    source = tmp_path / "uk.xml"
    source.write_text(rss([(8, "Міська рада ухвалила бюджет", "Міська рада у вівторок ухвалила "
                                "новий бюджет. Школи отримають більше грошей.",
                            "http://news.example/uk/1", "")], lang="uk"), encoding="utf-8")
    result = invoke("feed", source, "--from", "uk", "--to", "uk", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    (record,) = (tmp_path / "out").glob("*/*.json")
    assert record.name.startswith("miska-rada-ukhvalila-biudzhet-")


# skipped items


def test_a_skipped_item_is_named_by_what_a_person_can_find(tmp_path):
    items = [*ENGLISH[:1],
             (9, "", "", None, '<enclosure url="http://news.example/a.mp3" length="1" '
                               'type="audio/mpeg"/>'),
             (10, "", "", None, "")]
    source = tmp_path / "news.xml"
    source.write_text(rss(items), encoding="utf-8")
    result = invoke("feed", source, "--from", "en", "--to", "en", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {source}: the item with enclosure http://news.example/a.mp3: nothing to "
        "translate (no title, no text); skipped",
        f"warning: {source}: item 3 of the feed (dated 2025-06-02T10:00:00Z): nothing to "
        "translate (no title, no text); skipped",
    ]
    assert "hash:" not in result.stderr


# the state


def test_a_state_from_before_keeps_working(tmp_path):
    """A state written before entries kept the item's language: opened, migrated, used."""
    state = tmp_path / "old.sqlite3"
    with sqlite3.connect(state) as db:
        db.execute("CREATE TABLE entries (feed TEXT NOT NULL, key TEXT NOT NULL, lang TEXT NOT "
                   "NULL, title TEXT NOT NULL, summary TEXT NOT NULL, link TEXT NOT NULL DEFAULT "
                   "'', published TEXT, updated TEXT NOT NULL, PRIMARY KEY (feed, key, lang))")
    source = tmp_path / "news.xml"
    source.write_text(rss(ENGLISH[:1]), encoding="utf-8")
    result = invoke("feed", source, "--from", "en", "--to", "en", "-o", tmp_path / "out",
                    "--state", state)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT source FROM entries").fetchall() == [("en",)]
