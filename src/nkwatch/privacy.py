"""Private persons named in reports, and their names redacted in everything nkwatch shows.

Reports name people whose safety matters more than the data: "a 45-year-old man surnamed
Choe", "Kang Min-jae, a trader in Hyesan", "김모(45) 씨". nkwatch finds such names when a report
is stored and, by default, shows ``[private person]`` in their place wherever it shows text
(report pages, quotes, snippets, the API, every export); the report stays as ingested, and an
authorized user can ask, explicitly and with a log entry, to see the names.

A name is private unless the text shows the person acting in office or as a public figure:

- **introduced as private**: "surnamed Choe", "a woman named Kim", "identified only as Pak",
  "Mr. Ri", and every later bare mention of that surname in the report ("Choe was arrested");
- **a full Korean name** ("Kang Min-jae", "Ri Kum Ok"), unless a title of office or public role
  stands before it ("party secretary", "chairman", "Labour Hero") or an appositive names one
  after it (", a researcher at …", ", chairman of …"), or it is one of the leadership
  (Kim Jong Un …);
- **in Korean**: 김모 씨, 김모(45), 김 씨, 김철수(45) and the like.

When unsure, a name is private: a name wrongly hidden costs a reader a click on the original;
a name wrongly shown may cost a person their freedom.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

PLACEHOLDER = "[private person]"

# Romanized Korean surnames, in northern and southern spellings; short ones that are also
# English words (An, So, No, O, U, Ha, Ma) are accepted only where a rule shows a person.
_SURNAMES = (
    "Kim Ri Rhee Lee Yi Pak Park Pang Bang Choe Choi Chae Jong Jung Jeong Chong Kang Jo Cho Yun "
    "Yoon Jang Chang Han Hwang Ryu Yu Yoo Hong Mun Moon Yang Son Sohn Paek Baek Ho Heo Hur Nam "
    "Cha Jon Jeon Chon Chun Sin Shin Ko Koh Song Kwon Kwak Om Eom Rim Im Lim Min Ryom Yom Sim Shim "
    "Hyon Hyun Ham Pyon Byun Kong Chu Ju Won Tak Ok Kil Gil Wi Pae Bae Sok Seok Sol Na Ra Ro Rho "
    "Roh Ku Koo Ji Chi Jin Jegal Namgung Hwangbo Sonu Tong Yo An Ahn So Suh Seo No Noh O Oh U Woo "
    "Ha Ma"
).split()
_SHORT_WORDS = {"An", "So", "No", "O", "U", "Ha", "Ma", "Ji", "Ko", "Ho", "Na", "Ra", "Ro", "Ju"}
_GIVEN = r"[A-Z][a-z]+(?:-[a-z]+|\s[A-Z][a-z]+)"  # Min-jae, Kum Ok
# What follows a name that is not a person: a place, a school, a works.
_NOT_PERSON_AFTER = re.compile(
    r"\s+(?:County|City|District|Province|University|College|School|Street|Square|Station|"
    r"Bridge|Works|Factory|Complex|Mine|Farm|Stadium|Hospital|Institute|Academy|Palace|"
    r"Prize|Order|Medal|Mausoleum|Youth|Socialist|Iron|Steel)\b"
)
# The leadership and others whose names are public in any report.
_PUBLIC = {
    "kimjongun", "kimjongil", "kimilsung", "kimyojong", "kimjongsuk", "kimhyongjik", "kimjuae",
    "risolju", "choeryonghae", "pakpongju", "kimtokhun", "joyongwon", "ripyongchol",
    "choesonhui", "hyonsongwol", "kimyongchol", "rison-gwon", "risongwon", "kimjaeryong",
    "kimyongnam", "hwangpyongso", "pakjongchon", "kimsongnam", "rimanghae", "kimchaek",
}  # fmt: skip
# Titles of office or public role before a name, and appositives after it.
_ROLE = (
    r"official|officer|chief|director|secretary|chairman|chairwoman|chair|minister|premier|"
    r"commander|general|marshal|colonel|judge|prosecutor|mayor|president|vice[- ]president|"
    r"spokesman|spokeswoman|spokesperson|ambassador|envoy|lawmaker|senator|professor|"
    r"researcher|analyst|scholar|expert|fellow|economist|editor|reporter|correspondent|"
    r"journalist|writer|author|lawyer|attorney|activist|hero|leader|head of state|"
    r"representative|deputy|delegate|manager|"
    r"vice[- ](?:chairman|minister|director|premier)"
)
_ROLE_BEFORE = re.compile(
    r"(?:\b(?:" + _ROLE + r")|\b(?:Dr|Prof)\.?),?\s+(?:[A-Z][\w.-]*\s+){0,3}$",
    re.IGNORECASE,
)
_ROLE_AFTER = re.compile(
    r"^(?:,|\s+is)\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,4}?(?:" + _ROLE + r")\b"
    r"|^,\s+who\s+(?:researches|studies|teaches|heads|leads|directs|runs|covers|writes)\b"
    r"|^\s+(?:covers|writes|reports)\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"(?:^|\n)By\s+$")  # the author's own name
_SURNAME_SET = frozenset(_SURNAMES)
# A capitalized word that may be a surname, then (matched where it is one) a given name.
_CAPITALIZED = re.compile(r"[A-Z][a-z]{0,7}(?=\s[A-Z])")
_GIVEN_AFTER = re.compile(rf"\s({_GIVEN})\b")
# Words that may introduce a private person (cheap to look for before the full pattern).
_INTRODUCERS = ("surnamed", "named", "family name", "last name", "identified", "known only",
                "Mr", "Mrs", "Ms", "Miss")  # fmt: skip
# Korean forms need one of these: 모/某 ("so-and-so"), 씨 (Mr/Ms), or an age in brackets.
_KOREAN_MARKS = ("모", "某", "씨")
_AGE_AFTER_HANGUL = re.compile(r"[가-힣]\s?\(\d{2}\)")
_INTRODUCED = re.compile(
    r"\b(?:surnamed|named|family name(?:\s+is)?|last name|identified(?:\s+only)?\s+as|"
    r"identified\s+by\s+(?:the|her|his)\s+(?:sur|family\s+)?name|known\s+only\s+as|"
    r"Mr\.?|Mrs\.?|Ms\.?|Miss)\s+([A-Z][a-z]+(?:-[a-z]+)?)\b"
)
# Korean: 김모 씨, 김모(45), 김 씨, 김씨, 김철수(45), 김철수 씨.
_HANGUL_SURNAMES = (
    "김이리박최정강조윤장임림한오서신권황안송류유홍전고문양손배백허남심노하곽성차주우구민진지엄채원천방공현"
    "함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예봉경사"
)
# 씨 as a title, alone or with a particle (not 씨앗 "seed").
_AFTER_SSI = "(?:[은는이가을를의와과에도]|께서|에게)?(?![가-힣])"
_KOREAN = re.compile(
    rf"(?<![가-힣])[{_HANGUL_SURNAMES}](?:모|某)(?=\s?씨|\s?\(\d|[은는이가을를의와과에도]|\s)"
    rf"|(?<![가-힣])[{_HANGUL_SURNAMES}](?=\s?씨{_AFTER_SSI})"
    rf"|(?<![가-힣])[{_HANGUL_SURNAMES}][가-힣]{{1,2}}(?=\s?\(\d{{2}}\)|\s?씨{_AFTER_SSI})"
)
_KOREAN_PUBLIC = {
    "김정은", "김정일", "김일성", "김여정", "김주애", "리설주", "최룡해", "김덕훈", "조용원",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Name:
    """A private person's name in a text: where it is and what it says."""

    start: int
    end: int
    text: str


