"""Near-duplicate detection: MinHash signatures of word shingles, banded for LSH lookup.

Signatures come from datasketch's MinHash; the LSH bands are kept in the store (one indexed
key per band), so that detection persists across runs and scales with the database.
"""

from __future__ import annotations

from collections.abc import Sequence
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


# Word hashes are polynomial: h(word) = sum of byte_i * P^i over the word's UTF-8 bytes,
# modulo 2^64. Over the whole text the weighted bytes are summed cumulatively once; a word's
# sum is then a difference of two prefix sums, shifted back to its own start by P's inverse
# (P is odd, so it has one modulo 2^64). A text's word hashes thus come from a handful of array
# operations, with no Python string or dictionary lookup per word.
_P = 0x100000001B3
_P_INVERSE = pow(_P, -1, 2**64)
_powers_cache: list[tuple[np.ndarray, np.ndarray]] = []


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return P^i and P^-i modulo 2^64 for i < n at least (uint64; the tables grow by
    doubling and are kept)."""
    if _powers_cache and len(_powers_cache[0][0]) >= n:
        return _powers_cache[0]
    size = max(1 << 14, 1 << (n - 1).bit_length())
    tables = []
    for base in (_P, _P_INVERSE):
        steps = np.full(size, base, dtype=np.uint64)
        steps[0] = 1
        tables.append(np.cumprod(steps, dtype=np.uint64))  # wraps modulo 2^64, as wanted
    _powers_cache[:] = [(tables[0], tables[1])]
    return _powers_cache[0]


def _word_hashes(text: str) -> np.ndarray:
    """Return a 32-bit hash of each word of ``text`` lower-cased, in order. Words are runs of
    bytes above 32 (white space and control characters separate them), punctuation attached:
    copies of one report punctuate alike."""
    return _hash_words(text.lower().encode("utf-8"))[0]


def _hash_words(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Return the 32-bit hash of each word of ``data`` (UTF-8) and where each word starts."""
    n = len(data)
    codes = np.frombuffer(data, dtype=np.uint8)
    inside = np.zeros(n + 2, dtype=np.int8)  # padded so that every word has both edges
    np.greater(codes, 32, out=inside[1 : n + 1].view(bool))
    edges = np.flatnonzero(np.diff(inside))
    starts, ends = edges[0::2], edges[1::2]
    powers, inverses = _powers(n)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(codes * powers[:n], dtype=np.uint64, out=prefix[1:])
    sums = (prefix[ends] - prefix[starts]) * inverses[starts]
    folded: np.ndarray = (sums ^ (sums >> np.uint64(32))).astype(np.uint32)
    return folded, starts


