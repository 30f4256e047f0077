"""Markdown documents as a CommonMark parser sees them, for reading and for translated copies.

markdown-it-py (CommonMark, with GFM tables and strikethrough, and footnotes from
mdit-py-plugins) is the one parser: :mod:`~translate_pipeline.inputs.markdown` reads prose from its
tokens, and a translated copy of a document (``run --format document``) is made here:

- :func:`segments` lists the strings a copy needs translated, in order: the front matter's
  ``title``, ``description`` and ``summary`` (single-line values), then every run of text between
  inline markup in every heading, paragraph, list item, blockquote, table cell and footnote.
  A sentence ``Visit the [reading room](/sala) today.`` is three runs, ``Visit the``, ``reading
  room`` and ``today.``: each is translated on its own and the markup stays around its run, so a
  link or an emphasis can never be broken by the translation, at the cost of translating the
  sentence in pieces.
- :func:`translate_document` puts the translations back: each block's source lines are replaced by
  the block rebuilt from its tokens, its runs translated and escaped; every other line (code,
  HTML, link definitions, rules, blank lines) is kept byte for byte, and so are URLs, code spans,
  images and HTML inside a sentence. In the front matter, the translated values replace theirs,
  the language key (``lang`` or ``language``) is set to the target, every other line is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["FRONT_MATTER", "TOML_FRONT_MATTER", "split_front_matter", "parser", "segments",
           "translate_document", "escape_text", "PROSE_KEYS", "LANGUAGE_KEYS"]

#: YAML front matter: ``---`` YAML ``---`` (or ``...``) at the very start.
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
#: TOML front matter: ``+++`` TOML ``+++`` at the very start (Hugo).
TOML_FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\n(.*?\n)?\+\+\+[ \t]*(?:\n|\Z)", re.S)

#: Front matter keys whose values are prose, translated in a copy.
PROSE_KEYS = ("title", "description", "summary")
#: Front matter keys naming the document's language, set to the target in a copy.
LANGUAGE_KEYS = ("lang", "language")

_TEXT = ("text",)
_WRAPPERS = {"em_open": "*", "em_close": "*", "strong_open": "**", "strong_close": "**",
             "s_open": "~~", "s_close": "~~"}


def split_front_matter(text: str) -> tuple[str | None, str, str]:
    """``(kind, block, body)``: kind ``"yaml"``, ``"toml"`` or ``None`` (no front matter, block
    empty, body the whole text)."""
    for kind, pattern in (("yaml", FRONT_MATTER), ("toml", TOML_FRONT_MATTER)):
        match = pattern.match(text)
        if match:
            return kind, match.group(1) or "", text[match.end():]
    return None, "", text


@lru_cache(maxsize=None)
def parser():
    """The one CommonMark parser (imported on first use: only Markdown inputs need it).

    Link destinations are kept as written (no percent-encoding), so a translated copy carries
    its URLs byte for byte.
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.normalizeLink = lambda url: url
    md.normalizeLinkText = lambda url: url
    return md


# --- front matter --------------------------------------------------------------------------------


def _front_line(kind: str, key: str) -> re.Pattern:
    sep = "=" if kind == "toml" else ":"
    return re.compile(rf"^({re.escape(key)}[ \t]*{sep}[ \t]*)(\S.*?)[ \t]*$", re.M | re.I)


def _front_value(kind: str, raw: str) -> str | None:
    """The string a one-line front matter value is, or None when it is not one plain string."""
    if kind == "toml":
        if raw.startswith(('"', "'")) and not raw.startswith(('"""', "'''")):
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib
            try:
                value = tomllib.loads(f"v = {raw}")["v"]
            except ValueError:
                return None
            return value if isinstance(value, str) else None
        return None
    if raw[0] in "|>[{&*!#%@`":
        return None  # block scalars, flow collections, anchors, tags, comments
    import yaml

    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        return None
    return value if isinstance(value, str) else None


def _front_prose(kind: str, block: str) -> list[tuple[str, str]]:
    """``(key, value)`` of each prose key with a one-line string value, in :data:`PROSE_KEYS`
    order."""
    found = []
    for key in PROSE_KEYS:
        match = _front_line(kind, key).search(block)
        if match:
            value = _front_value(kind, match.group(2))
            if value and value.strip():
                found.append((key, value))
    return found


def _translate_front(kind: str, block: str, translated: dict[str, str], target: str) -> str:
    for key, text in translated.items():
        pattern = _front_line(kind, key)
        block = pattern.sub(lambda m: m.group(1) + json.dumps(text, ensure_ascii=False),
                            block, count=1)
    for key in LANGUAGE_KEYS:
        block = _front_line(kind, key).sub(
            lambda m: m.group(1) + json.dumps(target), block, count=1)
    return block


