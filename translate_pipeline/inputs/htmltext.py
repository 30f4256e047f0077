"""HTML to clean text with the standard library: paragraphs survive as blank-line-separated blocks.

Feed items carry HTML in their content and description. We keep the text, drop what is not text
(script, style, templates, SVG, ...), turn block elements into paragraph breaks and ``<br>`` into a
line break (two of them, as in ``<br><br>``, make a paragraph break), decode entities and collapse
whitespace. Plain text passes through :func:`text_paragraphs` alone.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "html_paragraphs", "text_paragraphs", "xml_safe"]

_DROP = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "head", "title", "iframe", "object",
    "canvas", "audio", "video", "select", "textarea", "button",
})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
})
_BLOCK = frozenset({
    "p", "div", "section", "article", "aside", "header", "footer", "main", "nav", "blockquote",
    "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr",
    "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "hr", "address", "details",
    "summary", "fieldset", "form", "caption", "center",
})
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v\u00a0]*\n\s*")
_SPACES = re.compile(r"\s+")
# characters XML 1.0 does not allow (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Remove the characters that XML 1.0 (and so Atom) cannot carry."""
    return _NOT_XML.sub("", text)


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _DROP and tag not in _VOID:
            self.dropping.append(tag)
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs) -> None:  # <br/>, <p/>: no content to drop
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag in self.dropping:
                while self.dropping and self.dropping.pop() != tag:
                    pass
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """HTML (a fragment or a page) to text: paragraphs separated by one blank line."""
    return "\n\n".join(html_paragraphs(html))


def html_paragraphs(html: str) -> list[str]:
    """The paragraphs of an HTML fragment, whitespace collapsed, empty ones dropped."""
    parser = _Extractor()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser is lenient; be safe on hostile input
        pass
    return text_paragraphs("".join(parser.parts))


def text_paragraphs(text: str) -> list[str]:
    """Plain text to paragraphs: blank lines separate them, other line breaks become spaces."""
    text = xml_safe(text.replace("\r\n", "\n").replace("\r", "\n"))
    blocks = (_SPACES.sub(" ", block).strip() for block in _BLANK_LINES.split(text))
    return [block for block in blocks if block]
