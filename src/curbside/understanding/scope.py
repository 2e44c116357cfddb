"""Is a question one curbside should answer? Two decisions, as pure functions.

``unknown_drug_names``: a name that stands where a drug stands ("the dose of
Quintaplexor", "take Velmorentix with ibuprofen", "Zorblatin side effects", or written
with a capital mid-sentence) and that nothing knows (no vocabulary, no misspelling of a
known word or drug, no passage of the corpus) is a drug curbside cannot speak about:
the engine abstains and names it rather than answer about the other words.

``looks_medical``: a question with no drug, no condition, no medical vocabulary term
(MeSH headings of medicine, CDC plain-language names of them, disease names) and no
word that asks about health is not a medical question ("What is the capital of
Australia?").

The caller supplies what it knows as a function of one folded token, so these rules
run on tiny inputs in tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from curbside.types import ParsedQuestion
from curbside.understanding.normalize import ENGLISH_WORDS, token_spans

# Words right before a drug's name ("taking X", "on X") ...
_BEFORE = frozenset(
    """take takes taking took taken on started starting start stop stopping stopped
    prescribed using use used given give tried try trying""".split()
)
# ... or before "of" before it ("dose of X", "side effects of X").
_BEFORE_OF = frozenset(
    """dose doses dosage effects effect interactions milligrams mg mcg grams overdose
    risks indications uses""".split()
)
# ... and right after it ("X side effects", "X with ibuprofen", "X 20 mg").
_AFTER = frozenset(
    """side with and dose doses dosage tablet tablets pill pills capsule capsules mg mcg
    injection injections cream interact interacts interaction interactions overdose
    generic brand work works withdrawal safe used treat treats""".split()
)
# A capitalised word after these, or before another capitalised word, is a person's or a
# place's name ("Dr Smithson", "in Tucson", "Mayo Clinic"), not a drug's.
_BEFORE_PROPER_NAME = frozenset(
    """dr doctor doctors mr mrs ms miss prof professor nurse in at from near named called
    visit visited live lives living moved""".split()
)
# ... or before "me" before it ("gave me X", "put me on X" is "on X").
_BEFORE_ME = frozenset("gave give given giving prescribed put started switched".split())
# Words that make a question about health even when no vocabulary term is in it.
MEDICAL_CUES = frozenset(
    """doctor doctors physician nurse hospital clinic er symptom symptoms sick sickness ill
    illness health healthy medical medicine medicines medication medications med meds
    painkiller painkillers antibiotic antibiotics drug
    drugs pill pills dose doses dosage prescription prescribed pharmacy pharmacist pain
    painful hurt hurts hurting ache aches aching sore swollen swelling bleeding bleed
    fever cough rash itch itchy infection infected disease diseases condition
    diagnosed diagnosis treatment treat treated cure therapy surgery pregnant pregnancy
    period cycle vaccine vaccines shot shots test tests scan injury injured allergic
    allergy allergies diet calories vitamin vitamins supplement supplements weight
    overweight blood pressure sugar heart lungs stomach skin sleep tired dizzy nausea
    vomiting diarrhea constipation cancer tumor virus bacteria std sti sex sexual
    erection penis vagina vaginal breast breastfeeding baby babies newborn
    problems""".split()
)


# A word of a medical name ("herpes" of "herpes zoster") counts when at least this many
# passages of the corpus use it: "moon" (of "moon facies") is in 7.
MIN_WORD_PASSAGES = 100


def _is_name_token(tok: str) -> bool:
    return len(tok) >= 4 and tok.isalpha() and tok not in ENGLISH_WORDS


def _never(token: str) -> bool:
    return False


def unknown_drug_names(text: str, pq: ParsedQuestion, knows: Callable[[str], bool],
                       resembles: Callable[[str], bool] = _never) -> tuple[str, ...]:
    """The drug-like names of ``text`` that nothing knows, as written.

    ``knows(token)`` is true for a folded token that a vocabulary, the corpus or a
    misspelling match knows. A token inside a recognised drug or condition mention is
    known. A candidate must stand in a drug slot: after a word such as "take", "on",
    "dose of", before one such as "side", "with", "dose", or capitalised mid-sentence.
    A name written in lower case that ``resembles`` a drug name ("waefin", "testerone")
    is taken for a badly misspelt drug, not a drug of its own; a capitalised one is not
    ("Norvexitol" is no misspelling of "Norvasc")."""
    spans = token_spans(text)
    covered = {d.text.lower() for d in pq.drugs} | {c.text.lower() for c in pq.conditions}
    covered_toks = {t for c in covered for t, _, _ in token_spans(c)}
    out: list[str] = []
    for i, (tok, start, end) in enumerate(spans):
        if tok in covered_toks or not _is_name_token(tok):
            continue
        raw = text[start:end]
        prev = spans[i - 1][0] if i else ""
        if i > 1 and ((prev == "of" and spans[i - 2][0] in _BEFORE_OF)
                      or (prev in ("me", "him", "her", "them") and spans[i - 2][0] in _BEFORE_ME)):
            prev = "take"  # "dose of X", "gave me X"
        nxt = spans[i + 1][0] if i + 1 < len(spans) else ""
        sentence_start = i == 0 or text[:start].rstrip()[-1:] in ".?!"
        nxt_raw = text[spans[i + 1][1]:spans[i + 1][2]] if i + 1 < len(spans) else ""
        if prev in _BEFORE_PROPER_NAME:
            continue
        prev_raw = text[spans[i - 1][1]:spans[i - 1][2]] if i else ""
        capital = (raw[0].isupper() and not raw.isupper() and not sentence_start
                   and not nxt_raw[:1].isupper() and not (i > 1 and prev_raw[:1].isupper()))
        if not (prev in _BEFORE or nxt in _AFTER or capital):
            continue
        if knows(tok) or (raw[0].islower() and resembles(tok)):
            continue
        if raw not in out:
            out.append(raw)
    return tuple(out)


def looks_medical(pq: ParsedQuestion, medical_terms: Iterable[str], medical_words: Iterable[str] = (),
                  corpus_count: Callable[[str], int] | None = None, field_words: Iterable[str] = ()) -> bool:
    """True when the question names a drug or a condition, contains a medical vocabulary
    term (``medical_terms``: those found in it) or a word that asks about health. A
    word of a medical name (``medical_words``) counts only when the corpus uses it often
    enough (``corpus_count``: passages using it): "herpes" does, "moon" does not."""
    if pq.drugs or pq.conditions:
        return True
    if any(True for _ in medical_terms) or any(True for _ in field_words):
        return True  # field words: far likelier in the corpus than in everyday English
    for word in medical_words:
        if corpus_count is None or corpus_count(word) >= MIN_WORD_PASSAGES:
            return True
    return any(tok in MEDICAL_CUES for tok, _, _ in token_spans(pq.text))


def abstain_reason(text: str, pq: ParsedQuestion, *, knows: Callable[[str], bool],
                   medical_terms: Iterable[str], medical_words: Iterable[str] = (),
                   corpus_count: Callable[[str], int] | None = None,
                   resembles: Callable[[str], bool] = _never, field_words: Iterable[str] = ()) -> str | None:
    """Why the engine should not answer, or None: an unknown drug-like name first (it
    is named), then a question that is not medical. A word the corpus uses is known."""
    known = knows if corpus_count is None else (lambda w: knows(w) or corpus_count(w) > 0)
    names = unknown_drug_names(text, pq, known, resembles)
    if names:
        quoted = ", ".join(f"“{n}”" for n in names)
        return (f"curbside knows no drug or medical term {quoted}: it is in none of its "
                "vocabularies and in no source, so curbside does not guess.")
    if not looks_medical(pq, medical_terms, medical_words, corpus_count, field_words):
        return "The question does not look medical; curbside answers health and medicine questions only."
    return None
