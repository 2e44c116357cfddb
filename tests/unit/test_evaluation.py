from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from curbside.evaluation.matching import IndicationMatcher
from curbside.evaluation.metrics import (
    lcs_length,
    percentile,
    recall_at_k,
    reciprocal_rank,
    rouge_l,
)
from curbside.evaluation.sets import sample
from curbside.evaluation.vocab import norm_words
from curbside.types import AlsoIn

# ---- metrics -----------------------------------------------------------------------


def test_recall_at_k_counts_distinct_ids_in_the_top_k() -> None:
    ranked = ["a", "x", "a", "b", "y", "c"]  # "a" repeats: the distinct ranking is a x b y c
    assert recall_at_k(ranked, ["a", "b", "c", "d"], 3) == 0.5  # a and b in the top 3 distinct
    assert recall_at_k(ranked, ["c"], 5) == 1.0
    assert recall_at_k(ranked, ["z"], 10) == 0.0
    assert recall_at_k(ranked, [], 10) == 0.0


def test_reciprocal_rank() -> None:
    assert reciprocal_rank(["x", "y", "g"], ["g"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x", "x", "g"], ["g"]) == pytest.approx(1 / 2)  # repeats dropped
    assert reciprocal_rank(["x"], ["g"]) == 0.0


def test_rouge_l_known_values() -> None:
    assert lcs_length("a b c d".split(), "a c d e".split()) == 3
    # candidate "the cat sat on the mat", reference "the cat is on the mat": LCS = 5 of 6 and 6
    assert rouge_l("the cat sat on the mat", "the cat is on the mat") == pytest.approx(5 / 6)
    # LCS "police the gunman" = 3 of 4 words on each side: P = R = F1 = 0.75
    assert rouge_l("police kill the gunman", "police killed the gunman") == pytest.approx(0.75)
    assert rouge_l("the gunman kill police", "police kill the gunman") == pytest.approx(0.5)
    assert rouge_l("", "anything") == 0.0
    assert rouge_l("Same TEXT.", "same text") == 1.0


def test_percentile_interpolates() -> None:
    assert percentile([1, 2, 3, 4, 5], 50) == 3
    assert percentile([10, 20], 95) == pytest.approx(19.5)
    assert math.isnan(percentile([], 50))


def test_sample_is_an_even_deterministic_spread() -> None:
    assert sample(list(range(10)), 3) == [0, 3, 6]
    assert sample(list(range(4)), None) == [0, 1, 2, 3]
    assert sample(list(range(4)), 10) == [0, 1, 2, 3]


# ---- the indication matcher on a tiny hand-made vocabulary ----------------------------


@pytest.fixture()
def vocab_dir(tmp_path: Path) -> Path:
    syn = [
        "doid\tpreferred_name\tterm\tterm_type\tsource",
        "DOID:10763\thypertension\thypertension\tlabel\tt",
        "DOID:10763\thypertension\tHigh blood pressure\tEXACT\tt",
        "DOID:10763\thypertension\tHTN\tEXACT\tt",
        "DOID:6432\tpulmonary hypertension\tpulmonary hypertension\tlabel\tt",
        "DOID:10283\tprostate cancer\tprostate cancer\tlabel\tt",
        "DOID:10286\tprostate carcinoma\tprostate carcinoma\tlabel\tt",
        "DOID:10286\tprostate carcinoma\tcarcinoma of prostate\tEXACT\tt",
        "DOID:635\tacquired immunodeficiency syndrome\tacquired immunodeficiency syndrome\tlabel\tt",
        "DOID:526\thuman immunodeficiency virus infectious disease\tHIV infection\tEXACT\tt",
        "DOID:9352\ttype 2 diabetes mellitus\ttype 2 diabetes mellitus\tlabel\tt",
    ]
    (tmp_path / "disease_synonyms.tsv").write_text("\n".join(syn) + "\n")
    concepts = [
        {"id": "DOID:10286", "name": "prostate carcinoma", "synonyms": [], "xrefs": {},
         "def": "A prostate cancer that has_material_basis_in epithelial cells."},
        {"id": "DOID:10283", "name": "prostate cancer", "synonyms": [], "xrefs": {},
         "def": "An organ system cancer located in the prostate."},
        {"id": "DOID:0050686", "name": "organ system cancer", "synonyms": [], "xrefs": {},
         "def": "A cancer in an organ."},
        {"id": "DOID:162", "name": "cancer", "synonyms": [], "xrefs": {},
         "def": "A disease of cellular proliferation."},
        {"id": "DOID:14566", "name": "disease of cellular proliferation", "synonyms": [], "xrefs": {}, "def": ""},
        {"id": "DOID:635", "name": "acquired immunodeficiency syndrome", "synonyms": [],
         "xrefs": {"MESH": ["MESH:D000163"]}, "def": ""},
        {"id": "DOID:526", "name": "human immunodeficiency virus infectious disease", "synonyms": [],
         "xrefs": {"MESH": ["MESH:D015658"]}, "def": ""},
    ]
    (tmp_path / "disease_concepts.jsonl").write_text("".join(json.dumps(c) + "\n" for c in concepts))
    mesh = [
        "mesh_id\tmesh_heading\theading_uninverted\ttree_numbers\tcategories\tis_sign_or_symptom",
        "D014777\tVirus Diseases\t\tC02\tDiseases\t0",
        "D012192\tRetroviridae Infections\t\tC02.782\tDiseases\t0",
        "D016180\tLentivirus Infections\t\tC02.782.815\tDiseases\t0",
        "D015658\tHIV Infections\t\tC02.782.815.400\tDiseases\t0",
        "D000163\tAcquired Immunodeficiency Syndrome\t\tC02.782.815.400.040\tDiseases\t0",
        "D000001\tCalcimycin\t\tD03.438\tChemicals and Drugs\t0",
    ]
    (tmp_path / "mesh_descriptors_2015.tsv").write_text("\n".join(mesh) + "\n")
    return tmp_path


def test_high_blood_pressure_states_hypertension(vocab_dir: Path) -> None:
    m = IndicationMatcher.load(vocab_dir)
    gold = m.resolve("hypertension")
    assert gold.resolved_by == "term"
    hit = m.match(gold, ["It is used to treat high blood pressure in adults."])
    assert hit is not None and hit.how == "same concept"
    assert m.match(gold, ["Lowers blood sugar."]) is None
    assert m.match(gold, ["Treats HTN."]) is not None  # acronym, case-sensitive
    assert m.match(gold, ["it is htn free"]) is None


def test_a_longer_term_is_not_a_mention_of_the_shorter(vocab_dir: Path) -> None:
    m = IndicationMatcher.load(vocab_dir)
    gold = m.resolve("hypertension")
    assert m.match(gold, ["for pulmonary hypertension in adults"]) is None


def test_wording_and_hypernyms(vocab_dir: Path) -> None:
    m = IndicationMatcher.load(vocab_dir)
    # "carcinoma of the prostate": bag of words -> prostate carcinoma, a kind of prostate cancer
    hit = m.match(m.resolve("prostate cancer"), ["palliative treatment of advanced carcinoma of the prostate"])
    assert hit is not None and hit.how == "narrower"
    # HIV infection is the direct MeSH parent of AIDS
    hit = m.match(m.resolve("acquired immunodeficiency syndrome"), ["treatment of HIV-1 infection"])
    assert hit is not None and hit.how == "broader"
    # "type II" and plural/word order are normalised
    assert sorted(norm_words("Diabetes Mellitus, Type II")) == sorted(norm_words("type 2 diabetes mellitus"))
    assert m.match(m.resolve("type 2 diabetes mellitus"), ["adults with type II diabetes mellitus"]) is not None


def test_icd_worded_gold_falls_back_to_words(vocab_dir: Path) -> None:
    m = IndicationMatcher.load(vocab_dir)
    gold = m.resolve("Essential tremor NOS; unspecified site")
    assert gold.resolved_by == "unresolved"
    assert m.match(gold, ["for the treatment of essential tremor"]) is not None
    assert m.match(gold, ["tremor. Essential amino acids"]) is None  # not within one clause


# ---- the recognition set ------------------------------------------------------------


class _Fake:
    """A stand-in QuestionParser: a fixed reading per question; the brand "Advil" resolves."""

    def __init__(self, readings: dict[str, tuple[list[str], list[str]]]) -> None:
        from types import SimpleNamespace as NS

        self._readings = readings
        self.lexicon = NS(lookup=lambda key: ("ibuprofen",) if key == "advil" else None)
        self.conditions = NS(synonyms=lambda cid: ["pink eye"] if cid == "c1" else [])
        self._ns = NS

    def parse(self, text: str):  # type: ignore[no-untyped-def]
        drugs, conds = self._readings.get(text, ([], []))
        return self._ns(drugs=[self._ns(generic=g) for g in drugs],
                        conditions=[self._ns(name=c, concept_id="c1" if c == "conjunctivitis" else None)
                                    for c in conds])


def test_recognition_set_scores_rows_and_reports_targets() -> None:
    from curbside.evaluation import recognition
    from curbside.evaluation.report import table_rows

    items = [
        {"kind": "question", "source": "ours", "question": "Advil and Tylenol?", "drugs": ["Advil", "acetaminophen"]},
        {"kind": "question", "source": "kqa", "line": 3, "question": "pink eye?", "drugs": [],
         "conditions": ["pink eye"]},
        {"kind": "question", "source": "ours", "question": "gout?", "drugs": [], "conditions": ["gout"]},
        {"kind": "word", "question": "thyroid", "drugs": []},
        {"kind": "word", "question": "patch", "drugs": []},
    ]
    parser = _Fake({"Advil and Tylenol?": (["ibuprofen", "acetaminophen and caffeine"], []),
                    "pink eye?": ([], ["conjunctivitis"]), "gout?": ([], ["arthritis"]),
                    "thyroid": (["thyroid"], [])})
    res = recognition.evaluate(parser, items, skipped=1)
    eng = res["engine"]
    # ibuprofen + acetaminophen right, caffeine wrong; pink eye found by a synonym, gout missed, arthritis extra
    assert (eng["drug_precision"], eng["drug_recall"]) == (pytest.approx(2 / 3), 1.0)
    assert (eng["condition_precision"], eng["condition_recall"]) == (0.5, 0.5)
    assert (eng["words"], eng["words_read_as_drugs"], eng["false_drug_rate"]) == (2, 1, 0.5)
    assert eng["questions"] == 3 and eng["skipped"] == 1
    assert {t["metric"]: t["met"] for t in res["targets"]} == {
        "drug_precision": False, "drug_recall": True, "condition_precision": False, "false_drug_rate": False}
    reasons = {f["question"]: f["reasons"] for f in res["failures"]}
    assert reasons == {"Advil and Tylenol?": ["drug wrongly found: caffeine"],
                       "gout?": ["condition missed: gout", "condition wrongly found: arthritis"],
                       "thyroid": ["a word read as a drug"]}
    assert len(res["items"]) == 5 and [r["ok"] for r in res["items"]] == [False, True, False, False, True]
    labels = [r[0] for r in table_rows("recognition", {**res, "seconds": 0})]
    assert "drug precision" in labels and "citation integrity (first citation)" not in labels
    # --limit: an even spread of N questions and N words
    assert [i["kind"] for i in recognition.sample_items(items, 1)] == ["question", "word"]


def test_recognition_set_is_packaged_and_in_all() -> None:
    from curbside.evaluation.sets import PACKAGED_SETS, SET_NAMES, packaged_set

    assert "recognition" in SET_NAMES and "recognition" in PACKAGED_SETS
    assert packaged_set("recognition").exists()


def test_followups_set_is_packaged_scored_per_field_and_in_all() -> None:
    from curbside.evaluation import followups
    from curbside.evaluation.report import table_rows
    from curbside.evaluation.sets import PACKAGED_SETS, SET_NAMES
    from curbside.types import DrugMention, ParsedQuestion, QuestionType
    from curbside.understanding.followup import Resolution

    assert "followups" in SET_NAMES and "followups" in PACKAGED_SETS and followups.data_file().exists()
    items = followups.load_items()
    assert len(items) >= 30 and len({i.id for i in items}) == len(items)

    def always_baclofen_dose(asked: str, previous: str | None) -> Resolution:
        pq = ParsedQuestion(asked, QuestionType.DOSING, (DrugMention("baclofen", "baclofen", "generic"),))
        return Resolution(asked, asked, pq.drugs, (), pq.qtype, None)

    res = followups.evaluate(always_baclofen_dose, items[:3])
    eng = res["engine"]
    assert eng["questions"] == 3 and eng["accuracy"] == 0.0 and not res["targets"][0]["met"]
    assert 0 <= eng["drugs_accuracy"] < 1 and len(res["failures"]) == 3
    assert res["failures"][0]["reasons"] and res["items"][0]["understood_as"] == list(items[0].turns)
    labels = [r[0] for r in table_rows("followups", {**res, "seconds": 0})]
    assert "last question read right (every field)" in labels and "latency p50 (ms)" not in labels


def test_a_broken_followups_line_names_the_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from curbside.errors import UserInputError
    from curbside.evaluation import followups

    bad = tmp_path / "f.jsonl"
    bad.write_text('{"id": "x", "kind": "k", "turns": ["A?"], "expect": {"drugs": [], "conditions": [], '
                   '"aspect": "dosing", "population": null}}\n', encoding="utf-8")
    with pytest.raises(UserInputError, match="f.jsonl:1"):
        followups.load_items(bad)


# ---- bioasq: recall@10 against the perfect-ranking ceiling ---------------------------


def test_bioasq_recall_ceiling_is_min_10_in_corpus_over_gold() -> None:
    from types import SimpleNamespace

    from curbside.errors import CurbsideError
    from curbside.evaluation import bioasq
    from curbside.evaluation.report import table_rows
    from curbside.evaluation.sets import BioasqItem

    # 15 gold pmids of which 12 in the corpus: a perfect ranking holds 10 of them in its top 10
    gold1 = [f"g{i}" for i in range(1, 16)]
    corpus = {f"g{i}" for i in range(1, 13)} | {"h1", "x1", "x2"}
    assert bioasq.perfect_recall_at_k(gold1, corpus, 10) == pytest.approx(10 / 15)
    assert bioasq.perfect_recall_at_k(["h1", "h2"], corpus, 10) == 0.5  # fewer than 10 in the corpus
    assert bioasq.perfect_recall_at_k(["z"], corpus, 10) == 0.0
    assert bioasq.perfect_recall_at_k([], corpus, 10) == 0.0

    def passages(ids: list[str]) -> list[SimpleNamespace]:
        return [SimpleNamespace(doc_id=f"pmid:{i}", passage_id=f"pmid:{i}#0", text="") for i in ids]

    engine_ranks = {"q1": ["x1", "g1", "g2", "g3", "g4", "g5"], "q2": ["h1"]}
    baseline_ranks = {"q1": ["g1", "x2", "g2"], "q2": ["x1"]}

    class Engine:
        copies: dict = {}
        store = SimpleNamespace(copies_of=lambda ids, limit: {i: Engine.copies[i] for i in ids if i in Engine.copies})

        def ask(self, question: str, audience: object) -> None:
            raise CurbsideError("not asked in this test")

        def retrieve(self, question: str, audience: object, k: int) -> SimpleNamespace:
            return SimpleNamespace(ranked=lambda: passages(engine_ranks[question]))

    class Baseline:
        def search(self, question: str, k: int, sources: object = None) -> SimpleNamespace:
            return SimpleNamespace(passages=passages(baseline_ranks[question]), latency_ms=1.0)

    items = [BioasqItem("1", "factoid", "q1", tuple(gold1), "", None),
             BioasqItem("2", "list", "q2", ("h1", "h2"), "", None)]
    res = bioasq.evaluate(Engine(), Baseline(), corpus, items)
    eng, base = res["engine"], res["baseline"]
    assert [r["recall10_ceiling"] for r in res["items"]] == [pytest.approx(10 / 15), 0.5]
    # engine recall@10: 5/15 and 1/2; the mean ceiling (2/3 + 1/2) / 2 = 7/12
    assert eng["recall_at_10"] == pytest.approx(5 / 12)
    assert eng["recall_at_10_ceiling"] == pytest.approx(7 / 12)
    # a ratio of means (5/12 / 7/12), not the mean of per-question ratios ((1/2 + 1) / 2)
    assert eng["recall_at_10_to_ceiling"] == pytest.approx(5 / 7)
    # a retrieved passage stands for its copies under other PubMed ids (the index holds it once)
    Engine.copies = {"pmid:h1#0": (1, (AlsoIn("pmid:h2", "pmid:h2#0", "t", "j", None, None),))}
    again = bioasq.evaluate(Engine(), Baseline(), corpus, items)
    assert [r["recall10"] for r in again["items"]] == [pytest.approx(5 / 15), 1.0]
    assert again["items"][1]["retrieved_top10"] == ["h1", "h2"]
    # the baseline, 2/15 and 0, against the same ceiling
    assert base["recall_at_10"] == pytest.approx(1 / 15)
    assert base["recall_at_10_to_ceiling"] == pytest.approx((1 / 15) / (7 / 12))
    assert {t["metric"] for t in res["targets"]} >= {"recall_at_10", "recall_at_10_in_corpus"}
    assert "ratio of means" in res["definitions"]["recall_at_10_to_ceiling"].lower()
    labels = [r[0] for r in table_rows("bioasq", {**res, "seconds": 0})]
    assert "recall@10 ceiling (perfect ranking)" in labels
    assert "recall@10 / ceiling (ratio of means)" in labels
