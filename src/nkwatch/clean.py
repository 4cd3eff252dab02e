"""Cleaning: the body of a report, without captions, tag lines, bylines, bios and footers.

The cleaner works line by line on the report's text and keeps a segment map from every body
character back to the uncleaned text, so that a quote found in the body can be shown where it
stands in the document as ingested. Rules live in ``data/cleaning.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from nkwatch.model import CleanedText, Segment

PARAGRAPH_SEPARATOR = "\n\n"
_LINE_RE = re.compile(r"[^\r\n]+")


@dataclass(frozen=True, slots=True)
class CleaningRule:
    """One named family of boilerplate lines."""

    name: str
    where: str  # "anywhere" | "head" | "tail"
    max_words: int
    # The family's patterns as two alternations: those anchored at the start of the line
    # (their "^" taken off, tried at the start only) and the others (searched along it).
    # One alternation of both would try every anchored pattern at every position of the
    # line: most of the cleaner's time, on paragraphs of reporting short enough to check.
    anchored: re.Pattern[str] | None
    floating: re.Pattern[str] | None

    def matches(self, line: str, words: int) -> bool:
        """Return True when ``line`` (stripped, ``words`` long) is boilerplate of this family."""
        if words > self.max_words:
            return False
        if self.anchored is not None and self.anchored.match(line):
            return True
        return self.floating is not None and self.floating.search(line) is not None


@dataclass(frozen=True, slots=True)
class CleaningRules:
    """The rule set, with the size of the head and tail windows."""

    head_lines: int
    tail_lines: int
    rules: tuple[CleaningRule, ...]


@lru_cache(maxsize=1)
def default_rules() -> CleaningRules:
    """Return the rules shipped in ``nkwatch/data/cleaning.toml``."""
    text = resources.files("nkwatch.data").joinpath("cleaning.toml").read_text("utf-8")
    return parse_rules(text)


def parse_rules(toml_text: str) -> CleaningRules:
    """Return rules parsed from the TOML text of a cleaning-rules file."""
    data = tomllib.loads(toml_text)
    rules = []
    for name, spec in data["rules"].items():
        flags = 0 if spec.get("case_sensitive") else re.IGNORECASE
        anchored = [p[1:] for p in spec["patterns"] if _anchored(p)]
        floating = [p for p in spec["patterns"] if not _anchored(p)]
        rules.append(
            CleaningRule(
                name,
                spec.get("where", "anywhere"),
                spec["max_words"],
                _alternation(anchored, flags),
                _alternation(floating, flags),
            )
        )
    return CleaningRules(data.get("head_lines", 5), data.get("tail_lines", 6), tuple(rules))


def _alternation(patterns: list[str], flags: int) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags) if patterns else None


def _anchored(pattern: str) -> bool:
    """Return True when ``pattern`` can match only at the start of a line: it begins with "^"
    and has no "|" outside a group or class (``^a|b`` matches "b" anywhere)."""
    if not pattern.startswith("^"):
        return False
    depth, i, in_class = 0, 1, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 2 if pattern[i + 1 : i + 2] == "^" else 1
            if pattern[i : i + 1] == "]":  # "[]…]", "[^]…]": a leading "]" is a member
                i += 1
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return False
        i += 1
    return True


def _fold(line: str | None) -> str | None:
    return " ".join(line.split()).casefold() if line else None


def _lines(text: str) -> list[tuple[int, str]]:
    """Return the non-blank lines of ``text``, stripped, with the offset where each starts."""
    lines: list[tuple[int, str]] = []
    if "\r" in text:  # "\r", "\r\n" or "\n" may end a line
        pieces = [(m.start(), m.group()) for m in _LINE_RE.finditer(text)]
    else:  # splitting on "\n" is several times faster than the pattern
        pieces, at = [], 0
        for piece in text.split("\n"):
            pieces.append((at, piece))
            at += len(piece) + 1
    for at, raw_line in pieces:
        stripped = raw_line.strip()
        if stripped:
            lines.append((at + len(raw_line) - len(raw_line.lstrip()), stripped))
    return lines


def clean_text(
    text: str,
    *,
    title: str | None = None,
    outlet: str | None = None,
    rules: CleaningRules | None = None,
) -> CleanedText:
    """Return the cleaned body of ``text`` with its offset map and the removed lines.

    ``title`` and ``outlet`` (when known) let the cleaner drop a title line and an outlet
    masthead at the top; events are never coded from either (codebook §1).
    """
    rules = rules or default_rules()
    lines = _lines(text)

    n = len(lines)
    removed: list[tuple[str, str]] = []
    keep: list[tuple[int, str]] = []
    seen_title = False
    folded_title, folded_outlet = _fold(title), _fold(outlet)
    longest = max(rule.max_words for rule in rules.rules)
    for i, (start, line) in enumerate(lines):
        reason = None
        # Words counted up to one past the longest rule's limit: a paragraph of reporting is
        # known to be one without splitting all of it.
        words = len(line.split(None, longest))
        if words > longest:
            keep.append((start, line))  # a paragraph of reporting: no rule can apply
            continue
        in_head = i < rules.head_lines
        in_tail = i >= n - rules.tail_lines
        folded = _fold(line) if in_head and (folded_title or folded_outlet) else None
        if folded and not seen_title and folded == folded_title:
            reason, seen_title = "title", True
        elif folded and folded == folded_outlet:
            reason = "masthead"
        else:
            for rule in rules.rules:
                if rule.where == "head" and not in_head:
                    continue
                if rule.where == "tail" and not in_tail:
                    continue
                if rule.matches(line, words):
                    reason = rule.name
                    break
        if reason:
            removed.append((reason, line))
        else:
            keep.append((start, line))

    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    for start, line in keep:
        if parts:
            parts.append(PARAGRAPH_SEPARATOR)
            pos += len(PARAGRAPH_SEPARATOR)
        segments.append(Segment(pos, start, len(line)))
        parts.append(line)
        pos += len(line)
    return CleanedText("".join(parts), segments, removed)
