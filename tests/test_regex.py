"""The regex helpers: keyword tries and the gates that let big scanners skip most positions."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from nkwatch.nlp.regex import start_gate, trie_pattern
from nkwatch.nlp.temporal import grammar

from .conftest import DEV_CORPUS

WORDS = st.lists(st.text(alphabet="abc -", min_size=1, max_size=5), min_size=1, max_size=12)


@given(WORDS, st.text(alphabet="abc -", max_size=60))
def test_a_trie_finds_what_the_plain_alternation_finds(words: list[str], text: str) -> None:
    plain = re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))
    assert re.compile(trie_pattern(words)).findall(text) == plain.findall(text)


@given(st.text(alphabet="abcLl0 1", max_size=40))
def test_a_gate_never_refuses_a_match(text: str) -> None:
    pattern = r"\b(?:[Ll]ast|the\s+(?:a|b)+|\d{1,2}\s+c|(?:ab)?ba)\b"
    gate = start_gate(pattern)
    assert gate is not None
    gated = re.compile(gate + pattern)
    assert [m.span() for m in gated.finditer(text)] == [
        m.span() for m in re.finditer(pattern, text)
    ]


def test_no_gate_when_a_match_can_start_with_anything() -> None:
    assert start_gate(r"\w+ago") is None
    assert start_gate(r"(?:x)?.") is None


def test_the_gated_time_scanner_finds_what_the_ungated_one_finds() -> None:
    kinds = grammar.KINDS
    body = "|".join(f"(?P<{n}>{grammar.strip_names(p)})" for n, p in kinds)
    plain = re.compile(
        rf"(?<![\w'’-])(?:(?P<prep>{grammar.PREPOSITION})\s+(?:[Tt]he\s+)??)?(?:{body})"
    )
    gated = grammar.compile_scanner(kinds)
    texts = [
        "Since early March, agents have raided homes; on the night of May 7 they came back. "
        "Two days later, in mid-2023, three weeks ago, last autumn, by the end of the month, "
        "every Monday, 2024-05-01, 5 June 2021, the weekend, twice a month, a year earlier."
    ]
    if DEV_CORPUS.is_dir():
        texts += [p.read_text("utf-8") for p in sorted(DEV_CORPUS.glob("*.txt"))]
    for text in texts:
        assert [(m.span(), m.lastgroup) for m in gated.finditer(text)] == [
            (m.span(), m.lastgroup) for m in plain.finditer(text)
        ]
