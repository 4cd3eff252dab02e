"""Export throughput: events per second to Parquet, CSV and JSON Lines, and peak memory.

    python benchmarks/export.py [--reports 20000] [--events-per-report 10] [--workdir DIR]
                                [--db postgresql://…]

Fills a store with generated reports and events (stored as the extractor stores them, with
every field set), then exports them all in each format through the same functions as
``nkwatch export`` (``export_rows`` → writer), timing each on one core. The peak
resident memory shows that exports stream: it stays far below the size of the table.
With ``--db`` the store is that database (an empty PostgreSQL database, say) instead of a
SQLite file; the wall time then includes the server's work, which CPU time does not.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from nkwatch import export
from nkwatch import store as store_module
from nkwatch.ingest import ingest_stream
from nkwatch.model import Event, RawDocument, TimeSpan
from nkwatch.nlp.extraction.lexicon import MODALITIES, TYPES

SENTENCE = (
    "State security agents in Hyesan arrested {n} people for using Chinese-made phones "
    "on Tuesday, a source in Ryanggang Province said. "
)


def fill(location: str, reports: int, per_report: int, seed: int = 1) -> int:
    """Fill the store at ``location`` with generated reports and events; return the events."""
    rng = random.Random(seed)
    s = store_module.open(location)
    docs = [
        RawDocument(
            text="".join(SENTENCE.format(n=rng.randint(2, 90)) for _ in range(per_report)),
            raw="",
            source=f"gen-{i}.txt",
            ext_id=f"gen-{i:06d}",
            format="txt",
            published=f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            language="en",
            outlet=rng.choice(["Tumen Weekly", "Yalu Dispatch", "Example Wire"]),
        )
        for i in range(reports)
    ]
    for d in docs:
        d.raw = d.text
    ingest_stream(s, docs)
    length = len(SENTENCE.format(n=10))

    def events_of(i: int) -> list[Event]:
        events = []
        for k in range(per_report):
            start = k * length
            day = f"2022-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            events.append(
                Event(
                    type=rng.choice(TYPES),
                    modality=rng.choice(MODALITIES),
                    evidence="State security agents in Hyesan arrested",
                    evidence_start=start,
                    evidence_end=start + 41,
                    actor="MSS",
                    target="PHONE_USERS",
                    place="Hyesan",
                    admin1="KP-10",
                    admin2="혜산시",
                    when=TimeSpan(day, day, "day"),
                    count=rng.randint(2, 90),
                    penalty={"kind": "LABOR_CAMP", "max_years": 5.0},
                    law={"article": "222", "year": 2015},
                    also=[("agents", start, start + 6)],
                    confidence=0.8,
                    trigger="arrested",
                    when_source="clause",
                    place_source="span",
                    lat=41.40294,
                    lon=128.17784,
                    geo_precision="county",
                )
            )
        return events

    _, n = s.import_events(
        (f"gen-{i:06d}", events_of(i), "COERCION", "bench") for i in range(reports)
    )
    s.close()
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--events-per-report", type=int, default=10)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--db", help="an empty database to use instead of a new SQLite file")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="nkwatch-export-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        db = args.db or str(work / "events.db")
        t0 = time.perf_counter()
        n = fill(db, args.reports, args.events_per_report)
        Console(stderr=True).print(f"stored {n:,} events in {time.perf_counter() - t0:.1f}s")
        backend = "PostgreSQL" if db.startswith("postgres") else "SQLite"
        table = Table(title=f"nkwatch export from {backend}, {n:,} events, one core")
        for name in ("format", "CPU time", "events/s (CPU)", "wall time", "events/s (wall)",
                     "file size"):  # fmt: skip
            table.add_column(name, justify="left" if name == "format" else "right")
        with store_module.open(db) as s:
            for fmt in ("parquet", "csv", "jsonl"):
                out = work / f"events.{fmt}"
                t, w = time.process_time(), time.perf_counter()
                batches = s.export_rows()
                if fmt == "parquet":
                    written = export.write_parquet(batches, out, export.COLUMNS)
                else:
                    with out.open("w", encoding="utf-8", newline="") as f:
                        write = export.write_csv if fmt == "csv" else export.write_jsonl
                        written = write(batches, f, export.COLUMNS)
                cpu, wall = time.process_time() - t, time.perf_counter() - w
                assert written == n
                size = out.stat().st_size / 2**20
                table.add_row(
                    fmt, f"{cpu:.2f} s", f"{n / cpu:,.0f}", f"{wall:.2f} s", f"{n / wall:,.0f}",
                    f"{size:,.1f} MiB",
                )  # fmt: skip
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        table.caption = f"peak memory (RSS) of the whole run: {peak:,.0f} MiB"
        Console().print(table)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