# --- the body ------------------------------------------------------------------------------------


def _blocks(body: str, env: dict | None = None) -> list:
    """Every ``inline`` token of the body that holds prose, with the token opening its block
    (``env`` receives the parser's references and footnotes)."""
    found = []
    opener = None
    for token in parser().parse(body, {} if env is None else env):
        if token.type in ("heading_open", "paragraph_open", "th_open", "td_open"):
            opener = token
        elif token.type == "inline" and opener is not None:
            found.append((opener, token))
    return found


def _runs(inline) -> list[str]:
    """The runs of text of an inline token (text between markup; autolinks and image alt text
    are not prose), each as written, whitespace included."""
    runs, current, autolink = [], [], 0
    for child in inline.children or ():
        if child.type == "link_open" and child.markup in ("autolink", "linkify"):
            autolink += 1
        elif child.type == "link_close" and child.markup in ("autolink", "linkify"):
            autolink -= 1
        elif autolink:
            continue
        elif child.type == "text":
            current.append(child.content)
            continue
        elif child.type in ("softbreak", "hardbreak"):
            current.append(" ")
            continue
        if current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def segments(document: str) -> list[str]:
    """The strings a translated copy of ``document`` needs (see the module docstring), each
    without its surrounding whitespace; runs that are only whitespace or punctuation are left
    out (they are kept as they are)."""
    kind, block, body = split_front_matter(document)
    found = [value for _, value in _front_prose(kind, block)] if kind else []
    for _, inline in _blocks(body):
        found += [run.strip() for run in _runs(inline) if _is_prose(run)]
    return found


def _is_prose(run: str) -> bool:
    return any(ch.isalpha() for ch in run)


_ESCAPE = re.compile(r"([\\`*_\[\]<>]|~(?=~)|(?<=~)~|&(?=#|[A-Za-z0-9]+;))")
_BLOCK_START = re.compile(r"^(?:([#>+=-])|(\d+)([.)]))")


def _escape(text: str) -> str:
    """Text that stays text: Markdown's punctuation backslash-escaped (``&`` before what would be
    an entity, ``~`` when doubled), and ``|`` as ``&#124;``
    (an escaped pipe still makes a line a table's header when a ``---`` line follows)."""
    return _ESCAPE.sub(r"\\\1", text).replace("|", "&#124;")


def _destination(url: str, title: str | None) -> str:
    if not url or re.search(r"[\s<>]", url) or url.count("(") != url.count(")"):
        url = "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    if title:
        url += ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return url


def _code(content: str, markup: str) -> str:
    stripped = content[:1] == " " and content[-1:] == " " and content.strip(" ")
    pad = " " if "`" in (content[:1], content[-1:]) or stripped else ""
    return f"{markup}{pad}{content}{pad}{markup}"


def _rebuild(inline, translations: list[str], spaced: bool = False) -> str:
    """The inline's Markdown, on one line, its prose runs replaced by ``translations`` (consumed
    from the front) and escaped; every other token written back from what it holds. ``spaced``:
    a space between each translated run and the markup beside it (a translation that starts or
    ends with other characters than the source's can turn ``*:*:a`` into ``*:*x``, no longer
    emphasis)."""
    out: list[str] = []
    links: list = []
    current: list[str] = []
    autolink = 0

    def flush():
        if not current:
            return
        run = "".join(current)
        current.clear()
        if _is_prose(run):
            lead = run[:len(run) - len(run.lstrip())]
            trail = run[len(run.rstrip()):]
            if spaced:
                lead, trail = lead or (" " if out else ""), trail or " "
            out.append(lead + _escape(translations.pop(0)) + trail)
        else:
            out.append(_escape(run))

    for child in inline.children or ():
        kind = child.type
        if kind == "link_open" and child.markup in ("autolink", "linkify"):
            flush()
            autolink += 1
            out.append("<" + child.attrGet("href") + ">" if child.markup == "autolink" else
                       child.attrGet("href"))
        elif kind == "link_close" and child.markup in ("autolink", "linkify"):
            autolink -= 1
        elif autolink:
            continue
        elif kind == "text":
            current.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            current.append(" ")
        else:
            flush()
            if kind in _WRAPPERS:
                out.append(child.markup or _WRAPPERS[kind])  # the source's own delimiters
            elif kind == "link_open":
                links.append(child)
                out.append("[")
            elif kind == "link_close":
                link = links.pop()
                out.append("](" + _destination(link.attrGet("href"), link.attrGet("title")) + ")")
            elif kind == "code_inline":
                out.append(_code(child.content, child.markup))
            elif kind == "image":
                out.append("![" + _escape(child.content) + "](" +
                           _destination(child.attrGet("src"), child.attrGet("title")) + ")")
            elif kind == "html_inline":
                out.append(child.content)
            elif kind == "footnote_ref":
                out.append(f"[^{child.meta['label']}]")
            else:
                raise ValueError(f"no rule to write back {kind}")
    flush()
    return _block_start("".join(out).replace("\n", " ").lstrip())


