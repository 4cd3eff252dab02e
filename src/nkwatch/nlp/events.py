"""The ``nkwatch_events`` spaCy component: the codebook's events of a report, and its tone.

It runs after the sentencizer, ``nkwatch_places`` and ``nkwatch_times`` and sets
``doc._.events`` (a list of :class:`~nkwatch.model.Event`, offsets in ``doc.text``) and
``doc._.tone`` (a :class:`~nkwatch.nlp.extraction.tone.Tone`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from nkwatch.nlp.extraction.extract import Report, extract
from nkwatch.nlp.extraction.korean import KoreanLexicon, extract_korean, load_korean
from nkwatch.nlp.extraction.lexicon import Lexicon, load
from nkwatch.nlp.extraction.tone import tone
from nkwatch.nlp.morphology import morphemes_of
from nkwatch.nlp.sentences import sentence_offsets, text_of

for _name in ("events", "tone"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class EventComponent:
    """Extracts events from each Doc with the lexicon of ``data/events.toml`` (Korean:
    ``data/events_ko.toml``)."""

    def __init__(self, lexicon: Lexicon | KoreanLexicon) -> None:
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        report = Report(
            text=text_of(doc),
            sentences=sentence_offsets(doc),
            places=doc._.places or [],
            report_place=doc._.report_place,
            times=doc._.times or [],
            published=doc._.published,
        )
        if isinstance(self.lexicon, KoreanLexicon):
            events = extract_korean(report, morphemes_of(doc), self.lexicon)
        else:
            events = extract(report, self.lexicon)
        doc._.events = events
        doc._.tone = tone(events, self.lexicon)
        return doc


@Language.factory(
    "nkwatch_events",
    assigns=["doc._.events", "doc._.tone"],
    requires=["doc._.places", "doc._.times"],
)
def make_event_component(nlp: Language, name: str) -> EventComponent:
    """Return the event component (``events.rules.v1``: the lexicon of data/events.toml, or
    of data/events_ko.toml for Korean)."""
    return EventComponent(load_korean() if nlp.lang == "ko" else load())
