"""Pure scoring functions: recall@k, reciprocal rank, ROUGE-L, percentiles.

Every function takes plain Python values and returns a float, so each is easy to test
against hand-computed values."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

_TOKEN = re.compile(r"[a-z0-9]+")


def dedupe(ids: Iterable[str]) -> list[str]:
    """Ids in order of first appearance (a passage ranking -> a document ranking)."""
    return list(dict.fromkeys(ids))


def recall_at_k(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """Share of the gold ids found among the first ``k`` distinct ranked ids."""
    g = set(gold)
    if not g:
        return 0.0
    top = set(dedupe(ranked)[:k])
    return len(g & top) / len(g)


def reciprocal_rank(ranked: Sequence[str], gold: Iterable[str]) -> float:
    """1 / rank of the first gold id among the distinct ranked ids; 0 when none is found."""
    g = set(gold)
    for i, x in enumerate(dedupe(ranked), start=1):
        if x in g:
            return 1.0 / i
    return 0.0


def rouge_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (two-row dynamic programme)."""
    if not a or not b:
        return 0
    if len(b) > len(a):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, start=1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def rouge_l(candidate: str, reference: str, *, max_tokens: int = 1500) -> float:
    """ROUGE-L F1 (beta = 1) over lower-cased alphanumeric tokens.

    Both texts are cut to ``max_tokens`` tokens to bound the quadratic cost."""
    c = rouge_tokens(candidate)[:max_tokens]
    r = rouge_tokens(reference)[:max_tokens]
    lcs = lcs_length(c, r)
    if lcs == 0:
        return 0.0
    p, rec = lcs / len(c), lcs / len(r)
    return 2 * p * rec / (p + rec)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def mean(values: Iterable[float]) -> float:
    xs = list(values)
    return sum(xs) / len(xs) if xs else math.nan


def share(flags: Iterable[bool]) -> float:
    xs = list(flags)
    return sum(1 for x in xs if x) / len(xs) if xs else math.nan


def ratio(num: int, den: int) -> float:
    return num / den if den else math.nan
