"""Readers: plain text with sidecar or front matter, HTML, feeds, JSON Lines, bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from nkwatch.errors import (
    DateError,
    EncodingError,
    FeedError,
    FieldError,
    JSONLError,
    SourceError,
)
from nkwatch.model import RawDocument
from nkwatch.sources import read_inputs
from nkwatch.sources.fetch import Fetcher
from nkwatch.sources.html import read_html
from nkwatch.sources.lang import detect_language

from .conftest import REPORT, LoopbackServer, Route

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Onsong brokers detained after calls traced - Example Monitor</title>
<meta property="og:title" content="Onsong brokers detained after calls traced">
<meta property="article:published_time" content="2023-05-02T08:00:00+09:00">
<link rel="canonical" href="https://example.org/monitor/2023/05/02/onsong">
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<article><h1>Onsong brokers detained after calls traced</h1>
<figure><img src="x.jpg"><figcaption>FILE PHOTO: The Tumen River near Onsong. / Image: Example Monitor</figcaption></figure>
<p>State security agents in Onsong County detained two phone brokers last week after tracing calls they had arranged to South Korea, a source in North Hamgyong Province said.</p>
<p>The county security department had been monitoring calls near the river for a month, the source said, and the two brokers were taken from their homes at night.</p>
<div class="pullquote"><p>"Nobody is calling anyone now."</p></div>
<p>Residents who used the brokers have stopped making calls, and several have hidden their phones with relatives in the countryside, according to the source.</p>
<p>"Nobody is calling anyone now," the source said.</p>
</article>
<aside class="related"><h2>Related stories</h2><a href="/a">Hyesan arrests</a></aside>
<footer>&copy; 2023 Example Monitor</footer>
</body></html>
"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Example Monitor</title><link>https://example.org/</link><language>en-us</language>
<item><title>Hyesan lecture promises forgiveness</title>
<link>https://example.org/a</link><guid>urn:example:a</guid>
<pubDate>Tue, 18 Jan 2022 09:00:00 +0900</pubDate>
<content:encoded><![CDATA[<p>Residents of Hyesan were summoned to a lecture on Monday at which security officials promised forgiveness to those who surrender their Chinese phones.</p><p>Those who keep them will be punished, the lecturer said.</p>]]></content:encoded>
</item>
<item><title>Musan squads</title><link>{page}</link><guid>urn:example:b</guid>
<pubDate>Wed, 19 Jan 2022 09:00:00 +0900</pubDate>
<description>Signal-detection squads were sent to Musan…</description>
</item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Atom</title>
<id>urn:example:feed</id><updated>2022-02-01T00:00:00Z</updated>
<entry><title>Sinuiju exhibition</title><id>urn:example:c</id>
<link href="https://example.org/c"/><updated>2022-02-01T00:00:00Z</updated>
<content type="html">&lt;p&gt;Factory workers in Sinuiju were made to visit an anti-espionage exhibition on Saturday, a source said.&lt;/p&gt;</content>
</entry></feed>
"""


def docs_and_errors(inputs: list[str], **kw: object) -> tuple[list[RawDocument], list[SourceError]]:
    docs: list[RawDocument] = []
    errors: list[SourceError] = []
    for item in read_inputs(inputs, **kw):  # type: ignore[arg-type]
        if isinstance(item, RawDocument):
            docs.append(item)
        elif isinstance(item, SourceError):
            errors.append(item)
    return docs, errors


def test_text_with_sidecar_metadata(write: Callable[..., Path]) -> None:
    path = write("r1.txt", REPORT)
    write(
        "meta.jsonl",
        json.dumps(
            {
                "doc_id": "r1",
                "title": "Hyesan agents hunt Chinese phones",
                "published": "2022-01-20",
                "outlet": "Example Monitor",
                "url": "https://example.org/r1",
                "language": "en",
            }
        )
        + "\n",
    )
    docs, errors = docs_and_errors([str(path.parent)])
    assert errors == []
    [doc] = docs
    assert (doc.ext_id, doc.published, doc.outlet, doc.language) == (
        "r1",
        "2022-01-20",
        "Example Monitor",
        "en",
    )
    assert doc.ext_id_given and doc.key == "url:https://example.org/r1"
    assert doc.raw == doc.text == REPORT


def test_text_without_metadata_takes_title_from_first_line(write: Callable[..., Path]) -> None:
    path = write("hyesan-report.txt", REPORT)
    [doc], _ = docs_and_errors([str(path)])
    assert doc.title == "Hyesan agents hunt Chinese phones"
    assert doc.ext_id == "hyesan-report" and doc.published is None
    assert doc.key == f"file:{path.resolve()}"


