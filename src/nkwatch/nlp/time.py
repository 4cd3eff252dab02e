"""The ``nkwatch_times`` spaCy component: temporal expressions of a report, as intervals.

It reads ``doc._.published`` (the report's publication date, ISO, or None) and sets
``doc._.times`` (a list of :class:`~nkwatch.model.TimeExpression`, offsets in ``text_of(doc)``)
and ``doc._.date_estimate`` (when the report has no publication date, the earliest date the
text allows; relative expressions are anchored on it only if ``anchor_on_estimate``).
"""

from __future__ import annotations

from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from nkwatch.model import TimeExpression
from nkwatch.nlp.sentences import text_of
from nkwatch.nlp.temporal.assign import DateEstimate, estimate_publication_date
from nkwatch.nlp.temporal.korean import KoreanTimeTagger
from nkwatch.nlp.temporal.tagger import TimeTagger

for _name, _default in (("published", None), ("times", None), ("date_estimate", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


class TimeComponent:
    """Tags and normalizes the temporal expressions of each Doc."""

    def __init__(self, tagger: TimeTagger | KoreanTimeTagger, anchor_on_estimate: bool) -> None:
        self.tagger = tagger
        self.anchor_on_estimate = anchor_on_estimate

    def __call__(self, doc: Doc) -> Doc:
        published = doc._.published
        anchor = date.fromisoformat(published) if published else None
        times: list[TimeExpression] = self.tagger.tag(text_of(doc), anchor)
        estimate: DateEstimate | None = None
        if anchor is None:
            estimate = estimate_publication_date(times)
            if estimate is not None and self.anchor_on_estimate:
                times = self.tagger.tag(
                    text_of(doc), date.fromisoformat(estimate.earliest), anchor_kind="estimate"
                )
        doc._.times = times
        doc._.date_estimate = estimate
        return doc


@Language.factory(
    "nkwatch_times",
    assigns=["doc._.times", "doc._.date_estimate"],
    requires=["doc._.published"],
    default_config={"anchor_on_estimate": False},
)
def make_time_component(nlp: Language, name: str, anchor_on_estimate: bool) -> TimeComponent:
    """Return the time component (``times.rules.v1``: grammar + table of dated events; for
    Korean, the Korean grammar)."""
    tagger = KoreanTimeTagger() if nlp.lang == "ko" else TimeTagger()
    return TimeComponent(tagger, anchor_on_estimate)
