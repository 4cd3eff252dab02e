"""Extraction throughput on a Dask LocalCluster with 1 and 2 worker processes.

    python benchmarks/scaleout.py [--reports 20000] [--corpus DIR] [--workdir DIR]

Builds reports from the sentences of real-looking ones (the project's examples, or the English
reports of ``--corpus``): each generated report strings together 8 to 14 sentences drawn at
random, so that the pipeline meets the phrasing it meets in the field. Ingests them into a
store, then runs ``nkwatch extract --workers N`` (the same code: ``analyse_distributed``) with
1 and then 2 workers, each time on every report, and prints reports/s and the speed-up. Wall
time, from submitting the first partition to loading the last shard into the store.

The last row is the machine's own ceiling: the pipeline alone (no Dask, no store) in one
process, then in two independent processes at once, on the same reports. No scheduler can
make two workers faster relative to one than that ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

from distributed import Client, LocalCluster
from rich.console import Console
from rich.table import Table

from nkwatch import store as store_module
from nkwatch.ingest import ingest_stream
from nkwatch.model import RawDocument
from nkwatch.scaleout import analyse_distributed

from _reports import ROOT, english_reports  # isort: skip

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘]?[A-Z])")


def generate(corpus: Path, n: int, seed: int = 1) -> list[RawDocument]:
    """Return ``n`` reports made of sentences of the reports in ``corpus``."""
    rng = random.Random(seed)
    sentences = [
        s for body, _ in english_reports(corpus) for s in SENTENCE_END.split(body) if len(s) > 30
    ]
    docs = []
    for i in range(n):
        text = " ".join(rng.choice(sentences) for _ in range(rng.randint(8, 14)))
        published = f"20{rng.randint(16, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        docs.append(
            RawDocument(
                text=text,
                raw=text,
                source=f"gen-{i}.txt",
                ext_id=f"gen-{i:06d}",
                format="txt",
                published=published,
                language="en",
                outlet="Generated",
            )
        )
    return docs


def _pipeline_alone(texts: list[tuple[str, str | None]]) -> float:
    """Return the seconds one process takes to run the pipeline over ``texts``."""
    from nkwatch.nlp.pipeline import build, pipe

    nlp = build()
    list(pipe(nlp, texts[:20]))
    t0 = time.perf_counter()
    for _ in pipe(nlp, texts):
        pass
    return time.perf_counter() - t0


def ceiling(docs: list[RawDocument], n: int = 2000) -> float:
    """Return how much faster two independent pipeline processes are than one."""
    texts = [(d.text, d.published) for d in docs[:n]]
    with multiprocessing.Pool(1) as pool:
        one = pool.map(_pipeline_alone, [texts])[0]
    with multiprocessing.Pool(2) as pool:
        two = max(pool.map(_pipeline_alone, [texts, texts]))
    return (2 * len(texts) / two) / (len(texts) / one)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--corpus", type=Path, default=ROOT / "examples" / "reports")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--partition-size", type=int, default=200)
    args = parser.parse_args()

    console = Console(stderr=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="nkwatch-scaleout-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        store = store_module.open(str(work / "reports.db"))
        docs = generate(args.corpus, args.reports)
        words = sum(len(d.text.split()) for d in docs)
        ingest_stream(store, docs)
        console.print(f"stored {args.reports:,} generated reports ({words:,} words)")
        table = Table(title=f"nkwatch extract on a Dask LocalCluster, {args.reports:,} reports")
        for name in ("workers", "wall time", "reports/s", "events", "speed-up"):
            table.add_column(name, justify="right")
        base = None
        for workers in (1, 2):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
            with Client(cluster) as client:
                client.run(lambda: __import__("nkwatch.scaleout").scaleout._pipeline())  # warm
                t0 = time.perf_counter()
                report = analyse_distributed(
                    store, client, work / f"shards-{workers}", reprocess=True,
                    partition_size=args.partition_size,
                )  # fmt: skip
                wall = time.perf_counter() - t0
            cluster.close()
            assert not report.failed, report.failed
            rate = len(report.analysed) / wall
            base = base or rate
            table.add_row(
                str(workers), f"{wall:.1f} s", f"{rate:,.0f}", f"{report.events:,}",
                f"{rate / base:.2f}×",
            )  # fmt: skip
        ratio = ceiling(docs)
        table.caption = (
            "the machine's ceiling: the pipeline alone in 2 independent processes runs "
            f"{ratio:.2f}× as fast as in 1"
        )
        Console().print(table)
        store.close()
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
