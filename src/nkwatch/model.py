"""Plain typed records shared by every stage: documents as read, and as cleaned."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class RawDocument:
    """A report as a reader produced it, before cleaning.

    ``raw`` is what was ingested (the HTML source, the text file, the feed item);
    ``text`` is its text before cleaning (equal to ``raw`` for plain text).
    """

    ext_id: str
    source: str
    format: str
    raw: str
    text: str
    title: str | None = None
    published: str | None = None
    published_estimated: bool = False
    outlet: str | None = None
    url: str | None = None
    language: str | None = None
    ext_id_given: bool = False  # the id came from the source (doc_id, feed guid), not a file name
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Return what makes two ingests "the same report": its URL, given id, or file."""
        if self.url:
            return f"url:{self.url}"
        if self.ext_id_given:
            return f"id:{self.ext_id}"
        return f"file:{self.source}"


@dataclass(slots=True)
class Segment:
    """A run of ``length`` characters copied from ``text[text_start:]`` to ``body[body_start:]``."""

    body_start: int
    text_start: int
    length: int


@dataclass(slots=True)
class CleanedText:
    """The body of a report, what was removed from it, and the body→text offset map."""

    body: str
    segments: list[Segment]
    removed: list[tuple[str, str]]  # (rule, line) pairs, for inspection

    def to_text_offset(self, body_offset: int) -> int:
        """Return the offset in the uncleaned text of a character offset in the body."""
        if body_offset < 0 or body_offset > len(self.body):
            raise ValueError(f"offset {body_offset} is outside the body (0..{len(self.body)})")
        lo, hi = 0, len(self.segments) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            seg = self.segments[mid]
            if body_offset < seg.body_start:
                hi = mid - 1
            elif body_offset > seg.body_start + seg.length:
                lo = mid + 1
            else:
                return seg.text_start + (body_offset - seg.body_start)
        # Between segments (a joining newline): the search stopped at the next segment.
        if lo < len(self.segments):
            return self.segments[lo].text_start
        return self.segments[-1].text_start + self.segments[-1].length if self.segments else 0


@dataclass(slots=True)
class StoredDocument:
    """A report as the store holds it."""

    id: int
    ext_id: str
    source: str
    format: str
    title: str | None
    published: str | None
    published_estimated: bool
    outlet: str | None
    url: str | None
    language: str | None
    body: str
    content_hash: str
    revision: int
    ingested_at: str
    raw: str | None = None
    text: str | None = None
    segments: list[Segment] = field(default_factory=list)
    near_duplicates: list[tuple[int, str, float]] = field(default_factory=list)
    revisions: list[int] = field(default_factory=list)
    # The same report in another language: (id, external id, language, score, reasons).
    translations: list[tuple[int, str, str | None, float, list[str]]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, *, with_text: bool = True) -> dict[str, Any]:
        """Return a JSON-ready dict (without the raw source)."""
        out: dict[str, Any] = {
            "id": self.id,
            "ext_id": self.ext_id,
            "title": self.title,
            "published": self.published,
            "published_estimated": self.published_estimated,
            "outlet": self.outlet,
            "url": self.url,
            "language": self.language,
            "source": self.source,
            "format": self.format,
            "revision": self.revision,
            "content_hash": self.content_hash,
            "ingested_at": self.ingested_at,
            "near_duplicates": [
                {"id": i, "ext_id": e, "similarity": round(s, 3)}
                for i, e, s in self.near_duplicates
            ],
            "revisions": self.revisions,
            "translations": [
                {"id": i, "ext_id": e, "language": lang, "score": round(s, 3), "why": why}
                for i, e, lang, s, why in self.translations
            ],
        }
        if with_text:
            out["body"] = self.body
        return out


@dataclass(slots=True)
class PreparedDocument:
    """A report ready to store: as read, cleaned, hashed and signed for near-duplicates."""

    doc: RawDocument
    cleaned: CleanedText
    content_hash: str
    minhash: bytes | None
    band_keys: tuple[int, ...]


