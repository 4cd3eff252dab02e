"""The English grammar of temporal expressions: one regular expression per kind.

Each kind's pattern has named groups that its normalizer reads; the scanner joins all kinds
(without their group names) into one alternation tried left to right, so at a given position
the earlier kind wins: specific forms ("March 3, 2019") come before the forms they contain
("March 3"). Words are matched case-insensitively; month and weekday names must be capitalized
("may", "march" and "sat" are ordinary words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nkwatch.nlp.regex import start_gate


def ci(words: str) -> str:
    """Return ``words`` (a regex) matching with or without a capital at each word's start.

    A space matches any white space. Python's ``re`` runs case-insensitive alternations at
    half the speed of case-sensitive ones, and a capital can only start a word in running
    text, so each word's first letter becomes a class (``[Ss]ince``); ALL-CAPS text does not
    match.
    """
    out: list[str] = []
    in_class = in_name = escaped = False
    previous = ""
    for char in words.replace(" ", "\x00"):
        out.append(char)
        if escaped:  # \s, \b ...: the next letter starts a word
            escaped, previous = False, ""
            continue
        if char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif in_name:  # a group's name: (?P<name>
            in_name = char != ">"
        elif char == "[":
            in_class = True
        elif char == "<" and "".join(out[-4:-1]) == "(?P":
            in_name = True
        elif char.islower() and not previous.isalpha() and previous not in ("'", "’"):
            out[-1] = f"[{char}{char.upper()}]"
        previous = char
    return "(?:" + "".join(out).replace("\x00", r"\s+") + ")"


MONTH_NAMES = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "a dozen": 12, "half a": 0.5,
    "a half": 0.5,
}  # fmt: skip
# Vague quantities: the (least, most) the words allow.
VAGUE_NUMBERS = {
    "a few": (2, 4), "few": (2, 4), "several": (3, 7), "a couple of": (2, 2), "couple of": (2, 2),
    "a couple": (2, 2), "many": (5, 20), "some": (2, 7), "dozens of": (24, 99),
}  # fmt: skip
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20,
}  # fmt: skip


def alternation(words: Iterable[str]) -> str:
    """Return a regex matching any of ``words``, longest first."""
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)(?![A-Za-z])"
)
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?![0-9])"
YEAR = r"(?<![0-9,.$])(?:19[0-9][0-9]|20[0-9][0-9])(?![0-9]|,[0-9]|'?s\b)"
ORD = ci(r"[1-9][0-9]?(?:st|nd|rd|th)|" + alternation(ORDINALS))
NUM = ci(r"[0-9]+(?:\.[0-9]+)?|" + alternation([*NUMBER_WORDS, *VAGUE_NUMBERS]))
UNIT = ci(r"days?|weeks?|months?|years?|decades?")
APPROX = ci(
    r"about|around|some|nearly|almost|roughly|approximately|more than|over|less than|just|only"
    r"|at least|at most|barely|exactly"
)
PART = ci(
    r"early|mid|late|the\s+(?:very\s+)?(?:end|beginning|start|middle|close|turn)\s+of"
    r"|the\s+(?:first|second|latter|last)\s+half\s+of|end\s+of|beginning\s+of|start\s+of"
    r"|the\s+(?:first|second|third|fourth|last|final)\s+week\s+of"
)
PREPOSITION = ci(
    r"since|from|until|till|through|by|before|after|ahead\s+of|starting(?:\s+(?:on|from|in))?"
    r"|beginning(?:\s+(?:on|in))?|as\s+of|as\s+early\s+as|no\s+later\s+than|not\s+until"
    r"|in|on|during|at|of|over|between|around|throughout|for|within"
)

QUANTITY_DIRECTION = ci("ago|later|earlier|after that|before that|afterwards?|after|before")
WEEKDAY_WHICH = ci(
    "last|this past|this coming|this|next|past|that|the previous|the following|coming"
)
DAYWORDS = ci(
    "the day before yesterday|yesterday|today|tonight|last night|this (?:morning|afternoon|evening)"
)
PERIOD_WHICH = ci(
    "last|this|next|past|the past|the previous|the coming|the current|previous|coming"
)

# Nouns of events that "since the trial", "two days after the arrest" refer back to.
EVENT_NOUN_PATTERN = (
    "trials|trial|arrests|arrest|meetings|meeting|executions|execution|crackdown|campaign"
    "|inspections|inspection|raids|raid|lectures|lecture|order|decree|announcement|deadline"
    "|sweep|operation|squads|squad|group|task force|teams|team|sentencing|verdict"
)

# Kinds, in the order they are tried at one position.  ``known`` is inserted first by the
# tagger from the table of dated events.
KINDS: list[tuple[str, str]] = [
    (
        "plenary",
        f"(?P<plenary>{ORD})"
        + ci(r"\s+(?:enlarged\s+)?plenary\s+(?:meeting|session)\s+of\s+the\s+")
        + f"(?P<congress>{ORD})"
        + ci(r"\s+(?:WPK\s+|party\s+)?central\s+committee"),
    ),
    (
        "congress",
        f"(?P<congress>{ORD})"
        + ci(
            r"\s+(?:party\s+congress|WPK\s+congress|congress\s+of\s+the\s+"
            r"(?:WPK|party|workers'?\s+party(?:\s+of\s+korea)?))"
        ),
    ),
    (
        "dayword",
        f"(?P<word>{DAYWORDS})\\b",
    ),
    (
        "ref_same",
        ci(r"(?:that\s+same|that|the\s+(?:very\s+)?same)\s+")
        + "(?P<unit>"
        + ci(
            r"day|night|evening|morning|afternoon|week|month|year|time|meeting|trial|session"
            r"|gathering|lecture|rally|hearing|period"
        )
        + r")\b",
    ),
    (
        "ref_next",
        ci(r"the\s+")
        + f"(?P<dir>{ci('following|next|previous|preceding')})\\s+"
        + f"(?P<unit>{ci('day|morning|evening|night|afternoon|week|month|year')})\\b",
    ),
    (
        "ref_dayafter",
        ci(r"the\s+")
        + f"(?P<unit>{ci('day|night|morning|week|month|year')})\\s+"
        + f"(?P<dir>{ci('after|before')})\\b",
    ),
    (
        "ref_within",
        f"(?P<el>{ci('later|earlier')})\\s+{ci('that|the same|in the')}\\s+"
        + f"(?P<unit>{ci('day|night|week|month|year')})\\b",
    ),
    ("ref_then", f"(?P<what>{ci('since then|by then|until then|at that time|at the time')})\\b"),
    (
        "iso",
        r"(?<![0-9])(?P<year>(?:19|20)[0-9][0-9])-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])(?![0-9])",
    ),
    (
        "md_range",
        f"(?P<m1>{MONTH})\\s+(?P<d1>{DAY})\\s*(?:-|–|—|{ci('to|until|through|and')})\\s*"
        f"(?:(?P<m2>{MONTH})\\s+)?(?P<d2>{DAY})(?:,?\\s+(?P<year>{YEAR}))?",
    ),
    (
        "dm_range",
        f"(?P<d1>{DAY})\\s*(?:(?P<m1>{MONTH})\\s*)?(?:-|–|—|{ci('to|until|and')})\\s*"
        f"(?P<d2>{DAY})\\s+(?P<m2>{MONTH})(?:,?\\s+(?P<year>{YEAR}))?",
    ),
    ("mdy", f"(?:{WEEKDAY},?\\s+)?(?P<month>{MONTH})\\s+(?P<day>{DAY}),?\\s+(?P<year>{YEAR})"),
    (
        "dmy",
        f"(?:{ci('the')}\\s+)?(?P<day>{DAY})\\s+(?:{ci('of')}\\s+)?(?P<month>{MONTH}),?\\s+(?P<year>{YEAR})",
    ),
    (
        "part_month",
        f"(?P<part>{PART})[\\s-]*(?P<month>{MONTH})(?:,?\\s+(?:{ci('of')}\\s+)?(?P<year>{YEAR}))?",
    ),
    (
        "md",
        f"(?:(?P<wd>{WEEKDAY}),?\\s+)?(?P<month>{MONTH})\\s+(?P<day>{DAY})(?!\\s*(?:-|–)?\\s*[0-9])",
    ),
    ("dm", f"(?:{ci('the')}\\s+)?(?P<day>{DAY})\\s+(?:{ci('of')}\\s+)?(?P<month>{MONTH})"),
    ("my", f"(?P<month>{MONTH}),?\\s+(?:{ci('of')}\\s+)?(?P<year>{YEAR})"),
    (
        "part_year",
        f"(?P<part>{PART})[\\s-]*(?P<which>"
        + ci(
            r"last\s+year|this\s+year|next\s+year|the\s+(?:previous|following|same)\s+year"
            r"|that\s+year|the\s+year"
        )
        + f"|{YEAR})",
    ),
    (
        "part_relmonth",
        f"(?P<part>{PART})\\s+(?P<which>"
        + ci(r"last|this|next|that|the\s+same|the\s+previous|the\s+following|the")
        + f")\\s+{ci('month')}\\b",
    ),
    (
        "earlier_later",
        f"(?P<el>{ci('earlier|later')})\\s+(?P<which>{ci('this|last|next')})\\s+"
        f"(?P<unit>{ci('week|month|year')})\\b",
    ),
    ("so_far", f"{ci('so far this')}\\s+(?P<unit>{ci('week|month|year')})\\b"),
    (
        "lastn",
        f"(?:{ci('the')}\\s+)?(?P<which>{ci('last|past|previous|preceding|next|coming')})\\s+"
        f"(?P<num>{NUM})\\s+(?P<unit>{UNIT})\\b",
    ),
    ("recent", f"{ci('in recent')}\\s+(?P<unit>{ci('days|weeks|months|years')})\\b"),
    (
        # A number of units: a duration ("up to five years"), an age ("18-year-old"), a date
        # before publication ("two weeks ago"), or a date after an earlier one ("two days
        # later", "three days after the arrest"). One pattern, read by the normalizer.
        "quantity",
        f"(?:(?P<q>{APPROX}|{ci('up to|for|within|under|between|another|of|less than')})\\s+)?"
        f"(?P<num>{NUM})(?:\\s*(?:-|–|{ci('to|or|and')})\\s*(?P<num2>{NUM}))?[\\s-]+"
        f"(?P<unit>{ci('minutes?|hours?|days?|weeks?|months?|years?|decades?')})\\b"
        f"(?:[\\s-]+(?P<old>{ci('old')})\\b"
        f"|\\s+(?P<dir>{QUANTITY_DIRECTION})\\b)?",
    ),
    (
        "recurring",
        ci(r"(?:every|each)\s+(?:other\s+)?")
        + f"(?:{WEEKDAY}|{ci('day|week|month|year|morning|evening|night|weekend')})"
        + f"(?:\\s+{ci('morning|afternoon|evening|night')})?\\b"
        + f"|(?:{WEEKDAY})s\\b(?:\\s+{ci('and')}\\s+{WEEKDAY}s\\b)?"
        # Capitalized inside a sentence, it is a name: "Daily NK", "Tumen Weekly".
        + r"|(?:daily|weekly|monthly|annually|nightly|(?:^|(?<=[.!?]\s))"
        + r"(?:Daily|Weekly|Monthly|Annually|Nightly))\b",
    ),
    (
        "weekday",
        f"(?:(?P<which>{WEEKDAY_WHICH})\\s+)?"
        f"(?P<wd>{WEEKDAY})(?!s\\b)"
        f"(?:\\s+(?P<tod>{ci('night|morning|afternoon|evening')})\\b)?"
        f"(?:,?\\s+(?P<week>{ci('last|this|next')})\\s+{ci('week')}\\b)?",
    ),
    (
        "decade",
        f"(?:(?P<part>{ci('early|mid|late')})[\\s-]+)?(?:{ci('the')}\\s+)?"
        "(?P<decade>(?:19|20)[0-9]0)'?s\\b",
    ),
    (
        "relperiod",
        # "the weekend" alone is the last one; "the week" or "the year" is no date by itself.
        f"(?P<which>{PERIOD_WHICH}|{ci('the')}(?=\\s+{ci('weekend')}))\\s+"
        f"(?P<unit>{ci('week|month|year|weekend')})(?P<poss>'s)?\\b",
    ),
    (
        "season",
        f"(?:(?P<part>{ci('early|late|mid')})[\\s-]*)?"
        f"(?:(?P<which>{ci('last|this|next|the|that|past|this past|the same')})\\s+)?"
        f"(?P<season>{ci('spring|summer|autumn|fall|winter')})(?:'s)?\\b"
        f"(?:\\s+(?:{ci('of')}\\s+)?(?P<year>{YEAR}))?",
    ),
    (
        "age",
        ci(r"(?:his|her|their)\s+(?:(?:early|mid|late)[\s-]*)?")
        + ci(
            r"(?:[1-9]0s|teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b"
        )
        + f"|{ci('aged')}\\s+[0-9]{{1,3}}\\b",
    ),
    (
        "duration",
        f"{ci('for (?:days|weeks|months|years|decades)')}\\b"
        f"|{ci('life (?:terms?|imprisonment|in prison)')}\\b",
    ),
    (
        "month_alone",
        f"(?:(?P<which>{ci('last|this|next|this past|this coming|past')})\\s+)?"
        f"(?P<month>{MONTH})(?P<poss>'s)?(?!\\s+Day\\b)",
    ),
    ("year", f"(?P<year>{YEAR})(?P<poss>'s)?(?![0-9A-Za-z-])"),
    (
        "ref_event",
        f"(?P<eprep>{ci('since|after|before|until|following|ahead of')})\\s+{ci('the')}\\s+"
        f"(?:[A-Za-z-]+\\s+){{0,2}}?(?P<noun>{ci(EVENT_NOUN_PATTERN)})\\b",
    ),
]


def strip_names(pattern: str) -> str:
    """Return ``pattern`` with its named groups made non-capturing."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def compile_scanner(kinds: list[tuple[str, str]]) -> re.Pattern[str]:
    """Return the one regex that finds every kind, an optional preposition first."""
    body = "|".join(
        f"(?P<{name}>{start_gate(strip_names(pattern)) or ''}{strip_names(pattern)})"
        for name, pattern in kinds
    )
    scanner = rf"(?:(?P<prep>{PREPOSITION})\s+(?:[Tt]he\s+)??)?(?:{body})"
    return re.compile(rf"(?<![\w'’-]){start_gate(scanner) or ''}{scanner}")


