"""Korean reports: Kiwi sentences, Korean dates, place names with particles, each family of the
Korean lexicon (triggers, negation, actors, targets, modality, counts, penalties, laws), and the
Korean pipeline through the store. The reports here are written for these tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from nkwatch.analyse import analyse
from nkwatch.errors import DataFileError, LanguageError
from nkwatch.ingest import IngestOptions, ingest
from nkwatch.model import Event, EventFilter
from nkwatch.nlp.extraction.korean import clauses, load_korean
from nkwatch.nlp.morphology import analyse as kiwi_analyse
from nkwatch.nlp.pipeline import annotate, build, places_of, sentence_offsets
from nkwatch.nlp.temporal.korean import KoreanTimeTagger
from nkwatch.store.base import Store

PUBLISHED = "2024-03-14"  # a Thursday

# --- dates ------------------------------------------------------------------------------------

DATES = [
    # (text, expression, start, end, precision, role)
    ("지난 9일 회의가 열렸다", "지난 9일", "2024-03-09", "2024-03-09", "day", "point"),
    ("지난 20일 체포됐다", "지난 20일", "2024-02-20", "2024-02-20", "day", "point"),
    ("소식통은 13일 본지에 전했다", "13일", "2024-03-13", "2024-03-13", "day", "reported"),
    ("오는 25일 강연이 있다", "오는 25일", "2024-03-25", "2024-03-25", "day", "point"),
    ("20일까지 자수하라", "20일", "2024-03-20", "2024-03-20", "day", "deadline"),
    ("1월 16일 인민반회의", "1월 16일", "2024-01-16", "2024-01-16", "day", "point"),
    ("11월 3일 공개재판", "11월 3일", "2023-11-03", "2023-11-03", "day", "point"),
    ("2020년 12월 채택한 법", "2020년 12월", "2020-12-01", "2020-12-31", "month", "point"),
    ("2015년 형법을 개정", "2015년", "2015-01-01", "2015-12-31", "year", "point"),
    ("지난달 검열", "지난달", "2024-02-01", "2024-02-29", "month", "point"),
    ("지난달 말 전원회의", "지난달 말", "2024-02-21", "2024-02-29", "week", "point"),
    ("이달 초 내려와", "이달 초", "2024-03-01", "2024-03-10", "week", "point"),
    ("이달 중순부터 늘었다", "이달 중순", "2024-03-11", "2024-03-20", "week", "since"),
    ("이달 말까지 보고하라", "이달 말", "2024-03-21", "2024-03-31", "week", "deadline"),
    ("이달 들어 수수료가 뛰었다", "이달", "2024-03-01", "2024-03-14", "month", "since"),
    ("지난주부터 단속", "지난주", "2024-03-04", "2024-03-14", "week", "since"),
    ("지난해 말 체포", "지난해 말", "2023-09-01", "2023-12-31", "season", "point"),
    ("올해 초 강연", "올해 초", "2024-01-01", "2024-04-30", "season", "point"),
    ("지난해 12월부터 추적", "지난해 12월", "2023-12-01", "2024-03-14", "month", "since"),
    ("지난해 가을 40% 수준에서", "지난해 가을", "2023-09-01", "2023-11-30", "season", "comparison"),
    ("지난해에는 200위안 수준", "지난해", "2023-01-01", "2023-12-31", "year", "comparison"),
    ("어제 체포됐다", "어제", "2024-03-13", "2024-03-13", "day", "point"),
]


@pytest.mark.parametrize(("text", "expr", "start", "end", "precision", "role"), DATES)
def test_korean_dates_are_anchored_on_publication(
    text: str, expr: str, start: str, end: str, precision: str, role: str
) -> None:
    found = KoreanTimeTagger().tag(text, date.fromisoformat(PUBLISHED))
    dated = [t for t in found if t.kind == "date"]
    assert dated, text
    t = dated[0]
    assert t.text == expr
    assert t.span is not None
    assert (t.span.start, t.span.end, t.span.precision, t.role) == (start, end, precision, role)


def test_that_day_and_the_next_day_refer_to_the_date_before() -> None:
    text = "지난 9일 회의가 열렸다. 그날 밤 손전화기를 태웠다. 다음 날 체포됐다."
    found = KoreanTimeTagger().tag(text, date(2024, 3, 14))
    spans = [(t.text, t.span.start if t.span else None, t.anchor) for t in found]
    assert spans == [
        ("지난 9일", "2024-03-09", "publication"),
        ("그날", "2024-03-09", "reference"),
        ("다음 날", "2024-03-10", "reference"),
    ]


def test_lengths_of_time_are_durations_not_dates() -> None:
    text = "15년 노동교화형, 최대 5년의 노동교화형, 석 달째 못 받고, 한 주민은"
    found = KoreanTimeTagger().tag(text, date(2024, 3, 14))
    assert [(t.kind, t.amount, t.unit) for t in found] == [
        ("duration", 15.0, "year"),
        ("duration", 5.0, "year"),
        ("duration", 3.0, "month"),
    ]  # "한 주민" (a resident) is no week


def test_relative_dates_need_the_publication_date() -> None:
    found = KoreanTimeTagger().tag("지난달 검열이 있었다. 2020년 12월 채택", None)
    assert found[0].span is None and found[0].unresolved
    assert found[1].span is not None and found[1].span.start == "2020-12-01"


def test_words_that_only_look_like_dates_are_not_dates() -> None:
    # 전달 (delivery), 이달리 are words; "2,000일" is part of a number.
    found = KoreanTimeTagger().tag("돈을 가족에게 전달했다. 중국돈 2,000일", date(2024, 3, 14))
    assert [t for t in found if t.kind == "date"] == []


# --- sentences, clauses, places ----------------------------------------------------------------


def test_kiwi_splits_sentences_and_keeps_quotes_whole() -> None:
    text = '소식통은 "지난 9일 회의가 열렸다"며 "20여 명이 참석했다"고 전했다. 시 보위부는 추적하고 있다.'
    sentences, morphemes = kiwi_analyse(text)
    assert [text[s:e] for s, e in sentences] == [
        '소식통은 "지난 9일 회의가 열렸다"며 "20여 명이 참석했다"고 전했다.',
        "시 보위부는 추적하고 있다.",
    ]
    assert any(m.form == "보위부" and text[m.start : m.end] == "보위부" for m in morphemes)
    doc = annotate(text, PUBLISHED, "ko", only=())
    assert sentence_offsets(doc) == sentences


def test_clauses_end_at_connective_endings_and_quotes_not_at_auxiliaries() -> None:
    text = "보위부가 지난 10일 브로커를 체포하고 손전화기를 압수했다. 신호를 잡아내고 있다."
    sentences, morphemes = kiwi_analyse(text)
    first = clauses(text, *sentences[0], morphemes)
    assert [text[s:e] for s, e, _ in first] == [
        "보위부가 지난 10일 브로커를 체포하고",
        "손전화기를 압수했다",
    ]
    second = clauses(text, *sentences[1], morphemes)
    assert [text[s:e] for s, e, _ in second] == ["신호를 잡아내고 있다"]  # 있다 is auxiliary


@pytest.mark.parametrize(
    ("text", "written", "admin1", "admin2"),
    [
        ("혜산시에서 회의가 열렸다.", "혜산시", "KP-10", "혜산시"),
        ("혜산에서는 수수료가 뛰었다.", "혜산", "KP-10", "혜산시"),
        ("양강도의 보위국이 지시했다.", "양강도", "KP-10", None),
        ("회령에 그루빠가 내려왔다.", "회령", "KP-09", "회령시"),
        ("무산군에서 공개재판이 열렸다.", "무산군", "KP-09", "무산군"),
        ("함흥과 단천은 송금이 많다.", "함흥", "KP-08", "함흥시"),
    ],
)
def test_place_names_are_found_with_the_particles_after_them(
    text: str, written: str, admin1: str, admin2: str | None
) -> None:
    mentions, _ = places_of(text, "ko")
    first = mentions[0]
    assert (first.text, first.admin1, first.admin2) == (written, admin1, admin2)


def test_a_source_in_a_province_does_not_place_events() -> None:
    mentions, _ = places_of("양강도 소식통은 11일 본지에 전했다.", "ko")
    assert mentions[0].admin1 == "KP-10" and mentions[0].role == "source"


# --- the lexicon, family by family ---------------------------------------------------------------


def events_of(text: str, published: str = PUBLISHED) -> list[Event]:
    return list(annotate(text, published, "ko")._.events)


def one(events: list[Event], etype: str) -> Event:
    found = [e for e in events if e.type == etype]
    assert len(found) == 1, [(e.type, e.evidence) for e in events]
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "etype"),
    [
        ("도 보위국은 각 군 보위부에 명단을 올리라고 지시했다.", "DIRECTIVE"),
        ("지난 5일 청진시에서 시당 확대회의가 열렸다.", "MEETING"),
        ("공장 노동자들은 반탐전람회 참관에 동원됐다.", "INDOCTRINATION"),
        ("당국은 이달 말까지 자수하면 용서해준다고 밝혔다.", "AMNESTY"),
        ("안전부는 장마당에서 단속을 벌이고 있다.", "CRACKDOWN"),
        ("보위부는 전파탐지기로 신호를 추적하고 있다.", "SURVEILLANCE"),
        ("보위부가 지난 3일 밀수꾼 두 명을 체포했다.", "ARREST"),
        ("지난달 공개재판에서 노동교화형 7년이 선고됐다.", "PUNISHMENT"),
        ("안전원들은 그의 집에서 중국돈 1만 위안을 몰수했다.", "CONFISCATION"),
        ("그는 경비대에 뇌물을 바치고 풀려났다.", "BRIBERY"),
        ("북한은 2020년 12월 반동사상문화배격법을 채택했다.", "LEGISLATION"),
        ("보위부장은 절대 용납하지 않겠다고 경고했다.", "WARNING"),
        ("단속이 강화되자 장사꾼들은 장사를 접었다.", "IMPACT"),
        ("그는 지난달 두만강을 건너 탈북했다.", "DEFECTION"),
    ],
)
def test_each_trigger_family_finds_its_type(sentence: str, etype: str) -> None:
    assert etype in {e.type for e in events_of(sentence)}


def test_denied_events_are_not_coded() -> None:
    events = events_of(
        "아직 체포된 사람은 없다. 처형된 사례는 없는 것으로 알려졌다. 자수한 브로커는 한 명도 없다."
    )
    assert events == []


def test_the_subject_acts_and_the_object_is_acted_on() -> None:
    e = one(events_of("보위부가 지난 3일 브로커를 체포했다."), "ARREST")
    assert (e.actor, e.target) == ("MSS", "BROKERS")
    assert e.when is not None and e.when.start == "2024-03-03"
    # A passive with no agent: the authorities (§8.7); a sentence passed: the court.
    e = one(events_of("지난 3일 주민 5명이 체포됐다."), "ARREST")
    assert (e.actor, e.count) == ("AUTHORITIES", 5)
    e = one(events_of("지난달 노동교화형 8년이 선고됐다."), "PUNISHMENT")
    assert e.actor == "COURT" and e.penalty == {"kind": "LABOR_CAMP", "max_years": 8}


def test_a_pronoun_refers_to_the_body_named_before() -> None:
    text = (
        '지난 9일 회의에서 도 보위국장은 "명단을 올려라"고 지시했다. '
        '그는 "브로커를 봐주는 간부도 절대 용서하지 않겠다"고 경고했다.'
    )
    warning = one(events_of(text), "WARNING")
    assert (warning.actor, warning.target, warning.modality) == ("MSS", "OFFICIALS", "threatened")


def test_speech_makes_a_threat_or_an_order() -> None:
    threat = one(
        events_of('인민반장들은 "한국과 연락하는 사람은 온 가족이 추방될 것"이라고 경고했다.'),
        "PUNISHMENT",
    )
    assert threat.modality == "threatened" and threat.penalty == {
        "kind": "BANISHMENT", "max_years": None,
    }  # fmt: skip
    assert threat.actor == "INMINBAN"
    order = one(events_of('보위국장은 "적발되면 사형까지 적용하라"고 말했다.'), "PUNISHMENT")
    assert order.modality == "planned" and order.penalty == {"kind": "EXECUTION", "max_years": None}


def test_laws_articles_and_years() -> None:
    e = one(
        events_of("반동사상문화배격법 제27조는 최대 15년의 노동교화형에 처하도록 규정하고 있다."),
        "LEGISLATION",
    )
    assert e.law == {"article": "27", "year": 2020}
    assert e.penalty == {"kind": "LABOR_CAMP", "max_years": 15}
    assert e.modality == "background" and e.admin1 is None


def test_a_summary_is_coded_once_at_its_most_specific_statement() -> None:
    text = (
        "혜산시 보위부가 송금 브로커들을 잇따라 체포한 것으로 알려졌다.\n\n"
        "소식통에 따르면 보위부는 지난 10일 혜산시에서 브로커 3명을 체포했다."
    )
    arrests = [e for e in events_of(text) if e.type == "ARREST"]
    assert len(arrests) == 1
    assert arrests[0].count == 3 and arrests[0].when is not None
    assert [q for q, _, _ in arrests[0].also] == [
        "혜산시 보위부가 송금 브로커들을 잇따라 체포한 것으로 알려졌다"
    ]


def test_the_korean_lexicon_loads_and_a_broken_one_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lex = load_korean()
    assert set(lex.triggers) >= {"ARREST", "PUNISHMENT", "DIRECTIVE"}
    import nkwatch.nlp.extraction.korean as korean

    class Broken:
        def joinpath(self, name: str) -> Broken:
            return self

        def read_text(self, encoding: str) -> str:
            return "[triggers]\nARREST = ['체포']\n"

    load_korean.cache_clear()
    monkeypatch.setattr(korean.resources, "files", lambda _: Broken())
    try:
        with pytest.raises(DataFileError, match="no triggers"):
            load_korean()
    finally:
        monkeypatch.undo()
        load_korean.cache_clear()


def test_an_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(LanguageError, match="no pipeline for language 'ja'"):
        build("ja")


# --- through the store ----------------------------------------------------------------------


REPORT = """\
청진시 보위부, 중국 손전화 사용자 잇따라 체포

