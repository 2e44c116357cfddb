"""A follow-up question resolved against the previous turn of a conversation.

    res = resolve("And for children?", "What is the dose of baclofen?", parse)
    res.text     # "What is the dose of baclofen for children?"  (the standalone question)
    res.carried  # ("subject", "aspect")

``parse`` is the question parser (``Engine`` passes its own, which keeps only the drugs
the corpus has labels for); ``previous`` is the previous turn's standalone question.
Nothing here writes answer text: the standalone question is the follow-up's own words,
or the previous question's, put together by the rules below (no language model).

A question has a *subject* (the drugs it names, or else the conditions), an *aspect*
(its question type: dose, side effects, causes...) and perhaps a *population*
(children, pregnancy, breastfeeding, older adults, kidney or liver impairment, adults).

1. "Why?" (alone) asks the previous question again: subject and aspect carry.
2. A pronoun ("it", "its", "this", "that", "them", "they", "this drug", "the
   condition"...) stands for the previous subject and is replaced by its name: "Is it
   safe in pregnancy?" -> "Is baclofen safe in pregnancy?". "It" in "is it safe to...",
   "is it true that..." refers to nothing and stays.
3. A follow-up that names its own subject and aspect is standalone: unchanged, nothing
   carried ("What causes migraines?" after a baclofen question).
4. A follow-up that names an aspect but no subject gets the previous subject after the
   aspect's word ("And the side effects?" -> "And the side effects of prednisone?"), or
   at its end ("Is there a cure?" -> "Is there a cure for gout?").
5. A follow-up with no aspect of its own is elliptical: the previous question is asked
   again with what the follow-up changes, a new subject ("What about tizanidine
   instead?" after "Is baclofen safe in pregnancy?" -> "Is tizanidine safe in
   pregnancy?") and/or a population ("And for children?" -> "What is the dose of
   baclofen for children?"). A drug named after a condition question (or the other way
   round) is asked of it through a template ("How is gout treated?" + "What about
   colchicine?" -> "Is colchicine used to treat gout?").

Words of a population are never a subject ("kidney disease" in "what about in kidney
disease?"): they say whom the aspect is asked of. The result's drugs, conditions and
question type are the parser's reading of the standalone question, so they are what the
engine answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from curbside.types import ConditionMention, DrugMention, ParsedQuestion, QuestionType
from curbside.understanding.qtype import MIN_SCORE, asks_overview, scores

Parse = Callable[[str], ParsedQuestion]

# ---- populations ---------------------------------------------------------------------
POPULATION_NAMES = ("children", "pregnancy", "breastfeeding", "older_adults", "renal_impairment",
                    "hepatic_impairment", "adults")
_POPULATION_CORES: tuple[tuple[str, str], ...] = (
    ("children", r"child|children|kids?|toddlers?|infants?|babies|baby|newborns?|p(?:a)?ediatric\w*|teens?|"
                 r"teenagers?|adolescents?|(?:my )?(?:son|daughter)|\d{1,2}[- ]?(?:year|yr)s?[- ]olds?"),
    ("pregnancy", r"pregnan\w*"),
    ("breastfeeding", r"breast[- ]?feed\w*|breast[- ]?milk|nursing (?:mothers?|moms?|women)|nursing|lactat\w*"),
    ("older_adults", r"elderly|older (?:adults?|people|patients|persons|women|men)|seniors?|geriatric\w*|"
                     r"(?:over|above) (?:the age of )?6[5-9]"),
    ("renal_impairment", r"(?:renal|kidney) (?:impairment|failure|insufficiency|disease|problems?|dysfunction)|"
                         r"(?:impaired|reduced|poor|decreased|low) (?:renal|kidney) function|dialysis|ckd"),
    ("hepatic_impairment", r"(?:hepatic|liver) (?:impairment|failure|insufficiency|disease|problems?|"
                           r"dysfunction|damage)|(?:impaired|reduced|poor|decreased) (?:hepatic|liver) function|"
                           r"cirrhosis"),
    ("adults", r"adults?|grown[- ]ups?"),
)
_PREPOSITION = r"(?:for|in|with|during|while|among|to|on|if|when)"
_WHO = (r"(?:(?:an?|the|my|our|patients?|people|persons?|women|mothers?|someone|somebody|those|anyone)\s+"
        r"(?:(?:who (?:are|is|have|has|am)|with|on|having)\s+)?|"
        r"(?:i|you|she|he|we|they)(?:'m|'re| am| are| is| have| has)\s+(?:an?\s+)?)")
_POPULATION_RES = tuple(
    (name, re.compile(rf"(?:\b{_PREPOSITION}\s+)?(?:{_WHO})?\b(?:{core})\b", re.I)) for name, core in _POPULATION_CORES
)
# the phrase put into a question for a population named without a preposition ("and kids?")
_CANONICAL = {
    "children": "for children", "pregnancy": "during pregnancy", "breastfeeding": "during breastfeeding",
    "older_adults": "for older adults", "renal_impairment": "in renal impairment",
    "hepatic_impairment": "in hepatic impairment", "adults": "for adults",
}
_STARTS_WITH_PREPOSITION = re.compile(rf"^{_PREPOSITION}\b", re.I)


@dataclass(frozen=True, slots=True)
class PopulationSpan:
    name: str
    start: int
    end: int
    text: str


def population_spans(text: str) -> list[PopulationSpan]:
    """The populations a question names, in order, with the phrase that names each
    (its preposition included: "for children", "in patients with kidney disease").
    "adults" counts only where nothing more particular is named."""
    found: list[PopulationSpan] = []
    for name, pattern in _POPULATION_RES:
        for m in pattern.finditer(text):
            if any(m.start() < s.end and s.start < m.end() for s in found):
                continue
            if name == "adults" and found:
                continue
            found.append(PopulationSpan(name, m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda s: s.start)


def population_of(text: str) -> str | None:
    """The first population a question names, or None."""
    spans = population_spans(text)
    return spans[0].name if spans else None


# ---- pronouns, connectors, "why" -------------------------------------------------------
_NOUNS = r"(?:drug|medicine|medication|med|pill|tablet|one|condition|disease|illness|infection|problem)s?"
_PRONOUN = re.compile(
    rf"\b(?:(?:this|that|these|those|the same|the) {_NOUNS}|its|it|them)\b"
    r"|\b(?:are|do|can|will|would|should|could|did)\s+(?P<they>they)\b"
    # "this" or "that" alone: at the end, or as the subject or object of a verb
    r"|\b(?:this|that)\b(?=\s*[?.!]*\s*$)"
    r"|\b(?:is|does|do|can|will|would|could|should|about|take|taking|use|using)\s+(?P<this>this|that)\b"
    rf"(?=\s+(?!(?:is|was|the|a|an|i|you|he|she|we|they|my|your|{_NOUNS})\b)\w)",
    re.I,
)
# "is it safe to ...", "is it true that ...": an "it" that stands for nothing
_DUMMY_IT = re.compile(r"(?:\b(?:is|was|isn't|wasn't)\s+it|\bit(?:'s|\s+is|\s+was))\b(?=(?:\s+\w+){0,3}?\s+"
                       r"(?:to|that|if|whether)\b)", re.I)
_LEADING = re.compile(r"^\s*(?:(?:and|also|so|but|ok(?:ay)?|then|now|well|what about|how about|what if)\b[\s,]*)+",
                      re.I)
_TRAILING = re.compile(r"(?:[\s,]+\b(?:instead|too|as well|then|also|either)\b)+(?=\s*[?.!]*\s*$)", re.I)
_WHY = re.compile(r"^\s*(?:and\s+|but\s+)?why(?:\s+(?:is that|so|not|is it|that))?\s*[?.!]*\s*$", re.I)
_END = re.compile(r"\s*[?.!]*\s*$")


@dataclass(frozen=True, slots=True)
class _Pronoun:
    start: int
    end: int
    word: str


def _pronouns(text: str) -> list[_Pronoun]:
    """The words of ``text`` that stand for the previous subject."""
    dummies = [m.span() for m in _DUMMY_IT.finditer(text)]
    out = []
    for m in _PRONOUN.finditer(text):
        group = "they" if m.group("they") else "this" if m.group("this") else 0
        start, end = m.span(group)
        word = text[start:end].lower()
        if word == "it" and any(s <= start < e for s, e in dummies):
            continue
        out.append(_Pronoun(start, end, word))
    return out


# ---- aspect words: where "of <subject>" goes --------------------------------------------
_ANCHORS: tuple[tuple[str, str], ...] = (
    (r"side[\s-]?effects?", "of"), (r"adverse (?:effects?|reactions?|events?)", "of"),
    (r"(?:usual |normal |starting |maximum |max |recommended |right |correct |daily )?(?:doses?|dosage|dosing)",
     "of"),
    (r"contraindications?", "for"), (r"(?:drug )?interactions?", "with"),
    (r"mechanism(?: of action)?", "of"), (r"half[\s-]?life", "of"), (r"(?:signs and )?symptoms", "of"),
    (r"(?:warning )?signs", "of"), (r"causes?", "of"), (r"risk factors?", "for"),
    (r"treatments?(?: options)?", "for"), (r"outlook", "for"), (r"prognosis", "for"),
    (r"complications?", "of"), (r"prevention", "of"), (r"diagnosis", "of"), (r"warnings?", "for"),
    (r"precautions?", "for"), (r"risks?", "of"), (r"uses?", "of"), (r"indications?", "for"),
    (r"overdose", "of"), (r"cure", "for"), (r"ingredients?", "of"), (r"life expectancy", "with"),
)
_ANCHOR_RE = re.compile(r"\b(?:" + "|".join(f"(?P<a{i}>{p})" for i, (p, _) in enumerate(_ANCHORS)) + r")\b", re.I)
_NAMES_SOMETHING = re.compile(r"^\s+(?:of|for|with)\s+(?!(?:an?|the|my)?\s*(?:children|kids|adults|older|elderly|"
                              r"pregnan|breast|patients|people|women))\w", re.I)


# ---- the result ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Resolution:
    """A question read in its conversation: ``asked`` as typed, ``text`` the standalone
    question the engine answers (``asked`` itself when nothing was carried), and the
    parser's reading of ``text``: drugs, conditions (populations' words left out), the
    question type (its aspect) and the population. ``carried`` names what came from the
    previous turn ("subject", "aspect", "population"); ``rule`` which rule made ``text``
    (first, standalone, why, pronoun, aspect, subject, population, again)."""

    asked: str
    text: str
    drugs: tuple[DrugMention, ...]
    conditions: tuple[ConditionMention, ...]
    qtype: QuestionType
    population: str | None
    carried: tuple[str, ...] = ()
    rule: str = "first"

    @property
    def changed(self) -> bool:
        """The standalone question differs from the question asked."""
        return self.text != self.asked


@dataclass(frozen=True, slots=True)
class _Subject:
    drugs: tuple[DrugMention, ...]
    conditions: tuple[ConditionMention, ...]

    @property
    def is_drug(self) -> bool:
        return bool(self.drugs)

    @property
    def mentions(self) -> tuple[str, ...]:
        """The subject's names as written (the drugs', or else the conditions')."""
        return tuple(m.text for m in self.drugs) if self.drugs else tuple(m.text for m in self.conditions)

    @property
    def name(self) -> str:
        """The name a pronoun stands for: the first drug (or condition) as written."""
        return self.mentions[0]

    def plural(self) -> str:
        return " and ".join(dict.fromkeys(self.mentions))


