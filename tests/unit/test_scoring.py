"""Scoring you can read: named features, one weight table (scoring.py), filters that
name their reason (composition/filters.py), on tiny inputs. A weight moves the ranking
it should, and nothing else adds to a score."""

from __future__ import annotations

import dataclasses
import re

import pytest

from curbside.composition.explain import Trace
from curbside.composition.extract import label_sentences
from curbside.composition.filters import DESCRIPTIONS, Reason, SentenceRules
from curbside.composition.plan import DOSING, INDICATIONS
from curbside.composition.select import Candidate, candidates, keep, pick, question_stems
from curbside.errors import SettingError
from curbside.index.fusion import evidence_order
from curbside.scoring import DEFAULT_WEIGHTS, FEATURES, Features, Weights
from curbside.settings import Settings
from curbside.types import Hit, SourceType, StoredPassage


def _p(rowid: int, text: str, doc: str = "label:a", code: str = "dosage", drugs: tuple[str, ...] = ("baclofen",),
       st: SourceType = SourceType.DRUG_LABEL, year: int | None = 2020) -> StoredPassage:
    return StoredPassage(rowid, f"{doc}#{rowid}", doc, rowid, code, code, text, st, f"T {doc}", "Pub", year,
                         None, None, drugs)


# ---- the table --------------------------------------------------------------------------

def test_the_tables_defaults_are_the_settings_defaults() -> None:
    assert Weights.from_settings(Settings()) == DEFAULT_WEIGHTS
    # every feature has its weight, of the same name
    assert set(FEATURES) <= {f.name for f in dataclasses.fields(Weights)}


def test_score_is_the_sum_of_weight_times_feature() -> None:
    f = Features(question_words=3, passage_rank=2, section_cue=1)
    w = DEFAULT_WEIGHTS
    assert w.score(f) == 3 * 1.0 + 2 * -0.05 + 1.5
    assert w.terms(f) == [("question_words", 3, 1.0), ("passage_rank", 2, -0.05), ("section_cue", 1, 1.5)]
    assert f.nonzero() == {"question_words": 3, "passage_rank": 2, "section_cue": 1}
    assert w.replace(section_cue=4.0).score(f) == 3 * 1.0 + 2 * -0.05 + 4.0
    assert w.score(Features()) == 0.0


def test_settings_set_the_tunable_weights_and_refuse_negative_penalties() -> None:
    w = Weights.from_settings(Settings(weight_section_cue=2.5, penalty_other_drugs=3.0, semantic_weight=1.0))
    assert (w.section_cue, w.other_drugs, w.meaning) == (2.5, -3.0, 1.0)
    assert Settings(penalty_passage_rank=0.2).answer_hash() != Settings().answer_hash()
    with pytest.raises(SettingError, match="penalty_other_drugs"):
        Settings(penalty_other_drugs=-1.0)


# ---- a weight moves the ranking ----------------------------------------------------------

CUED = "Take 5 mg three times a day with meals for spasticity."  # the dosing cue, one question word
WORDY = "Baclofen relieves spasticity in multiple sclerosis and spinal cord injury patients."  # four words


def _ranked(weights: Weights) -> list[str]:
    qstems = question_stems("baclofen spasticity multiple sclerosis")
    cands = candidates([_p(1, CUED), _p(2, WORDY)], DOSING, query_stems=qstems, boost=None, max_chars=600,
                       weights=weights)
    return [c.text for c, _ in pick(cands, 2, [], weights=weights)]


def test_the_section_cue_weight_decides_between_a_cued_and_a_wordy_sentence() -> None:
    assert _ranked(DEFAULT_WEIGHTS) == [WORDY, CUED]  # 4 words, second passage (3.95) beat 1 word + the cue (2.5)
    assert _ranked(Weights.from_settings(Settings(weight_section_cue=3.0))) == [CUED, WORDY]
    assert _ranked(Weights.from_settings(Settings(penalty_passage_rank=3.0))) == [CUED, WORDY]


