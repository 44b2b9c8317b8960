"""HTML and Markdown as the scanner reads them, with every character keeping its offset.

Tags, comments, scripts and styles become spaces of the same length, so a finding's ``start`` and
``end`` point into the text as it was given. Link targets (``href``) stay visible: an
unsubscribe link counts even when its words say "manage preferences". Markdown needs nothing:
its markers do not hide words.
"""

from __future__ import annotations

import re

_HIDDEN = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"</?[a-zA-Z!][^>]*>")
_HREF = re.compile(r"""\bhref\s*=\s*(["']?)([^"'\s>]+)\1""", re.I)
_LOOKS_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*[\s>/]")


def looks_like_html(text: str) -> bool:
    return "<" in text and _LOOKS_HTML.search(text) is not None


def _blank(match: re.Match[str]) -> str:
    chunk = match.group(0)
    return "".join("\n" if ch == "\n" else " " for ch in chunk)


def _tag(match: re.Match[str]) -> str:
    tag = match.group(0)
    out = [" "] * len(tag)
    for href in _HREF.finditer(tag):
        start, end = href.span(2)
        out[start:end] = tag[start:end]
    if len(tag) > 1:  # block tags end a line, so "first turn" and line rules still work
        name = tag[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower()
        if name in {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "footer",
                    "header", "section", "table", "ul", "ol", "hr"}:
            out[0] = "\n"
    return "".join(out)


def visible_text(html: str) -> str:
    """``html`` with markup replaced by whitespace of the same length."""
    text = _HIDDEN.sub(_blank, html)
    return _TAG.sub(_tag, text)