def _subject(text: str, pq: ParsedQuestion) -> _Subject | None:
    """The drugs a question names (or else its conditions), leaving out a condition
    that is a population's words ("kidney disease" in "for patients with kidney
    disease") or that is also a drug named."""
    pops = population_spans(text)
    low = text.lower()

    def in_population(m: ConditionMention) -> bool:
        at = low.find(m.text.lower())
        return at >= 0 and any(p.start <= at and at + len(m.text) <= p.end for p in pops)

    conditions = tuple(c for c in pq.conditions if not in_population(c))
    if not pq.drugs and not conditions:
        return None
    return _Subject(pq.drugs, conditions)


def _reading(text: str, pq: ParsedQuestion, carried: Sequence[str], rule: str, asked: str) -> Resolution:
    subject = _subject(text, pq)
    return Resolution(asked=asked, text=text, drugs=pq.drugs,
                      conditions=subject.conditions if subject else (), qtype=pq.qtype,
                      population=population_of(text), carried=tuple(carried), rule=rule)


def _names_aspect(text: str, drug_count: int) -> bool:
    """The text asks an aspect of its own (a question type scores, or it asks for an
    overview: "what is X", "tell me about X")."""
    found = scores(text, drug_count=drug_count)
    return any(v >= MIN_SCORE for v in found.values()) or asks_overview(text)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] if text else text


