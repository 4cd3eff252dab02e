"""Cleaning rules: what is dropped, what is kept, and the body→text offset map."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nkwatch.clean import clean_text

from .conftest import REPORT


def removed_rules(text: str, **kw: str) -> list[str]:
    return [rule for rule, _ in clean_text(text, **kw).removed]


def test_report_boilerplate_removed_and_reporting_kept() -> None:
    cleaned = clean_text(
        REPORT, title="Hyesan agents hunt Chinese phones", outlet="Example Monitor"
    )
    assert cleaned.body.splitlines()[0].startswith("State security agents in Hyesan")
    assert "FILE PHOTO" not in cleaned.body
    assert "hyesan phones state security" not in cleaned.body
    assert "Please direct" not in cleaned.body
    assert "is a reporter for" not in cleaned.body
    assert "ordered its branches" in cleaned.body
    assert sorted(removed_rules(REPORT, title="Hyesan agents hunt Chinese phones")) == [
        "author_bio",
        "caption",
        "footer",
        "tag_line",
        "title",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "FILE PHOTO: Apartment blocks in Chongjin. / Image: Northern Border Monitor",
        "Photo: A market in Sinuiju",
        "A guard post on the Yalu / Photo: Example Ledger",
        "자료사진: 신의주 압록강변 철조망. / 사진: 페닌슐라레저",
    ],
)
def test_captions(line: str) -> None:
    text = f"Agents arrested two brokers in Musan on Monday, a source said.\n\n{line}\n\nThe brokers are still held."
    assert removed_rules(text) == ["caption"]


@pytest.mark.parametrize(
    "line",
    [
        "remittance brokers ryanggang state security crackdown",
        "Tags: Wonsan, Kangwon, MSS",
        "Keywords: phones; border",
        "송금 브로커 자수 함경남도 인민반 전원회의",
    ],
)
def test_tag_lines(line: str) -> None:
    text = f"{line}\n\nAgents arrested two brokers in Musan on Monday, a source said.\n\nThey are held."
    assert removed_rules(text) == ["tag_line"]


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Read in Korean", "read_in_other_language"),
        ("원문 영어로 읽기", "read_in_other_language"),
        (
            "Please direct any comments or questions about this article to feedback@example.org.",
            "footer",
        ),
        ("ⓒ 압록강통신. 이 기사에 대한 의견이나 문의는 tips@example.org로 보내주십시오.", "footer"),
        ("© 2024 Korea Field Report. All rights reserved.", "footer"),
        (
            "This report first appeared in Example Border Report and is republished with permission.",
            "footer",
        ),
        ("Share this article", "share_boilerplate"),
        ("Advertisement", "share_boilerplate"),
    ],
)
def test_footers_and_share_lines(line: str, rule: str) -> None:
    text = f"Agents arrested two brokers in Musan on Monday, a source said.\n\nThey are held.\n\n{line}"
    assert removed_rules(text) == [rule]


@pytest.mark.parametrize(
    "line",
    [
        "By Han Ji-won",
        "By Han Ji-won | Northern Border Monitor",
        "By Jung Hae-rin, Peninsula Ledger",
        "김철수 기자",
    ],
)
def test_bylines_at_the_head(line: str) -> None:
    text = f"{line}\n\nAgents arrested two brokers in Musan on Monday, a source said.\n\nThey are held."
    assert removed_rules(text) == ["byline"]


@pytest.mark.parametrize(
    "line",
    [
        "By March, agents had arrested 12 people in Hyesan.",
        "By the end of the month, all phones must be handed in, the order said.",
    ],
)
def test_sentences_starting_with_by_are_kept(line: str) -> None:
    text = f"{line}\n\nAgents arrested two brokers in Musan on Monday, a source said."
    assert removed_rules(text) == []


def test_author_bio_only_at_the_tail() -> None:
    bio = "Kang Min-seo is a Seoul-based correspondent for Korea Field Report."
    text = "\n\n".join(
        ["Agents arrested two brokers in Musan on Monday, a source said."] * 8 + [bio]
    )
    assert removed_rules(text) == ["author_bio"]
    # The same sentence shape early in a report is reporting, not a bio.
    early = "\n\n".join(
        ["Ri Chol-min is a security official for the county, a source said."]
        + ["Agents arrested two brokers in Musan on Monday, a source said."] * 8
    )
    assert removed_rules(early) == []


def test_masthead_and_outlet_lines_at_the_head() -> None:
    text = "Tumen Weekly\n\nAgents arrested two brokers, a source said.\n\nThey are held."
    assert removed_rules(text, outlet="Tumen Weekly") == ["masthead"]
    text = "압록강통신 | 북한 내부 소식\n\n양강도 보위국이 과장급 간부들을 긴급 소집했다.\n\n소식통이 전했다."
    assert removed_rules(text) == ["masthead"]
    text = "두만강위클리\n\n양강도 보위국이 과장급 간부들을 긴급 소집했다.\n\n소식통이 전했다."
    assert removed_rules(text) == ["short_heading"]


def test_lowercase_sentence_with_punctuation_is_not_a_tag_line() -> None:
    text = "residents say the agents come every night, and nobody sleeps.\n\nThey are afraid."
    assert removed_rules(text) == []


def test_title_dropped_only_once_at_the_top() -> None:
    title = "Five arrested in Hyesan phone hunt"
    text = f"{title}\n\n{title}\n\nAgents arrested five people, a source said."
    cleaned = clean_text(text, title=title)
    assert [r for r, _ in cleaned.removed] == ["title"]
    assert cleaned.body.startswith(f"{title}\n\nAgents")


def test_offsets_map_body_back_to_text() -> None:
    cleaned = clean_text(REPORT, title="Hyesan agents hunt Chinese phones")
    quote = "ordered its branches"
    start = cleaned.body.index(quote)
    text_start = cleaned.to_text_offset(start)
    assert REPORT[text_start : text_start + len(quote)] == quote
    for seg in cleaned.segments:
        assert (
            cleaned.body[seg.body_start : seg.body_start + seg.length]
            == REPORT[seg.text_start : seg.text_start + seg.length]
        )
    with pytest.raises(ValueError):
        cleaned.to_text_offset(len(cleaned.body) + 1)


paragraph = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=80
)


@given(
    st.lists(paragraph, min_size=1, max_size=12), st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"])
)
def test_every_body_character_maps_to_the_same_character(paras: list[str], sep: str) -> None:
    text = sep.join(paras)
    cleaned = clean_text(text)
    for i, ch in enumerate(cleaned.body):
        if ch == "\n":
            continue
        assert text[cleaned.to_text_offset(i)] == ch


@pytest.mark.parametrize(
    ("pattern", "line", "expected"),
    [
        (r"^photo:", "Photo: a street", True),
        (r"^photo:", "A photo: a street", False),
        (r"^photo:|/ image:", "A street / Image: Monitor", True),  # "^" binds one branch only
        (r"^(photo|image):", "Image: a street", True),
        (r"^[|]photo", "|photo", True),
        (r"^[]|]x", "a|x", False),
        (r"^[^]|]+$", "a|x", False),
        (r"^\|x|y", "ay", True),
        (r"/ image:", "A street / Image: Monitor", True),
    ],
)
def test_anchored_and_floating_patterns_match_as_written(
    pattern: str, line: str, expected: bool
) -> None:
    # Rules are split into patterns tried at the start of a line and patterns searched along
    # it; each must match exactly where re.search would.
    import re

    from nkwatch.clean import parse_rules

    rules = parse_rules(f"[rules.test]\nmax_words = 40\npatterns = ['{pattern}']\n").rules
    assert rules[0].matches(line, len(line.split())) is expected
    assert (re.search(pattern, line, re.IGNORECASE) is not None) is expected
