from curbside.index.fusion import evidence_order, rrf
from curbside.types import Hit, SourceType, StoredPassage


def _p(rowid: int, st: SourceType, year: int | None = 2020) -> StoredPassage:
    return StoredPassage(rowid, f"d{rowid}#0", f"d{rowid}", 0, "s", "abstract", "t", st, "T", "P", year, None, None, ())


def test_rrf_rewards_agreement():
    scores = rrf([[1, 2, 3], [3, 1, 4]], k=60)
    assert max(scores, key=scores.get) == 1
    assert scores[3] > scores[2]
    assert set(scores) == {1, 2, 3, 4}


def test_rrf_weights():
    scores = rrf([[1], [2]], weights=[1.0, 2.0])
    assert scores[2] > scores[1]


def test_evidence_order_breaks_ties_by_strength_not_relevance():
    ps = {1: _p(1, SourceType.RESEARCH), 2: _p(2, SourceType.DRUG_LABEL), 3: _p(3, SourceType.PATIENT_INFO)}
    tied = [Hit(1, 0.5), Hit(2, 0.5), Hit(3, 0.5)]
    assert [h.rowid for h in evidence_order(tied, ps, strength_weight=0.02)] == [2, 1, 3]
    # a clearly more relevant patient page still comes first
    apart = [Hit(3, 1.0), Hit(2, 0.5)]
    assert [h.rowid for h in evidence_order(apart, ps, strength_weight=0.02)] == [3, 2]
