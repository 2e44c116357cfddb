"""Question understanding in one call: drugs, conditions, question type and language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from curbside.types import ParsedQuestion
from curbside.understanding.conditions import ConditionMatcher
from curbside.understanding.drugs import find_drug_spans
from curbside.understanding.fuzzy import LOOSE_EDITS, near_words, osa_distance
from curbside.understanding.language import detect_language
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.normalize import ENGLISH_WORDS
from curbside.understanding.qtype import classify

LEXICON_FILE = "drug_lexicon.json"
CONDITIONS_FILE = "conditions.json"


class QuestionParser:
    def __init__(self, lexicon: DrugLexicon, conditions: ConditionMatcher) -> None:
        self.lexicon = lexicon
        self.conditions = conditions

    @classmethod
    def build(cls, vocab_dir: Path, extra: Iterable[tuple[str, Sequence[str]]] = (), *,
              corpus_generics: Iterable[str] = (),
              label_texts: Iterable[tuple[Sequence[str], str]] = (),
              corpus_words: Iterable[str] = ()) -> QuestionParser:
        """Build both vocabularies from ``vocab_dir`` (see DrugLexicon.build)."""
        lexicon = DrugLexicon.build(vocab_dir, extra, corpus_generics=corpus_generics,
                                    label_texts=label_texts, corpus_words=corpus_words)
        return cls(lexicon, ConditionMatcher.build(vocab_dir))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.lexicon.save(directory / LEXICON_FILE)
        self.conditions.save(directory / CONDITIONS_FILE)

    @classmethod
    def load(cls, directory: Path) -> QuestionParser:
        return cls(DrugLexicon.load(directory / LEXICON_FILE),
                   ConditionMatcher.load(directory / CONDITIONS_FILE))

    def is_word(self, token: str) -> bool:
        """A real word: English, of a disease name or a patient definition, or a drug name."""
        return token in self.lexicon.known_words or self.lexicon.lookup(token) is not None

    def misspelt_word(self, token: str) -> bool:
        """One edit from a known word that is no drug name ("chromosone", "migranes"):
        a misspelt ordinary or medical word, never read as a misspelt drug."""
        known = self.lexicon.known_words
        stems = (token, token[:-1]) if token.endswith("s") else (token,)
        return any(w in known for t in stems for w in near_words(t))

    def knows(self, token: str) -> bool:
        """A word of some vocabulary, a misspelling of one, of a drug or of a condition, or
        two known words run together ("dayproblems"): anything but a name nothing knows
        (scope.unknown_drug_names)."""
        return (self.is_word(token) or self.misspelt_word(token)
                or self.lexicon.fuzzy_lookup(token) is not None
                or self.conditions.fuzzy_lookup(token) is not None
                or any(self._plain_word(token[:i]) and self._plain_word(token[i:])
                       for i in range(3, len(token) - 2)))

    def _plain_word(self, token: str) -> bool:
        return token in ENGLISH_WORDS or token in self.lexicon.known_words

    def medical_terms(self, text: str, pq: ParsedQuestion) -> list[str]:
        """The medical vocabulary terms of a question, and the names of any drug or drug
        class the lexicon knows in it (even one the corpus has no label for)."""
        found = self.conditions.medical_spans(text)
        if not found and not pq.drugs:
            found = [s.mention.text for s in find_drug_spans(text, self.lexicon, self.not_a_drug)]
        return found

    def medical_words(self, text: str) -> list[str]:
        """Words of medical names in the question ("herpes", "nipple"): weaker evidence
        than a whole term, as some are also words of other things ("moon", "flat")."""
        return self.conditions.medical_word_hits(text)

    def _drug_edits(self, token: str) -> int | None:
        found = self.lexicon.fuzzy_lookup(token)
        return None if found is None else osa_distance(token, found[1], LOOSE_EDITS)

    def not_a_drug(self, token: str) -> bool:
        """A misspelt known word, or nearer a condition name than a drug name."""
        if self.misspelt_word(token):
            return True
        cond = self.conditions.fuzzy_match(token)
        if cond is None:
            return False
        drug = self._drug_edits(token)
        return drug is None or cond[1] <= drug

    def not_a_condition(self, token: str) -> bool:
        """A real word, or nearer a drug name than a condition name ("insuline")."""
        if self.is_word(token):
            return True
        drug = self._drug_edits(token)
        if drug is None or self.misspelt_word(token):
            return False
        cond = self.conditions.fuzzy_match(token)
        return cond is None or drug < cond[1]

    def parse(self, text: str) -> ParsedQuestion:
        drug_spans = find_drug_spans(text, self.lexicon, self.not_a_drug)
        drug_texts = {s.mention.text.lower() for s in drug_spans}
        conditions = tuple(
            c.mention
            for c in self.conditions.find_spans(text, self.not_a_condition)
            # a drug named in the question is not also a condition ("insulin")
            if not any(d.start <= c.start and c.end <= d.end for d in drug_spans)
            and c.mention.text.lower() not in drug_texts
        )
        drugs = tuple(s.mention for s in drug_spans)
        # a combination product ("NyQuil") is one product named, however many ingredients
        qtype, secondary = classify(text, drug_count=len({(s.start, s.end) for s in drug_spans}),
                                    condition_count=len(conditions))
        return ParsedQuestion(
            text=text,
            qtype=qtype,
            drugs=drugs,
            conditions=conditions,
            secondary_types=secondary,
            language=detect_language(text),
        )
