"""Batch extraction on a Dask distributed cluster: the same ``pipe``, over partitions.

The machine that holds the store (the client) reads the reports that need analysing, cuts them
into partitions and submits one task per partition. A worker runs the pipeline over its
partition (built once per worker process) and returns the partition's results as a Parquet
shard: one row per report with its tone, places and events. The client writes each shard to
``shards/`` (renamed into place whole) and loads it into the store in one transaction, so a
partition is loaded entirely or not at all. Loading replaces each report's analysis: loading a
shard twice gives the same store.

Workers need no access to the store or to the client's disk: reports travel with their task
and shards come back with its result. A task lost with its worker is run again by Dask on
another worker; a task that fails ``retries + 1`` times is reported with its reports, which stay
as they were, and the run goes on.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from nkwatch.analyse import AnalyseReport, extractor_version
from nkwatch.errors import ScaleOutError
from nkwatch.files import write_atomic
from nkwatch.incidents import link_events
from nkwatch.model import Analysis
from nkwatch.nlp.geo.gazetteer import load as load_gazetteer
from nkwatch.nlp.pipeline import LANGUAGES
from nkwatch.store.base import AnalysisRows, Store, analysis_rows
from nkwatch.translations import link_translations

PARTITION_SIZE = 200  # reports per task: large enough to amortize a task, small to balance
IN_FLIGHT_PER_WORKER = 3  # tasks queued per worker thread: workers never wait, memory stays low
SHARD_COLUMNS = ("doc_id", "tone", "tone_evidence", "extractor", "places", "events")

# (internal id, body, published[, language]): a report without a language is English.
Doc = tuple[int, str, str | None] | tuple[int, str, str | None, str | None]


def _lang(doc: Doc) -> str:
    return (doc[3] if len(doc) > 3 else None) or "en"


@dataclass
class DistributedReport(AnalyseReport):
    """What a distributed run did: an :class:`AnalyseReport` plus its partitions."""

    partitions: int = 0
    failed: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (part, why, ext ids)
    shards: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Return the counts as JSON-ready data."""
        out = super().summary()
        out.update(
            partitions=self.partitions,
            failed=[{"partition": p, "why": w, "reports": r} for p, w, r in self.failed],
        )
        return out


@cache
def _pipelines() -> dict[str, Any]:
    """Return the pipelines of this (worker) process, each built once, when first needed."""
    return {}