@dataclass(slots=True)
class AddResult:
    """What storing one report did: stored, revision, unchanged, duplicate or failed."""

    status: str
    id: int
    ext_id: str
    revision: int = 1
    near_duplicates: list[tuple[int, float]] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True)
class SearchHit:
    """One report matching a search, with a highlighted snippet of its body."""

    id: int
    ext_id: str
    title: str | None
    published: str | None
    outlet: str | None
    language: str | None
    snippet: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "id": self.id,
            "ext_id": self.ext_id,
            "title": self.title,
            "published": self.published,
            "outlet": self.outlet,
            "language": self.language,
            "snippet": self.snippet,
            "score": round(self.score, 4),
        }


PRECISIONS = ("day", "week", "month", "season", "year")
"""Precisions of a time span, finest first (codebook §4)."""


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """An interval of days the text allows, and how precisely it says so.

    ``start`` and ``end`` are the first and last day (inclusive, ISO dates); ``precision`` is
    one of :data:`PRECISIONS`.
    """

    start: str
    end: str
    precision: str

    def overlaps(self, other: TimeSpan) -> bool:
        """Return True when the two intervals share at least one day."""
        return self.start <= other.end and other.start <= self.end

    def as_dict(self) -> dict[str, str]:
        """Return the codebook's ``when`` object."""
        return {"start": self.start, "end": self.end, "precision": self.precision}


@dataclass(slots=True)
class TimeExpression:
    """A temporal expression found in a body, with what it means.

    ``kind`` is ``date`` (it names a time: ``span`` is set unless ``unresolved`` says why
    not), ``duration`` or ``age`` (a length of time, never a date; ``amount`` and ``unit``
    say how long), or ``recurring`` ("every Monday": no single date). ``role`` says how the
    expression frames its clause: ``point``, ``since`` (from then until publication or the
    range's end), ``deadline`` ("by July 31", "before the deadline"), ``after``,
    ``comparison`` (what something is compared with: "up from 30 percent last autumn"),
    ``reported`` (the day a source spoke: "a source told Daily NK on Wednesday"). ``anchor``
    says what resolved it: ``absolute``, ``publication``, ``estimate``, ``reference`` (an
    earlier expression), or ``known_event`` (the table of dated events).
    """

    text: str
    start: int
    end: int
    kind: str
    span: TimeSpan | None = None
    role: str = "point"
    anchor: str | None = None
    unresolved: str | None = None
    amount: float | None = None
    unit: str | None = None
    rule: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "when": self.span.as_dict() if self.span else None,
            "role": self.role,
            "anchor": self.anchor,
            "unresolved": self.unresolved,
            "amount": self.amount,
            "unit": self.unit,
            "rule": self.rule,
        }


PLACE_PRECISIONS = ("point", "county", "province", "region", "country")
"""How precisely a place mention locates something, finest first."""


@dataclass(slots=True)
class PlaceMention:
    """A place named in a body, and the unit of the gazetteer it resolves to.

    ``unit`` is the gazetteer id (``KP-10``, ``KP-10:혜산시``, ``gn:2042500``,
    ``region:border``, ``CN:Dandong``) or None when the name is ambiguous and the text does not
    settle it (``candidates`` lists the units it may be). ``admin1`` is the ISO 3166-2:KP code,
    ``admin2`` the Hangul key of the city/county/district; both are None for foreign places
    and regions. ``role`` says what the mention does in its sentence: ``event`` (where
    something happens), ``source`` ("a source in Ryanggang Province said"), ``origin`` ("a
    woman from Uiju"). ``how`` says what settled it: ``unique``, ``suffix``, ``sentence``,
    ``report``, ``specific``, ``country``, ``region``, or ``ambiguous``.
    """

    text: str
    start: int
    end: int
    unit: str | None
    level: str | None
    name: str | None
    admin1: str | None
    admin2: str | None
    lat: float | None
    lon: float | None
    precision: str | None
    country: str | None
    confidence: float
    role: str = "event"
    how: str = "unique"
    candidates: tuple[str, ...] = ()

    @property
    def in_north_korea(self) -> bool:
        """Return True when the mention is a North Korean unit, region or the country."""
        return self.country == "KP"

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "unit": self.unit,
            "level": self.level,
            "name": self.name,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "lat": self.lat,
            "lon": self.lon,
            "precision": self.precision,
            "country": self.country,
            "confidence": self.confidence,
            "role": self.role,
            "how": self.how,
            "candidates": list(self.candidates),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlaceMention:
        """Return the mention of :meth:`as_dict`'s output."""
        fields = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        fields["candidates"] = tuple(d.get("candidates") or ())
        return cls(**fields)


