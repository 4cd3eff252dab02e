"""Temporal tagger throughput on one core, in words per second.

    python benchmarks/time_tagger.py [--corpus DIR] [--words 2000000]

Reads the English reports of a folder (default: the project's examples, plus the sentences
of tests/data/time_cases.tsv), cleans them as ingest does, repeats them up to ``--words``
words, and times (1) the tagger alone on each body (finding and normalizing every temporal
expression) and (2) the whole pipeline (spaCy tokenizer, sentencizer, time component).
Prints a table.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from nkwatch.nlp.pipeline import build, pipe
from nkwatch.nlp.temporal.tagger import TimeTagger

from _reports import ROOT, english_reports  # isort: skip


def load_bodies(folder: Path) -> list[tuple[str, str | None]]:
    bodies = [(body, published or "2022-01-20") for body, published in english_reports(folder)]
    cases = ROOT / "tests" / "data" / "time_cases.tsv"
    sentences = [
        line.split("\t")[2].replace("[[", "").replace("]]", "")
        for line in cases.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    bodies.append((" ".join(sentences), "2022-01-20"))
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "examples" / "reports")
    parser.add_argument("--words", type=int, default=2_000_000)
    args = parser.parse_args()

    base = load_bodies(args.corpus)
    base_words = sum(len(b.split()) for b, _ in base)
    bodies = base * max(1, args.words // base_words)
    words = sum(len(b.split()) for b, _ in bodies)
    from datetime import date

    tagger = TimeTagger()
    dated = [(b, date.fromisoformat(p) if p else None) for b, p in bodies]
    gc.collect()
    t0 = time.process_time()
    found = sum(len(tagger.tag(b, p)) for b, p in dated)
    tagger_s = time.process_time() - t0

    nlp = build()
    for other in ("nkwatch_events", "nkwatch_places"):  # the tagger only, as the row says
        nlp.remove_pipe(other)
    t0 = time.process_time()
    piped = sum(len(doc._.times) for doc in pipe(nlp, bodies, batch_size=256))
    pipeline_s = time.process_time() - t0
    assert piped == found

    table = Table(title=f"temporal tagger, {words:,} words in {len(bodies):,} reports, one core")
    for name in ("what", "CPU s", "words/s", "expressions"):
        table.add_column(name, justify="right" if name != "what" else "left")
    table.add_row(
        "tagger (find + normalize)", f"{tagger_s:.2f}", f"{words / tagger_s:,.0f}", f"{found:,}"
    )
    table.add_row(
        "pipeline (tokenize + sentences + tagger)", f"{pipeline_s:.2f}",
        f"{words / pipeline_s:,.0f}", f"{piped:,}",
    )  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