def _ending(text: str) -> tuple[str, str]:
    """(the question without its final punctuation, that punctuation or "?")."""
    m = _END.search(text)
    assert m is not None
    punct = m.group(0).strip() or "?"
    return text[: m.start()], punct


# ---- the rules ------------------------------------------------------------------------
def resolve(asked: str, previous: str | None, parse: Parse) -> Resolution:
    """``asked`` read as the follow-up of ``previous`` (the previous turn's standalone
    question; None for the first question of a conversation)."""
    asked = " ".join(asked.split())
    pq = parse(asked)
    if not previous:
        return _reading(asked, pq, (), "first", asked)
    prev_text = " ".join(previous.split())
    prev_pq = parse(prev_text)
    prev = _subject(prev_text, prev_pq)
    if prev is None:  # nothing to carry
        return _reading(asked, pq, (), "first", asked)
    prev_pops = population_spans(prev_text)
    if _WHY.match(asked):
        return _reading(prev_text, prev_pq, ("subject", "aspect", *(("population",) if prev_pops else ())), "why",
                        asked)

    own = _subject(asked, pq)
    pronouns = _pronouns(asked)
    pops = population_spans(asked)
    core = _core(asked, pops)
    substituted = _substitute(core, _pronouns(core), prev)
    drug_count = len(pq.drugs) + (len(prev.drugs) if _pronouns(core) else 0)
    named = _names_aspect(substituted, drug_count)
    together = False
    if not named and own is None and prev.is_drug and not pronouns:
        # "Can I drink alcohol?": a drink or food asked of the drug is taking them together
        together = named = QuestionType.INTERACTIONS in _top(scores(f"{substituted} with {prev.name}", drug_count=1))

    if named:
        if pronouns:
            text = _sentence(_strip_leading(_substitute(asked, pronouns, prev)))
            return _result(text, parse, ("subject",), "pronoun", asked)
        if own is not None:
            return _reading(asked, pq, (), "standalone", asked)
        qtype = QuestionType.INTERACTIONS if together else parse(f"{substituted} ({prev.name})").qtype
        text = _sentence(_with_subject(_question_form(_strip_leading(asked)), prev, qtype))
        return _result(text, parse, ("subject",), "aspect", asked)

    # elliptical: the previous question again, with what the follow-up changes
    text = prev_text
    carried = ["aspect"]
    rule = "again"
    if own is not None:
        text = _swap_subject(prev_text, prev_pq, prev, own, asked)
        rule = "subject"
    else:
        carried.insert(0, "subject")
    if pops:
        text = _with_population(text, pops[0])
        rule = "population" if rule == "again" else rule
    elif population_spans(text):
        carried.append("population")
    return _result(_sentence(text), parse, carried, rule, asked)


