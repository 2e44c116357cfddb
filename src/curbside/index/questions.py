"""Question-to-question matching: a user's question against the questions the corpus
already answers (MedQuAD: each passage's section is the consumer question its text
answers; Ben Abacha and Demner-Fushman, 2019, "A question-entailment approach to
question answering").

At ingest (``index/sync.sync_questions``) every answered question is embedded with the
same bge-small model as the passages, one vector per answer (the rowid of its first
passage), into a small float16 index of its own (``<data>/questions``, the DenseIndex
format). At ask time the user's question is embedded once and compared with all of
them: ~16k questions score in about a millisecond. ``topic_covered`` then keeps only
stored questions whose topic the user's question names (Engine.similar_questions).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

import numpy as np

from curbside.index.dense import DenseIndex
from curbside.types import SourceType

# Source types whose passages are headed by the question they answer.
QUESTION_SOURCES = (SourceType.PATIENT_INFO.value,)
# What a question's vector is made from; part of the vectors' identity.
INPUT = "question-v1"
# bge's query instruction on the user's side (stored questions are embedded without
# it)? Measured on K-QA and MedicationQA (scripts/question_match_eval.py): where the two
# ways pick a different best match (15 of the 100 questions with a match of 0.72 or
# more), the one with the instruction is the better answer in 8 and the plain one in 1;
# plain embeddings favour a question sharing the template ("How to prevent Diabetes?"
# for a question like "how do I take my diabetes medicine"). Similarities run ~0.02-0.04 lower with it.
QUERY_INSTRUCTION = True

_ARE = re.compile(r"\bis \(are\)", re.I)
_SPACE_Q = re.compile(r"\s*\?[\s?]*$")
# MedQuAD's question templates with nothing after them (a file with an empty <Focus>)
_EMPTY_SLOT = re.compile(
    r"^(?:what is \(are\)|what is|what are|what causes|who is at risk for|how to diagnose|how to prevent"
    r"|what are the (?:symptoms|treatments|stages|complications|genetic changes related) ?(?:of|for|to)?"
    r"|what is the outlook for|what research \(or clinical trials\) is being done for"
    r"|do you have information about|how many people are affected by)$",
    re.I,
)
_TEMPLATE_TITLE = re.compile(r"^(?:what|who|how)\b.*\?\s*$", re.I)


def question_input(question: str, title: str) -> str | None:
    """The text a stored question is embedded as: MedQuAD's templates tidied ("What is
    (are) Gout ?" -> "What is Gout?"); a question whose topic slot is empty ("Who is at
    risk for ? ?") takes the document's title as its topic; None when there is no topic
    at all (nothing to match on)."""
    q = " ".join(question.split())
    title = " ".join((title or "").split())
    asked = q.endswith("?")
    q = _SPACE_Q.sub("", q)
    if not q or _EMPTY_SLOT.match(q):
        if not title or _TEMPLATE_TITLE.match(title):
            return None
        q = f"{q} {title.rstrip('?. ')}".strip()
    q = _ARE.sub("is", q)
    return q + "?" if asked or q.split()[0].lower() in _WH else q


_WH = frozenset("what who how why when where which is are can does do should".split())


class QueryEmbedder(Protocol):
    @property
    def model_id(self) -> str:
        """Identifies the model (read only: Embedder computes it once)."""
        ...

    def embed_query(self, text: str, *, instruction: bool = True) -> np.ndarray: ...


class QuestionMatcher:
    """``match(text, k)`` -> the k stored questions most similar to ``text``, best first,
    as (rowid of the answer's first passage, cosine similarity)."""

    def __init__(self, index: DenseIndex, embedder: QueryEmbedder, *, instruction: bool = QUERY_INSTRUCTION) -> None:
        self.index = index
        self.embedder = embedder
        self.instruction = instruction

    @staticmethod
    def exists(folder: Path) -> bool:
        return DenseIndex.exists(folder)

    @classmethod
    def load(cls, folder: Path, embedder: QueryEmbedder, *, threads: int = 2) -> QuestionMatcher | None:
        """The matcher over the index in ``folder``; None when there is none, or when
        it was built with another model (then it is rebuilt by the next ingest --embed)."""
        if not DenseIndex.exists(folder):
            return None
        index = DenseIndex.load(folder, threads=threads)
        if index.model_id != model_id(embedder.model_id):
            return None
        return cls(index, embedder)

    def __len__(self) -> int:
        return len(self.index)

    def match(self, text: str, k: int = 5, min_similarity: float = 0.0) -> list[tuple[int, float]]:
        """The stored questions most similar to ``text`` with a cosine of at least
        ``min_similarity``, best first (ties: smaller rowid first)."""
        if k <= 0 or not text.strip() or len(self.index) == 0:
            return []
        qv = self.embedder.embed_query(text, instruction=self.instruction)
        return [(r, s) for r, s in self.index.search(qv, k) if s >= min_similarity]


def model_id(embedder_model_id: str) -> str:
    """The identity of question vectors made by this embedder."""
    return f"{embedder_model_id}/{INPUT}"


# The words of MedQuAD's question templates: what is asked, not what it is about.
_TEMPLATE_WORDS = frozenset(
    """what whats is are was were the a an of for to in on about do does did you have has any
    information how who why when where which can could should will would be being been at risk
    causes cause caused treatments treatment treated treat symptoms symptom signs sign diagnose
    diagnosed diagnosis prevent prevented prevention outlook prognosis stages stage complications
    genetic changes related research clinical trials done many people affected by inherited
    i need know with and or it this that there its my your get""".split()
)
_GENERIC_TOPIC = frozenset("disease diseases disorder disorders condition conditions problem problems".split())
_WORD = re.compile(r"[a-z]+|\d+")
_PAREN = re.compile(r"\(([^)]*)\)")


def _stems(text: str) -> list[str]:
    out = []
    for w in _WORD.findall(text.lower()):
        if len(w) > 4 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


def _topic_alternatives(stored_question: str) -> list[list[str]]:
    """The stored question's topic words (template words out), and the alternatives a
    focus offers: "Bile Duct Cancer (Cholangiocarcinoma)" is about "bile duct cancer" or
    "cholangiocarcinoma"; "Parasites - Babesiosis" about "babesiosis"."""
    q = stored_question.replace("(are)", " ").replace("(or clinical trials)", " ")
    inside = " ".join(_PAREN.findall(q))
    outside = _PAREN.sub(" ", q)
    texts = [outside, inside]
    if " - " in outside:
        texts.append(outside.split(" - ", 1)[1])
    alts = []
    for t in texts:
        words = [w for w in _stems(t) if w not in _TEMPLATE_WORDS and w not in _GENERIC_TOPIC]
        if words:
            alts.append(words)
    return alts


def _said(word: str, user: set[str]) -> bool:
    if word in user:
        return True
    if len(word) >= 5:  # "diabetic" for "diabetes", "arrhythmias" for "arrhythmia"
        return any(len(u) >= 5 and u[:5] == word[:5] and (u.startswith(word[:6]) or word.startswith(u[:6]))
                   for u in user)
    return False


def topic_covered(user_question: str, stored_question: str) -> bool:
    """True when the user's question names every topic word of the stored question (in
    one of its alternatives): "Is migraine hereditary?" does not match "Is familial
    hemiplegic migraine inherited?", which is about a rarer kind of migraine; nor does
    "What is a neurological problem?" match a question about ALS. Template words ("What
    are the treatments for") are left to the embedding."""
    user = set(_stems(user_question))
    alts = _topic_alternatives(stored_question)
    return not alts or any(all(_said(w, user) for w in words) for words in alts)
