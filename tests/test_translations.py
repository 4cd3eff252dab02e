"""An English report and its Korean original linked as one report in two languages: by the
page's own link, or by what the two say that does not depend on language. The reports here
are written for these tests; each has a neighbour from the same outlet and week that is a
different report."""

from __future__ import annotations

import json
from pathlib import Path

from nkwatch.analyse import analyse
from nkwatch.ingest import ingest
from nkwatch.sources.html import read_html
from nkwatch.store.base import Store

OUTLET = "Example Border Report"
SITE = "https://example.org/ebr"

REPORTS = [
    # A pair: an arrest in Chongjin, in Korean and a day later in English.
    {
        "doc_id": "ko-chongjin-arrest",
        "language": "ko",
        "published": "2024-03-13",
        "url": f"{SITE}/ko/2024/03/13/chongjin-phone-arrests",
        "title": "청진시 보위부, 중국 손전화 사용자 4명 체포",
        "text": '함경북도 소식통은 13일 본지에 "지난 11일 청진시 보위부가 중국 손전화로 한국과 '
        '통화한 주민 4명을 체포했다"고 전했다.\n\n소식통에 따르면 체포된 주민들은 최대 5년의 '
        "노동교화형을 받을 수 있다.",
    },
    {
        "doc_id": "en-chongjin-arrest",
        "language": "en",
        "published": "2024-03-14",
        "url": f"{SITE}/2024/03/14/chongjin-agents-arrest-four-phone-users",
        "title": "Chongjin security agents arrest four phone users",
        "text": "State security agents in Chongjin, North Hamgyong Province, arrested four "
        "residents on March 11 for calling South Korea on Chinese phones, a source told us on "
        "March 13.\n\nThose arrested could face up to five years in a reform-through-labour "
        "camp, the source said.",
    },
    # Same outlet, same week, same city, another report: a lecture.
    {
        "doc_id": "ko-chongjin-lecture",
        "language": "ko",
        "published": "2024-03-14",
        "url": f"{SITE}/ko/2024/03/14/chongjin-anti-spy-lectures",
        "title": "청진 공장들에서 반간첩 강연회",
        "text": '함경북도 소식통은 14일 본지에 "지난 12일 청진시의 공장 기업소들에서 반간첩 '
        '강연회가 열렸다"고 전했다.\n\n강연자는 외부와 통화하는 자들은 엄벌에 처하게 될 것이라고 '
        "경고했다.",
    },
    # A pair: a pardon offer in Sinuiju.
    {
        "doc_id": "ko-sinuiju-pardon",
        "language": "ko",
        "published": "2024-03-12",
        "url": f"{SITE}/ko/2024/03/12/sinuiju-phone-pardon",
        "title": '신의주 보위부 "20일까지 손전화 바치면 용서"',
        "text": '평안북도 소식통은 12일 본지에 "지난 8일 신의주시 보위부가 인민반장 회의를 열고 '
        '중국 손전화를 이달 20일까지 바치면 처벌하지 않겠다고 했다"고 전했다.',
    },
    {
        "doc_id": "en-sinuiju-pardon",
        "language": "en",
        "published": "2024-03-13",
        "url": f"{SITE}/2024/03/13/sinuiju-pardon-for-phones",
        "title": "Sinuiju security officials promise pardon for phones handed in by the 20th",
        "text": "The Sinuiju City State Security Department held a meeting of inminban heads on "
        "March 8 and said that residents who hand in Chinese phones by March 20 will not be "
        "punished, a source in North Pyongan Province told us on March 12.",
    },
    # Same outlet, same week, another English report.
    {
        "doc_id": "en-hyesan-seizure",
        "language": "en",
        "published": "2024-03-14",
        "url": f"{SITE}/2024/03/14/hyesan-agents-seize-phones",
        "title": "Hyesan agents seize phones from smugglers",
        "text": "Security agents in Hyesan, Ryanggang Province, seized 30 Chinese phones from "
        "smugglers on March 10, a source said.",
    },
]


def _ingest(store: Store, tmp_path: Path, reports: list[dict[str, str]]) -> None:
    path = tmp_path / "reports.jsonl"
    lines = [json.dumps({**r, "outlet": OUTLET}, ensure_ascii=False) for r in reports]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    ingest(store, [str(path)])


def _pairs(store: Store) -> set[frozenset[str]]:
    pairs = set()
    for doc in store.list_documents(limit=100):
        for _, other, _, _, _ in store.translations_of(doc.id):
            pairs.add(frozenset((doc.ext_id, other)))
    return pairs


def test_a_report_and_its_korean_original_are_linked(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, REPORTS)
    report = analyse(store)
    assert report.translations == 2
    assert _pairs(store) == {
        frozenset(("ko-chongjin-arrest", "en-chongjin-arrest")),
        frozenset(("ko-sinuiju-pardon", "en-sinuiju-pardon")),
    }
    english = store.get("en-chongjin-arrest")
    [(_, ext_id, language, score, why)] = english.translations
    assert (ext_id, language) == ("ko-chongjin-arrest", "ko") and 0.45 <= score < 1
    assert any(w.startswith("events") for w in why) and any(w.startswith("places") for w in why)
    assert english.as_dict()["translations"][0]["ext_id"] == "ko-chongjin-arrest"


def test_a_link_gives_way_only_to_a_stronger_one(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, REPORTS)
    analyse(store)
    ko, en, other = (store.resolve_id(x) for x in
                     ("ko-chongjin-arrest", "en-chongjin-arrest", "en-hyesan-seizure"))  # fmt: skip
    assert not store.save_translation(ko, other, 0.2, ["weaker"])
    assert store.save_translation(ko, other, 1.0, ["the page links the other"])
    assert [t[1] for t in store.translations_of(ko)] == ["en-hyesan-seizure"]
    assert store.translations_of(en) == []  # one English report per Korean one


def test_a_page_that_names_its_korean_original_is_linked_to_it(
    store: Store, tmp_path: Path
) -> None:
    korean = {**REPORTS[0], "published": "2024-01-02"}  # weeks apart: only the link tells
    _ingest(store, tmp_path, [korean])
    page = tmp_path / "en.html"
    page.write_text(
        "<html lang='en'><head><title>Chongjin arrests - Example Border Report</title></head>"
        "<body><article><h1>Chongjin arrests</h1><p>State security agents in Chongjin arrested "
        "four residents for calling South Korea on Chinese phones, a source said on Tuesday "
        "in a report this week.</p><p>Those arrested could face years in a labour camp, the "
        f"source said.</p><p><a href='{korean['url']}'>Read in Korean</a></p>"
        "</article></body></html>",
        "utf-8",
    )
    ingest(store, [str(page)])
    analyse(store)
    [(_, ext_id, _, score, why)] = store.get("en").translations
    assert ext_id == "ko-chongjin-arrest" and score == 1.0
    assert why == ["the page links the other as its other language"]


def test_the_html_reader_keeps_the_pages_other_languages() -> None:
    html = (
        "<html lang='en'><head><title>T</title><link rel='alternate' hreflang='ko-KR' "
        "href='/ko/story-1'></head><body><article><p>"
        + "Agents in Hyesan seized phones from residents on Monday, a source said. "
        * 3
        + "</p><a href='https://example.org/en/story-1'>English</a>"
        "<a href='/elsewhere'>Read more in our archive</a></article></body></html>"
    )
    doc = read_html(html, source="p.html", ext_id="p", url="https://example.org/en/story-1")
    assert doc.extra["translations"] == {"ko": "https://example.org/ko/story-1"}