def _top(found: dict[QuestionType, float]) -> set[QuestionType]:
    if not found:
        return set()
    best = max(found.values())
    return {t for t, v in found.items() if v == best and v >= MIN_SCORE}


def _result(text: str, parse: Parse, carried: Sequence[str], rule: str, asked: str) -> Resolution:
    return _reading(text, parse(text), carried, rule, asked)


def _strip_leading(text: str) -> str:
    """Without a leading "and", "also", "so"... ("what about" stays: it is the question)."""
    m = re.match(r"^\s*(?:(?:and|also|so|but|ok(?:ay)?|then|now|well)\b[\s,]*)+", text, re.I)
    return text[m.end():] if m and m.end() < len(text) else text


def _core(text: str, pops: Sequence[PopulationSpan]) -> str:
    """The follow-up without its population phrases, its opening "and", "what about"...
    and a closing "instead": what is left asks the aspect, if anything does. Pregnancy
    and breastfeeding are aspects as well as populations ("is it safe in pregnancy?"), so
    their words stay when something else is asked with them."""
    out = text
    for p in sorted(pops, key=lambda p: p.start, reverse=True):
        out = out[: p.start] + " " + out[p.end:]
    out = _TRAILING.sub("", _LEADING.sub("", out))
    bare = re.sub(r"[\W_]+", "", out)
    keep_aspect = [p for p in pops if p.name in ("pregnancy", "breastfeeding")]
    if bare and keep_aspect and re.search(r"\b(?:safe|ok|okay|use|take|taking|used|risk\w*|harm\w*)\b", out, re.I):
        out = _TRAILING.sub("", _LEADING.sub("", text))
    return " ".join(out.split())


