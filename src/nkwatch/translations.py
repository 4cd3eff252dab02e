"""One report in two languages: an English report linked to its Korean original.

Outlets publish a report first in Korean and then, shortened, in English ("Read in Korean" at
its foot). When both are stored they are one report, not two sources: linking them lets a
reader go to the richer original, and keeps later counts of sources honest.

Two reports are linked when

- a page names the other as its other language (``<link rel="alternate" hreflang="ko">``, or a
  link "Read in Korean" / "한국어"; kept by the HTML reader in ``extra["translations"]``): the
  link is certain (score 1);
- or, published by the same outlet within :data:`WINDOW_DAYS` of each other, what they say agrees
  where it does not depend on the language: the events extracted (type and province), the
  places resolved (gazetteer units: 혜산시 and Hyesan are one unit), the numbers (counts, days,
  years, sentences) and the words of their URLs. Each agreement is a share of what the two
  hold (Jaccard); the score is their weighted mean over the signals both reports carry (at
  least two), less a little for days apart. A report keeps its best match in each language
  above :data:`LINK_AT`, and gives way to a stronger link the other report already has.

Every link keeps its reasons, shown wherever the link is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from nkwatch.model import EventFilter, StoredDocument
from nkwatch.store.base import Store

WINDOW_DAYS = 14
LINK_AT = 0.45
# How much each signal weighs in the score, and what a report must carry to use it.
WEIGHTS = {"events": 0.35, "places": 0.25, "numbers": 0.25, "url": 0.15}
_NUMBER = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d])|(?<![\d.])\d+(?:\.\d+)?")
# English writes small numbers out ("four brokers"); Korean reports use digits (4명).
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen"
        " fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
    if i >= 2
}
_WORD_NUMBER = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_URL_WORD = re.compile(r"[a-z]{3,}")
# Words of a URL that name the site's sections or languages, not the story.
_URL_NOISE = {
    "http", "https", "www", "com", "org", "net", "html", "htm", "php", "aspx", "news",
    "english", "korean", "article", "articles", "story", "view", "index", "read",
}  # fmt: skip


@dataclass(slots=True)
class Fingerprint:
    """What a report says that does not depend on its language."""

    doc: StoredDocument
    events: set[tuple[str, str]]
    places: set[str]
    numbers: set[str]
    url: set[str]


def fingerprint(store: Store, doc: StoredDocument) -> Fingerprint:
    """Return the language-independent content of a stored, analysed report."""
    events: set[tuple[str, str]] = set()
    numbers = {_number(n) for n in _NUMBER.findall(doc.body)}
    numbers |= {str(_NUMBER_WORDS[w.lower()]) for w in _WORD_NUMBER.findall(doc.body)}
    for e in store.events(EventFilter(doc_id=doc.id), limit=1000):
        events.add((e["type"], e["admin1"] or ""))
        if e["count"]:
            numbers.add(_number(str(e["count"])))
        if e["penalty"] and e["penalty"]["max_years"]:
            numbers.add(_number(str(e["penalty"]["max_years"])))
    places = {m.unit for m in store.places_of(doc.id) if m.unit and m.unit.startswith("KP")}
    url: set[str] = set()
    if doc.url:
        # The story's own words are in the last part of the path (its slug); the parts before
        # name the site and its sections, which every report of the outlet shares.
        path = doc.url.lower().split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
        slugs = [p for p in path.split("/")[1:] if _URL_WORD.search(p)]
        if slugs:
            url = {_singular(w) for w in _URL_WORD.findall(slugs[-1]) if w not in _URL_NOISE}
    return Fingerprint(doc, events, places, numbers, url)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _number(text: str) -> str:
    value = float(text.replace(",", ""))
    return str(int(value)) if value.is_integer() else str(value)


def _share(a: set[object], b: set[object]) -> float:
    return len(a & b) / len(a | b)


def compare(one: Fingerprint, two: Fingerprint) -> tuple[float, list[str]]:
    """Return how surely two reports are one report in two languages (0 to 1) and why."""
    if _names(one.doc, two.doc) or _names(two.doc, one.doc):
        return 1.0, ["the page links the other as its other language"]
    total = weight = 0.0
    reasons: list[str] = []
    signals: list[tuple[str, set[object], set[object]]] = [
        ("events", set(one.events), set(two.events)),
        ("places", set(one.places), set(two.places)),
        ("numbers", set(one.numbers), set(two.numbers)),
        ("url", set(one.url), set(two.url)),
    ]
    used = 0
    for name, a, b in signals:
        if not a or not b:
            continue
        used += 1
        share = _share(a, b)
        total += WEIGHTS[name] * share
        weight += WEIGHTS[name]
        shown = ", ".join(sorted(_show(x) for x in a & b)[:6])
        reasons.append(
            f"{name}: {len(a & b)} of {len(a | b)} shared" + (f" ({shown})" if shown else "")
        )
    if used < 2:
        return 0.0, reasons
    score = total / weight
    apart = _days_apart(one.doc, two.doc)
    if apart is not None:
        score -= 0.1 * apart / WINDOW_DAYS
        reasons.append(f"published {apart} day{'s' if apart != 1 else ''} apart")
    return max(0.0, round(score, 3)), reasons


def _show(x: object) -> str:
    return " ".join(p for p in x if p) if isinstance(x, tuple) else str(x)


def _names(page: StoredDocument, other: StoredDocument) -> bool:
    """Whether ``page`` names ``other``'s URL as itself in another language."""
    links = page.extra.get("translations") or {}
    if not other.url or not isinstance(links, dict):
        return False
    return _bare(other.url) in {_bare(u) for u in links.values() if isinstance(u, str)}


def _bare(url: str) -> str:
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/")


def _days_apart(one: StoredDocument, two: StoredDocument) -> int | None:
    if not one.published or not two.published:
        return None
    a = dt.date.fromisoformat(one.published[:10])
    b = dt.date.fromisoformat(two.published[:10])
    return abs((a - b).days)


def link_translations(store: Store, ids: Iterable[int]) -> int:
    """Link each of the reports ``ids`` (analysed) to its best match in each other language;
    return how many pairs are linked at the end."""
    cache: dict[int, Fingerprint] = {}

    def of(doc_id: int) -> Fingerprint:
        if doc_id not in cache:
            with store.unredacted():
                cache[doc_id] = fingerprint(store, store.get(doc_id))
        return cache[doc_id]

    linked: set[frozenset[int]] = set()
    for doc_id in ids:
        mine = of(doc_id)
        if mine.doc.revisions and mine.doc.revisions[-1] != doc_id:
            continue  # a later revision speaks for the report
        store.clear_translations(doc_id)
        best: dict[str, tuple[float, int, list[str]]] = {}
        for other_id in store.translation_candidates(mine.doc, WINDOW_DAYS):
            theirs = of(other_id)
            score, reasons = compare(mine, theirs)
            language = theirs.doc.language or ""
            if score >= LINK_AT and score > best.get(language, (0.0, 0, []))[0]:
                best[language] = (score, other_id, reasons)
        for score, other_id, reasons in best.values():
            if store.save_translation(doc_id, other_id, score, reasons):
                linked.add(frozenset((doc_id, other_id)))
    return sum(1 for pair in linked if _still_linked(store, pair))


def _still_linked(store: Store, pair: frozenset[int]) -> bool:
    one, two = sorted(pair)
    return any(other == two for other, *_ in store.translations_of(one))


__all__ = ["LINK_AT", "WINDOW_DAYS", "Fingerprint", "compare", "fingerprint", "link_translations"]
