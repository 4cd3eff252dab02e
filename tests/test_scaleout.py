"""Extraction on a Dask LocalCluster of 2 worker processes: the same results as one process,
nothing lost or doubled when a worker dies, failed partitions reported, shards loaded whole."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from nkwatch import export
from nkwatch import store as store_module
from nkwatch.analyse import analyse, extractor_version
from nkwatch.errors import ScaleOutError
from nkwatch.ingest import ingest_stream
from nkwatch.model import RawDocument
from nkwatch.scaleout import Doc, analyse_distributed, analyse_partition, load_shard
from nkwatch.sources import read_inputs
from nkwatch.store.base import Store

distributed = pytest.importorskip("distributed")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"


def _reports(copies: int) -> list[RawDocument]:
    """The shipped example reports, each ``copies`` times under its own id (words changed so
    that the copies are not near-duplicates of each other)."""
    base = [d for d in read_inputs([str(EXAMPLES)]) if isinstance(d, RawDocument)]
    out = []
    for k in range(copies):
        for d in base:
            text = d.text.replace("source", f"source number {k}")
            out.append(RawDocument(text=text, raw=text, source=f"{d.ext_id}-{k}.txt",
                                   ext_id=f"{d.ext_id}-{k}", format="txt", title=d.title,
                                   published=d.published, outlet=d.outlet, language="en"))  # fmt: skip
    return out


def _store(path: Path | str, copies: int = 3) -> Store:
    s = store_module.open(str(path))
    ingest_stream(s, _reports(copies))
    return s


def _rows(s: Store) -> list[dict[str, Any]]:
    """Every stored event as its export row, without the store's own id."""
    return [
        {k: v for k, v in export.record(t).items() if k != "event_id"}
        for batch in s.export_rows()
        for t in batch
    ]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    s = _store(tmp_path_factory.mktemp("single") / "one.db")
    analyse(s)
    rows = _rows(s)
    s.close()
    assert rows
    return rows


def test_the_cluster_finds_exactly_what_one_process_finds(
    client: Any, single: list[dict[str, Any]], tmp_path: Path, db_url: str
) -> None:
    # On each backend: a PostgreSQL store gets exactly what one process stores in SQLite.
    s = _store(db_url)
    todo = s.to_analyse(extractor_version())
    report = analyse_distributed(s, client, tmp_path / "shards", partition_size=4)
    assert report.failed == [] and report.partitions > 2
    assert sorted(report.analysed) == sorted(todo)
    assert _rows(s) == single
    # Nothing left to do: a second run submits nothing.
    again = analyse_distributed(s, client, tmp_path / "shards")
    assert again.partitions == 0 and _rows(s) == single


def test_a_worker_killed_mid_run_loses_and_doubles_nothing(
    single: list[dict[str, Any]], tmp_path: Path
) -> None:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with distributed.Client(cluster) as c:
        s = _store(tmp_path / "killed.db")
        killed: list[int] = []

        def kill_one(_: int) -> None:
            if not killed:  # after the first partition is in, kill a worker outright
                pid = next(iter(c.run(os.getpid).values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        report = analyse_distributed(
            s, c, tmp_path / "shards", partition_size=2, on_partition=kill_one
        )
    cluster.close()
    assert killed and report.failed == []
    assert _rows(s) == single


def test_a_failing_partition_is_reported_and_the_rest_is_loaded(
    client: Any, tmp_path: Path
) -> None:
    s = _store(tmp_path / "fail.db", copies=1)
    poisoned = s.resolve_id(next(iter(_reports(1))).ext_id)

    def task(docs: Sequence[Doc]) -> bytes:
        if any(doc[0] == poisoned for doc in docs):
            raise RuntimeError("this partition cannot be analysed")
        return analyse_partition(docs)

    report = analyse_distributed(
        s, client, tmp_path / "shards", partition_size=1, retries=0, task=task
    )
    assert [(why, len(names)) for _, why, names in report.failed] == [
        ("RuntimeError: this partition cannot be analysed", 1)
    ]
    analysed = {e["doc_id"] for e in s.events(limit=10_000)}
    assert poisoned not in analysed and analysed
    assert s.to_analyse(extractor_version()) == [poisoned]


def test_a_shard_loads_whole_and_loading_it_twice_changes_nothing(tmp_path: Path) -> None:
    s = _store(tmp_path / "shard.db", copies=1)
    docs = [(d.id, d.body, d.published) for d in (s.get(i) for i in s.to_analyse("x"))]
    shard = tmp_path / "part.parquet"
    shard.write_bytes(analyse_partition(docs))
    version = extractor_version()
    load_shard(s, shard, version)
    first = _rows(s)
    load_shard(s, shard, version)
    assert _rows(s) == first and first
    assert s.to_analyse(version) == []
    # A report the store does not hold stops the load before anything is written.
    other = _store(tmp_path / "other.db", copies=0)
    with pytest.raises(Exception, match="no report"):
        load_shard(other, shard, version)
    assert _rows(other) == []
    # A shard made by another version of nkwatch is not loaded.
    with pytest.raises(ScaleOutError, match="another version"):
        load_shard(s, shard, "0.0.0+other")
