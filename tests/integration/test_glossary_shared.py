"""The glossary built from ../shared/vocab and a real corpus slice at ingest, and the
glosses real label sentences and a real patient answer get."""

from __future__ import annotations

import sqlite3

from curbside import paths
from curbside.composition.glossing import Matcher
from curbside.composition.sentences import split_sentences
from curbside.ingest import ingest
from curbside.types import Audience
from curbside.understanding.glossary import Glossary


def _sentences_with(settings, word: str, limit: int = 20) -> list[str]:  # type: ignore[no-untyped-def]
    con = sqlite3.connect(paths.store_file(settings.data_dir))
    try:
        rows = con.execute(
            "SELECT p.text FROM passages p JOIN documents d USING(doc_id) WHERE d.source_type = 'drug_label'"
            " AND p.text LIKE ? LIMIT 200", (f"%{word}%",)).fetchall()
    finally:
        con.close()
    out = [s for (text,) in rows for s in split_sentences(text) if word in s.lower() and len(s) < 400]
    return out[:limit]


def test_ingest_builds_the_glossary_of_technical_terms(slice_settings) -> None:  # type: ignore[no-untyped-def]
    g = Glossary.load(paths.glossary_file(slice_settings.data_dir))
    assert len(g) > 500
    for term, words in (("hypersensitivity", ("reaction",)), ("renal", ("kidney",)), ("hepatic", ("liver",)),
                        ("intrathecal", ("spinal", "brain"))):
        e = g.get(term)
        assert e is not None, term
        assert any(w in e.meaning.text.lower() for w in words), (term, e.meaning)
    for everyday in ("ability", "skill", "use", "patients", "nausea"):
        assert g.get(everyday) is None, everyday


def test_real_label_sentences_get_sensible_glosses(slice_settings) -> None:  # type: ignore[no-untyped-def]
    m = Matcher(Glossary.load(paths.glossary_file(slice_settings.data_dir)))
    for word, meaning_word in (("hypersensitivity", "reaction"), ("renal", "kidney"), ("hepatic", "liver")):
        sentences = _sentences_with(slice_settings, word)
        assert sentences, word
        found = [(s[a:b], e) for s in sentences for a, b, e in m.find(s) if s[a:b].lower() == word]
        assert found, word
        assert all(meaning_word in e.meaning.text.lower() for _, e in found), word


def test_a_patient_answer_explains_its_technical_words(engine) -> None:  # type: ignore[no-untyped-def]
    a = engine.ask("What is baclofen used for?", Audience.PATIENT)
    glosses = {g.term.lower(): g for st in a.statements() for g in st.glosses}
    # which statements a patient gets depends on composition; some technical word of
    # the baclofen labels' is in them, and each gloss explains a word its statement holds
    assert {"intrathecal", "spasticity", "multiple sclerosis", "spasms"} & set(glosses), sorted(glosses)
    assert all(g.term in st.text for st in a.statements() for g in st.glosses)
    assert "baclofen" not in glosses  # the drug asked about is never explained
    assert all(g.source and g.meaning for g in glosses.values())
    doctor = engine.ask("What is baclofen used for?", Audience.PHYSICIAN)
    assert all(not st.glosses for st in doctor.statements())
    assert "glosses" not in str(doctor.to_json())


def test_an_ingest_makes_a_missing_glossary(slice_settings, corpus_slice) -> None:  # type: ignore[no-untyped-def]
    path = paths.glossary_file(slice_settings.data_dir)
    before = Glossary.load(path)
    path.unlink()
    report = ingest(slice_settings, [corpus_slice])
    assert report.files_read == 0  # nothing changed in the corpus ...
    after = Glossary.load(path)  # ... yet the glossary is back, the same
    assert after.fingerprint == before.fingerprint and sorted(after.keys()) == sorted(before.keys())
