"""Helpers for the web tests: an in-process client, and a small HTML reader (headings, links, scripts)."""

from __future__ import annotations

import warnings
from html.parser import HTMLParser

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 package for its TestClient and warns when it finds httpx;
    # the client works the same, and the suite turns warnings into errors.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def make_client(app) -> TestClient:
    """A client without cookies that turns server errors into responses, as a browser would see them."""
    return TestClient(app, raise_server_exceptions=False)


class PageReader(HTMLParser):
    """Collects the title, h1/h2 texts, <link> and <a> attributes, script tags and inline styles."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.h1: list[str] = []
        self.h2: list[str] = []
        self.links: list[dict] = []
        self.anchors: list[dict] = []
        self.scripts: list[dict] = []
        self.inline_script_bodies: list[str] = []
        self.style_attributes = 0
        self.style_elements = 0
        self.lang = ""
        self._stack: list[str] = []
        self._text: list[str] = []
        self._script_type = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.style_attributes += 1
        if tag == "html":
            self.lang = attributes.get("lang", "")
        elif tag == "link":
            self.links.append(attributes)
        elif tag == "a":
            self.anchors.append(attributes)
        elif tag == "script":
            self.scripts.append(attributes)
            self._script_type = attributes.get("type", "")
        elif tag == "style":
            self.style_elements += 1
        if tag in ("title", "h1", "h2", "a", "script"):
            self._stack.append(tag)
            self._text = []

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
            text = " ".join("".join(self._text).split())
            if tag == "title":
                self.title = text
            elif tag == "h1":
                self.h1.append(text)
            elif tag == "h2":
                self.h2.append(text)
            elif tag == "a" and self.anchors:
                self.anchors[-1]["text"] = text
            elif tag == "script" and text and self._script_type != "application/json":
                self.inline_script_bodies.append(text)

    def handle_data(self, data):
        if self._stack:
            self._text.append(data)

    def alternates(self) -> dict[str, str]:
        return {link.get("type", ""): link["href"] for link in self.links if link.get("rel") == "alternate"}


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    return reader