def test_front_matter_sets_metadata_and_keeps_offsets(write: Callable[..., Path]) -> None:
    text = (
        "---\ntitle: Hyesan agents hunt Chinese phones\ndate: 2022-01-20\noutlet: Example Monitor\nid: fm-1\n---\n"
        + REPORT
    )
    path = write("fm.txt", text)
    [doc], _ = docs_and_errors([str(path)])
    assert (doc.ext_id, doc.published, doc.title) == (
        "fm-1",
        "2022-01-20",
        "Hyesan agents hunt Chinese phones",
    )
    assert len(doc.text) == len(doc.raw) and doc.text.strip().startswith("Hyesan agents")
    assert doc.raw.index("State security") == doc.text.index("State security")


def test_bad_front_matter_is_named(write: Callable[..., Path]) -> None:
    path = write("bad.txt", "---\ntitle: [unclosed\n---\nBody text here.\n")
    docs, [err] = docs_and_errors([str(path)])
    assert docs == [] and isinstance(err, FieldError) and str(path) in str(err)


def test_sidecar_bad_lines_are_reported_and_others_used(write: Callable[..., Path]) -> None:
    write("a.txt", REPORT)
    write("b.txt", REPORT.replace("five", "six"))
    write(
        "meta.jsonl",
        '{"doc_id": "a", "published": "2022-01-20"}\n{not json\n{"doc_id": "b", "published": "2022-02-30"}\n',
    )
    docs, errors = docs_and_errors([str(Path(write("c.txt", REPORT)).parent)])
    assert {d.ext_id: d.published for d in docs} == {"a": "2022-01-20", "b": None, "c": None}
    assert [type(e) for e in errors] == [JSONLError, DateError]
    assert errors[0].location and errors[0].location.endswith("meta.jsonl:2")
    assert errors[1].location and errors[1].location.endswith("meta.jsonl:3")
    assert "2022-02-30" in str(errors[1])


def test_encoding_errors_name_the_file_and_byte(write: Callable[..., Path]) -> None:
    path = write("cp949.txt", "혜산시 보위부가 손전화를 단속했다.".encode("cp949"))
    docs, [err] = docs_and_errors([str(path)])
    assert isinstance(err, EncodingError) and "offset" in str(err) and str(path) in str(err)
    docs, errors = docs_and_errors([str(path)], encoding="cp949")
    assert errors == [] and docs[0].text.startswith("혜산시")
    binary = write("blob.txt", b"\x00\x01\x02binary")
    _, [err] = docs_and_errors([str(binary)])
    assert "binary" in str(err)


def test_html_page_text_and_metadata() -> None:
    doc = read_html(ARTICLE_HTML, source="page.html", ext_id="page")
    assert doc.title == "Onsong brokers detained after calls traced"
    assert doc.published == "2023-05-02"
    assert doc.outlet == "Example Monitor"
    assert doc.language == "en"
    assert doc.url == "https://example.org/monitor/2023/05/02/onsong"
    assert "detained two phone brokers" in doc.text
    assert "FILE PHOTO" not in doc.text and "Related stories" not in doc.text
    # The pull quote repeats a sentence of the story; only the story's own copy stays.
    assert doc.text.count("Nobody is calling anyone now") == 1
    assert doc.raw == ARTICLE_HTML


def test_rss_items_follow_links_when_only_a_summary(
    write: Callable[..., Path], server: LoopbackServer
) -> None:
    server.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", "text/plain")
    server.routes["/musan"] = Route(ARTICLE_HTML.replace("Onsong", "Musan").encode())
    path = write("feed.xml", RSS.replace("{page}", server.url("/musan")))
    with Fetcher(allow_private=True, delay=0) as fetcher:
        docs, errors = docs_and_errors([str(path)], fetcher=fetcher)
    assert errors == []
    full, followed = docs
    assert full.ext_id == "urn:example:a" and full.published == "2022-01-18"
    assert full.outlet == "Example Monitor" and full.language == "en" and full.format == "rss"
    assert "promised forgiveness" in full.text and "Those who keep them" in full.text
    assert followed.ext_id == "urn:example:b" and followed.title == "Musan squads"
    assert "detained two phone brokers" in followed.text
    assert server.hits("/musan") == 1


def test_rss_summary_kept_with_warning_when_page_unreachable(write: Callable[..., Path]) -> None:
    path = write("feed.xml", RSS.replace("{page}", "http://127.0.0.1:9/nothing"))
    with Fetcher(delay=0) as fetcher:  # private addresses refused: the page is not fetched
        docs, errors = docs_and_errors([str(path)], fetcher=fetcher)
    assert errors == []
    assert docs[1].extra["summary_only"] is True and "E012" in docs[1].extra["warnings"][0]


def test_atom_feed(write: Callable[..., Path]) -> None:
    docs, errors = docs_and_errors([str(write("feed.atom", ATOM))])
    assert errors == [] and docs[0].ext_id == "urn:example:c" and docs[0].published == "2022-02-01"
    assert docs[0].text.startswith("Factory workers in Sinuiju")


