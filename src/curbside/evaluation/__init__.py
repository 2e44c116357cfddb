"""Evaluation: run the engine and a plain BM25 baseline over the sets in <shared>/eval.

sets.py       load and sample the jsonl sets
vocab.py      Disease Ontology + MeSH vocabulary (terms, equivalences, hierarchy)
matching.py   does a text state a gold indication?
metrics.py    recall@k, MRR, ROUGE-L, percentiles (pure functions)
baseline.py   plain BM25 over the lexical index
common.py     asking, citation integrity, abstention, latency
coverage.py   does one sentence state a reference statement? (60 % of its content words)
ceiling.py    the corpus ceiling: an inverted index of every corpus sentence's stems (cached)
answer_coverage.py   reference statements vs the answer, the baseline and the ceiling
indications.py, bioasq.py, medicationqa.py, kqa.py, abstention.py   one evaluator per set
data/         our own sets (abstention.jsonl)
runner.py     run_eval(settings, sets, limit=...) -> report dict
report.py     report.json / report.md / report.svg / <set>.items.jsonl and the console table
"""
