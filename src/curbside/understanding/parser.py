"""Question understanding in one call: drugs, conditions, question type and language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from curbside.types import ParsedQuestion
from curbside.understanding.conditions import ConditionMatcher
from curbside.understanding.drugs import find_drug_spans
from curbside.understanding.language import detect_language
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.qtype import classify

LEXICON_FILE = "drug_lexicon.json"
CONDITIONS_FILE = "conditions.json"


class QuestionParser:
    def __init__(self, lexicon: DrugLexicon, conditions: ConditionMatcher) -> None:
        self.lexicon = lexicon
        self.conditions = conditions

    @classmethod
    def build(cls, vocab_dir: Path, extra: Iterable[tuple[str, Sequence[str]]] = (), *,
              corpus_generics: Iterable[str] = ()) -> QuestionParser:
        """Build both vocabularies from ``vocab_dir`` (see DrugLexicon.build)."""
        lexicon = DrugLexicon.build(vocab_dir, extra, corpus_generics=corpus_generics)
        return cls(lexicon, ConditionMatcher.build(vocab_dir))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.lexicon.save(directory / LEXICON_FILE)
        self.conditions.save(directory / CONDITIONS_FILE)

    @classmethod
    def load(cls, directory: Path) -> QuestionParser:
        return cls(DrugLexicon.load(directory / LEXICON_FILE),
                   ConditionMatcher.load(directory / CONDITIONS_FILE))

    def parse(self, text: str) -> ParsedQuestion:
        drug_spans = find_drug_spans(text, self.lexicon)
        drug_texts = {s.mention.text.lower() for s in drug_spans}
        conditions = tuple(
            c.mention
            for c in self.conditions.find_spans(text)
            # a drug named in the question is not also a condition ("insulin")
            if not any(d.start <= c.start and c.end <= d.end for d in drug_spans)
            and c.mention.text.lower() not in drug_texts
        )
        drugs = tuple(s.mention for s in drug_spans)
        qtype, secondary = classify(text, drug_count=len(drugs), condition_count=len(conditions))
        return ParsedQuestion(
            text=text,
            qtype=qtype,
            drugs=drugs,
            conditions=conditions,
            secondary_types=secondary,
            language=detect_language(text),
        )