def _shingles(text: str) -> np.ndarray:
    """Return the 32-bit hashes of the word 3-shingles of ``text`` (lower-cased), repeats
    included: the minimum MinHash takes is the same over a bag as over its set."""
    h = _word_hashes(text)
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

    Consecutive word hashes are combined arithmetically, which gives the same set semantics as
    hashing joined shingle strings at a fraction of the cost; the MinHash permutations then
    mix the values.
    """
    return np.unique(_shingles(text))


def minhash_values(hashes: np.ndarray) -> np.ndarray:
    """Return the MinHash of 32-bit input hashes, as datasketch's ``affine32`` scheme computes it.

    This is datasketch's ``update_batch`` for an identity hash function (MurmurHash3 finalizer,
    then ``a*h + b`` modulo 2^32, then the minimum per permutation), vectorised over the whole
    document at once instead of one Python call per shingle. A test pins it to datasketch.
    """
    values: np.ndarray = _minhash_rows(hashes, np.zeros(1, dtype=np.intp))[0]
    return values


# Each band's key mixes its ROWS values with the band's own seed (multiply and xor-shift,
# as MurmurHash3's 64-bit finaliser does), all bands at once.
_BAND_SEEDS = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xFF51AFD7ED558CCD)


def band_keys(values: np.ndarray) -> tuple[int, ...]:
    """Return the LSH key of each band of a signature (signed 64-bit, as databases store)."""
    return tuple(_band_keys_rows(values.reshape(1, NUM_PERM))[0].tolist())


def signature(text: str) -> Signature | None:
    """Return the MinHash signature of ``text``, or None for a text with no words."""
    hashes = _shingles(text)
    if not len(hashes):
        return None
    values = minhash_values(hashes).astype(np.uint64)
    return Signature(values, band_keys(values))


# Texts signed together by :func:`signatures`: about 100 KB of text, 15,000 shingles, so that
# the permutations' products (64 per shingle, 4 MB) stay in the processor's cache: a group of
# 128 reports spills them to memory and is slower (45 µs a report here against 80).
_GROUP = 32


def signatures(texts: Sequence[str]) -> list[Signature | None]:
    """Return :func:`signature` of each text, the same values, computed a group of texts at a
    time: the array operations that sign one report cost more in numpy's per-call overhead
    than in arithmetic, and a group pays it once."""
    out: list[Signature | None] = []
    for first in range(0, len(texts), _GROUP):
        out.extend(_signatures(texts[first : first + _GROUP]))
    return out


def _signatures(texts: Sequence[str]) -> list[Signature | None]:
    datas = [t.lower().encode("utf-8") for t in texts]
    # One buffer, texts apart by a space (no word runs across two texts); a word's polynomial
    # hash does not depend on where it starts (it is shifted back to its own start).
    words = _word_hashes_of(b" ".join(datas), datas)
    if words is None:
        return [None] * len(texts)
    h, owner = words
    counts = np.bincount(owner, minlength=len(texts))
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    # Each text's shingles: three consecutive words of the same text.
    n = len(h) - SHINGLE_WORDS + 1
    if n > 0:
        same = owner[:n] == owner[SHINGLE_WORDS - 1 :]
        combined = (
            h[:n] * np.uint32(0x9E3779B1) + h[1 : n + 1] * np.uint32(0x85EBCA77) + h[2 : n + 2]
        )[same]
        shingle_owner = owner[:n][same]
    else:
        combined = np.zeros(0, dtype=np.uint32)
        shingle_owner = np.zeros(0, dtype=np.int64)
    # A text of one or two words is one shingle: its words' hashes summed (modulo 2^32).
    short = np.flatnonzero((counts > 0) & (counts < SHINGLE_WORDS))
    if len(short):
        sums = [int(h[firsts[i] : firsts[i] + counts[i]].sum()) & 0xFFFFFFFF for i in short]
        combined = np.concatenate((combined, np.asarray(sums, dtype=np.uint32)))
        shingle_owner = np.concatenate((shingle_owner, short))
        order = np.argsort(shingle_owner, kind="stable")
        combined, shingle_owner = combined[order], shingle_owner[order]
    signed = np.flatnonzero(np.bincount(shingle_owner, minlength=len(texts)))
    out: list[Signature | None] = [None] * len(texts)
    if not len(signed):
        return out
    starts = np.searchsorted(shingle_owner, signed)
    values = _minhash_rows(combined, starts).astype(np.uint64)  # (texts signed, NUM_PERM)
    keys = _band_keys_rows(values)
    for row, i in enumerate(signed.tolist()):
        out[i] = Signature(values[row].copy(), tuple(keys[row].tolist()))
    return out


def _word_hashes_of(data: bytes, parts: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the 32-bit hash of each word of ``data`` (as :func:`_word_hashes`) and the
    index of the part (of ``parts``, joined by one space into ``data``) it lies in."""
    h, starts = _hash_words(data)
    if not len(h):
        return None
    bounds = np.cumsum([len(p) + 1 for p in parts])  # where each part's separator stands
    owner = np.searchsorted(bounds, starts, side="right")
    return h, owner


def _minhash_rows(hashes: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Return :func:`minhash_values` of each run of ``hashes`` beginning at ``starts``, one
    row each."""
    a, b = _permutations()
    hv = hashes.astype(np.uint32)  # a copy: mixed in place below (MurmurHash3's finaliser)
    hv ^= hv >> np.uint32(16)
    hv *= np.uint32(0x85EBCA6B)
    hv ^= hv >> np.uint32(13)
    hv *= np.uint32(0xC2B2AE35)
    hv ^= hv >> np.uint32(16)
    # One row per permutation, so that each run's minimum is a contiguous reduction.
    products = np.multiply.outer(a, hv)
    products += b[:, None]
    rows: np.ndarray = np.minimum.reduceat(products, starts, axis=1).T
    return rows


def _band_keys_rows(values: np.ndarray) -> np.ndarray:
    """Return :func:`band_keys` of each row of ``values`` (signed 64-bit)."""
    rows = values.astype(np.uint64).reshape(len(values), BANDS, ROWS)
    keys = np.broadcast_to(_BAND_SEEDS, (len(values), BANDS)).copy()
    for row in range(ROWS):
        keys ^= rows[:, :, row]
        keys *= _MIX
        keys ^= keys >> np.uint64(33)
    out: np.ndarray = keys.view(np.int64)
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Return the Jaccard similarity estimated from two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)