def _substitute(text: str, pronouns: Sequence[_Pronoun], subject: _Subject) -> str:
    out = text
    for m in sorted(pronouns, key=lambda m: m.start, reverse=True):
        word = m.word
        if word == "its":
            name = f"{subject.name}'s"
        elif word in ("them", "they"):
            name = subject.plural()
        else:
            name = subject.name
        out = out[: m.start] + name + out[m.end:]
    return out


def _with_subject(text: str, subject: _Subject, qtype: QuestionType) -> str:
    """"of <subject>" after the aspect's word ("the side effects" -> "the side effects
    of baclofen"), or "for" / "with" <subject> at the end."""
    for m in _ANCHOR_RE.finditer(text):
        if _NAMES_SOMETHING.match(text[m.end():]):
            continue
        i = next(int(k[1:]) for k, v in m.groupdict().items() if v is not None)
        return f"{text[: m.end()]} {_ANCHORS[i][1]} {subject.plural()}{text[m.end():]}"
    body, punct = _ending(text)
    word = "with" if qtype is QuestionType.INTERACTIONS else "for"
    return f"{body} {word} {subject.plural()}{punct}"


def _question_form(text: str) -> str:
    """A bare noun phrase left by "And the side effects?" asked as "What about the side
    effects ...?"."""
    return f"What about {text}" if re.match(r"^the\b", text, re.I) else text


def _with_population(text: str, new: PopulationSpan) -> str:
    """``text`` asking of ``new``'s population: its own population phrase replaced, or
    the new one added at the end."""
    phrase = new.text.strip()
    if not _STARTS_WITH_PREPOSITION.match(phrase) or phrase.lower().startswith(("to ", "if ", "when ")):
        phrase = _CANONICAL[new.name]
    old = population_spans(text)
    if old:
        p = old[0]
        return text[: p.start].rstrip() + " " + phrase + text[p.end:]
    body, punct = _ending(text)
    return f"{body} {phrase}{punct}"


def _swap_subject(prev_text: str, prev_pq: ParsedQuestion, prev: _Subject, own: _Subject, asked: str) -> str:
    """The previous question about the follow-up's subject instead."""
    new_name = own.plural()
    if own.is_drug == prev.is_drug:
        out = _replace_names(prev_text, prev.mentions, new_name)
        if out is not None:
            return out
    condition = (own.conditions or prev.conditions)
    if own.is_drug:  # a drug asked after a condition question
        cond = condition[0].text if condition else ""
        if prev_pq.qtype in (QuestionType.CAUSES, QuestionType.SYMPTOMS):
            return f"Can {new_name} cause {cond}?"
        if cond:
            return f"Is {new_name} used to treat {cond}?"
        return f"What is {new_name} used for?"
    # a condition asked after a drug question: the condition within that drug question
    drug = prev.plural()
    if prev_pq.qtype is QuestionType.ADVERSE_EFFECTS:
        return f"Can {drug} cause {new_name}?"
    if prev_pq.qtype is QuestionType.DOSING:
        return f"What is the dose of {drug} for {new_name}?"
    if prev_pq.qtype is QuestionType.CONTRAINDICATIONS:
        return f"Can people with {new_name} take {drug}?"
    return f"Is {drug} used to treat {new_name}?"


def _replace_names(text: str, names: Sequence[str], new: str) -> str | None:
    """``text`` with the first of ``names`` replaced by ``new`` and the others (a brand
    in brackets after its generic) left out; None when none is found."""
    names = [n for n in dict.fromkeys(names) if n]
    first = None
    for n in names:
        m = re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.I)
        if m is not None and (first is None or m.start() < first.start()):
            first = m
    if first is None:
        return None
    out = text[: first.start()] + new + text[first.end():]
    for n in names:
        if n.lower() == first.group(0).lower():
            continue
        out = re.sub(rf"\s*\(\s*{re.escape(n)}\s*\)", "", out, flags=re.I)
        out = re.sub(rf"\s+(?:and|or|,)\s+{re.escape(n)}(?!\w)", "", out, flags=re.I)
    return out
