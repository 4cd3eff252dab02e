"""Full pipeline throughput on one core, in reports per second, and peak memory.

    python benchmarks/pipeline.py [--corpus DIR] [--reports 3000] [--language ko]

Reads the English (or Korean) reports of a folder (default: the project's examples; the
issues' figures are on ``../shared/corpus/dev``), cleans them as ingest does, repeats them up
to ``--reports`` reports, and times the whole pipeline as ``pipe`` streams it: tokenizer and
sentences (for Korean, Kiwi's morphemes of the sentences that may hold an event), places, time
and events (with tone). Prints a table with CPU time, reports/s, words/s, events found and the
process's peak resident memory.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from nkwatch.nlp.pipeline import build, pipe

from _reports import ROOT, english_reports, korean_reports  # isort: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "examples" / "reports")
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--language", choices=("en", "ko"), default="en")
    args = parser.parse_args()

    base = (korean_reports if args.language == "ko" else english_reports)(args.corpus)
    if not base:
        raise SystemExit(f"no {args.language} reports in {args.corpus}")
    reports = (base * (args.reports // len(base) + 1))[: args.reports]
    words = sum(len(body.split()) for body, _ in reports)
    nlp = build(args.language)
    next(pipe(nlp, reports[:1]))  # load lexicons and gazetteer before timing
    gc.collect()
    t0 = time.process_time()
    found = sum(len(doc._.events) for doc in pipe(nlp, reports, batch_size=64))
    cpu = time.process_time() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    title = f"full {args.language} pipeline, {len(reports):,} reports ({words:,} words), one core"
    table = Table(title=title)
    for name in ("measure", "value"):
        table.add_column(name, justify="right" if name == "value" else "left")
    table.add_row("CPU time", f"{cpu:.2f} s")
    table.add_row("reports/s", f"{len(reports) / cpu:,.0f}")
    table.add_row("words/s", f"{words / cpu:,.0f}")
    table.add_row("events found", f"{found:,}")
    table.add_row("peak memory (RSS)", f"{peak:,.0f} MiB")
    Console().print(table)


if __name__ == "__main__":
    main()
