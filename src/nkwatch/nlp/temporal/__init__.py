"""Temporal expressions: grammar, normalization to intervals, and assignment to events."""

from nkwatch.nlp.temporal.assign import (
    DateEstimate,
    TimeAssignment,
    estimate_publication_date,
    time_for_span,
)
from nkwatch.nlp.temporal.tagger import TimeTagger, tag_times

__all__ = [
    "DateEstimate",
    "TimeAssignment",
    "TimeTagger",
    "estimate_publication_date",
    "tag_times",
    "time_for_span",
]
