"""The corpus ceiling: which reference statements could ANY sentence of the corpus cover?

Every stored passage is split with the composer's own splitter and cleaner
(``composition.sentences``: the sentences an answer can be made of); each sentence's
content stems (``coverage.content_stems``) go into an inverted index stem -> sentence
ids. A statement with n content words is covered when some sentence holds ``needed(n)``
of them; such a sentence must hold one of the ``n - needed(n) + 1`` rarest words, so
only their sentences are candidates, and each candidate's overlap is counted by binary
search in the other words' sorted postings.

    index = load_or_build(store, cache_dir, max_chars=600)     # ~1 min once, then cached
    hit = index.best("Escitalopram is an SSRI antidepressant")
    hit.covered, index.sentence_text(store, hit.sentence)

The index is cached as ``<cache_dir>/sentences-<corpus version>-r<rule>-m<max chars>.npz``
(written atomically), so a re-run on the same corpus loads it in about a second."""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from curbside.composition.sentences import clean, split_sentences
from curbside.evaluation.coverage import RULE_VERSION, content_stems, needed

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Hit:
    words: int  # distinct content words of the statement
    covered: bool
    sentence: int | None  # id of the sentence sharing most words (None: no word in the corpus)
    shared: int


def corpus_sentences(text: str, max_chars: int) -> list[tuple[int, str]]:
    """(position, cleaned sentence) of a passage, as the composer would see them."""
    out = []
    for pos, s in enumerate(split_sentences(text)):
        c = clean(s, max_chars)
        if c is not None:
            out.append((pos, c))
    return out


class SentenceIndex:
    def __init__(self, vocab: list[str], offsets: np.ndarray, postings: np.ndarray,
                 sent_rowid: np.ndarray, sent_pos: np.ndarray, max_chars: int) -> None:
        self.vocab = vocab
        self.ids = {w: i for i, w in enumerate(vocab)}
        self.offsets = offsets  # postings of stem i: postings[offsets[i]:offsets[i + 1]] (sorted)
        self.postings = postings
        self.sent_rowid = sent_rowid  # sentence id -> passage rowid
        self.sent_pos = sent_pos  # sentence id -> position among the passage's split sentences
        self.max_chars = max_chars

    @property
    def sentences(self) -> int:
        return len(self.sent_rowid)

    # ---- building -----------------------------------------------------------------
    @classmethod
    def build(cls, passages: Iterable[tuple[int, str]], *, max_chars: int,
              tick: Callable[[], None] = lambda: None) -> SentenceIndex:
        """From (passage rowid, passage text) pairs."""
        ids: dict[str, int] = {}
        stem_col, sent_col = array("i"), array("i")
        rowids, positions = array("q"), array("i")
        for rowid, text in passages:
            for pos, sentence in corpus_sentences(text, max_chars):
                stems = content_stems(sentence)
                if not stems:
                    continue
                sid = len(rowids)
                rowids.append(rowid)
                positions.append(pos)
                for w in stems:
                    stem_col.append(ids.setdefault(w, len(ids)))
                    sent_col.append(sid)
            tick()
        stem_a = np.frombuffer(stem_col, dtype=np.int32) if stem_col else np.zeros(0, np.int32)
        sent_a = np.frombuffer(sent_col, dtype=np.int32) if sent_col else np.zeros(0, np.int32)
        order = np.argsort(stem_a, kind="stable")  # sentence ids stay ascending within a stem
        offsets = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(stem_a, minlength=len(ids)), out=offsets[1:])
        vocab = [""] * len(ids)
        for w, i in ids.items():
            vocab[i] = w
        return cls(vocab, offsets, sent_a[order].copy(),
                   np.frombuffer(rowids, dtype=np.int64).copy() if rowids else np.zeros(0, np.int64),
                   np.frombuffer(positions, dtype=np.int32).copy() if positions else np.zeros(0, np.int32),
                   max_chars)

    # ---- cache --------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, vocab=np.frombuffer("\n".join(self.vocab).encode(), dtype=np.uint8),
                         offsets=self.offsets, postings=self.postings, sent_rowid=self.sent_rowid,
                         sent_pos=self.sent_pos, max_chars=np.array([self.max_chars]))
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> SentenceIndex:
        with np.load(path) as z:
            text = z["vocab"].tobytes().decode()
            return cls(text.split("\n") if text else [], z["offsets"], z["postings"], z["sent_rowid"],
                       z["sent_pos"], int(z["max_chars"][0]))

    # ---- queries ------------------------------------------------------------------
    def _postings(self, stem: str) -> np.ndarray:
        i = self.ids.get(stem)
        if i is None:
            return self.postings[:0]
        return self.postings[self.offsets[i]:self.offsets[i + 1]]

    def best(self, statement: str) -> Hit:
        """The corpus sentence sharing most of ``statement``'s content words, among the
        sentences that could cover it (when none can, the sentence shares fewer words
        than needed and ``covered`` is False)."""
        target = content_stems(statement)
        n = len(target)
        if not n:
            return Hit(0, False, None, 0)
        lists = sorted((self._postings(w) for w in target), key=len)
        rare = [p for p in lists[: n - needed(n) + 1] if len(p)]
        if not rare:
            return Hit(n, False, None, 0)
        cand = np.unique(np.concatenate(rare))
        counts = np.zeros(len(cand), dtype=np.int32)
        for p in lists:
            if not len(p):
                continue
            at = np.searchsorted(p, cand)
            at[at == len(p)] = 0
            counts += p[at] == cand
        k = int(np.argmax(counts))
        shared = int(counts[k])
        return Hit(n, shared >= needed(n), int(cand[k]), shared)

    def sentence_text(self, store: Any, sentence: int | None) -> str | None:
        """The text of a sentence id (its passage is read again and split again)."""
        if sentence is None:
            return None
        ps = store.passages([int(self.sent_rowid[sentence])])
        if not ps:
            return None
        pos = int(self.sent_pos[sentence])
        for p, s in corpus_sentences(ps[0].text, self.max_chars):
            if p == pos:
                return s
        return None


def cache_file(cache_dir: Path, corpus_version: str, max_chars: int) -> Path:
    return cache_dir / f"sentences-{corpus_version}-r{RULE_VERSION}-m{max_chars}.npz"


def load_or_build(store: Any, cache_dir: Path, *, max_chars: int,
                  progress: Progress = lambda stage, done, total: None) -> SentenceIndex:
    """The sentence index of ``store``'s corpus: from the cache when its corpus version
    matches, else built (every passage read once) and cached."""
    path = cache_file(cache_dir, store.corpus_version(), max_chars)
    if path.exists():
        try:
            return SentenceIndex.load(path)
        except (OSError, ValueError, KeyError):  # a broken cache is rebuilt
            pass
    total = store.counts()["passages"]
    done = 0
    progress("corpus sentences", 0, total)

    def tick() -> None:
        nonlocal done
        done += 1
        if done % 2000 == 0 or done == total:
            progress("corpus sentences", done, total)

    rows = store.conn.execute("SELECT rowid, text FROM passages ORDER BY rowid")
    index = SentenceIndex.build(rows, max_chars=max_chars, tick=tick)
    try:
        index.save(path)
    except OSError:  # a read-only data folder: the ceiling is still measured, just not cached
        pass
    return index
