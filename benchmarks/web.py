"""Web app and API latency on a large store: p50/p95 per page and endpoint.

    python benchmarks/web.py [--reports 100000] [--events-per-report 5] [--requests 20]
                             [--workdir DIR] [--no-index]

Fills a store with generated reports and events (through the store's own functions: ingest,
then events as the extractor stores them, spread over provinces, types, dates and outlets),
then sends each page and API request ``--requests`` times with varied filters through the app
in process (FastAPI's test client: the app's own time, no network), and prints p50 and p95.
The target (issue 6) is p95 < 200 ms with 100,000 reports and 500,000 events.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from nkwatch import store as store_module
from nkwatch.ingest import ingest_stream
from nkwatch.model import Event, RawDocument, TimeSpan
from nkwatch.nlp.extraction.lexicon import MODALITIES, TYPES
from nkwatch.web.app import create_app

SENTENCE = (
    "State security agents in {place} arrested {n} people for using Chinese-made phones "
    "on Tuesday, a source said. "
)
PLACES = [("Hyesan", "KP-10", "혜산시"), ("Sinuiju", "KP-03", "신의주시"),
          ("Hoeryong", "KP-09", "회령시"), ("Kanggye", "KP-04", "강계시"),
          ("Chongjin", "KP-09", "청진시"), ("Pyongyang", "KP-01", None)]  # fmt: skip
OUTLETS = ["Tumen Weekly", "Yalu Dispatch", "Example Wire", "Border Report"]


def _day(rng: random.Random) -> str:
    return f"20{rng.randint(16, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def fill(path: Path, reports: int, per_report: int, seed: int = 1) -> int:
    """Create a store with generated reports and events; return how many events."""
    rng = random.Random(seed)
    s = store_module.open(str(path))
    chunk = 20_000
    for first in range(0, reports, chunk):
        docs = []
        for i in range(first, min(reports, first + chunk)):
            place = rng.choice(PLACES)[0]
            text = "".join(SENTENCE.format(place=place, n=rng.randint(2, 90))
                           for _ in range(max(4, per_report)))  # fmt: skip
            docs.append(RawDocument(
                text=f"Report {i}\n\n{text}", raw=text, source=f"gen-{i}.txt",
                ext_id=f"gen-{i:06d}", format="txt",
                published=_day(rng),
                language="en", outlet=rng.choice(OUTLETS),
            ))  # fmt: skip
        ingest_stream(s, docs)

    quote = "State security agents"

    def events_of(body: str) -> list[Event]:
        out = []
        start = -1
        for _ in range(per_report):
            start = body.index(quote, start + 1)  # each event quotes its own sentence
            place, admin1, admin2 = rng.choice(PLACES)
            day = _day(rng)
            out.append(Event(
                type=rng.choice(TYPES), modality=rng.choice(MODALITIES),
                evidence=quote, evidence_start=start, evidence_end=start + len(quote),
                actor=rng.choice(["MSS", "MSOS", "PARTY", "AUTHORITIES"]), target="PHONE_USERS",
                place=place, admin1=admin1, admin2=admin2,
                when=TimeSpan(day, day, "day") if rng.random() < 0.8 else None,
                count=rng.randint(2, 90), confidence=0.8, trigger="arrested",
                when_source="clause", place_source="span", lat=41.4, lon=128.2,
                geo_precision=rng.choice(["point", "county", "province"]),
            ))  # fmt: skip
        return out

    bodies = s.conn.execute("SELECT ext_id, body FROM documents ORDER BY id")
    _, n = s.import_events(
        (ext_id, events_of(body), "COERCION", "bench") for ext_id, body in bodies
    )
    s.close()
    return n


def requests(rng: random.Random, event_ids: list[int]) -> dict[str, list[str]]:
    """Return, per page or endpoint, the URLs to time (filters varied)."""

    def f() -> str:
        parts = []
        if rng.random() < 0.5:
            parts.append(f"type={rng.choice(TYPES)}")
        if rng.random() < 0.4:
            parts.append(f"admin1={rng.choice(PLACES)[1]}")
        if rng.random() < 0.3:
            year = rng.randint(2016, 2025)
            parts.append(f"since={year}-01-01&until={year}-12-31")
        if rng.random() < 0.2:
            parts.append(f"outlet={rng.choice(OUTLETS).replace(' ', '+')}")
        return "&".join(parts)

    def urls(make: object) -> list[str]:
        return [make() for _ in range(N)]  # type: ignore[operator]

    return {
        "page /": urls(lambda: "/?" + f()),
        "page / search": urls(lambda: "/?q=" + rng.choice(["Hyesan", "phones", "agent*"])),
        "page /events": urls(lambda: "/events?" + f()),
        "page /events/ID": urls(lambda: f"/events/{rng.choice(event_ids)}"),
        "page /reports/ID": urls(lambda: f"/reports/gen-{rng.randrange(REPORTS):06d}"),
        "page /timeline": urls(lambda: "/timeline?" + f()),
        "page /map": urls(lambda: "/map?" + f()),
        "page /map counties": urls(lambda: "/map?level=admin2&" + f()),
        "page /review": urls(lambda: "/review?" + f()),
        "api /api/events": urls(lambda: "/api/events?" + f()),
        "api /api/events deep page": urls(lambda: f"/api/events?offset={rng.randrange(100_000)}"),
        "api /api/events/ID": urls(lambda: f"/api/events/{rng.choice(event_ids)}"),
        "api /api/reports?q=": urls(lambda: f"/api/reports?q={rng.choice(['Hyesan', 'phone*'])}"),
        "api /api/stats": urls(lambda: "/api/stats?" + f()),
        "api /api/places": urls(lambda: "/api/places?level=admin2&" + f()),
    }


N = 20
REPORTS = 100_000


def main() -> None:
    global N, REPORTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--events-per-report", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument(
        "--no-index",
        action="store_true",
        help="answer every request from the database (no event index)",
    )
    args = parser.parse_args()
    N, REPORTS = args.requests, args.reports
    work = args.workdir or Path(tempfile.mkdtemp(prefix="nkwatch-web-"))
    work.mkdir(parents=True, exist_ok=True)
    err = Console(stderr=True)
    try:
        db = work / "web.db"
        if not db.exists():
            t0 = time.perf_counter()
            n = fill(db, args.reports, args.events_per_report)
            err.print(f"stored {args.reports:,} reports, {n:,} events in "
                      f"{time.perf_counter() - t0:.0f}s")  # fmt: skip
        with store_module.open(str(db)) as s:
            n = s.count_events()
            ids = [e["id"] for e in s.events(limit=2000, offset=1000)]
        app = create_app(str(db), event_index=not args.no_index)
        index = app.state.stores.index
        if index is not None:
            snapshot = index.wait()
            assert snapshot is not None, "the event index could not be read"
            err.print(f"event index: {len(snapshot):,} events read in {snapshot.seconds:.1f}s")
        client = TestClient(app, base_url="http://127.0.0.1:8321")
        rng = random.Random(7)
        how = "database only" if args.no_index else "event index"
        table = Table(title=f"nkwatch web app: {args.reports:,} reports, {n:,} events, "
                      f"{N} requests each (in process, {how})")  # fmt: skip
        for name in ("page or endpoint", "p50 ms", "p95 ms", "max ms"):
            table.add_column(name, justify="left" if name.startswith("page") else "right")
        worst = 0.0
        for name, urls in requests(rng, ids).items():
            client.get(urls[0])  # warm this route's code paths
            times = []
            for url in urls:
                t = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (url, r.status_code, r.text[:200])
            times.sort()
            p95 = times[max(0, round(0.95 * len(times)) - 1)]
            worst = max(worst, p95)
            table.add_row(name, f"{statistics.median(times):.0f}", f"{p95:.0f}",
                          f"{times[-1]:.0f}")  # fmt: skip
        # A reviewer's work: another connection (another worker) reviews an event, and
        # the next page asks for the reviewed events (an event index takes the review in).
        times = []
        with store_module.open(str(db)) as writer:
            for k, event_id in enumerate(rng.sample(ids, N)):
                writer.review_event(event_id, ("accept", "reject")[k % 2], "bench")
                t = time.perf_counter()
                r = client.get("/events?review=reviewed&" + f"type={rng.choice(TYPES)}")
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        worst = max(worst, p95)
        table.add_row("page /events after a review", f"{statistics.median(times):.0f}",
                      f"{p95:.0f}", f"{times[-1]:.0f}")  # fmt: skip
        table.caption = f"worst p95: {worst:.0f} ms (target < 200 ms)"
        Console().print(table)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