def test_candidates_are_scored_by_the_table_and_carry_their_features() -> None:
    qstems = question_stems("baclofen spasticity multiple sclerosis")
    for c in candidates([_p(1, CUED), _p(2, WORDY)], DOSING, query_stems=qstems, boost=re.compile("sclerosis"),
                        max_chars=600):
        assert c.score == DEFAULT_WEIGHTS.score(c.features)
    wordy = next(c for c in candidates([_p(1, CUED), _p(2, WORDY)], DOSING, query_stems=qstems,
                                       boost=re.compile("sclerosis"), max_chars=600) if c.text == WORDY)
    assert wordy.features == Features(question_words=4, passage_rank=1, topic_named=1)


def test_consensus_adds_its_weight_per_other_document_and_the_chosen_carries_it() -> None:
    same = "Baclofen tablets contain 10 mg of baclofen for oral use."
    other = "Baclofen tablets contain lactose and magnesium stearate."
    cands = [Candidate(other, _p(1, other), other, 1.1), Candidate(same, _p(2, same, "label:b"), same, 1.0),
             Candidate(same, _p(3, same, "label:c"), same, 1.0)]
    chosen = pick(cands, 1, [])
    assert chosen[0][0].text == same and chosen[0][0].features.consensus == 1
    assert chosen[0][0].score == 1.0 + 0.3
    assert pick(cands, 1, [], weights=DEFAULT_WEIGHTS.replace(consensus=0.0))[0][0].text == other


def test_recency_counts_from_the_newest_year_given_not_from_a_fixed_one() -> None:
    ps = {1: _p(1, "a", st=SourceType.RESEARCH, year=2031), 2: _p(2, "b", st=SourceType.RESEARCH, year=2040)}
    tied = [Hit(1, 0.5), Hit(2, 0.5)]
    assert [h.rowid for h in evidence_order(tied, ps, strength_weight=0.0)] == [2, 1]
    # ages are capped at 30 years: counted from 2080 both are as old as can be, and tie
    assert [h.rowid for h in evidence_order(tied, ps, strength_weight=0.0, newest_year=2080)] == [1, 2]


# ---- filters name their reason -----------------------------------------------------------

def _rejections(passages: list[StoredPassage], spec=DOSING, **kw) -> dict[str, Reason]:  # type: ignore[no-untyped-def]
    trace = Trace(DEFAULT_WEIGHTS)
    step = trace.section("x").step("test")
    kept = candidates(passages, spec, query_stems=question_stems("baclofen dose spasticity"), boost=None,
                      max_chars=120, step=step, **kw)
    out = {r.text: r.reason for r in step.rejected}
    assert not {c.text for c in kept} & set(out)
    for r in step.rejected:
        assert r.why.startswith(DESCRIPTIONS[r.reason]) and r.score is not None
    return out


def test_extraction_names_sentences_that_are_no_statement() -> None:
    long = "Baclofen dose " + "titration in spasticity " * 10 + "is individual."
    got = _rejections([_p(1, f"Short one here. {long} The usual dose of baclofen is 5 mg three times a day.")])
    assert got == {"Short one here.": Reason.TOO_SHORT, long: Reason.TOO_LONG}


