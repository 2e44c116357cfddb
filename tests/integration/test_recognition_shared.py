"""Recognition and abstention on the real vocabularies, labels and evaluation questions
in ../shared: the recognition list (evaluation/data/recognition.jsonl), false abstention
on every K-QA and MedicationQA question, and abstention on made-up drugs and
non-medical questions."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from curbside.evaluation.recognition import run
from curbside.understanding.parser import QuestionParser
from curbside.understanding.scope import abstain_reason

pytestmark = pytest.mark.integration

# Made-up drug names in drug slots, and questions that are not medical: all must abstain.
OUT_OF_SCOPE = """What is the recommended dose of Quintaplexor for adults?
Can I take Velmorentix with ibuprofen?
What are the side effects of Zorblatin?
Is Fendravaxil safe during pregnancy?
How does Trelopamine work?
Can Maxudrenol cause weight gain?
What is Crovalistat used for?
I was prescribed Norvexitol, what should I know?
Does Plaximurin interact with alcohol?
How much Dextrovilan can a child take?
Is it safe to take Umbrolax and aspirin together?
What is the maximum daily dose of Sertivanex?
Can I drink coffee while taking Ploravin?
My doctor switched me to Kelvamorin, is it stronger than lisinopril?
Xantheprozil side effects in elderly patients
How long does Bivoracet stay in your system?
What happens if I miss a dose of Gravulinex?
Can Tormezapine be crushed?
Is Lunvadrex habit forming?
Should Ombrexiquin be taken with food?
What is the capital of Australia?
Who won the World Cup in 2018?
How do I bake sourdough bread?
What is the best way to learn Python programming?
How far is the Moon from the Earth?
Who wrote Pride and Prejudice?
What is the exchange rate of the euro to the dollar?
What time does the sun set in Paris in June?
Recommend a good movie for this weekend.
How many players are on a soccer team?
What is the tallest mountain in Europe?
How do I fix a leaking faucet?
Which planet is closest to the sun?
How do I reset my router password?
Who painted the Mona Lisa?
What is the plot of Hamlet?
How do airplanes stay in the air?
What is the best stock to buy this year?
How do I plant tomatoes in my garden?
What is the speed of light?""".splitlines()
_WORD = re.compile(r"[a-z]+")


def _labels(corpus: Path):
    for path in sorted((corpus / "openfda").glob("*.json")):
        yield from json.loads(path.read_text("utf-8")).get("results", [])
    yield from json.loads((corpus / "dailymed-indications.json").read_text("utf-8"))["results"]


def _texts(corpus: Path):
    """Passage-like texts of the corpus: abstracts and guideline recommendations."""
    with (corpus / "pubmed.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            yield f"{rec.get('title') or ''} {rec.get('abstract') or ''}"
    with (corpus / "guidelines.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            yield line


@pytest.fixture(scope="module")
def world(shared_dir: Path) -> tuple[QuestionParser, Counter[str]]:
    """The parser as ingest builds it (labels' names, brands stated in label text, the
    corpus's words) and the corpus's document frequencies (the lexical index's counts)."""
    corpus = shared_dir / "corpus"
    pairs, generics, texts = [], set(), []
    for label in _labels(corpus):
        openfda = label.get("openfda") or {}
        names = list(openfda.get("generic_name") or ())
        if not names or len(names) > 8:
            continue
        brands = list(openfda.get("brand_name") or ())
        pairs.extend((g, brands) for g in names)
        generics.update(names)
        if not brands:
            for key in ("indications_and_usage", "contraindications"):
                texts.extend((names, t) for t in label.get(key) or ())
    counts: Counter[str] = Counter()
    for text in _texts(corpus):
        counts.update(set(_WORD.findall(text.lower())))
    words = {w for w, c in counts.items() if c >= 3 and len(w) >= 4}
    parser = QuestionParser.build(shared_dir / "vocab", pairs, corpus_generics=generics,
                                  label_texts=texts, corpus_words=words)
    return parser, counts


def _reason(parser: QuestionParser, counts: Counter[str], text: str) -> str | None:
    pq = parser.parse(text)
    return abstain_reason(text, pq, knows=parser.knows, corpus_count=counts.__getitem__,
                          medical_terms=parser.medical_terms(text, pq),
                          medical_words=parser.medical_words(text),
                          resembles=parser.lexicon.resembles_drug)


def test_recognition_list(world: tuple[QuestionParser, Counter[str]], shared_dir: Path) -> None:
    parser, _ = world
    report = run(parser, shared_dir / "eval")
    print({k: v for k, v in report.items() if k != "failures"}, [f for f in report["failures"] if "word" in f])
    assert report["skipped"] == 0 and report["questions"] >= 100
    # measured with the ingested corpus: drugs 0.989 / 0.979, conditions 0.909 / 0.69,
    # 4 of 188 words read as drugs ("thyroid", "glucose": drugs as well as words)
    assert report["drugs"]["precision"] >= 0.95 and report["drugs"]["recall"] >= 0.95
    assert report["conditions"]["precision"] >= 0.8 and report["conditions"]["recall"] >= 0.6
    assert report["words"]["false_drug_rate"] <= 0.03


def test_examples(world: tuple[QuestionParser, Counter[str]]) -> None:
    parser, _ = world

    def generics(text: str) -> list[str]:
        return [d.generic for d in parser.parse(text).drugs]

    assert generics("Is NyQuil safe?") == ["acetaminophen", "dextromethorphan", "doxylamine"]
    assert generics("Pepto-Bismol for diarrhea") == ["bismuth subsalicylate"]
    assert generics("Ocella side effects") == ["drospirenone and ethinyl estradiol"]
    assert generics("Clindamyam dose") == ["clindamycin"]
    assert generics("benedryl for sleep") == ["diphenhydramine"]
    assert generics("Dramamine for motion sickness") == ["dimenhydrinate"]
    assert generics("Zyrtec for allergies") == ["cetirizine"]
    for text in ("Can migranes be treated?", "extra chromosone problems", "What is the capital of Australia?",
                 "Is there any medication in the meantime to reduce my sweating?"):
        assert generics(text) == [], text
    for text, name in (("chylamdia treatment", "chlamydia"), ("ghonerrea symptoms", "gonorrhea"),
                       ("hemmroids cream", "hemorrhoid"), ("Can migranes be treated?", "migraine")):
        assert [c.name for c in parser.parse(text).conditions] == [name], text


def test_real_questions_are_not_refused(world: tuple[QuestionParser, Counter[str]], shared_dir: Path) -> None:
    parser, counts = world
    refused, total = [], 0
    for name in ("kqa", "medicationqa"):
        with (shared_dir / "eval" / f"{name}.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                text = json.loads(line)["question"]
                total += 1
                if _reason(parser, counts, text):
                    refused.append(text)
    print(f"{len(refused)} of {total} refused:", refused)
    assert total == 436
    assert len(refused) <= 5  # measured 3 (of 436): "what is a biologic", ...


def test_out_of_scope_questions_abstain(world: tuple[QuestionParser, Counter[str]]) -> None:
    parser, counts = world
    answered = [q for q in OUT_OF_SCOPE if not _reason(parser, counts, q)]
    print(f"{len(OUT_OF_SCOPE) - len(answered)} of {len(OUT_OF_SCOPE)} abstain; answered: {answered}")
    assert len(OUT_OF_SCOPE) >= 40
    assert len(answered) <= 1
    assert "Quintaplexor" in (_reason(parser, counts, OUT_OF_SCOPE[0]) or "")


def test_parsing_stays_fast(world: tuple[QuestionParser, Counter[str]], shared_dir: Path) -> None:
    parser, counts = world
    with (shared_dir / "eval" / "medicationqa.jsonl").open(encoding="utf-8") as fh:
        questions = [json.loads(line)["question"] for line in fh]
    for q in questions[:20]:
        parser.parse(q)  # first use of each fuzzy partition
    start = time.perf_counter()
    for q in questions:
        _reason(parser, counts, q)
    per_question = (time.perf_counter() - start) / len(questions)
    assert per_question < 0.01, per_question  # measured about 1 ms
