"""Finding glossary terms in statements and attaching glosses (composition/glossing.py)."""

from __future__ import annotations

import json

from curbside.composition.glossing import MAX_PER_STATEMENT, Matcher, gloss_article
from curbside.composition.verify import verify
from curbside.editorial.edits import Edit, Place, RemoveStatement, apply_edit
from curbside.types import (
    Article,
    Audience,
    DrugMention,
    Entities,
    Gloss,
    QuestionType,
    Quote,
    Reference,
    Section,
    SourceType,
    Statement,
)
from curbside.understanding.glossary import Entry, Glossary, Meaning

CDC = "CDC Plain Language Thesaurus"
NCI = "NCI Dictionary of Cancer Terms"


def _glossary() -> Glossary:
    def e(key: str, text: str, source: str = CDC, **kw: str) -> Entry:
        return Entry(key, Meaning(text, source, kw.pop("url", None)), **kw)

    return Glossary.of([
        e("renal", "related to the kidney"),
        e("renal pelvis", "part of the kidney that collects urine", NCI),
        e("hepatic", "related to the liver"),
        e("contraindication", "dangerous to give, not good for"),
        e("spasm", "sudden, strong muscle tightening"),
        e("spasticity", "stiff, rigid muscles", NCI),
        e("intrathecal", "Describes the fluid-filled space around the brain and spinal cord.", NCI),
        e("hypersensitivity", "strong reaction"),
        e("taybi syndrome", "A disorder of skeletal development.", "Genetics Home Reference: Taybi syndrome",
          url="https://ghr.nlm.nih.gov/condition/otopalatodigital-spectrum-disorder"),
        e("ets", "Smoke from tobacco products.", NCI, cased="ETS"),
        e("baclofen", "A drug used to treat muscle spasms.", NCI, drug="baclofen"),
        e("lioresal", "A drug used to treat muscle spasms.", NCI, drug="baclofen"),
        e("diazepam", "A drug used to treat anxiety.", NCI, drug="diazepam"),
        e("multiple sclerosis", "a disease of the brain and spinal cord", CDC),
        e("parkinson s disease", "A type of movement disorder.", "MedlinePlus: Parkinson's Disease"),
    ])


M = Matcher(_glossary())


def terms(text: str) -> list[str]:
    return [text[a:b] for a, b, _ in M.find(text)]


def test_whole_words_any_case() -> None:
    assert terms("Renal impairment and hepatic disease.") == ["Renal", "hepatic"]
    assert terms("The adrenal glands; prerenal azotemia; hepatically.") == []
    assert terms("ETS exposure") == ["ETS"] and terms("ets and Ets and lets") == []  # an acronym as written


def test_longest_match_first_and_never_across_punctuation() -> None:
    assert terms("Stones in the renal pelvis hurt.") == ["renal pelvis"]
    assert [e.key for *_, e in M.find("Stones in the renal pelvis hurt.")] == ["renal pelvis"]
    assert terms("It is renal. Pelvis pain follows.") == ["renal"]
    assert terms("history of Parkinson’s disease") == ["Parkinson’s disease"]  # joined by an apostrophe


def test_inflections_find_their_term() -> None:
    assert terms("Baclofen is contraindicated in patients with hypersensitivity.") == [
        "Baclofen", "contraindicated", "hypersensitivity"]
    assert terms("relief of flexor spasms") == ["spasms"]
    assert terms("two contraindications") == ["contraindications"]


def test_no_part_of_a_hyphenated_word() -> None:
    assert terms("Rubinstein-Taybi syndrome is rare.") == []
    assert terms("Taybi syndrome is rare.") == ["Taybi syndrome"]


# ---- attaching glosses to an article ---------------------------------------------------
PASSAGE = ("Baclofen is indicated for spasticity from multiple sclerosis. Intrathecal baclofen is contraindicated "
           "in renal and hepatic disease with hypersensitivity, diazepam or spasms. Lioresal relieves spasticity.")


def _st(sentence: str) -> Statement:
    at = PASSAGE.index(sentence)
    return Statement(sentence, (1,), Quote("label:a#0", ((at, at + len(sentence)),)))


S1 = "Baclofen is indicated for spasticity from multiple sclerosis."
S2 = "Intrathecal baclofen is contraindicated in renal and hepatic disease with hypersensitivity, diazepam or spasms."
S3 = "Lioresal relieves spasticity."


def _article(audience: Audience = Audience.PATIENT) -> Article:
    ref = Reference(1, SourceType.DRUG_LABEL, "Baclofen tablets", "Acme", 2019, None, "label:a", "label:a#0",
                    "Indications and usage", PASSAGE)
    return Article(
        question="What is baclofen for?", audience=audience, question_type=QuestionType.INDICATION,
        entities=Entities((DrugMention("baclofen", "baclofen", "generic"),)), title="What is baclofen for?",
        summary=(_st(S1),), sections=(Section("indications", "What it is used for", (_st(S1), _st(S2), _st(S3))),),
        bottom_line=(), references=(ref,), uncovered=(), abstained=False, abstain_reason=None,
        last_updated="2019", corpus_version="c", settings_hash="s",
    )


def test_glosses_once_per_article_capped_and_never_the_article_drug() -> None:
    a = gloss_article(_article(), _glossary())
    first, (again, s2, s3) = a.summary[0], a.sections[0].statements
    assert [g.term for g in first.glosses] == ["spasticity", "multiple sclerosis"]  # not "Baclofen"
    assert first.glosses[0] == Gloss("spasticity", "stiff, rigid muscles", NCI)
    assert again.glosses == ()  # explained at its first statement only
    # the cap keeps the first terms in reading order; "baclofen" is the article's drug, and
    # "Lioresal" is one of its names
    assert len(s2.glosses) == MAX_PER_STATEMENT
    assert [g.term for g in s2.glosses] == ["Intrathecal", "contraindicated", "renal"]
    assert s3.glosses == ()


def test_glosses_leave_the_quotes_as_they_were() -> None:
    plain = _article()
    a = gloss_article(plain, _glossary())
    assert [s.text for s in a.statements()] == [s.text for s in plain.statements()]
    assert [s.quote for s in a.statements()] == [s.quote for s in plain.statements()]
    assert all(verify(s, PASSAGE).ok for s in a.statements())
    assert a.references == plain.references and a.title == plain.title


def test_skip_terms_and_meanings_the_article_already_says() -> None:
    a = gloss_article(_article(), _glossary(), skip_terms=("spasticity",))
    assert [g.term for g in a.summary[0].glosses] == ["multiple sclerosis"]
    said = Glossary.of([Entry("spasticity", Meaning("indicated for", CDC))])  # the article says these words
    assert all(not s.glosses for s in gloss_article(_article(), said).statements())


def test_json_of_an_article_without_glosses_has_no_glosses_key() -> None:
    plain = _article(Audience.PHYSICIAN)
    d = plain.to_json()
    assert "glosses" not in json.dumps(d)
    nothing = gloss_article(plain, Glossary.of([]))
    assert json.dumps(nothing.to_json()) == json.dumps(d)


def test_an_edit_keeps_the_glosses_of_kept_statements() -> None:
    a = gloss_article(_article(), _glossary())
    d = json.loads(json.dumps(a.to_json()))
    edited = apply_edit(d, Edit((RemoveStatement(Place.of_section("indications"), 0),), "duplicate of the summary"))
    back = Article.from_json(edited)
    assert back.summary[0].glosses == a.summary[0].glosses
    assert [s.glosses for s in back.sections[0].statements] == [s.glosses for s in a.sections[0].statements[1:]]
    assert all(verify(s, PASSAGE).ok for s in back.statements())
