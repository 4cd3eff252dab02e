"""A kill in the middle of a batch leaves the database consistent, and a re-run completes it."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nkwatch import store as store_module

from .conftest import REPORT

N_DOCS = 3000
BATCH = 100
VOCAB = (
    "agents arrested brokers phones Hyesan Musan lecture inminban meeting order squads border "
    "river traders market source residents detained sentenced camp month week officials"
).split()


@pytest.mark.slow
def test_kill_mid_batch_then_resume(tmp_path: Path) -> None:
    rng = random.Random(7)
    corpus = tmp_path / "many.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for i in range(N_DOCS):
            words = " ".join(rng.choice(VOCAB) for _ in range(120))
            body = f"{REPORT}\n{words.capitalize()}."
            fh.write(
                json.dumps(
                    {"doc_id": f"d{i}", "published": "2022-01-20", "language": "en", "text": body}
                )
                + "\n"
            )
    db = tmp_path / "crash.db"
    cmd = [
        sys.executable,
        "-m",
        "nkwatch",
        "--db",
        str(db),
        "-q",
        "ingest",
        str(corpus),
        "--batch-size",
        str(BATCH),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        committed = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=5) as conn:
                        committed = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
                except sqlite3.OperationalError:
                    committed = 0
                if committed >= 3 * BATCH:
                    break
            time.sleep(0.02)
        assert proc.poll() is None, "ingest finished before it could be killed; raise N_DOCS"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    s = store_module.open(str(db))
    try:
        assert s.integrity_problems() == []
        stored = s.count()
        assert 0 < stored < N_DOCS
        assert stored % BATCH == 0, "a batch was half-written"
        fts = s.conn.execute("SELECT count(*) FROM documents_fts").fetchone()[0]
        bands = s.conn.execute("SELECT count(DISTINCT doc_id) FROM minhash_bands").fetchone()[0]
        assert fts == stored and bands == stored
    finally:
        s.close()
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    s = store_module.open(str(db))
    try:
        assert s.count() == N_DOCS
        assert (
            s.conn.execute("SELECT count(DISTINCT doc_key) FROM documents").fetchone()[0] == N_DOCS
        )
        assert s.integrity_problems() == []
    finally:
        s.close()