def test_section_and_question_rules_name_their_reason() -> None:
    text = ("Baclofen is indicated for spasticity from multiple sclerosis. "
            "Baclofen is not indicated for rheumatic muscle spasm of any kind. "
            "The tablets are white, round and scored on one side. " + "Patients were followed for a year. " * 8)
    got = _rejections([_p(1, text, code="indications")], INDICATIONS)
    assert got["Baclofen is not indicated for rheumatic muscle spasm of any kind."] is Reason.SECTION_REJECTS
    assert got["The tablets are white, round and scored on one side."] is Reason.CUE_ELSEWHERE
    got = _rejections([_p(1, text, code="indications")], INDICATIONS, min_overlap=1)
    assert got["The tablets are white, round and scored on one side."] is Reason.OFF_TOPIC
    got = _rejections([_p(1, "Use a dose of 5 mg of tizanidine at night for the spasticity.", st=SourceType.GUIDELINE),
                       _p(2, "Spasticity responds to physiotherapy and stretching in most patients.",
                          st=SourceType.GUIDELINE)],
                      DOSING, require=re.compile("baclofen"))
    assert set(got.values()) == {Reason.DRUG_NOT_NAMED}
    got = _rejections([_p(2, "Baclofen helps spasticity in most patients treated in the clinic.",
                          st=SourceType.GUIDELINE)], DOSING, strict=True)
    assert set(got.values()) == {Reason.CUE_REQUIRED}


def test_the_rules_are_checked_in_order_and_describe_themselves() -> None:
    rules = SentenceRules(INDICATIONS, require=re.compile("baclofen", re.I), strict=True, min_overlap=2)
    assert rules.text_rejection("Baclofen is not indicated for gout.") is Reason.SECTION_REJECTS
    assert rules.text_rejection("Tizanidine is indicated for spasticity.") is Reason.DRUG_NOT_NAMED
    assert rules.text_rejection("Baclofen is indicated for spasticity.") is None
    assert rules.overlap_rejection(1) is Reason.OFF_TOPIC and rules.overlap_rejection(2) is None
    assert rules.detail(Reason.SECTION_REJECTS) == "Approved indications: states a limitation of use"
    assert rules.detail(Reason.TOO_LONG, chars=1204, max_chars=600) == "1,204 characters; the limit is 600"
    assert set(DESCRIPTIONS) == set(Reason)


def test_keep_and_pick_record_what_they_leave_out() -> None:
    a = "Baclofen 5 mg three times a day is the usual starting dose for adults."
    b = "The usual starting dose for adults is baclofen 5 mg three times a day."  # a's words: a near-duplicate
    c = "Children may start on 2.5 mg of baclofen a day."
    d = "Increase the dose by 5 mg every three days as tolerated."
    cands = [Candidate(t, _p(i, t), t, s) for i, (t, s) in enumerate([(a, 4.0), (b, 3.0), (c, 2.0), (d, 1.0)])]
    step = Trace(DEFAULT_WEIGHTS).section("dosing").step("test")
    kept = keep(cands, lambda x: "Children" not in x.text, Reason.OTHER_POPULATION, step, "the question asks of: adult")
    e = "Doses above 80 mg a day are not recommended."
    kept.append(Candidate(e, _p(5, e), e, 0.5))
    chosen = pick(kept, 2, [], step=step)
    assert [x.text for x, _ in chosen] == [a, d]
    why = {r.text: r for r in step.rejected}
    assert why[c].reason is Reason.OTHER_POPULATION and "adult" in why[c].why
    assert why[b].reason is Reason.NEAR_DUPLICATE and a[:40] in why[b].why
    assert why[e].reason is Reason.OUTRANKED and "ranked 4 of 4; 2 kept; the lowest chosen scored 1.00" in why[e].why
    assert [(ch.rank, ch.of) for ch in step.chosen] == [(1, 4), (3, 4)]


def test_list_items_inherit_their_openers_cue() -> None:
    text = ("Prednisone is indicated in the following conditions: Allergic states (seasonal rhinitis). "
            "Dermatologic diseases (pemphigus). The response is poorer in some patients. Rheumatic disorders. "
            + "Patients were followed for a year. " * 8)
    got = [(s.text, s.item, s.inherited) for s in label_sentences([_p(1, text, code="indications")], INDICATIONS, 900)]
    items = [t for t, item, _ in got if item]
    # the first item is in its opener's sentence; one remark inside the list does not end it
    assert items == ["Dermatologic diseases (pemphigus).", "Rheumatic disorders."]
    assert all(inherited for t, item, inherited in got if item)
