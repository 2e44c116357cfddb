"""How many passages of an ingested corpus are copies, and what exact grouping misses
(not a test; measurements for BENCHMARKS.md, "Scale").

    .venv/bin/python scripts/near_duplicates.py [--data-dir var] [--examples 3]

1. Exact groups as the store keeps them (store/sqlite.py ``copy_key``): groups, copies,
   group sizes, whole-document copies, by source type; and how many more passages the
   text alone would group (boilerplate of other drugs' labels, other conditions' pages).
2. Near-duplicates the exact key misses: MinHash (datasketch, 64 permutations) of word
   3-shingles of one passage per exact group, LSH at Jaccard 0.8, each candidate pair
   checked by its exact shingle Jaccard (≥ 0.8) and classed: same subject or not (kind,
   title and drugs), and whether only case, punctuation and spacing differ or words do.
   Examples show what differs (difflib). Needs the ``bench`` extra (datasketch).
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import re
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def shingles(ws: list[str]) -> set[tuple[str, ...]]:
    return {tuple(ws[i : i + 3]) for i in range(max(1, len(ws) - 2))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=REPO / "var")
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--threshold", type=float, default=0.8)
    args = ap.parse_args()
    from datasketch import MinHash, MinHashLSH

    conn = sqlite3.connect(f"file:{args.data_dir / 'curbside.sqlite'}?mode=ro", uri=True)
    docs = {r[0]: r[1:] for r in conn.execute("SELECT doc_id, source_type, title, drugs FROM documents")}
    rows = conn.execute("SELECT rowid, doc_id, section_code, text, copy_key, rep FROM passages").fetchall()

    # 1. exact groups
    by_key: dict[int, list[tuple[int, str]]] = collections.defaultdict(list)
    for rowid, doc, _, _, key, _ in rows:
        by_key[key].append((rowid, doc))
    multi = [v for v in by_key.values() if len({d for _, d in v}) > 1]
    kinds = collections.Counter(docs[v[0][1]][0] for v in multi)
    sizes = collections.Counter(min(len({d for _, d in v}), 10) for v in multi)
    copies = sum(1 for r in rows if not r[5])
    with_rep = {r[1] for r in rows if r[5]}
    whole = [d for d in docs if d not in with_rep]
    text_only = collections.defaultdict(set)
    for _, doc, _, text, _, _ in rows:
        text_only[" ".join(text.split())].add(doc)
    print(f"passages {len(rows):,}; exact groups {len(by_key):,}; copies (not indexed) {copies:,}")
    print(f"groups spanning documents {len(multi):,} by kind {dict(kinds)}; documents per group "
          f"{dict(sorted(sizes.items()))} (10 = 10 or more)")
    print(f"whole-document copies (no passage of their own) {len(whole):,} "
          f"{dict(collections.Counter(docs[d][0] for d in whole))}")
    print(f"text alone would make {sum(len(v) - 1 for v in text_only.values()):,} copies "
          f"({len(text_only):,} groups): boilerplate of other subjects")

    # 2. near-duplicates the exact key misses
    t0 = time.perf_counter()
    firsts = [r for r in rows if r[5]]
    ws = [words(r[3]) for r in firsts]
    hashes = MinHash.bulk([[" ".join(s).encode() for s in shingles(w)] for w in ws], num_perm=64)
    lsh = MinHashLSH(threshold=args.threshold, num_perm=64)
    for r, m in zip(firsts, hashes):
        lsh.insert(r[0], m)
    pairs = {(min(a, b), max(a, b)) for r, m in zip(firsts, hashes) for a in [r[0]] for b in lsh.query(m) if a != b}
    print(f"MinHash LSH over {len(firsts):,} representatives: {len(pairs):,} candidate pairs "
          f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    info = {r[0]: (r, w) for r, w in zip(firsts, ws)}
    classes: collections.Counter = collections.Counter()
    examples: dict[tuple, list] = collections.defaultdict(list)
    for a, b in pairs:
        (ra, wa), (rb, wb) = info[a], info[b]
        if ra[1] == rb[1]:
            classes["same document"] += 1
            continue
        sa, sb = shingles(wa), shingles(wb)
        j = len(sa & sb) / max(1, len(sa | sb))
        if j < args.threshold:
            classes["below the threshold when checked"] += 1
            continue
        da, db = docs[ra[1]], docs[rb[1]]
        same = (da[0], da[1], sorted(json.loads(da[2]))) == (db[0], db[1], sorted(json.loads(db[2])))
        key = (da[0], "same subject" if same else "other subject",
               "case, punctuation or spacing only" if wa == wb else "words differ")
        classes[key] += 1
        examples[key].append((j, a, b))
    for key, n in sorted(classes.items(), key=lambda x: str(x[0])):
        print(f"  {key}: {n:,}")
    for key, ex in sorted(examples.items(), key=lambda x: str(x[0])):
        if key[1] != "same subject":
            continue
        print(f"== {key}")
        for j, a, b in sorted(ex)[: args.examples]:
            (ra, _), (rb, _) = info[a], info[b]
            ops = difflib.SequenceMatcher(None, ra[3], rb[3], autojunk=False).get_opcodes()
            diffs = [(ra[3][i1:i2], rb[3][j1:j2]) for op, i1, i2, j1, j2 in ops if op != "equal"][:4]
            print(f"   J={j:.2f} {ra[1]} | {rb[1]} | {ra[2]}: {diffs}")


if __name__ == "__main__":
    main()
