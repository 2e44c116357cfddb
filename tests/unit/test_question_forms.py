"""Composition of the question forms beyond a drug's indications: condition aspects,
comparison, interactions with a named partner, the asked population and product."""

import dataclasses

from support.quotes import assert_quoted

from curbside.composition.aspects import page_aspect
from curbside.composition.compose import Composer, Context
from curbside.composition.population import asked_population, fits_population
from curbside.types import (
    Audience,
    ConditionMention,
    DrugMention,
    ParsedQuestion,
    SourceType,
    StoredPassage,
)
from curbside.types import (
    QuestionType as Q,
)

PID = ConditionMention("PID", "pelvic inflammatory disease", "DOID:872")


def _page(rowid, doc, question, text, title="Pelvic Inflammatory Disease", st=SourceType.PATIENT_INFO, code="qa"):
    return StoredPassage(rowid, f"{doc}#{rowid}", doc, 0, question, code, text, st, title, "NIH", None, None, None, ())


def _label(rowid, doc, code, text, title, drugs=("liraglutide",)):
    return StoredPassage(rowid, f"{doc}#{rowid}", doc, rowid, code, code, text, SourceType.DRUG_LABEL, title,
                         "Maker", 2020, None, None, drugs)


PAGES = [
    _page(1, "medquad:a", "What is (are) Pelvic Inflammatory Disease ?",
          "Pelvic inflammatory disease (PID) is an infection of the uterus and other reproductive organs. "
          "Antibiotics can cure PID when it is found early. It is the most common preventable cause of infertility."),
    _page(2, "medquad:b", "What are the treatments for Pelvic Inflammatory Disease ?",
          "Your doctor will give you antibiotics to treat PID. Your sex partner should also be treated. "
          "Surgery is rarely needed."),
    _page(3, "medquad:c", "What are the symptoms of Molar Pregnancy ?",
          "Third molars are teeth; symptoms of their eruption include a painful swelling of the gum.",
          title="Molar pregnancy"),
]


def _ctx(pages, labels=(), audience=Audience.PHYSICIAN):
    return Context(audience=audience, ranked=[], labels=list(labels), section_search=lambda spec: [],
                   max_statements=8, max_chars=400, topic_search=lambda names, aspect: list(pages))


def test_page_aspect_reads_the_pages_own_question():
    assert page_aspect("What are the treatments for Pelvic Inflammatory Disease ?") is Q.TREATMENT
    assert page_aspect("How to prevent Lyme disease ?") is Q.PREVENTION
    assert page_aspect("What is (are) Chlamydia Infections ?") is Q.GENERAL
    assert page_aspect("How many people are affected by X ?") is None


def test_treatment_question_is_answered_by_the_treatment_page_in_its_order():
    pq = ParsedQuestion("How is PID treated?", Q.TREATMENT, conditions=(PID,))
    done = Composer().compose(pq, _ctx(PAGES))
    assert done.partial_note is None
    assert done.summary[0].text == "Your doctor will give you antibiotics to treat PID."
    texts = [s.text for sec in done.sections for s in sec.statements]
    assert "Surgery is rarely needed." not in texts or texts.index("Surgery is rarely needed.") > 0
    assert all("molar" not in t.lower() for t in texts)  # another condition's page shares no answer
    assert_quoted([st for sec in done.sections for st in sec.statements], done.book.references())


def test_uncovered_aspect_falls_back_on_the_overview_page_sentences_that_speak_to_it():
    pq = ParsedQuestion("How is PID treated?", Q.TREATMENT, conditions=(PID,))
    done = Composer().compose(pq, _ctx([PAGES[0]]))
    assert [s.text for s in done.summary] == ["Antibiotics can cure PID when it is found early."]


def test_aspect_not_covered_at_all_is_said_first_and_marked_partial():
    pq = ParsedQuestion("How long does PID last?", Q.PROGNOSIS, conditions=(PID,))
    done = Composer().compose(pq, _ctx([PAGES[0]]))
    assert done.partial_note and done.partial_note.startswith("The sources found do not describe the outlook")
    assert done.summary[0].text.startswith("Pelvic inflammatory disease (PID) is an infection")


def test_condition_comparison_has_one_section_per_condition():
    herpes = ConditionMention("herpes", "herpes simplex", "DOID:8566")
    pages = [*PAGES, _page(9, "medquad:h", "What is (are) Herpes Simplex ?",
                           "Herpes simplex is a viral infection that causes sores on the mouth or genitals.",
                           title="Herpes simplex")]
    pq = ParsedQuestion("How do PID and herpes differ?", Q.COMPARISON, conditions=(PID, herpes))
    done = Composer().compose(pq, _ctx(pages))
    assert len(done.sections) == 2 and len(done.summary) == 2
    assert "herpes" in done.sections[1].heading


def test_population_filter():
    assert asked_population("What is the dose for adults?") == "adult"
    assert asked_population("Can my 5 year old take it?") == "child"
    assert not fits_population("Pediatric patients 2 to 12 years: 5 mg once daily.", "adult")
    assert fits_population("Adults and pediatric patients 12 years and older: 10 mg daily.", "adult")
    assert fits_population("Take one tablet daily.", "adult")
    assert not fits_population("Adults: 10 mg once daily.", "child")


def test_brand_dose_comes_from_that_products_label_only():
    labels = [
        _label(1, "label:victoza", "dosage", "Initiate VICTOZA at 0.6 mg daily for one week.", "VICTOZA label"),
        _label(2, "label:saxenda", "dosage", "Initiate SAXENDA at 0.6 mg daily for one week, then increase weekly.",
               "SAXENDA label"),
    ]
    pq = ParsedQuestion("Saxenda dose?", Q.DOSING, drugs=(DrugMention("Saxenda", "liraglutide", "brand"),))
    done = Composer().compose(pq, _ctx([], labels))
    dosing = next(s for s in done.sections if s.key == "dosing")
    assert [s.text for s in dosing.statements] == [labels[1].text]


def test_interaction_with_a_named_partner_answers_with_the_statements_that_name_it():
    labels = [_label(1, "label:m", "interactions",
                     "Concomitant use with warfarin may increase the risk of bleeding. "
                     "Avoid alcohol while taking this drug because of added drowsiness.", "M label",
                     ("metronidazole",))]
    drug = DrugMention("metronidazole", "metronidazole", "generic")
    ask = ParsedQuestion("Can I drink alcohol with metronidazole?", Q.INTERACTIONS, drugs=(drug,))
    done = Composer().compose(ask, _ctx([], labels))
    assert done.summary[0].text.startswith("Avoid alcohol") and done.partial_note is None
    other = dataclasses.replace(ask, text="Can I drink coffee with metronidazole?")
    done = Composer().compose(other, _ctx([], labels))
    assert done.partial_note and "coffee" in done.partial_note  # said first, the rest is related


def test_meaning_reranks_only_the_shortlist():
    from curbside.composition.compose import by_meaning
    from curbside.composition.select import Candidate
    from curbside.scoring import Weights

    p = _page(1, "d", "q", "x")
    cands = [Candidate(t, p, t, s) for t, s in (("a shares words", 3.0), ("b answers", 2.0), ("c", 0.5))]
    ctx = dataclasses.replace(_ctx([]), meaning=lambda texts: [0.1 if t.startswith("a") else 0.9 for t in texts],
                              shortlist=2, weights=Weights(meaning=6.0))
    out = {c.text: c.score for c in by_meaning(cands, ctx)}
    assert out["b answers"] > out["a shares words"] > out["c"]
    off = dataclasses.replace(ctx, shortlist=0)
    assert by_meaning(cands, off) == cands
