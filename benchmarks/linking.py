"""Event linking (incidents) on pairs built from an annotated corpus: pairwise P/R/F1.

    python benchmarks/linking.py [--corpus ../shared/corpus/dev] [--seed 7]

Builds the test set of :mod:`nkwatch.eval_linking` (the corpus's gold events, syndicated
copies, restatements weeks later, and distractors: other events of the same kind in the same
place days apart), stores it, links the reports in publication order as they would arrive, and
prints pairwise precision, recall and F1, overall and per kind, with the time linking took.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from nkwatch import eval_linking
from nkwatch.incidents import link_events
from nkwatch.store import open as open_store

from _reports import ROOT  # isort: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "dev")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    reports = eval_linking.build(args.corpus, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp, open_store(str(Path(tmp) / "l.db")) as store:
        ids = eval_linking.load(store, reports, Path(tmp))
        started = time.process_time()
        for doc_id in eval_linking.by_publication(reports, ids):
            link_events(store, [doc_id])
        took = time.process_time() - started
        scores = eval_linking.score(store, reports, ids)
        incidents = store.conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    table = Table(title=f"event linking, {len(reports)} reports, {incidents} incidents")
    for name in ("pairs of", "precision", "recall", "F1", "true pairs", "linked pairs"):
        table.add_column(name, justify="right")
    overall = {"true_positive": scores.true_positive, "predicted": scores.predicted,
               "gold": scores.gold}  # fmt: skip
    rows = [("all", overall), *sorted(scores.by_kind.items())]
    for kind, c in rows:
        p = c["true_positive"] / c["predicted"] if c["predicted"] else 0.0
        r = c["true_positive"] / c["gold"] if c["gold"] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        known = bool(c["gold"])
        table.add_row(kind, f"{p:.3f}", f"{r:.3f}" if known else "—", f"{f:.3f}" if known else "—",
                      str(c["gold"]), str(c["predicted"]))  # fmt: skip
    console = Console()
    console.print(table)
    console.print(f"linking CPU time {took:.2f} s; pairwise F1 {scores.f1:.3f}")


if __name__ == "__main__":
    main()
