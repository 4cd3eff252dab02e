"""The report's tone (codebook §7): the stance of the authorities it describes."""

from __future__ import annotations

from dataclasses import dataclass, field

from nkwatch.model import Event
from nkwatch.nlp.extraction.lexicon import ToneCues, load

# Quotes needed for a stance to count: inducement words are cheap in reports that are
# coercive ("promised", "came forward"), so two; one coercive quote (an arrest) is a stance.
INDUCEMENT_QUOTES = 2
COERCION_QUOTES = 1
# Events that are coercion whatever their words (when not told as background).
_COERCIVE = {"WARNING", "ARREST", "PUNISHMENT", "CRACKDOWN", "SURVEILLANCE", "CONFISCATION"}


@dataclass(slots=True)
class Tone:
    """INDUCEMENT, COERCION, MIXED or NONE, with the quotes behind it."""

    label: str
    inducement: list[str] = field(default_factory=list)
    coercion: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {"tone": self.label, "inducement": self.inducement, "coercion": self.coercion}


def tone(events: list[Event], lex: ToneCues | None = None) -> Tone:
    """Return the tone of a report from its events' quotes (background events excluded)."""
    lex = lex or load()
    inducement: list[str] = []
    coercion: list[str] = []
    for e in events:
        if e.modality == "background" or e.type in ("IMPACT", "DEFECTION", "BRIBERY"):
            continue
        quotes = [e.evidence] + [q for q, _, _ in e.also]
        for quote in quotes:
            if e.type == "AMNESTY" or lex.inducement.search(quote):
                inducement.append(quote)
            if e.type in _COERCIVE or lex.coercion.search(quote):
                coercion.append(quote)
    ind = len(inducement) >= INDUCEMENT_QUOTES or any(
        e.type == "AMNESTY" and e.modality != "background" for e in events
    )
    coe = len(coercion) >= COERCION_QUOTES
    label = "MIXED" if ind and coe else "INDUCEMENT" if ind else "COERCION" if coe else "NONE"
    return Tone(label, inducement, coercion)