def _block_start(text: str) -> str:
    """``text`` with what would open a block at its start escaped (``#``, ``>``, ``-``, ``1.``)."""
    return _BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1)
                            else m.group(2) + "\\" + m.group(3), text)


def escape_text(text: str) -> str:
    """Plain text as a Markdown paragraph that renders as exactly that text (one line)."""
    return _block_start(_escape(" ".join(text.split())))


def _place(lines: list[str], opener, inline, rebuilt: str | None, cursor: dict) -> bool:
    """Put ``rebuilt`` where ``inline``'s text was in ``lines`` (``None``: keep it); False when
    it cannot be found (the block stays as it was)."""
    start, end = inline.map
    content = inline.content.split("\n")
    first = content[0].rstrip()
    if opener.type in ("th_open", "td_open"):
        line = lines[start]
        at = line.find(first, cursor.get(start, 0)) if first else -1
        if at < 0:
            return False
        if rebuilt is None:  # kept as it is; the next cell is looked for after it
            cursor[start] = at + len(first)
            return True
        cell = rebuilt.replace("|", "\\|").replace("\\\\|", "\\|")
        lines[start] = line[:at] + cell + line[at + len(first):]
        cursor[start] = at + len(cell)
        return True
    line = lines[start]
    if rebuilt is None:
        return False
    if opener.type == "heading_open" and opener.markup.startswith("#"):
        at = line.find(first)
        if at < 0 or not first:
            return False
        lines[start] = line[:at] + rebuilt
        return True
    stripped = line.rstrip()
    if not first or not stripped.endswith(first):
        return False
    lines[start] = stripped[:len(stripped) - len(first)] + rebuilt
    for index in range(start + 1, end):  # (a setext heading's underline is past its inline's map)
        lines[index] = None
    return True


def _markup(children) -> list:
    """What of an inline's children must survive a translation: every token but the text."""
    return [(c.type, c.markup, c.content if c.type in ("code_inline", "html_inline") else "",
             sorted((c.attrs or {}).items())) for c in children or ()
            if c.type not in ("text", "softbreak", "hardbreak")]


def _checked(inline, translations: list[str], env: dict) -> str | None:
    """The rebuilt inline, once it parses to the same markup as the source's; else spaced (see
    :func:`_rebuild`); else ``None`` (the block is kept as it was: never broken Markdown)."""
    import copy

    want = _markup(inline.children)
    for spaced in (False, True):
        try:
            rebuilt = _rebuild(inline, list(translations), spaced)
            tokens = parser().parseInline(rebuilt.strip(), copy.deepcopy(env))
        except (ValueError, KeyError, IndexError, TypeError):  # a token we cannot write back
            return None
        if tokens and _markup(tokens[0].children) == want:
            return rebuilt
    return None


def translate_document(document: str, translations: Sequence[str], target: str) -> str:
    """``document`` with :func:`segments` replaced by ``translations`` (the same number, in the
    same order) and its language set to ``target``; a block whose text cannot be located in its
    lines is kept as it was (never half-replaced)."""
    pending = list(translations)
    kind, block, body = split_front_matter(document)
    head = ""
    if kind:
        prose = _front_prose(kind, block)
        values = {key: pending.pop(0) for key, _ in prose}
        head = document[:len(document) - len(body)]
        head = head.replace(block, _translate_front(kind, block, values, target), 1) if block \
            else head
    lines: list[str | None] = body.split("\n")
    cursor: dict[int, int] = {}
    env: dict = {}
    for opener, inline in _blocks(body, env):
        wanted = sum(1 for run in _runs(inline) if _is_prose(run))
        mine, pending = pending[:wanted], pending[wanted:]
        if inline.map is None or not (wanted or opener.type in ("th_open", "td_open")):
            continue
        rebuilt = _checked(inline, mine, env) if wanted else None
        _place(lines, opener, inline, rebuilt, cursor)
    return head + "\n".join(line for line in lines if line is not None)