def compile_kinds(kinds: list[tuple[str, str]]) -> dict[str, re.Pattern[str]]:
    """Return each kind's own regex, with its group names, for reading a match."""
    return {name: re.compile(pattern) for name, pattern in kinds}


def number(value: str | None) -> tuple[float, float] | None:
    """Return the (least, most) a number in words or digits allows."""
    if value is None:
        return None
    key = " ".join(value.lower().split())
    if key in VAGUE_NUMBERS:
        lo, hi = VAGUE_NUMBERS[key]
        return float(lo), float(hi)
    if key in NUMBER_WORDS:
        return float(NUMBER_WORDS[key]), float(NUMBER_WORDS[key])
    try:
        n = float(key)
    except ValueError:
        return None
    return n, n


def ordinal(value: str) -> int | None:
    """Return an ordinal in words or digits as an int."""
    key = value.lower()
    if key in ORDINALS:
        return ORDINALS[key]
    digits = re.match(r"[0-9]+", key)
    return int(digits.group()) if digits else None


def month_number(value: str) -> int:
    """Return the number of a month name or abbreviation."""
    return MONTH_NAMES[value.rstrip(".").lower()]


def day_number(value: str) -> int:
    """Return a day of the month written with or without an ordinal suffix."""
    return int(re.match(r"[0-9]+", value).group())  # type: ignore[union-attr]
