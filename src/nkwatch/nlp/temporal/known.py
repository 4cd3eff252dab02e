"""The table of known dated events (party congresses, plenary meetings, laws, holidays)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from nkwatch.errors import DataFileError
from nkwatch.nlp.temporal.grammar import ci

KINDS = ("congress", "plenary", "law", "holiday", "campaign")


@dataclass(frozen=True, slots=True)
class DatedEvent:
    """One datable reference: fixed dates (``start``/``end``) or every year (``month_day``)."""

    kind: str
    source: str
    names: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    month_day: str | None = None
    end_month_day: str | None = None
    congress: int | None = None
    plenary: int | None = None

    @property
    def recurring(self) -> bool:
        """Return True for an event that comes back every year."""
        return self.month_day is not None


@dataclass(frozen=True)
class KnownEvents:
    """The table, indexed the ways the tagger looks it up."""

    events: tuple[DatedEvent, ...]

    def congress(self, number: int) -> DatedEvent | None:
        """Return the party congress of that number."""
        return next((e for e in self.events if e.kind == "congress" and e.congress == number), None)

    def plenary(self, congress: int, plenary: int) -> DatedEvent | None:
        """Return the plenary meeting of the Central Committee elected by that congress."""
        return next(
            (
                e
                for e in self.events
                if e.kind == "plenary" and e.congress == congress and e.plenary == plenary
            ),
            None,
        )

    def by_name(self, name: str) -> DatedEvent | None:
        """Return the event one of whose names is ``name`` (case and spacing ignored)."""
        return self._names.get(fold_name(name))

    @cached_property
    def _names(self) -> dict[str, DatedEvent]:
        return {fold_name(n): e for e in self.events for n in e.names}

    def name_pattern(self) -> str:
        """Return a regex matching any event name, with an optional "this year's"."""
        names = sorted({n for e in self.events for n in e.names}, key=len, reverse=True)
        alternatives = "|".join(
            re.escape(n).replace("\\ ", " ").replace("'", "['’]") for n in names
        )
        return (
            ci(r"(?:(?P<whose>this|last|next) year['’]s )?(?:the )?")
            + f"(?P<name>{ci(alternatives)})\\b"
        )


def fold_name(name: str) -> str:
    """Return a name lower-cased, with one kind of apostrophe and single spaces."""
    return " ".join(name.replace("’", "'").lower().split())


def _parse(data: dict[str, object], where: str) -> KnownEvents:
    entries = data.get("event")
    if not isinstance(entries, list):
        raise DataFileError(f"{where}: expected [[event]] tables")
    events = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or entry.get("kind") not in KINDS or not entry.get("source"):
            raise DataFileError(f"{where}: event {i} needs a kind among {KINDS} and a source")
        fixed = "start" in entry and "end" in entry
        if fixed == ("month_day" in entry):
            raise DataFileError(f"{where}: event {i} needs either start/end or month_day")
        events.append(
            DatedEvent(
                kind=entry["kind"],
                source=entry["source"],
                names=tuple(entry.get("names", ())),
                start=entry.get("start"),
                end=entry.get("end"),
                month_day=entry.get("month_day"),
                end_month_day=entry.get("end_month_day"),
                congress=entry.get("congress"),
                plenary=entry.get("plenary"),
            )
        )
    return KnownEvents(tuple(events))


@lru_cache(maxsize=4)
def load_known_events(path: str | None = None) -> KnownEvents:
    """Return the table of dated events (the packaged one unless ``path`` is given)."""
    if path is None:
        text = resources.files("nkwatch.data").joinpath("dated_events.toml").read_text("utf-8")
        where = "nkwatch/data/dated_events.toml"
    else:
        text = Path(path).read_text("utf-8")
        where = path
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{where}: {exc}") from exc
    return _parse(data, where)