def analyse_partition(docs: Sequence[Doc]) -> bytes:
    """Run the pipeline over a partition's reports; return the shard as Parquet bytes: one row
    per report with the rows the store will write (the worker's extractor version included,
    so that a client never loads what another version of nkwatch found).

    This is the task a worker runs: it needs the nkwatch package, nothing else."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from nkwatch.nlp.pipeline import pipe_languages

    version, gazetteer = extractor_version(), load_gazetteer().version
    rows: dict[str, list[Any]] = {name: [] for name in SHARD_COLUMNS}
    done = pipe_languages(
        _pipelines(), [(_lang(d), body, published) for d in docs for _, body, published in [d[:3]]]
    )
    for doc, annotated in zip(docs, done, strict=True):
        doc_id = doc[0]
        if isinstance(annotated, Exception):
            raise annotated  # the partition fails and is reported; the rest goes on
        tone = annotated._.tone
        r = analysis_rows(
            Analysis(
                doc_id=doc_id,
                places=annotated._.places,
                events=annotated._.events,
                tone=tone.label,
                tone_evidence={"inducement": tone.inducement, "coercion": tone.coercion},
                gazetteer=gazetteer,
                extractor=version,
            )
        )
        rows["doc_id"].append(doc_id)
        rows["tone"].append(r.tone)
        rows["tone_evidence"].append(r.tone_evidence)
        rows["extractor"].append(version)
        rows["places"].append(json.dumps(r.places, ensure_ascii=False))
        rows["events"].append(json.dumps(r.events, ensure_ascii=False))
    types = {"doc_id": pa.int64()}
    table = pa.table(
        {name: pa.array(rows[name], type=types.get(name, pa.string())) for name in SHARD_COLUMNS}
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def read_shard(path: Path, extractor: str) -> list[AnalysisRows]:
    """Return the analyses of a shard file as rows; a shard made by another extractor
    version raises :class:`ScaleOutError`."""
    import pyarrow.parquet as pq

    table = pq.read_table(path).to_pydict()
    versions = set(table["extractor"])
    if versions - {extractor}:
        raise ScaleOutError(
            f"made by extractor {', '.join(sorted(versions))}, not {extractor}: the workers run "
            "another version of nkwatch than this machine",
            location=str(path),
        )
    return [
        AnalysisRows(
            int(doc_id),
            tone,
            evidence,
            extractor,
            [tuple(p) for p in json.loads(places)],
            [tuple(e) for e in json.loads(events)],
        )
        for doc_id, tone, evidence, places, events in zip(
            *(table[name] for name in ("doc_id", "tone", "tone_evidence", "places", "events")),
            strict=True,
        )
    ]


def load_shard(store: Store, path: Path, extractor: str) -> list[AnalysisRows]:
    """Load a shard into the store in one transaction; return what it held."""
    batch = read_shard(path, extractor)
    store.save_analysis_rows(batch)
    return batch


def partitions(
    store: Store, ids: Sequence[int], size: int, report: AnalyseReport
) -> Iterator[tuple[list[Doc], list[str]]]:
    """Yield (reports, their external ids) per partition of ``ids``, reading bodies as it goes;
    reports in a language with no pipeline are recorded as skipped."""
    for start in range(0, len(ids), size):
        docs: list[Doc] = []
        names: list[str] = []
        for doc_id, ext_id, body, published, language in store.bodies(ids[start : start + size]):
            if (language or "en") not in LANGUAGES:
                report.skipped.append((ext_id, f"no pipeline for language {language!r}"))
                continue
            docs.append((doc_id, body, published, language))
            names.append(ext_id)
        if docs:
            yield docs, names


def analyse_distributed(
    store: Store,
    client: Any,
    shard_dir: Path,
    *,
    reprocess: bool = False,
    partition_size: int = PARTITION_SIZE,
    retries: int = 2,
    task: Callable[[Sequence[Doc]], bytes] = analyse_partition,
    on_partition: Callable[[int], None] | None = None,
) -> DistributedReport:
    """Analyse the reports that need it on the cluster of ``client`` (a
    ``distributed.Client``), loading each partition's shard as it arrives."""
    from distributed import as_completed

    version = extractor_version()
    todo = store.to_analyse(version, reprocess=reprocess)
    report = DistributedReport()
    shard_dir.mkdir(parents=True, exist_ok=True)
    threads = sum(client.nthreads().values()) or 1
    pending = partitions(store, todo, partition_size, report)
    names: dict[Any, tuple[int, list[str]]] = {}
    running = as_completed()

    def submit() -> bool:
        batch = next(pending, None)
        if batch is None:
            return False
        docs, ext_ids = batch
        number = report.partitions
        report.partitions += 1
        future = client.submit(task, docs, retries=retries, pure=False)
        names[future.key] = (number, ext_ids)
        running.add(future)
        return True

    for _ in range(threads * IN_FLIGHT_PER_WORKER):
        if not submit():
            break
    for future in running:
        number, ext_ids = names.pop(future.key)
        try:
            data = future.result()
        except Exception as exc:  # a task's own error, or its worker lost: report, go on
            report.failed.append((number, f"{type(exc).__name__}: {exc}", ext_ids))
        else:
            path = shard_dir / f"part-{number:06d}.parquet"
            write_atomic(path, data)
            loaded = load_shard(store, path, version)
            report.shards.append(str(path))
            report.analysed.extend(r.doc_id for r in loaded)
            report.events += sum(len(r.events) for r in loaded)
        finally:
            future.release()
        if on_partition:
            on_partition(len(ext_ids))
        submit()
    report.translations = link_translations(store, report.analysed)
    report.linked = link_events(store, report.analysed)
    return report


def connect(address: str | None, workers: int | None) -> Any:
    """Return a ``distributed.Client`` of the scheduler at ``address``, or of a new local
    cluster of ``workers`` single-threaded worker processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ScaleOutError("Dask is not installed: pip install 'nkwatch[dask]'") from exc
    try:
        if address:
            return Client(address, timeout="20s")
        cluster = LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        )
        return Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise ScaleOutError(f"cannot reach the Dask scheduler: {exc}", location=address) from None