함경북도 소식통은 13일 본지에 "지난 11일 청진시 보위부가 중국 손전화로 한국과 통화한 주민 4명을 체포했다"고 전했다.

소식통에 따르면 시 보위부는 지난주부터 전파탐지기를 동원해 신호를 추적하고 있다.
"""


def test_a_korean_report_is_analysed_into_the_store(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "chongjin.txt"
    path.write_text(REPORT, "utf-8")
    ingest(store, [str(path)], options=IngestOptions(published=PUBLISHED))
    doc = store.get(store.resolve_id("chongjin"))
    assert doc.language == "ko"
    report = analyse(store)
    assert report.skipped == [] and report.events >= 2
    events = {e["type"]: e for e in store.events(EventFilter(doc_id=doc.id))}
    arrest = events["ARREST"]
    assert (arrest["actor"], arrest["target"], arrest["count"]) == ("MSS", "PHONE_USERS", 4)
    assert (arrest["admin1"], arrest["admin2"]) == ("KP-09", "청진시")
    assert arrest["when"] == {"start": "2024-03-11", "end": "2024-03-11", "precision": "day"}
    assert arrest["evidence"] in doc.body
    surveillance = events["SURVEILLANCE"]
    assert surveillance["when"]["start"] == "2024-03-04"


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, rewritten",
    [
        ("혜산시에서", '"혜산 산시 시에 에서"'),
        ("혜산", '"혜산"'),
        ("혜산*", '"혜산"'),  # a bigram phrase matches inside any word already
        ("혜*", '"혜"*'),  # a lone syllable: the start of a pair
        ('"양강도 혜산시"', '"양강 강도 혜산 산시"'),
        ("보위성 AND phone*", '"보위 위성" AND phone*'),
        ("(체포 OR 구속) NOT 평양", '("체포" OR "구속") NOT "평양"'),
        ("MSS보위부", '("MSS" AND "보위 위부")'),
        ("phones AND Hyesan", "phones AND Hyesan"),
    ],
)
def test_hangul_words_of_a_query_become_bigram_phrases(query: str, rewritten: str) -> None:
    from nkwatch.store import hangul

    assert hangul.rewrite(query) == rewritten


def test_korean_words_are_found_inside_longer_words(store: Store, tmp_path: Path) -> None:
    (tmp_path / "chongjin.txt").write_text(REPORT, "utf-8")
    (tmp_path / "hyesan.txt").write_text(
        "Hyesan agents seize phones\n\nState security agents in Hyesan seized phones.\n", "utf-8"
    )
    ingest(store, [str(tmp_path)], options=IngestOptions(published=PUBLISHED))

    def found(query: str) -> set[str]:
        return {h.ext_id for h in store.search(query)}

    # 청진 in 청진시, 보위부 in 보위부가, 체포 in 체포했다, 탐지 inside 전파탐지기를.
    for query in ("청진", "보위부", "체포", "탐지", "청진시 AND 체포", '"시 보위부"', "손전화*"):
        assert found(query) == {"chongjin"}, query
    assert found("평양") == set() and found('"체포 청진"') == set()
    assert found("청진 OR Hyesan") == {"chongjin", "hyesan"}
    assert found("phones") == {"hyesan"}  # English words are searched as before
    hit = store.search("보위부")[0]
    assert "[보위부]" in hit.snippet, hit.snippet
    # The event list's text filter finds Korean words the same way.
    analyse(store)
    assert {e["ext_id"] for e in store.events(EventFilter(query="체포"))} == {"chongjin"}


def test_a_store_from_before_korean_search_is_migrated(tmp_path: Path) -> None:
    from nkwatch.store import open as open_store

    from .conftest import old_sqlite_store

    path = old_sqlite_store(tmp_path / "v5.db", 5, "청진시 보위부가 주민 4명을 체포했다.")
    with open_store(str(path)) as store:
        assert [h.ext_id for h in store.search("보위부")] == ["old"]
        assert store.integrity_problems() == []
