"""Near-duplicate detection: MinHash signatures of word shingles, banded for LSH lookup.

Signatures come from datasketch's MinHash; the LSH bands are kept in the store (one indexed
key per band), so that detection persists across runs and scales with the database.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

NUM_PERM = 64
BANDS = 8  # 8 bands of 8 rows: candidates from Jaccard ≈ (1/8)^(1/8) ≈ 0.77 upwards
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 3
SIMILARITY_THRESHOLD = 0.8
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Signature:
    """A document's MinHash values and the LSH keys of its bands."""

    values: np.ndarray  # uint64, NUM_PERM
    band_keys: tuple[int, ...]

    def to_bytes(self) -> bytes:
        """Return the signature as bytes for storage."""
        return self.values.astype("<u4").tobytes()

    @staticmethod
    def from_bytes(data: bytes) -> np.ndarray:
        """Return stored signature values."""
        return np.frombuffer(data, dtype="<u4").astype(np.uint64)


@lru_cache(maxsize=1)
def _minhash_template() -> object:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32, scheme="affine32")


def shingles(text: str) -> list[bytes]:
    """Return the word 3-shingles of ``text`` (case-folded), as bytes."""
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        return [" ".join(words).encode()] if words else []
    return [
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    ]


def signature(text: str) -> Signature | None:
    """Return the MinHash signature of ``text``, or None for a text with no words."""
    from datasketch import MinHash

    grams = shingles(text)
    if not grams:
        return None
    template = _minhash_template()
    mh = MinHash(
        num_perm=NUM_PERM,
        seed=1,
        hashfunc=zlib.crc32,
        permutations=template.permutations,  # type: ignore[attr-defined]
        scheme="affine32",
    )
    mh.update_batch(grams)
    values = mh.hashvalues.astype(np.uint64)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return Signature(values, tuple(keys))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Return the Jaccard similarity estimated from two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)
