"""Regular-expression helpers shared by the language stages."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any


def trie_pattern(words: Iterable[str]) -> str:
    """Return a regex matching any of ``words`` (the longest where several start together),
    with common prefixes factored out: scanning text for hundreds of keywords then costs one
    pass, not one try per keyword at each position."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for c in word:
            node = node.setdefault(c, {})
        node[""] = {}  # the end of a word

    def pattern(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return ("(?:" + body + ")?") if len(branches) == 1 else body + "?"
        return body

    return pattern(trie)


# --- a cheap gate in front of a big alternation -----------------------------------------------
# A scanner made of many patterns tries each at every position; most positions cannot begin
# a match. `start_gate` computes, from the compiled pattern itself, the set of the first
# few letters (case-folded) that any match can begin with; a lookahead for them lets the
# regex engine skip every other position at once. Computed, not written by hand: a pattern
# added to a grammar or lexicon is covered by the gate without anyone having to remember it.
_GATE_LENGTH = 3  # letters of prefix the gate checks
_GATE_CLASS = 12  # a character class larger than this is "any character"
_GATE_LIMIT = 3000  # prefixes tracked before giving up on precision


def start_gate(pattern: str, flags: int = 0) -> str | None:
    """Return a lookahead that every match of ``pattern`` passes at its start (None when no
    useful one exists), for prepending to it."""
    sre: Any = importlib.import_module("re._parser")  # the stdlib's own parse of a pattern

    try:
        parsed = sre.parse(pattern, flags)
    except (re.error, AttributeError, TypeError):
        return None
    try:
        found = _seq(list(parsed), _GATE_LENGTH, sre)
    except _NoGate:
        return None
    prefixes = {p for p, _ in found}
    if "" in prefixes:
        return None  # some match can start with anything
    # Keep the shortest: "la" covers "las" and "lat".
    kept = sorted(prefixes, key=len)
    minimal: list[str] = []
    for p in kept:
        if not any(p.startswith(q) for q in minimal):
            minimal.append(p)
    return f"(?=(?i:{trie_pattern(minimal)}))"


class _NoGate(Exception):
    pass


Prefixes = set[tuple[str, bool]]  # (prefix, closed: nothing known after it)


def _seq(items: list[tuple[Any, Any]], k: int, sre: Any) -> Prefixes:
    out: Prefixes = {("", False)}
    for item in items:
        nxt: Prefixes = set()
        for p, closed in out:
            if closed or len(p) >= k:
                nxt.add((p, True))
                continue
            for q, q_closed in _item(item, k - len(p), sre):
                nxt.add((p + q, q_closed or len(p + q) >= k))
        if len(nxt) > _GATE_LIMIT:
            raise _NoGate
        out = nxt
    return out


def _chars(charset: list[tuple[Any, Any]], sre: Any) -> set[str] | None:
    chars: set[str] = set()
    for op, av in charset:
        if op is sre.LITERAL:
            chars.add(chr(av).lower())
        elif op is sre.RANGE:
            chars |= {chr(c).lower() for c in range(av[0], av[1] + 1)}
        elif op is sre.CATEGORY and av is sre.CATEGORY_DIGIT:
            chars |= set("0123456789")
        else:
            return None  # negated sets, \w, \s: anything
        if len(chars) > _GATE_CLASS:
            return None
    return chars


def _item(item: tuple[Any, Any], k: int, sre: Any) -> Prefixes:
    op, av = item
    if op is sre.LITERAL:
        return {(chr(av).lower(), False)}
    if op is sre.IN:
        chars = _chars(av, sre)
        return {("", True)} if chars is None else {(c, False) for c in chars}
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return {("", False)}  # zero-width: ignoring the condition keeps the gate safe
    if op is sre.BRANCH:
        return set().union(*(_seq(list(b), k, sre) for b in av[1]))
    if op is sre.SUBPATTERN:
        return _seq(list(av[-1]), k, sre)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, body = av
        once = _seq(list(body), k, sre)
        if high != 1:
            once = {(p, True) for p, _ in once}  # more may follow: unknown after one
        return ({("", False)} | once) if low == 0 else once
    return {("", True)}  # anything else: no knowledge