@dataclass(slots=True)
class Event:
    """One event of a report (codebook §2–§4), with the quote it rests on.

    ``evidence`` is an exact quote of the body at ``evidence_start:evidence_end``; ``also``
    holds the other quotes where the report restates the same event, as (quote, start, end).
    ``when`` is None when the text does not date the event; ``when_source`` says where the
    time came from (clause, sentence, context, detail: a later statement of the same event
    that dates it, ...), ``place_source`` the same for the place;
    ``confidence`` ranks how directly the text states it (for review; not a probability).
    ``lat``/``lon`` locate the place at ``geo_precision``: the mention's own point, else the
    county's seat, else the province's capital.
    """

    type: str
    modality: str
    evidence: str
    evidence_start: int
    evidence_end: int
    actor: str | None = None
    target: str | None = None
    place: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    when: TimeSpan | None = None
    count: int | None = None
    penalty: dict[str, Any] | None = None
    law: dict[str, Any] | None = None
    also: list[tuple[str, int, int]] = field(default_factory=list)
    confidence: float = 0.5
    trigger: str = ""
    when_source: str = "none"
    place_source: str = "none"
    lat: float | None = None
    lon: float | None = None
    geo_precision: str | None = None  # point, county, province: what lat/lon stand for

    def as_gold(self) -> dict[str, Any]:
        """Return the event in the codebook's file format (§9)."""
        out: dict[str, Any] = {
            "type": self.type,
            "modality": self.modality,
            "actor": self.actor,
            "target": self.target,
            "place": self.place,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "when": self.when.as_dict() if self.when else None,
            "count": self.count,
            "penalty": self.penalty,
            "law": self.law,
            "evidence": self.evidence,
        }
        if self.also:
            out["also"] = [quote for quote, _, _ in self.also]
        return out

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict: the codebook's fields plus offsets and provenance."""
        out = self.as_gold()
        out.update(
            evidence_start=self.evidence_start,
            evidence_end=self.evidence_end,
            also=[{"quote": q, "start": s, "end": e} for q, s, e in self.also],
            confidence=self.confidence,
            trigger=self.trigger,
            when_source=self.when_source,
            place_source=self.place_source,
            lat=self.lat,
            lon=self.lon,
            geo_precision=self.geo_precision,
        )
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        """Return the event of :meth:`as_dict`'s output."""
        fields = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        when = d.get("when")
        fields["when"] = TimeSpan(**when) if when else None
        fields["also"] = [(a["quote"], a["start"], a["end"]) for a in d.get("also") or []]
        return cls(**fields)


@dataclass(slots=True)
class Analysis:
    """What the pipeline made of one stored report, as the store keeps it."""

    doc_id: int
    places: list[PlaceMention]
    events: list[Event]
    tone: str
    tone_evidence: dict[str, list[str]]
    gazetteer: str
    extractor: str


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which stored events to list or export (latest revisions of reports only); ``since`` and
    ``until`` keep events whose interval overlaps [since, until]. Fields are matched against
    the machine's values; ``review`` selects by the reviewer's word."""

    doc_id: int | None = None
    types: tuple[str, ...] = ()
    modality: str | None = None
    admin1: str | None = None
    actor: str | None = None
    since: str | None = None
    until: str | None = None
    admin2: str | None = None
    outlet: str | None = None
    # unreviewed, reviewed, accepted, corrected or rejected
    review: str | None = None
    # words the event's report must contain (full-text search of reports)
    query: str | None = None
    # Only the events of this campaign's incidents.
    campaign: int | None = None