def find(text: str, surnames: set[str] | None = None) -> list[Name]:
    """Return the private persons' names in ``text``, in order. ``surnames`` gathers the
    surnames introduced as private (pass the same set for a title after its body, so a
    headline's bare "Choe" is found too)."""
    known = surnames if surnames is not None else set()
    spans: dict[int, Name] = {}

    def add(start: int, end: int) -> None:
        if not any(n.start <= start < n.end or start <= n.start < end for n in spans.values()):
            spans[start] = Name(start, end, text[start:end])

    for m in _introductions(text):
        word = m.group(1)
        if _NOT_PERSON_AFTER.match(text, m.end(1)):
            continue
        known.add(word.split("-")[0])
        add(m.start(1), m.end(1))
    for whole, surname, given, start, given_start, end in _full_names(text):
        first_given = given_start + len(re.split(r"[\s-]", given)[0])
        if (
            "\n" in whole
            or _NOT_PERSON_AFTER.match(text, end)
            or _NOT_PERSON_AFTER.match(text, first_given)
        ):
            continue
        if re.sub(r"[\s-]", "", whole).lower() in _PUBLIC:
            continue
        if given.split()[0] in {"Province", "County", "City"}:
            continue
        if (
            _ROLE_BEFORE.search(text, max(0, start - 60), start)
            or _ROLE_AFTER.match(text[end : end + 80])
            or _BYLINE.search(text[max(0, start - 4) : start])
        ):
            continue
        if surname in _SHORT_WORDS and " " in given and not _looks_named(text, end):
            continue
        known.add(surname)
        add(start, end)
    if known:
        bare = re.compile(r"\b(" + "|".join(map(re.escape, sorted(known))) + r")\b(?!\s[A-Z])")
        for m in bare.finditer(text):
            if not _NOT_PERSON_AFTER.match(text, m.end()):
                add(m.start(), m.end())
    korean = any(k in text for k in _KOREAN_MARKS) or (
        "(" in text and _AGE_AFTER_HANGUL.search(text) is not None
    )
    for m in _KOREAN.finditer(text) if korean else ():
        end = m.end()
        if text[m.start() : end] in _KOREAN_PUBLIC or text[m.start() : end + 1] in _KOREAN_PUBLIC:
            continue
        add(m.start(), end)
    return [spans[k] for k in sorted(spans)]


