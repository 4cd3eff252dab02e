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
    pattern: re.Pattern[str]  # the family's patterns as one alternation

    def matches(self, line: str, words: int) -> bool:
        """Return True when ``line`` (stripped, ``words`` long) is boilerplate of this family."""
        return words <= self.max_words and self.pattern.search(line) is not None


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
        pattern = re.compile("|".join(f"(?:{p})" for p in spec["patterns"]), flags)
        rules.append(CleaningRule(name, spec.get("where", "anywhere"), spec["max_words"], pattern))
    return CleaningRules(data.get("head_lines", 5), data.get("tail_lines", 6), tuple(rules))


def _fold(line: str | None) -> str | None:
    return " ".join(line.split()).casefold() if line else None


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
    lines: list[tuple[int, str]] = []  # (start offset in text, stripped line)
    for m in _LINE_RE.finditer(text):
        raw_line = m.group()
        stripped = raw_line.strip()
        if not stripped:
            continue
        lead = len(raw_line) - len(raw_line.lstrip())
        lines.append((m.start() + lead, stripped))

    n = len(lines)
    removed: list[tuple[str, str]] = []
    keep: list[tuple[int, str]] = []
    seen_title = False
    folded_title, folded_outlet = _fold(title), _fold(outlet)
    longest = max(rule.max_words for rule in rules.rules)
    for i, (start, line) in enumerate(lines):
        reason = None
        words = len(line.split())
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
