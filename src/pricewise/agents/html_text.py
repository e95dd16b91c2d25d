"""Plain text out of the HTML that feeds and deal pages carry (stdlib parser: no scripts, no styles)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_BLOCK = frozenset({"p", "div", "li", "br", "tr", "h1", "h2", "h3", "h4", "ul", "ol", "section", "article"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag == "meta":
            attributes = {k: v or "" for k, v in attrs}
            key = attributes.get("property") or attributes.get("name") or ""
            if key in {"description", "og:description", "og:title"} and attributes.get("content"):
                self.meta[key] = html.unescape(attributes["content"])
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self._skipping:
            self._skipping -= 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _tidy(text: str) -> str:
    lines = (re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(markup: str) -> str:
    """Visible text with one line per block element."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    return _tidy("".join(parser.parts))


def page_text(markup: str, max_chars: int) -> str:
    """What a deal page says about its product: meta/OpenGraph descriptions first, then the visible text."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    meta = [parser.meta[k] for k in ("og:title", "og:description", "description") if k in parser.meta]
    return _tidy("\n".join([*meta, "".join(parser.parts)]))[:max_chars]
