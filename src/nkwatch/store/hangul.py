"""Full-text search in Korean: Hangul indexed as overlapping syllable pairs.

A word-based index (FTS5's unicode61, PostgreSQL's ``simple``) keeps a Korean word whole with
its particles and endings: 혜산시에서 ("in Hyesan City") is one token, so a search for 혜산 or
혜산시 finds nothing, and neither does 보위성 inside 국가보위성은. Korean search engines index
syllable bigrams instead (as Lucene's CJK analyzer does): 혜산시에서 → 혜산 산시 시에 에서, and a
query word becomes the phrase of its own bigrams (혜산시 → "혜산 산시"), which matches wherever
the word occurs, inside a longer word or followed by any particle. No morphological analysis
is needed at ingest or query time, and words of two syllables, the most common in Korean
(체포, 혜산), are found, which a trigram index cannot do.

Each report's bigrams are kept in the ``grams`` column (NULL for a report without Hangul) and
indexed beside title and body; :func:`rewrite` turns the Hangul words of a query, in FTS5
syntax, into bigram phrases; words in other scripts are left to the word index. Since the
body's own snippet cannot highlight a bigram match, :func:`highlight` marks the Korean words
in the body.
"""

from __future__ import annotations

import re

_HANGUL = re.compile(r"[가-힣]+")
# The first byte of every Hangul syllable (U+AC00–U+D7A3) in UTF-8. Looking for these bytes
# (memchr) tells a text with no Hangul at all, most English reports, several times faster
# than a character-class search of the text.
_HANGUL_LEAD_BYTES = (b"\xea", b"\xeb", b"\xec", b"\xed")
# A query in FTS5 syntax: "phrases" (a doubled quote escapes one), barewords, and the rest.
_QUERY_TOKEN = re.compile(r'"(?:[^"]|"")*"|[^\s"()*:^+]+|\S')
_WORD = re.compile(r"[^\W_]+")
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def bigrams(run: str) -> list[str]:
    """Return the overlapping syllable pairs of a run of Hangul (a single syllable alone)."""
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def has_hangul(text: str) -> bool:
    """Return True when ``text`` holds a Hangul syllable."""
    if text.isascii():
        return False
    data = text.encode("utf-8", "surrogatepass")
    if not any(lead in data for lead in _HANGUL_LEAD_BYTES):
        return False
    return _HANGUL.search(text) is not None


def grams(*texts: str | None) -> str | None:
    """Return the bigrams of the Hangul in ``texts`` as one space-separated string, or None
    when they hold no Hangul (most English reports: nothing is stored for them)."""
    out: list[str] = []
    for text in texts:
        if text and has_hangul(text):
            for run in _HANGUL.findall(text):
                out.extend(bigrams(run))
    return " ".join(out) if out else None


def _phrase(words: list[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def _term(text: str, prefix: bool) -> str:
    """Return the FTS5 query for one bareword or phrase: Hangul words as bigram phrases, other
    words as they were (a prefix star kept on a last word that is not Hangul)."""
    words = _WORD.findall(text)
    parts: list[str] = []
    plain: list[str] = []
    korean: list[str] = []
    for word in words:
        runs = _HANGUL.findall(word)
        if not runs:
            plain.append(word)
            continue
        for run in runs:
            korean.extend(bigrams(run))
        rest = _HANGUL.sub(" ", word).split()
        plain.extend(rest)
    if plain:
        parts.append(_phrase(plain) + ("*" if prefix and not _HANGUL.search(words[-1]) else ""))
    if korean:
        # A lone syllable is the start of a pair: a prefix of the bigrams.
        lone = len(korean) == 1 and len(korean[0]) == 1
        parts.append(_phrase(korean) + ("*" if lone else ""))
    if not parts:
        return _phrase([text])
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def rewrite(query: str) -> str:
    """Return a query in FTS5 syntax with each bareword or phrase that holds Hangul turned into
    bigram phrases (``혜산시 AND phone*`` → ``"혜산 산시" AND phone*``); a query without Hangul
    is returned unchanged."""
    if not has_hangul(query):
        return query
    tokens = _QUERY_TOKEN.findall(query)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        prefix = i + 1 < len(tokens) and tokens[i + 1] == "*"
        if has_hangul(token) and token not in _OPERATORS:
            text = token[1:-1].replace('""', '"') if token.startswith('"') else token
            out.append(_term(text, prefix))
            i += 2 if prefix else 1
            continue
        out.append(token)
        i += 1
    # Tokens were split on white space and punctuation: join them so FTS5 reads the same
    # operators, with a star kept against its word.
    return " ".join(out).replace(" *", "*").replace("( ", "(").replace(" )", ")")


def terms(query: str) -> list[str]:
    """Return the Hangul words of a query (what :func:`highlight` marks), longest first."""
    found = {run for run in _HANGUL.findall(query)}
    return sorted(found, key=len, reverse=True)


def highlight(body: str, words: list[str], before: str = "[", after: str = "]") -> str | None:
    """Return a snippet of ``body`` around the first of ``words`` with each occurrence marked,
    or None when none occurs."""
    if not words:
        return None
    pattern = re.compile("|".join(re.escape(w) for w in words))
    first = pattern.search(body)
    if first is None:
        return None
    start = max(0, first.start() - 40)
    end = min(len(body), first.end() + 80)
    piece = " ".join(body[start:end].split())
    marked = pattern.sub(lambda m: before + m.group() + after, piece)
    return ("…" if start > 0 else "") + marked + ("…" if end < len(body) else "")


__all__ = ["bigrams", "grams", "highlight", "rewrite", "terms"]