def _introductions(text: str) -> list[re.Match[str]]:
    """Return the matches of :data:`_INTRODUCED`, looked for only where one of its cue words
    stands (found by plain string search, far cheaper than the pattern at every position)."""
    starts = set()
    for cue in _INTRODUCERS:
        at = text.find(cue)
        while at >= 0:
            if at == 0 or not text[at - 1].isalnum():
                starts.add(at)
            at = text.find(cue, at + 1)
    out: list[re.Match[str]] = []
    for at in sorted(starts):
        m = _INTRODUCED.match(text, at)
        if m is not None and (not out or m.start() >= out[-1].end()):
            out.append(m)
    return out


def _full_names(text: str) -> list[tuple[str, str, str, int, int, int]]:
    """Return (whole, surname, given, start, given start, end) of each romanized Korean full
    name: a known surname, then a given name ("Min-jae", "Kum Ok")."""
    out: list[tuple[str, str, str, int, int, int]] = []
    for m in _CAPITALIZED.finditer(text):
        if m.group() not in _SURNAME_SET:
            continue
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "-_"):
            continue
        given = _GIVEN_AFTER.match(text, m.end())
        if given is not None:
            out.append((text[m.start() : given.end()], m.group(), given.group(1), m.start(),
                        given.start(1), given.end()))  # fmt: skip
    return out


def _looks_named(text: str, end: int) -> bool:
    """Whether what follows a name shows a person: an age or an appositive."""
    return re.match(r",\s+(?:\d{2}\b|a |an |who )|\s\(\d{2}\)", text[end : end + 8]) is not None


def spans(title: str | None, body: str) -> dict[str, list[list[int]]] | None:
    """Return the private names of a report as {"body": [[start, end], …], "title": […]}, or
    None when it names none (what the store keeps beside the report)."""
    surnames: set[str] = set()
    found = {"body": [[n.start, n.end] for n in find(body, surnames)]}
    if title:
        found["title"] = [[n.start, n.end] for n in find(title, surnames)]
    out = {k: v for k, v in found.items() if v}
    return out or None


def names(title: str | None, body: str, persons: str | None) -> list[str]:
    """Return the surface forms of the private names stored for a report (``persons``, the
    JSON of :func:`spans`), to redact in text whose offsets are unknown."""
    import json

    if not persons:
        return []
    found = json.loads(persons)
    out = {body[s:e] for s, e in found.get("body", [])}
    out |= {(title or "")[s:e] for s, e in found.get("title", [])}
    return sorted(n for n in out if n)


class Redaction:
    """The private names of one text, replaced by :data:`PLACEHOLDER`, with the map from
    offsets in the text to offsets in the redacted text."""

    def __init__(self, spans: Sequence[Sequence[int]]) -> None:
        self.spans = sorted((int(s), int(e)) for s, e in spans)

    def __bool__(self) -> bool:
        return bool(self.spans)

    def text(self, text: str, base: int = 0) -> str:
        """Return ``text`` (which starts at offset ``base`` of the whole) redacted."""
        out: list[str] = []
        at = 0
        for start, end in self.spans:
            s, e = start - base, end - base
            if e <= 0 or s >= len(text):
                continue
            out.append(text[at : max(s, at)] if s > at else "")
            out.append(PLACEHOLDER)
            at = max(at, e)
        out.append(text[at:])
        return "".join(out)

    def offset(self, i: int) -> int:
        """Return where offset ``i`` of the text lies in the redacted text (an offset inside
        a name moves to the name's end)."""
        shift = 0
        for start, end in self.spans:
            if i <= start:
                break
            if i < end:
                return start + shift + len(PLACEHOLDER)
            shift += len(PLACEHOLDER) - (end - start)
        return i + shift

    def words(self, text: str, names: Sequence[str]) -> str:
        """Return ``text``, a fragment whose offsets are unknown (a snippet), with every whole
        occurrence of ``names`` redacted."""
        if not names:
            return text
        pattern = re.compile(
            r"(?<!\w)(" + "|".join(map(re.escape, sorted(set(names), key=len, reverse=True)))
            + r")(?!\w)"
        )  # fmt: skip
        return pattern.sub(PLACEHOLDER, text)


__all__ = ["PLACEHOLDER", "Name", "Redaction", "find", "names", "spans"]
