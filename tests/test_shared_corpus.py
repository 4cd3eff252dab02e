"""The annotated development corpus (../shared/corpus/dev), when present: everything is stored
with its metadata, bodies are clean, and every gold evidence quote is found in its body.
"""

from __future__ import annotations

import json
import re

import pytest

from nkwatch.ingest import ingest
from nkwatch.store.sqlite import SQLiteStore

from .conftest import DEV_CORPUS, in_ci

pytestmark = pytest.mark.shared

if not DEV_CORPUS.is_dir():
    if in_ci():
        raise RuntimeError(f"CI must have the shared corpus at {DEV_CORPUS}")
    pytest.skip(f"shared corpus not found at {DEV_CORPUS}", allow_module_level=True)

BOILERPLATE = re.compile(
    r"FILE PHOTO|/ Image:|Read in Korean|Please direct any comments|이 기사에 대한 의견|원문 영어로 읽기"
    r"|^[a-z]+( [a-z]+){3,}$|^By [A-Z]|is a reporter (for|at)|covers .* for [A-Z]",
    re.M,
)


def fold(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def dev_store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    s = SQLiteStore(tmp_path_factory.mktemp("dev") / "dev.db")
    report = ingest(s, [str(DEV_CORPUS)])
    assert report.failed == [], [str(e) for e in report.failed]
    return s


def test_every_report_stored_with_its_metadata(dev_store: SQLiteStore) -> None:
    meta = [
        json.loads(line)
        for line in (DEV_CORPUS / "meta.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    assert dev_store.count() == len(meta)
    for m in meta:
        doc = dev_store.get(m["doc_id"])
        assert (doc.title, doc.published, doc.outlet, doc.url, doc.language) == (
            m["title"],
            m["published"],
            m["outlet"],
            m["url"],
            m["language"],
        ), m["doc_id"]


def test_bodies_hold_no_captions_tags_or_footers(dev_store: SQLiteStore) -> None:
    for doc in dev_store.list_documents(limit=1000):
        found = BOILERPLATE.search(doc.body)
        assert found is None, f"{doc.ext_id}: {found.group() if found else ''}"
        assert doc.title and fold(doc.title) not in fold(doc.body)[: len(doc.title) + 5]


def test_every_gold_evidence_is_in_its_body(dev_store: SQLiteStore) -> None:
    missing = []
    total = 0
    for line in (DEV_CORPUS / "gold.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        gold = json.loads(line)
        with dev_store.unredacted():  # the body as stored; what is shown hides private names
            body = fold(dev_store.get(gold["doc_id"]).body)
        for event in gold["events"]:
            for quote in [event["evidence"], *event.get("also", [])]:
                total += 1
                if fold(quote) not in body:
                    missing.append((gold["doc_id"], quote))
    assert total > 500 and missing == []
