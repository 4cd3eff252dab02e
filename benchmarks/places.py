"""Place recognition + resolution throughput on one core, in words per second.

    python benchmarks/places.py [--corpus DIR] [--words 2000000]

Reads the English reports of a folder (default: the project's examples; the issue's figure is
on ``../shared/corpus/dev``), cleans them as ingest does, repeats them up to ``--words``
words, and times (1) recognition + resolution alone on each body, given its sentence
offsets (gazetteer phrase matching, region patterns, resolution, roles, the report's main
place), (2) the blank spaCy tokenizer and sentencizer alone, for comparison, and (3) the three
together as the ``nkwatch_places`` component runs them. Prints a table.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

import spacy
from rich.console import Console
from rich.table import Table

from nkwatch.nlp.geo.assign import report_place
from nkwatch.nlp.geo.gazetteer import load
from nkwatch.nlp.geo.resolve import places
from nkwatch.nlp.pipeline import build

from _reports import ROOT, english_reports  # isort: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "examples" / "reports")
    parser.add_argument("--words", type=int, default=2_000_000)
    args = parser.parse_args()

    base = [body for body, _ in english_reports(args.corpus)]
    base_words = sum(len(b.split()) for b in base)
    bodies = base * max(1, args.words // base_words)
    words = sum(len(b.split()) for b in bodies)
    gaz = load()

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    gc.collect()
    t0 = time.process_time()
    docs = list(nlp.pipe(bodies, batch_size=256))
    spacy_s = time.process_time() - t0
    sentences = [[(s.start_char, s.end_char) for s in doc.sents] for doc in docs]
    del docs

    gc.collect()
    t0 = time.process_time()
    found = 0
    for body, sents in zip(bodies, sentences, strict=True):
        mentions = places(body, gaz, sents)
        report_place(mentions)
        found += len(mentions)
    places_s = time.process_time() - t0

    nlp = build()
    for later in ("nkwatch_events", "nkwatch_times"):  # places only, as the row says
        nlp.remove_pipe(later)
    gc.collect()
    t0 = time.process_time()
    piped = sum(len(doc._.places) for doc in nlp.pipe(bodies, batch_size=256))
    pipeline_s = time.process_time() - t0
    assert piped == found

    table = Table(title=f"places, {words:,} words in {len(bodies):,} reports, one core")
    for name in ("what", "CPU s", "words/s", "mentions"):
        table.add_column(name, justify="right" if name != "what" else "left")
    table.add_row(
        "recognition + resolution", f"{places_s:.2f}", f"{words / places_s:,.0f}", f"{found:,}"
    )
    table.add_row("spaCy tokenizer + sentencizer", f"{spacy_s:.2f}", f"{words / spacy_s:,.0f}", "")
    table.add_row(
        "pipeline (tokenize + sentences + places)", f"{pipeline_s:.2f}",
        f"{words / pipeline_s:,.0f}", f"{piped:,}",
    )  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
