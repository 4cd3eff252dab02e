"""Ingest throughput and search latency on a generated corpus of plain-text reports.

    python benchmarks/ingest_search.py [--docs 100000] [--workdir DIR] [--db postgresql://…]

Generates reports (250-650 words, ~5% syndicated near-copies) as .txt files with a meta.jsonl
sidecar, ingests them in one process on one core (reading, cleaning, language detection,
near-duplicate detection, FTS5 indexing, all included), then times search queries of several
kinds against the resulting store. Prints a table. With ``--db`` the store is that database
(an empty PostgreSQL database, say) instead of a new SQLite file; CPU time then leaves out the
server's work, which wall time includes.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from nkwatch import store as store_module
from nkwatch.ingest import ingest

PLACES = (
    "Hyesan Musan Hoeryong Onsong Sinuiju Chongjin Kimjongsuk Samjiyon Manpo Wiwon Kanggye "
    "Hamhung Wonsan Kaesong Rason Nampo Sakchu Uiju Junggang Pochon Yonsa Kimhyongjik"
).split()
PROVINCES = [
    "Ryanggang",
    "North Hamgyong",
    "Chagang",
    "North Pyongan",
    "South Hamgyong",
    "Kangwon",
]
ACTORS = [
    "State security agents",
    "The provincial Ministry of State Security",
    "Safety agents",
    "A joint inspection group",
    "The city party committee",
    "Border guards",
    "Prosecutors",
    "Inminban heads",
    "A special task force from Pyongyang",
]
ACTIONS = [
    "arrested {n} people for using Chinese-made mobile phones",
    "held an emergency meeting of section chiefs to discuss illegal phone use",
    "ordered every branch to root out remittance brokers by the end of the month",
    "searched homes near the river for phones and USB sticks holding South Korean dramas",
    "summoned residents to a lecture promising forgiveness to those who hand in their phones",
    "sent {n} smugglers to a labour camp after a public trial",
    "confiscated phones and cash from traders at the market",
    "deployed signal-detection squads along the riverside neighbourhoods",
    "forced {n} factory workers to visit an anti-espionage exhibition",
    "warned that anyone caught a second time would be treated as a spy",
]
FUNCTION_WORDS = (
    "the of and to in a that for on was with as by at from said it his her their were has have had "
    "be been are this which who not or an they he she its but after since before over into"
).split()
DOMAIN_WORDS = (
    "phones brokers security agents residents traders market source province border river "
    "officials lecture trial inspection squads arrested detained confiscated smugglers defectors "
    "party committee meeting order campaign crackdown police households calls China money"
).split() + PLACES
SYLLABLES = "ka ko ri mun san chol ho ae yong sin ju do gang bo wi ri pa te mi su na".split()


def vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """Return words and cumulative Zipf weights: function words first, then the domain's words,
    then made-up words, so that reports share common words but rarely a run of three."""
    made_up = {
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)
    }
    words = FUNCTION_WORDS + DOMAIN_WORDS + sorted(made_up)
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    return words, list(itertools.accumulate(weights))


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
QUERIES = {
    "common term": ["phones", "source", "residents", "agents", "security"],
    "place": [p for p in PLACES[:10]],
    "phrase": [
        '"signal-detection squads"',
        '"labour camp"',
        '"emergency meeting"',
        '"anti-espionage exhibition"',
        '"public trial"',
    ],
    "boolean": [
        "Hyesan AND brokers",
        "Musan AND lecture",
        "Sinuiju AND NOT dramas",
        "(Onsong OR Hoeryong) AND arrested",
        "Chongjin AND confiscated",
    ],
    "prefix": ["confisc*", "broker*", "interrog*", "detect*", "forgiv*"],
    "filtered": ["Hyesan", "phones", "lecture", "trial", "squads"],
}


def sentence(rng: random.Random, vocab: tuple[list[str], list[float]]) -> str:
    """Return a sentence: a statement of the domain, or Zipf-distributed words."""
    if rng.random() < 0.25:
        action = rng.choice(ACTIONS).format(n=rng.randint(2, 300))
        return (
            f"{rng.choice(ACTORS)} in {rng.choice(PLACES)}, {rng.choice(PROVINCES)} Province,"
            f" {action} on {rng.choice(MONTHS)} {rng.randint(1, 28)}."
        )
    words, cum = vocab
    tokens = rng.choices(words, cum_weights=cum, k=rng.randint(12, 30))
    return " ".join(tokens).capitalize() + "."


def generate(folder: Path, n: int, seed: int = 1) -> int:
    """Write ``n`` reports into ``folder``; return the number of words written."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    previous: list[str] = []
    with (folder / "meta.jsonl").open("w", encoding="utf-8") as meta:
        for i in range(n):
            doc_id = f"gen-{i:06d}"
            if previous and rng.random() < 0.05:
                paras = list(rng.choice(previous))  # a syndicated copy with a small edit
                paras[0] = paras[0].replace(" said", " told us", 1)
            else:
                paras = [
                    " ".join(sentence(rng, vocab) for _ in range(rng.randint(2, 4)))
                    for _ in range(rng.randint(5, 9))
                ]
                previous = [*previous, paras][-50:]
            title = f"{rng.choice(ACTORS)} in {rng.choice(PLACES)} step up crackdown"
            caption = f"FILE PHOTO: A street in {rng.choice(PLACES)}. / Image: Generated Monitor"
            body = "\n\n".join([title, paras[0], caption, *paras[1:], "Read in Korean"])
            words += len(body.split())
            (folder / f"{doc_id}.txt").write_text(body, encoding="utf-8")
            year = rng.randint(2015, 2025)
            meta.write(
                json.dumps(
                    {
                        "doc_id": doc_id,
                        "title": title,
                        "published": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        "outlet": rng.choice(
                            ["Generated Monitor", "Generated Ledger", "Generated Weekly"]
                        ),
                    }
                )
                + "\n"
            )
    return words


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    parser.add_argument("--db", help="an empty database to use instead of a new SQLite file")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="nkwatch-bench-"))
    console = Console()
    corpus, db = work / "corpus", work / "bench.db"
    try:
        t0 = time.perf_counter()
        words = generate(corpus, args.docs)
        console.print(
            f"generated {args.docs:,} reports ({words:,} words) in {time.perf_counter() - t0:.1f}s"
        )
        if not args.db:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        s = store_module.open(args.db or str(db))
        gc.freeze()  # as the CLI does after its imports
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        report = ingest(s, [str(corpus)])
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        summary = report.summary()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        latencies: dict[str, list[float]] = {}
        for kind, queries in QUERIES.items():
            for q in queries:
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    if kind == "filtered":
                        s.search(
                            q, outlet="Generated Ledger", since="2020-01-01", until="2021-12-31"
                        )
                    else:
                        s.search(q)
                    latencies.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
        exhaustive = []
        for q in QUERIES["common term"]:
            t = time.perf_counter()
            s.search(q, exhaustive=True)
            exhaustive.append((time.perf_counter() - t) * 1000)
        s.close()

        backend = "PostgreSQL" if args.db else "SQLite"
        table = Table(title=f"nkwatch ingest + search on {backend}, {args.docs:,} reports")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_row("documents stored", f"{summary['stored']:,}")
        table.add_row("near-duplicates linked", f"{summary['near_duplicates']:,}")
        table.add_row("ingest wall time", f"{wall:.1f} s")
        table.add_row("ingest throughput (wall)", f"{args.docs / wall:,.0f} docs/s")
        table.add_row("ingest throughput (CPU, one core)", f"{args.docs / cpu:,.0f} docs/s")
        table.add_row("words/s (wall)", f"{words / wall:,.0f}")
        if not args.db:
            table.add_row("database size", f"{db.stat().st_size / 2**20:,.0f} MiB")
        table.add_row("peak memory (RSS)", f"{peak_mb:,.0f} MiB")
        every: list[float] = []
        for kind, values in latencies.items():
            every += values
            table.add_row(
                f"search {kind}: p50 / p95",
                f"{percentile(values, 0.5):.1f} / {percentile(values, 0.95):.1f} ms",
            )
        table.add_row(
            "search all: p50 / p95 / max",
            f"{percentile(every, 0.5):.1f} / {percentile(every, 0.95):.1f} / {max(every):.1f} ms",
        )
        table.add_row(
            "search common term, --exhaustive: p50", f"{percentile(exhaustive, 0.5):.1f} ms"
        )
        console.print(table)
        console.print(f"median query {statistics.median(every):.1f} ms over {len(every)} queries")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
