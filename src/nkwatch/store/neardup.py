"""Near-duplicate detection: MinHash signatures of word shingles, banded for LSH lookup.

Signatures come from datasketch's MinHash; the LSH bands are kept in the store (one indexed
key per band), so that detection persists across runs and scales with the database.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

NUM_PERM = 64
BANDS = 16  # 16 bands of 4 rows: a pair at Jaccard 0.8 shares a band with probability 0.9998
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 3
# Verified on the estimate from 64 values (standard error about 0.05 near 0.8), so the bar sits
# a little below the 0.8 Jaccard of a typical lightly edited syndicated copy.
SIMILARITY_THRESHOLD = 0.75
# A report syndicated thousands of times must not make each new copy compare with all of them:
# the most recent candidates are verified, enough to join the copy to its cluster.
MAX_CANDIDATES = 50


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


def _identity(value: int) -> int:
    return value


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """Return datasketch's affine permutations (a, b) for our seed and size, as uint32."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


_word_hashes: dict[str, int] = {}
_WORD_CACHE_LIMIT = 1_000_000


def _hash_words(words: list[str]) -> np.ndarray:
    """Return the CRC-32 of each word, from a cache filled as new words are seen."""
    cache = _word_hashes
    get = cache.__getitem__
    try:
        return np.fromiter(map(get, words), np.uint32, len(words))
    except KeyError:  # words not seen before: hash them once
        new = [w for w in set(words) if w not in cache]
        if len(cache) + len(new) > _WORD_CACHE_LIMIT:
            cache.clear()
            new = list(set(words))
        for w in new:
            cache[w] = zlib.crc32(w.encode())
        return np.fromiter(map(get, words), np.uint32, len(words))


def _shingles(text: str) -> np.ndarray:
    """Return the 32-bit hashes of the word 3-shingles of ``text`` (lower-cased), repeats
    included: the minimum MinHash takes is the same over a bag as over its set."""
    h = _hash_words(text.lower().split())
    if not len(h):
        return h
    if len(h) < SHINGLE_WORDS:
        return np.array([int(h.sum()) & 0xFFFFFFFF], dtype=np.uint32)
    n = len(h) - SHINGLE_WORDS + 1
    # uint32 arithmetic wraps modulo 2^32, which is what a 32-bit shingle hash wants.
    combined: np.ndarray = (
        h[:n] * np.uint32(0x9E3779B1) + h[1 : n + 1] * np.uint32(0x85EBCA77) + h[2 : n + 2]
    )
    return combined


def shingle_hashes(text: str) -> np.ndarray:
    """Return the distinct 32-bit hashes of the word 3-shingles of ``text`` (lower-cased).

    Words are split on white space with their punctuation attached: copies of one report
    punctuate alike, and ``str.split`` is several times faster than a word regex.

    Each word is hashed once (CRC-32, cached: report vocabulary repeats) and consecutive word
    hashes are combined arithmetically, which gives the same set semantics as hashing joined
    shingle strings at a fraction of the cost; the MinHash permutations then mix the values.
    """
    return np.unique(_shingles(text))


def minhash_values(hashes: np.ndarray) -> np.ndarray:
    """Return the MinHash of 32-bit input hashes, as datasketch's ``affine32`` scheme computes it.

    This is datasketch's ``update_batch`` for an identity hash function (MurmurHash3 finalizer,
    then ``a*h + b`` modulo 2^32, then the minimum per permutation), vectorised over the whole
    document at once instead of one Python call per shingle. A test pins it to datasketch.
    """
    a, b = _permutations()
    hv = hashes.astype(np.uint32)  # a copy: mixed in place below
    hv ^= hv >> np.uint32(16)
    hv *= np.uint32(0x85EBCA6B)
    hv ^= hv >> np.uint32(13)
    hv *= np.uint32(0xC2B2AE35)
    hv ^= hv >> np.uint32(16)
    # One row per permutation, so that each row's minimum is one contiguous reduction.
    products = np.multiply.outer(a, hv)
    products += b[:, None]
    values: np.ndarray = products.min(axis=1)
    return values


def signature(text: str) -> Signature | None:
    """Return the MinHash signature of ``text``, or None for a text with no words."""
    hashes = _shingles(text)
    if not len(hashes):
        return None
    values = minhash_values(hashes).astype(np.uint64)
    raw = values.astype("<u4").tobytes()
    width = ROWS * 4
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(
            raw[band * width : (band + 1) * width], digest_size=8, salt=bytes([band])
        ).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return Signature(values, tuple(keys))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Return the Jaccard similarity estimated from two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)
