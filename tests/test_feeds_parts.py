"""The parts behind ``feed``: HTML to text, names, Atom rendering, HTTP edge cases, OPML."""

from __future__ import annotations

import io
import socket
import time

import feedparser
import pytest

from translate_pipeline.errors import InputError
from translate_pipeline.feeds.atom import render_atom, write_atom
from translate_pipeline.feeds.parse import parse_feed
from translate_pipeline.feeds.state import EntryRow
from translate_pipeline.inputs.fetch import (
    USER_AGENT,
    fetch,
    looks_like_opml,
    read_opml,
)
from translate_pipeline.inputs.htmltext import html_paragraphs, text_paragraphs
from translate_pipeline.inputs.names import feed_slug, item_slug



def test_html_to_paragraphs():
    html = ("<div><h2>Title</h2><p>One &amp; <b>two</b>.</p><p>Three<br>four</p>"
            "<script>var x = '<p>no</p>';</script><style>p {}</style>Five<br/><br/>six"
            "<ul><li>a</li><li>b</li></ul>\x0b</div>")
    assert html_paragraphs(html) == ["Title", "One & two.", "Three four", "Five", "six", "a", "b"]
    assert text_paragraphs("a\r\nb\n\n\n c  d \n") == ["a b", "c d"]
    assert html_paragraphs("<p>unclosed <i>tags") == ["unclosed tags"]


def test_slugs_are_stable_safe_and_distinct():
    url = "https://example.org/news/feed.xml?lang=de"
    assert feed_slug(url) == feed_slug(url)
    assert feed_slug(url).startswith("example-org-news-feed-xml-lang-de-")
    assert feed_slug(url) != feed_slug(url + "&x=1")
    assert item_slug("Straße: 50% mehr!", "guid:1").startswith("strasse-50-mehr-")
    assert item_slug("Новини", "guid:1").startswith("novini-")  # transliterated (issue 17)
    assert item_slug("Same", "guid:1") != item_slug("Same", "guid:2")
    assert len(item_slug("x" * 500, "k")) < 80 and "/" not in item_slug("a/../b", "k")


def test_parse_feed_keys_and_dates():
    body = ("<rss version='2.0'><channel><title>T</title>"
            "<item><guid>g</guid><title>A</title><description>x</description></item>"
            "<item><link>http://e/2</link><title>B</title></item>"
            "<item><title>C</title><pubDate>Mon, 02 Jun 2025 10:00:00 +0200</pubDate></item>"
            "<item><guid>g</guid><title>duplicate guid</title></item>"
            "</channel></rss>").encode()
    items = parse_feed(body, {}, "f").items
    assert [i.key[:5] for i in items] == ["guid:", "link:", "hash:"]
    assert items[2].published == "2025-06-02T08:00:00Z" and items[2].updated is None
    with pytest.raises(InputError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body><p>hello</p></body></html>", {}, "page")


def test_atom_is_valid_escaped_and_written_only_when_changed(tmp_path):
    entries = [EntryRow("guid:1", "A & B <c>\x01", "Summary \x0c here", "http://e/1",
                        None, "2025-06-02T08:00:00Z")]
    doc = render_atom(feed_url="http://e/feed", lang="de", title="Feed", link="", entries=entries)
    assert doc == render_atom(feed_url="http://e/feed", lang="de", title="Feed", link="",
                              entries=entries)
    parsed = feedparser.parse(io.BytesIO(doc.encode()))
    assert not parsed.bozo and parsed.entries[0].title == "A & B <c>"
    assert parsed.entries[0].summary == "Summary  here" and parsed.feed.language == "de"
    path = tmp_path / "f.de.atom"
    assert write_atom(path, doc) is True
    mtime = path.stat().st_mtime_ns
    assert write_atom(path, doc) is False and path.stat().st_mtime_ns == mtime


def test_fetch_caps_size_and_decompressed_size(server):
    server.serve("/big", b"x" * 5000)
    with pytest.raises(InputError, match="larger than"):
        fetch(server.url("/big"), max_bytes=1000)
    server.serve("/bomb", b"\0" * 2_000_000, gzip=True)  # sent as a few KB of gzip
    with pytest.raises(InputError, match="decompresses to more than"):
        fetch(server.url("/bomb"), max_bytes=1024 * 1024)
    got = fetch(server.url("/big"))
    assert got.status == 200 and got.etag and got.last_modified
    assert server.requests[-1].headers["user-agent"] == USER_AGENT


def test_fetch_refuses_redirects_off_http_and_times_out(server):
    server.redirect("/ftp", "ftp://127.0.0.1/feed")
    with pytest.raises(InputError, match="HTTP 301"):
        fetch(server.url("/ftp"))
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        started = time.monotonic()
        with pytest.raises(InputError, match="timed out"):
            fetch(f"http://127.0.0.1:{silent.getsockname()[1]}/feed", timeout=0.3)
        assert time.monotonic() - started < 3


def test_opml_detection_and_listing():
    opml = (b"<?xml version='1.0'?><!-- list --><opml version='1.0'><body>"
            b"<outline title='x'><outline xmlUrl='http://a/1'/><outline xmlUrl='http://a/1'/>"
            b"<outline type='rss' url='b.xml'/><outline text='no feed'/></outline></body></opml>")
    assert looks_like_opml(opml)
    assert not looks_like_opml(b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>")
    assert read_opml(opml, "list.opml") == ["http://a/1", "b.xml"]
    with pytest.raises(InputError, match="lists no feeds"):
        read_opml(b"<opml><body/></opml>", "empty.opml")
    with pytest.raises(InputError, match="entity"):
        read_opml(b"<!DOCTYPE x [<!ENTITY a 'b'>]><opml/>", "evil.opml")