def test_not_a_feed(write: Callable[..., Path]) -> None:
    _, [err] = docs_and_errors([str(write("feed.xml", "this is not xml at all"))])
    assert isinstance(err, FeedError) and "feed.xml" in str(err)


def test_jsonl_good_and_bad_lines(write: Callable[..., Path]) -> None:
    lines = [
        json.dumps(
            {
                "doc_id": "j1",
                "title": "T1",
                "published": "2022-01-20",
                "text": "Agents arrested five people in Hyesan.",
            }
        ),
        "{broken json",
        json.dumps({"doc_id": "j3", "title": "T3"}),
        json.dumps({"doc_id": "j4", "published": "20 January", "text": "x"}),
        json.dumps({"doc_id": "j5", "title": ["not", "a", "string"], "text": "x"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "Agents arrested six people in Musan."}),
    ]
    path = write("batch.jsonl", "\n".join(lines) + "\n")
    docs, errors = docs_and_errors([str(path)])
    assert [d.ext_id for d in docs] == ["j1", "batch-7"]
    assert docs[0].published == "2022-01-20" and docs[0].ext_id_given
    assert not docs[1].ext_id_given
    assert [(type(e).__name__, (e.location or "").rsplit(":", 1)[-1]) for e in errors] == [
        ("JSONLError", "2"),
        ("JSONLError", "3"),
        ("DateError", "4"),
        ("FieldError", "5"),
        ("JSONLError", "6"),
    ]
    assert "'text'" in str(errors[1]) and "'title'" in str(errors[3])


def test_missing_paths_and_unknown_formats(write: Callable[..., Path], tmp_path: Path) -> None:
    odd = write("report.docx", b"PK\x03\x04")
    _, errors = docs_and_errors([str(tmp_path / "nope.txt"), str(tmp_path / "*.none"), str(odd)])
    assert [e.code for e in errors] == ["E001", "E001", "E001"]
    assert "unknown format" in str(errors[2])


def test_folders_skip_sidecar_and_gold_files(write: Callable[..., Path]) -> None:
    write("a.txt", REPORT)
    write("gold.jsonl", '{"doc_id": "a", "events": []}\n')
    write("meta.jsonl", '{"doc_id": "a"}\n')
    docs, errors = docs_and_errors(
        [str(write("b.jsonl", json.dumps({"text": "Agents arrested five."}) + "\n").parent)]
    )
    assert errors == [] and sorted(d.ext_id for d in docs) == ["a", "b-1"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("State security agents in Hyesan arrested five people for using Chinese phones.", "en"),
        (
            "양강도 혜산시에서 중국 손전화를 사용한 주민 다섯 명이 보위부에 체포됐다고 소식통이 전했다.",
            "ko",
        ),
        (
            "Des agents de la sécurité d'État ont arrêté cinq personnes à Hyesan pour usage de téléphones.",
            "fr",
        ),
        ("ok", None),
    ],
)
def test_language_detection(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


def test_sidecar_metadata_applies_to_html_pages(write: Callable[..., Path]) -> None:
    write("page.html", ARTICLE_HTML)
    write(
        "meta.jsonl",
        json.dumps({"doc_id": "page", "published": "2023-05-03", "outlet": "Sidecar Outlet"})
        + "\n",
    )
    docs, errors = docs_and_errors([str(write("other.txt", REPORT).parent)])
    page = next(d for d in docs if d.ext_id == "page")
    assert errors == [] and page.format == "html"
    assert (page.published, page.outlet) == ("2023-05-03", "Sidecar Outlet")
    assert page.title == "Onsong brokers detained after calls traced"  # from the page itself
    assert page.ext_id_given


def test_folders_are_walked_in_path_order_with_resolved_sources(tmp_path: Path) -> None:
    # The walk and the source names take shortcuts; they must agree with pathlib's answers.
    import os

    from nkwatch.sources import expand_paths
    from nkwatch.sources.common import source_name

    root = tmp_path / "in"
    for rel in ("b.txt", "b/c.txt", "b-x.txt", "a.TXT", "z/y/x.html", "notes.doc", "meta.jsonl"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("Agents searched homes.", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "far.txt").write_text("Agents searched homes.", encoding="utf-8")
    os.symlink(elsewhere / "far.txt", root / "link.txt")
    os.symlink(elsewhere, root / "linked-folder")  # not walked, as rglob does not
    walked = list(expand_paths([str(root)]))
    expected = [
        p
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix.lower() in {".txt", ".html"} and p.name != "meta.jsonl"
    ]
    assert walked == expected
    assert [source_name(p) for p in expected] == [str(p.resolve()) for p in expected]
    assert source_name(root / "link.txt") == str(elsewhere / "far.txt")
    relative = Path(os.path.relpath(root / "b" / "c.txt"))
    assert source_name(relative) == str((root / "b" / "c.txt").resolve())
