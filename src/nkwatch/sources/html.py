"""Saved or fetched HTML pages: main text and metadata with trafilatura, the date with htmldate."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from nkwatch.errors import EmptyDocumentError, SourceError
from nkwatch.model import RawDocument

# Page furniture that trafilatura may take for article text: pull quotes repeat a sentence of
# the story (a duplicate quote would make one event look like two), captions describe photos.
_FURNITURE_XPATH = (
    "//figcaption | //aside"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' pullquote ')]"
    " | //*[contains(@class, 'pull-quote') or contains(@class, 'wp-block-pullquote')"
    " or contains(@class, 'share') or contains(@class, 'related') or contains(@class, 'newsletter')"
    " or contains(@class, 'cookie') or contains(@class, 'advert') or contains(@class, 'inline-ad')]"
)
# A link to the same report in another language: "Read in Korean", "English version", 한국어.
_OTHER_LANGUAGE = re.compile(
    r"^(?:(?:read|view|see)\s+)?(?:(?:this|the)\s+)?(?:(?:story|article|report)\s+)?"
    r"in\s+(korean|english)$|^(korean|english)(?:\s+version)?$"
    r"|^(한국어|영어|영문)(?:로|으로)?(?:\s*(?:보기|읽기|기사|버전))?$",
    re.IGNORECASE,
)
_LANGUAGE_CODES = {"korean": "ko", "한국어": "ko", "english": "en", "영어": "en", "영문": "en"}
_TITLE_SPLIT = re.compile(r"\s+[|\-–—:»]\s+")
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "pre",
}


def parse_html(html: str, *, location: str) -> Any:
    """Return the lxml tree of ``html``; raise SourceError when it is not HTML at all."""
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8"))
    except (etree.ParserError, ValueError) as exc:
        raise SourceError(f"not an HTML page: {exc}", location=location) from None
    return tree


def _outlet_from_title(page_title: str | None, headline: str | None) -> str | None:
    """Return the site name in a ``<title>`` like "Headline - Outlet", if there is one."""
    if not page_title:
        return None
    parts = _TITLE_SPLIT.split(page_title.strip())
    if len(parts) < 2:
        return None
    if headline and parts[0].strip() != headline.strip():
        return parts[0].strip() if parts[-1].strip() == headline.strip() else None
    return parts[-1].strip() or None


def read_html(html: str, *, source: str, ext_id: str, url: str | None = None) -> RawDocument:
    """Return the report in an HTML page: its main text (not yet cleaned) and metadata."""
    import htmldate
    import trafilatura
    from trafilatura.settings import Document

    tree = parse_html(html, location=source)
    lang = tree.get("lang")
    other_languages = _other_languages(tree, url)
    for node in tree.xpath(_FURNITURE_XPATH):
        parent = node.getparent()
        if parent is not None:
            node.drop_tree()
    result = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        deduplicate=False,
    )
    text = result.text if isinstance(result, Document) else None
    if not isinstance(result, Document) or not text or not text.strip():
        raise EmptyDocumentError("no article text found in the page", location=source)
    page_title = tree.findtext(".//title")
    outlet = result.sitename
    if not outlet or outlet == result.hostname or "." in outlet:
        outlet = _outlet_from_title(page_title, result.title) or outlet
    published = htmldate.find_date(
        html, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d"
    )
    doc = RawDocument(
        ext_id=ext_id,
        source=source,
        format="html",
        raw=html,
        text=text,
        title=result.title,
        published=published or result.date,
        outlet=outlet,
        url=url or result.url,
        language=(lang or result.language or None),
    )
    if doc.language:
        doc.language = doc.language.lower().split("-")[0]
    if result.author:
        doc.extra["author"] = result.author
    if result.description:
        doc.extra["description"] = result.description
    other_languages.pop(doc.language or "", None)
    if other_languages:
        doc.extra["translations"] = other_languages
    return doc


def _other_languages(tree: Any, url: str | None) -> dict[str, str]:
    """Return {language: URL} of the same report in other languages, as the page names them:
    ``<link rel="alternate" hreflang="ko">`` or a link such as "Read in Korean"."""
    found: dict[str, str] = {}
    for link in tree.xpath("//link[@rel='alternate'][@hreflang][@href]"):
        code = link.get("hreflang").lower().split("-")[0]
        if code.isalpha() and len(code) == 2:
            found.setdefault(code, urljoin(url or "", link.get("href").strip()))
    for anchor in tree.xpath("//a[@href]"):
        m = _OTHER_LANGUAGE.match(" ".join(anchor.text_content().split()))
        if m:
            name = next(g for g in m.groups() if g).lower()
            found.setdefault(_LANGUAGE_CODES[name], urljoin(url or "", anchor.get("href").strip()))
    return found


def html_fragment_to_text(fragment: str) -> str:
    """Return the text of an HTML fragment (a feed item's content), one paragraph per line."""
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    for el in root.iter("figcaption", "script", "style"):
        el.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
    text = root.text_content()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)
