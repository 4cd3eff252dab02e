"""The store on each backend (SQLite, PostgreSQL): schema and migrations, ids, listing,
full-text search, integrity."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from nkwatch import store as store_module
from nkwatch.errors import NotFound, QueryError, SchemaVersionError, StoreError
from nkwatch.ingest import ingest
from nkwatch.store.base import Store, _pack
from nkwatch.store.schema import LATEST_VERSION


def _jsonl(write: Callable[..., Path], records: list[dict[str, str]]) -> Path:
    return write("docs.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")


@pytest.fixture
def filled(store: Store, write: Callable[..., Path]) -> Store:
    records = [
        {
            "doc_id": "a",
            "title": "Hyesan arrests",
            "published": "2022-01-20",
            "outlet": "Monitor",
            "url": "https://example.org/a",
            "text": "State security agents in Hyesan arrested five people for using Chinese phones.",
        },
        {
            "doc_id": "b",
            "title": "Musan lecture",
            "published": "2022-03-01",
            "outlet": "Ledger",
            "text": "Residents of Musan attended a lecture on the dangers of South Korean dramas.",
        },
        {
            "doc_id": "c",
            "title": "Hyesan squads",
            "published": "2023-06-10",
            "outlet": "Monitor",
            "text": "Signal detection squads patrol the riverside of Hyesan every night, a source said.",
        },
        {
            "doc_id": "3",
            "title": "Numeric id",
            "published": "2021-01-01",
            "outlet": "Ledger",
            "text": "A report whose external id looks like a number, about Sinuiju smugglers.",
        },
    ]
    ingest(store, [str(_jsonl(write, records))])
    return store


def test_schema_is_migrated_once(store: Store, db_url: str) -> None:
    assert store.schema_version == LATEST_VERSION
    store.close()
    reopened = store_module.open(db_url)  # opening again applies nothing twice
    assert reopened.schema_version == LATEST_VERSION
    reopened.close()


def test_newer_schema_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaVersionError, match="upgrade nkwatch"):
        store_module.open(str(db_path))


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("just some notes, not SQLite " * 100)
    with pytest.raises(StoreError, match="not an nkwatch database"):
        store_module.open(str(path))
    assert path.read_text().startswith("just some notes")  # never overwritten


def test_store_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = store_module.open(f"sqlite:///{tmp_path / 'x.db'}")
    assert s.backend == "sqlite" and s.location == str(tmp_path / "x.db")
    s.close()
    with pytest.raises(StoreError, match="unknown database URL"):
        store_module.open("mysql://localhost/nk")
    # Nothing listens on port 9: a clear error, and the password is never shown.
    with pytest.raises(StoreError, match="cannot open database") as caught:
        store_module.open("postgresql://nk:s3cret@127.0.0.1:9/nk")
    assert "s3cret" not in str(caught.value) and "nk:***@127.0.0.1:9" in str(caught.value)
    monkeypatch.setenv(store_module.ENV_VAR, str(tmp_path / "env.db"))
    assert store_module.default_location() == str(tmp_path / "env.db")


def test_ids_resolve_external_url_and_internal(filled: Store) -> None:
    a = filled.get("a")
    assert filled.get("https://example.org/a").id == a.id
    assert filled.get(f"#{a.id}").ext_id == "a"
    assert filled.get("3").ext_id == "3"  # an external id wins over an internal one
    assert filled.get("#3").id == 3
    for ref in ("zzz", "9223372036854775808", "#99999999999999999999"):  # beyond 64 bits
        with pytest.raises(NotFound):
            filled.get(ref)


def test_listing_filters(filled: Store) -> None:
    assert [d.ext_id for d in filled.list_documents()] == ["c", "b", "a", "3"]
    assert [d.ext_id for d in filled.list_documents(outlet="monitor")] == ["c", "a"]
    assert [d.ext_id for d in filled.list_documents(since="2022-01-01", until="2022-12-31")] == [
        "b",
        "a",
    ]
    assert [d.ext_id for d in filled.list_documents(limit=2, offset=1)] == ["b", "a"]
    assert filled.count() == 4 and filled.count(outlet="Monitor", since="2023-01-01") == 1


def test_search_ranks_filters_and_highlights(filled: Store) -> None:
    hits = filled.search("Hyesan")
    assert sorted(h.ext_id for h in hits) == ["a", "c"]
    assert all("[Hyesan]" in h.snippet for h in hits)
    assert [h.ext_id for h in filled.search("Hyesan", since="2023-01-01")] == ["c"]
    assert [h.ext_id for h in filled.search("Hyesan", outlet="Ledger")] == []
    assert [h.ext_id for h in filled.search('"signal detection" AND riverside')] == ["c"]
    assert [h.ext_id for h in filled.search("dram*")] == ["b"]
    assert [h.ext_id for h in filled.search("squads", limit=1)] == ["c"]


def test_search_falls_back_to_plain_words(filled: Store) -> None:
    # Not valid FTS5 (unbalanced quote, stray operator): searched as plain words instead.
    assert [h.ext_id for h in filled.search('Musan "lecture')] == ["b"]
    assert [h.ext_id for h in filled.search("Sinuiju AND")] == ["3"]
    with pytest.raises(QueryError):
        filled.search("   ")


def test_full_text_index_follows_updates_and_deletes(filled: Store) -> None:
    doc = filled.get("b", with_raw=True)
    body = "Pyongyang inspections."
    with filled.transaction() as conn:
        # A body changes only with its raw text re-packed against it (what a re-clean does).
        conn.execute(
            "UPDATE documents SET body = ?, raw = ?, text = ? WHERE id = ?",
            (body, _pack(doc.raw or "", body), _pack(doc.text or "", body), doc.id),
        )
    again = filled.get("b", with_raw=True)
    assert (again.raw, again.text) == (doc.raw, doc.text)
    assert [h.ext_id for h in filled.search("Pyongyang")] == ["b"]
    assert filled.search("dramas") == []
    with filled.transaction() as conn:
        conn.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
    assert filled.search("Pyongyang") == []
    assert filled.integrity_problems() == []


def test_a_body_never_changes_without_its_raw_text(filled: Store) -> None:
    # The raw text is compressed with the body as its dictionary: changing the body alone
    # would make the report as ingested unreadable, so the database refuses it.
    doc = filled.get("a", with_raw=True)
    refused = pytest.raises(filled.DatabaseError, match="body never changes alone")
    with refused, filled.transaction() as conn:
        conn.execute("UPDATE documents SET body = 'edited' WHERE id = ?", (doc.id,))
    # A JSON line's text is packed against the body too.
    refused = pytest.raises(filled.DatabaseError, match="body never changes alone")
    with refused, filled.transaction() as conn:
        conn.execute(
            "UPDATE documents SET body = 'edited', raw = ? WHERE id = ?",
            (_pack(doc.raw or "", "edited"), doc.id),
        )
    again = filled.get("a", with_raw=True)
    assert (again.body, again.raw) == (doc.body, doc.raw)


def test_raw_text_is_packed_against_the_body(store: Store, write: Callable[..., Path]) -> None:
    body = " ".join(f"Agents in Hyesan searched house {i} for phones." for i in range(60))
    raw = f"FILE PHOTO: A street in Hyesan. / Image: Monitor\n\n{body}\n\nRead in Korean"
    ingest(store, [str(write("r.txt", raw))])
    doc = store.get("r", with_raw=True)
    assert doc.raw == raw and doc.body == body
    (blob,) = store.conn.execute("SELECT raw FROM documents WHERE id = ?", (doc.id,)).fetchone()
    assert len(blob) < len(raw.encode()) / 10  # what cleaning removed, and little more


def test_a_store_packed_without_a_dictionary_still_reads(tmp_path: Path) -> None:
    from .conftest import old_sqlite_store

    body = " ".join(
        f"Safety agents in Musan confiscated {n} phones at stall {n} of the market, a source said."
        for n in range(12)
    )
    path = old_sqlite_store(tmp_path / "v9.db", 9, body)
    store = store_module.open(str(path))
    assert store.get("old", with_raw=True).raw == body
    assert [h.ext_id for h in store.search("confiscated")] == ["old"]
    assert store.integrity_problems() == []
    # Signed again by the migration: a syndicated copy ingested now is linked to it.
    copy = tmp_path / "copy.txt"
    copy.write_text(body.replace("a source said", "a source told us", 1), encoding="utf-8")
    ingest(store, [str(copy)])
    assert [n[1] for n in store.get("copy").near_duplicates] == ["old"]
    store.close()


def test_each_batch_is_indexed_once_and_fully(store: Store, write: Callable[..., Path]) -> None:
    from nkwatch.ingest import IngestOptions

    records = [
        {"doc_id": f"d{i}", "text": f"Border guards in Hyesan detained smuggler number w{i}."}
        for i in range(7)
    ]
    records.append({"doc_id": "d0", "text": "Border guards in Hyesan: a revised report."})
    ingest(store, [str(_jsonl(write, records))], options=IngestOptions(batch_size=3))
    assert sorted(h.ext_id for h in store.search("w5 OR w6 OR w0")) == ["d5", "d6"]
    assert [h.ext_id for h in store.search("revised")] == ["d0"]
    assert len(store.search("guards", limit=50)) == 7  # the latest revision of each
    if store.backend == "sqlite":  # every revision indexed, each once
        count = "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?"
        assert store.conn.execute(count, ("guards",)).fetchone()[0] == 8
        assert store.conn.execute(count, ("w0",)).fetchone()[0] == 1
    assert store.integrity_problems() == []


def test_failed_transaction_leaves_nothing(filled: Store) -> None:
    before = filled.count()
    with pytest.raises(RuntimeError), filled.transaction() as conn:
        conn.execute("DELETE FROM documents")
        raise RuntimeError("crash")
    assert filled.count() == before


def test_broad_queries_rank_within_the_recent_window(
    store: Store, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The oldest report is the best match for "lecture"; four newer ones mention it once.
    records = [{"doc_id": "best", "text": "Lecture lecture lecture on phones, a lecture."}]
    records += [
        {"doc_id": f"n{i}", "text": f"Agents arrested {i} traders; a lecture followed in Musan."}
        for i in range(4)
    ]
    ingest(store, [str(_jsonl(write, records))])
    assert store.search("lecture", limit=1)[0].ext_id == "best"
    monkeypatch.setattr("nkwatch.store.base.RANK_WINDOW", 2)
    windowed = store.search("lecture", limit=2)
    assert sorted(h.ext_id for h in windowed) == ["n2", "n3"]
    assert store.search("lecture", exhaustive=True, limit=1)[0].ext_id == "best"
    # A page beyond the window widens it rather than coming back empty.
    assert len(store.search("lecture", limit=2, offset=2)) == 2


def test_new_sqlite_databases_use_wal_and_large_pages(db_path: Path) -> None:
    store = store_module.open(str(db_path))
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 10000
    store.close()


def test_an_internal_id_given_as_a_number_is_never_taken_for_an_external_id(
    store: Store,
) -> None:
    from nkwatch.ingest import ingest_stream
    from nkwatch.model import RawDocument

    def doc(ext_id: str, text: str) -> RawDocument:
        return RawDocument(text=text, raw=text, source=f"{ext_id}.txt", ext_id=ext_id,
                           format="txt", language="en", url=f"https://example.org/{ext_id}")  # fmt: skip

    ingest_stream(store, [doc("first", "Agents searched homes in Hyesan for phones.")])
    first = store.resolve_id("first")
    ingest_stream(store, [doc(str(first), "A lecture in Sinuiju warned against broadcasts.")])
    named = store.resolve_id(str(first))
    assert named != first  # the external id "1" wins over internal id 1 as text
    assert store.get(first).ext_id == "first"  # as a number it is the internal id
    assert store.resolve_id(f"https://example.org/{first}") == named
    with pytest.raises(NotFound):
        store.get(10_000)
