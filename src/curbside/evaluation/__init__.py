"""Evaluation: run the engine and a plain BM25 baseline over the sets in <shared>/eval.

sets.py       load and sample the jsonl sets
vocab.py      Disease Ontology + MeSH vocabulary (terms, equivalences, hierarchy)
matching.py   does a text state a gold indication?
metrics.py    recall@k, MRR, ROUGE-L, percentiles (pure functions)
baseline.py   plain BM25 over the lexical index
common.py     asking, citation integrity, abstention, latency
indications.py, bioasq.py, medicationqa.py   one evaluator per set
runner.py     run_eval(settings, sets, limit=...) -> report dict
report.py     report.json / report.md / report.svg / <set>.items.jsonl and the console table
"""
