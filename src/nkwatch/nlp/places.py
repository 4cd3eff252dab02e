"""The ``nkwatch_places`` spaCy component: place mentions of a report, resolved to units.

It needs sentence boundaries (the sentencizer runs before it) and sets ``doc._.places`` (a list
of :class:`~nkwatch.model.PlaceMention`, offsets in ``doc.text``) and ``doc._.report_place``
(the report's main place, a :class:`~nkwatch.nlp.geo.assign.PlaceAssignment`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from nkwatch.nlp.geo.assign import report_place
from nkwatch.nlp.geo.gazetteer import Gazetteer, load
from nkwatch.nlp.geo.resolve import places
from nkwatch.nlp.sentences import sentence_offsets, text_of

for _name in ("places", "report_place"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class PlaceComponent:
    """Finds and resolves the place names of each Doc against the shipped gazetteer."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        sentences = sentence_offsets(doc)
        found = places(text_of(doc), self.gazetteer, sentences)
        doc._.places = found
        doc._.report_place = report_place(found)
        return doc


@Language.factory(
    "nkwatch_places",
    assigns=["doc._.places", "doc._.report_place"],
    requires=["token.is_sent_start"],
)
def make_place_component(nlp: Language, name: str) -> PlaceComponent:
    """Return the place component (``places.gazetteer.v1``: phrase matching + resolution)."""
    return PlaceComponent(load())
