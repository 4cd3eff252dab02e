"""Ingestion into the store: idempotence, revisions, duplicates, near-duplicates, bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from nkwatch.ingest import IngestOptions, ingest
from nkwatch.store import neardup
from nkwatch.store.base import Store

from .conftest import REPORT

SYNDICATED = (
    REPORT.replace("on Tuesday", "this week").replace(
        "FILE PHOTO: The Yalu River at Hyesan. / Image: Example Monitor\n", ""
    )
    + "\nThis report first appeared in Example Monitor and is republished with permission.\n"
)

OTHER = """Musan court sentences smugglers

A court in Musan County sentenced three smugglers to labour camp terms at a public trial on Friday for carrying copper across the Tumen River, a source said.

About 200 residents were made to watch the trial. The smugglers had bribed a border guard officer with Chinese yuan, the source added.
"""


def test_ingest_is_idempotent(store: Store, write: Callable[..., Path]) -> None:
    path = write("r1.txt", REPORT)
    first = ingest(store, [str(path)])
    assert first.summary()["stored"] == 1
    again = ingest(store, [str(path), str(path)])
    assert again.summary()["stored"] == 0 and again.summary()["unchanged"] == 2
    assert store.count(all_revisions=True) == 1


def test_changed_file_becomes_a_revision(store: Store, write: Callable[..., Path]) -> None:
    path = write("r1.txt", REPORT)
    [first] = ingest(store, [str(path)]).stored
    path.write_text(REPORT.replace("five people", "six people"), encoding="utf-8")
    [second] = ingest(store, [str(path)]).revisions
    assert second.revision == 2
    assert store.count() == 1 and store.count(all_revisions=True) == 2
    latest = store.get("r1")
    assert latest.id == second.id and "six people" in latest.body
    assert latest.revisions == [first.id, second.id]
    old = store.get(f"#{first.id}")
    assert "five people" in old.body  # the earlier revision is kept, not overwritten
    assert [h.id for h in store.search("six")] == [second.id]
    assert store.search("five") == []  # only latest revisions are searched


def test_identical_content_under_another_name_is_a_duplicate(
    store: Store, write: Callable[..., Path]
) -> None:
    a = write("a.txt", REPORT)
    b = write("copy/b.txt", REPORT)
    report = ingest(store, [str(a), str(b)])
    assert report.summary()["stored"] == 1 and report.summary()["duplicates"] == 1
    assert report.duplicates[0].ext_id == "a"


def test_syndicated_copy_is_linked_as_near_duplicate(
    store: Store, write: Callable[..., Path]
) -> None:
    report = ingest(
        store,
        [
            str(write("orig.txt", REPORT)),
            str(write("synd.txt", SYNDICATED)),
            str(write("other.txt", OTHER)),
        ],
    )
    assert report.summary()["stored"] == 3 and report.near_duplicates == 1
    orig, synd, other = (store.get(x) for x in ("orig", "synd", "other"))
    assert [n[1] for n in synd.near_duplicates] == ["orig"]
    assert [n[1] for n in orig.near_duplicates] == ["synd"]
    assert synd.near_duplicates[0][2] >= 0.75
    assert other.near_duplicates == []


def test_revisions_are_not_near_duplicates_of_each_other(
    store: Store, write: Callable[..., Path]
) -> None:
    path = write("r1.txt", REPORT)
    ingest(store, [str(path)])
    path.write_text(REPORT.replace("five people", "six people"), encoding="utf-8")
    assert ingest(store, [str(path)]).revisions[0].near_duplicates == []


def test_bad_documents_are_skipped_and_the_rest_stored(
    store: Store, write: Callable[..., Path]
) -> None:
    write("good.txt", REPORT)
    write("bad.txt", "caf\xe9".encode("latin-1") + b" is not utf-8")
    write("empty.html", "<html><body><nav><a href='/'>Home</a></nav></body></html>")
    write("lines.jsonl", json.dumps({"doc_id": "j1", "text": OTHER}) + "\n{oops\n")
    report = ingest(store, [str(write("x.txt", OTHER).parent)])
    summary = report.summary()
    assert summary["stored"] == 3 and summary["skipped"] == 3
    codes = sorted(e.code for e in report.failed)
    assert codes == ["E002", "E003", "E007"]
    assert all(e.location for e in report.failed)
    assert store.count() == 3


def test_overrides_apply_to_every_document(store: Store, write: Callable[..., Path]) -> None:
    path = write("r1.txt", REPORT)
    ingest(
        store,
        [str(path)],
        options=IngestOptions(published="2022-01-20", outlet="Wire", language="en"),
    )
    doc = store.get("r1")
    assert (doc.published, doc.outlet, doc.language) == ("2022-01-20", "Wire", "en")


def test_body_offsets_point_into_the_raw_document(store: Store, write: Callable[..., Path]) -> None:
    ingest(store, [str(write("r1.txt", REPORT))])
    doc = store.get("r1", with_raw=True)
    quote = "ordered its branches"
    start = doc.body.index(quote)
    seg = next(s for s in doc.segments if s.body_start <= start < s.body_start + s.length)
    raw_start = seg.text_start + (start - seg.body_start)
    assert doc.raw is not None and doc.raw[raw_start : raw_start + len(quote)] == quote


def test_minhash_matches_datasketch() -> None:
    from datasketch import MinHash

    from nkwatch.store import neardup

    hashes = neardup.shingle_hashes(REPORT)
    reference = MinHash(num_perm=neardup.NUM_PERM, seed=1, hashfunc=lambda v: v, scheme="affine32")
    reference.update_batch(hashes.tolist())
    assert (neardup.minhash_values(hashes) == reference.hashvalues).all()


def test_reports_signed_together_are_signed_as_one_by_one() -> None:
    from nkwatch.store import neardup

    texts = [REPORT, "", "  \t\n", "one", "two words", "three word text", SYNDICATED,
             "혜산시 보위부 단속 강화", "Émile  \x01 École", OTHER * 3]  # fmt: skip
    for group in (texts, texts[::-1], texts[:1], [""], texts * 5):  # several groups of 32
        for text, grouped in zip(group, neardup.signatures(group), strict=True):
            alone = neardup.signature(text)
            assert (alone is None) == (grouped is None), text
            if alone is not None and grouped is not None:
                assert alone.to_bytes() == grouped.to_bytes(), text
                assert alone.band_keys == grouped.band_keys, text


def test_a_report_the_database_refuses_is_skipped_alone(
    store: Store, write: Callable[..., Path]
) -> None:
    if store.backend == "sqlite":
        store.conn.execute(
            "CREATE TEMP TRIGGER refuse BEFORE INSERT ON documents WHEN new.ext_id = 'bad'"
            " BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
        )
    else:
        store.conn.execute(
            "ALTER TABLE documents ADD CONSTRAINT refused_for_the_test CHECK (ext_id != 'bad')"
        )
    paths = [
        str(write(f"{name}.txt", text))
        for name, text in (("good", REPORT), ("bad", OTHER), ("also", SYNDICATED))
    ]
    report = ingest(store, paths)
    assert report.summary()["stored"] == 2 and report.summary()["skipped"] == 1
    [err] = report.failed
    assert err.code == "E020" and "bad.txt" in str(err)
    assert ("refused for the test" if store.backend == "sqlite" else "refused_for_the_test") in str(
        err
    )
    assert "Failing row" not in str(err) and OTHER.split()[3] not in str(err)  # no report text
    assert store.count() == 2 and store.integrity_problems() == []


def test_a_copy_of_a_much_syndicated_report_is_compared_with_its_latest_copies(
    store: Store, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each band key is read newest first up to the limit: a report copied thousands of times
    # costs a new copy a bounded lookup, and the candidates are still the latest copies.
    monkeypatch.setattr(neardup, "MAX_CANDIDATES", 3)
    paths = [
        str(write(f"copy{i}.txt", SYNDICATED.replace("this week", f"this week ({i})")))
        for i in range(8)
    ]
    ingest(store, paths)
    last = store.get("copy7")
    assert sorted(n[1] for n in last.near_duplicates) == ["copy4", "copy5", "copy6"]
    assert all(n[2] >= neardup.SIMILARITY_THRESHOLD for n in last.near_duplicates)
