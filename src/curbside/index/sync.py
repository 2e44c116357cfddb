"""Bring the derived artefacts (lexical index, vocabularies, vectors) up to date with
the store. Each step is idempotent, so a run killed half-way is finished by the next."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from curbside import paths
from curbside.settings import Settings
from curbside.store.sqlite import SQLiteStore
from curbside.understanding.glossary import Glossary

Progress = Callable[[str, int, int], None]

LEXICAL = "lexical"
_BATCH_DOCS = 2000


def sync_lexical(store: SQLiteStore, data_dir: Path, settings: Settings, tick: Progress) -> int:
    """Re-index changed documents (and those whose passages became or stopped being
    their copies' representative); returns how many passages were (re)indexed. The
    index holds representatives only."""
    from curbside.index.lexical import LexicalIndex

    stale, gone = store.index_diff(LEXICAL)
    if not stale and not gone and LexicalIndex.exists(paths.lexical_dir(data_dir)):
        return 0
    index = LexicalIndex(paths.lexical_dir(data_dir))
    total = 0
    if gone:
        index.update(gone, (), threads=settings.threads)
        store.mark_indexed(LEXICAL, [], gone)
    for i in range(0, len(stale), _BATCH_DOCS):
        tick("index", i, len(stale))
        batch = stale[i : i + _BATCH_DOCS]
        # one entry for each text: a copy is found through its representative
        total += index.update(batch, store.passages_of_docs(batch, reps_only=True), threads=settings.threads)
        store.mark_indexed(LEXICAL, batch, [])
    tick("index", len(stale), len(stale))
    return total


MAX_LABEL_GENERICS = 8


def sync_vocab(store: SQLiteStore, data_dir: Path, settings: Settings, *, force: bool) -> None:
    """Build the drug lexicon (labels' own brand names + open vocabularies) and the
    condition matcher into the data folder, when missing or when the corpus changed,
    and the glossary when missing or when its vocabularies or the corpus changed."""
    from curbside.understanding.conditions import ConditionMatcher
    from curbside.understanding.lexicon import DrugLexicon
    from curbside.understanding.lexicon_build import corpus_words
    from curbside.understanding.normalize import drug_key

    lex_path = paths.lexicon_file(data_dir)
    cond_path = paths.conditions_file(data_dir)
    vocab = settings.vocab_dir
    if not force and not _loads(DrugLexicon, lex_path):
        force = True
    if not force and not _loads(ConditionMatcher, cond_path):
        cond_path.unlink(missing_ok=True)
    if force or not lex_path.exists():
        # the ingredients of a crowded label (an allergenic extract of 120 foods: "banana",
        # "orange") are no drugs of their own: only labels of a few generics name drugs
        extra = list(store.label_drug_names(max_generics=MAX_LABEL_GENERICS))
        crowded = {drug_key(g) for g, _ in store.label_drug_names()} - {drug_key(g) for g, _ in extra}
        lexicon = DrugLexicon.build(
            vocab, extra=extra, corpus_generics=frozenset(store.drug_keys()) - crowded,
            label_texts=store.label_texts_without_brand(), corpus_words=corpus_words(store.passage_texts()),
        )
        lexicon.save(lex_path)
    if force or not cond_path.exists():
        ConditionMatcher.build(vocab, name_groups=store.patient_topic_names()).save(cond_path)
    sync_glossary(store, data_dir, settings)


def sync_glossary(store: SQLiteStore, data_dir: Path, settings: Settings) -> bool:
    """Build the glossary (understanding/glossary_build.py) when it is missing, unreadable
    or was built from other vocabulary files, rules or corpus. True when it was built."""
    from curbside.understanding.glossary_build import fingerprint

    path = paths.glossary_file(data_dir)
    fp = fingerprint(settings.vocab_dir, store.corpus_version())
    if Glossary.stored_fingerprint(path) == fp:
        return False
    build_glossary_of(store, data_dir, settings, fp).save(path)
    return True


def build_glossary_of(store: SQLiteStore, data_dir: Path, settings: Settings, fp: str = "") -> Glossary:
    """The glossary of the vocabularies and the data folder's corpus: its consumer pages'
    definitions, its passages' word counts (lexical index), its drug lexicon."""
    from curbside.index.lexical import LexicalIndex
    from curbside.types import SourceType
    from curbside.understanding.glossary_build import build_glossary, definition_pages
    from curbside.understanding.lexicon import DrugLexicon
    from curbside.understanding.normalize import term_key

    lexicon = DrugLexicon.load(paths.lexicon_file(data_dir))
    lexical = LexicalIndex(paths.lexical_dir(data_dir))

    def drug_of(term: str) -> str:
        found = lexicon.lookup(term_key(term))
        return found[0] if found else ""

    return build_glossary(
        settings.vocab_dir,
        pages=definition_pages(store.first_answers(SourceType.PATIENT_INFO, "What is (are)")),
        corpus_count=lambda words: lexical.count(f'"{words}"' if " " in words else words),
        corpus_passages=lexical.num_docs(), drug_of=drug_of, fingerprint=fp,
    )


def _loads(kind: type, path: Path) -> bool:
    """True when ``path`` exists and loads (a file from an older build may not)."""
    if not path.exists():
        return False
    try:
        kind.load(path)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - any failure means: rebuild it
        return False
    return True


# What a passage's vector is made from; part of the vectors' identity, so changing it
# re-embeds. The document title leads: for an abstract it is the paper's own summary.
INPUT = "title+text"
_PLACEHOLDER_TITLE = re.compile(r"^PubMed abstract \d+$")


def embed_input(title: str | None, text: str) -> str:
    """"<title>. <passage text>", or the text alone when the title is a placeholder
    ("PubMed abstract 123") or is the text itself (a record with only a title)."""
    title = (title or "").strip()
    if not title or _PLACEHOLDER_TITLE.match(title) or title == text.strip():
        return text
    return f"{title.rstrip('.')}. {text}"


def embed_chunks(embedder: Any, chunks: Sequence[Sequence[str]], batch_size: int) -> Iterator[np.ndarray]:
    """The vectors of each chunk of texts, in order: through the embedder's own
    ``embed_chunks`` when it has one (index/distributed.RayEmbedder: many chunks at once
    on a cluster), else chunk by chunk here."""
    many = getattr(embedder, "embed_chunks", None)
    if many is not None:
        yield from many(chunks, batch_size)
        return
    for texts in chunks:
        yield embedder.embed_passages(list(texts), batch_size=batch_size)


# Passages embedded (and stored) at a time: on Ray, one task. The model's int8 activations
# are quantised per call, so a vector depends a little on the batch it was computed in
# (cosine 0.998 on average, 0.992 at worst, across batchings of 300 abstracts): the same
# chunks make the same vectors anywhere.
EMBED_CHUNK = 256


def _chunk_size(settings: Settings) -> int:
    return max(settings.embed_batch, EMBED_CHUNK)


def sync_dense(
    store: SQLiteStore, data_dir: Path, settings: Settings, tick: Progress, embedder: Any | None = None
) -> int:
    """Embed passages that have no vector yet (by content hash), then write the dense
    index for the current passages. Returns how many passages were embedded.
    ``embedder``: the local model by default; a RayEmbedder computes on a cluster."""
    from curbside.index.dense import DenseIndex
    from curbside.index.embedder import Embedder
    from curbside.index.models import model_dir

    if embedder is None:
        embedder = Embedder(model_dir("bge_small_en"), threads=settings.threads, max_tokens=settings.embed_max_tokens)
    vector_id = f"{embedder.model_id}/{INPUT}"
    sources = settings.embed_source_types()
    missing = [(h, embed_input(title, text)) for h, text, title in store.missing_embeddings(vector_id, sources)]
    # similar lengths together, so batches carry little padding
    missing.sort(key=lambda x: len(x[1]))
    step = _chunk_size(settings)
    chunks = [missing[i : i + step] for i in range(0, len(missing), step)]
    vectors = embed_chunks(embedder, [[t for _, t in chunk] for chunk in chunks], settings.embed_batch)
    for i, (chunk, vecs) in enumerate(zip(chunks, vectors)):
        tick("embed", i * step, len(missing))
        store.put_embeddings(
            vector_id,
            [(h, v.astype(np.float16).tobytes()) for (h, _), v in zip(chunk, vecs)],
        )
    tick("embed", len(missing), len(missing))
    folder = paths.dense_dir(data_dir)
    state_file = folder / "state.json"
    # "rows": which passages have a row (copies share their representative's)
    state = {"corpus_version": store.corpus_version(), "model_id": vector_id, "sources": sources,
             "rows": "representatives"}
    current = json.loads(state_file.read_text()) if state_file.exists() else {}
    if missing or current != state or not _dense_digest(folder):
        rowids: list[int] = []
        stored: list[np.ndarray] = []
        for rowid, blob in store.iter_embeddings(vector_id, sources):
            rowids.append(rowid)
            stored.append(np.frombuffer(blob, dtype=np.float16))
        matrix = np.vstack(stored) if stored else np.zeros((0, embedder.dim), dtype=np.float16)
        state_file.unlink(missing_ok=True)
        DenseIndex.write(folder, np.asarray(rowids, dtype=np.int64), matrix, vector_id)
        state_file.write_text(json.dumps(state))
    sync_ann(folder, settings, tick)
    return len(missing)


def _dense_digest(folder: Path) -> str:
    """The digest of the finished dense index in ``folder`` ("" when none, or written
    before digests existed: such an index is rewritten once)."""
    try:
        return str(json.loads((folder / "meta.json").read_text()).get("digest") or "")
    except (OSError, ValueError, AttributeError):
        return ""


def sync_ann(folder: Path, settings: Settings, tick: Progress) -> bool:
    """Build the IVF index of the vectors in ``folder`` when the settings search them
    through one (``vector_index``) and it is missing or was built for other vectors; an
    index of other vectors is removed when none is wanted. True when one was built."""
    from curbside.index import ann
    from curbside.index.dense import DenseIndex, search_method

    vectors = DenseIndex.load(folder, threads=settings.threads)
    if ann.is_current(folder, vectors.digest):
        return False
    if search_method(settings.vector_index, len(vectors), settings.ann_min_vectors) != "ivf" or not len(vectors):
        ann.remove(folder)
        return False
    ann.build(folder, vectors.vectors, vectors.digest, threads=settings.threads, tick=tick)
    return True


def sync_questions(
    store: SQLiteStore, data_dir: Path, settings: Settings, tick: Progress, embedder: object | None = None
) -> int:
    """Embed the answered questions (MedQuAD: a passage's section is its question) that
    have no vector yet, then write the question index for the current answers: one
    row per answer (the rowid of its first passage). Vectors are kept in the store by
    the hash of their input text, so an unchanged question is never embedded twice,
    and a removed answer drops out when the index is rewritten. Returns how many
    questions were embedded."""
    from curbside.index.dense import DenseIndex
    from curbside.index.embedder import Embedder
    from curbside.index.models import model_dir
    from curbside.index.questions import QUESTION_SOURCES, model_id, question_input
    from curbside.types import content_hash

    if embedder is None:
        embedder = Embedder(model_dir("bge_small_en"), threads=settings.threads, max_tokens=settings.embed_max_tokens)
    vector_id = model_id(embedder.model_id)  # type: ignore[attr-defined]
    rows: list[tuple[int, str]] = []  # (rowid, hash of the input text)
    texts: dict[str, str] = {}
    for rowid, question, title in store.answered_questions(QUESTION_SOURCES):
        text = question_input(question, title)
        if text is None:
            continue
        h = content_hash("question", text)
        rows.append((rowid, h))
        texts[h] = text
    have = store.embeddings_of(vector_id, list(texts))
    missing = sorted((h for h in texts if h not in have), key=lambda h: (len(texts[h]), h))
    step = _chunk_size(settings)
    chunks = [missing[i : i + step] for i in range(0, len(missing), step)]
    vectors = embed_chunks(embedder, [[texts[h] for h in chunk] for chunk in chunks], settings.embed_batch)
    for i, (chunk, vecs) in enumerate(zip(chunks, vectors)):
        tick("questions", i * step, len(missing))
        blobs = [(h, v.astype(np.float16).tobytes()) for h, v in zip(chunk, vecs)]
        store.put_embeddings(vector_id, blobs)
        have.update(blobs)
    tick("questions", len(missing), len(missing))
    folder = paths.questions_dir(data_dir)
    state_file = folder / "state.json"
    state = {"corpus_version": store.corpus_version(), "model_id": vector_id, "sources": list(QUESTION_SOURCES)}
    current = json.loads(state_file.read_text()) if state_file.exists() else {}
    if missing or current != state or not DenseIndex.exists(folder):
        dim = int(embedder.dim)  # type: ignore[attr-defined]
        matrix = (
            np.vstack([np.frombuffer(have[h], dtype=np.float16) for _, h in rows])
            if rows
            else np.zeros((0, dim), dtype=np.float16)
        )
        folder.mkdir(parents=True, exist_ok=True)
        state_file.unlink(missing_ok=True)
        DenseIndex.write(folder, np.asarray([r for r, _ in rows], dtype=np.int64), matrix, vector_id)
        state_file.write_text(json.dumps(state))
    return len(missing)
