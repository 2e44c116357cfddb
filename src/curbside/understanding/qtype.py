"""Question type: weighted keyword and phrase rules, summed per type.

Each rule is (type, weight, pattern). The highest-scoring type is the primary type when
it reaches ``MIN_SCORE`` (else the question is "general"); any other type scoring at least
``SECONDARY_SHARE`` of the primary (and ``MIN_SCORE``) is a secondary type. Ties go to
the more specific type (order of ``_PRIORITY``).
"""

from __future__ import annotations

import re
from collections import defaultdict

from curbside.types import QuestionType as Q

MIN_SCORE = 1.5
SECONDARY_SHARE = 0.5
_PRIORITY = (Q.OVERDOSE, Q.PREGNANCY_LACTATION, Q.COMPARISON, Q.INTERACTIONS, Q.CONTRAINDICATIONS,
             Q.PRODUCT, Q.MONITORING, Q.ADVERSE_EFFECTS, Q.DOSING, Q.MECHANISM, Q.INDICATION,
             Q.PREVENTION, Q.DIAGNOSIS, Q.PROGNOSIS, Q.SYMPTOMS, Q.CAUSES, Q.TREATMENT, Q.GENERAL)

# Condition aspects asked of a drug are drug aspects ("Does X cause weight gain?" asks
# about its adverse effects; "Can X prevent migraines?" about its indications), and the
# other way round for a question that names no drug ("What is good for a cold?").
_WITH_DRUG = {
    Q.CAUSES: Q.ADVERSE_EFFECTS, Q.SYMPTOMS: Q.ADVERSE_EFFECTS, Q.TREATMENT: Q.INDICATION,
    Q.PREVENTION: Q.INDICATION, Q.DIAGNOSIS: Q.MONITORING, Q.PROGNOSIS: Q.DOSING,
}
_WITHOUT_DRUG = {
    Q.INDICATION: Q.TREATMENT, Q.ADVERSE_EFFECTS: Q.CAUSES, Q.MONITORING: Q.DIAGNOSIS,
    Q.MECHANISM: Q.CAUSES,
}

def _w(*alternatives: str) -> str:
    """Any of the alternatives as whole words."""
    return r"\b(?:" + "|".join(alternatives) + r")\b"


def _any(*patterns: str) -> str:
    return "|".join(patterns)


_SUBJECT = r"(?:i|you|he|she|we|they|someone|a person|people|patients?|my \w+)"
_SYMPTOMS = _w(
    "weight gain", "hair loss", "rash", "nausea", r"vomit\w*", r"dizz\w*", r"drows\w*",
    "sleepy", r"tired\w*", "headaches?", "insomnia", r"diarrh\w*", r"diahr\w*",
    r"constipat\w*", r"bruis\w*", r"bleed\w*", r"itch\w*", r"swell\w*", r"blurr\w*", "cold",
    r"sweat\w*", "palpitations?",
)
_ADMINISTRATION_VERBS = (
    "take", "taken", "use", "used", "give", "given", "inject", "injected", "administer",
    "administered", "apply", "inhale", "mix", "dilute", "reconstitute", "prepare", "prep",
    "split", "cut", "crush", "dispensed", "prescribed",
)
_RULES: list[tuple[Q, float, str]] = [
    # indication: what a drug is for
    (Q.INDICATION, 3, r"(?<!contra)(?<!contra-)(?<!contra )\bindicat(?:ion|ions|ed)\b"),
    (Q.INDICATION, 2.5, _w("used", "prescribed", "given", "approved", "good", "taken",
                           "recommended") + r"\s+(?:for|to treat|in treating)\b"),
    (Q.INDICATION, 2, r"\bwhat(?:'s| is| are| does)\b.{0,60}\bfor\s*\??\s*$"),
    (Q.INDICATION, 2, r"\bwhat (?:does|do|can|will|is)\b.{0,40}"
                      + _w("treat", "cure", "help with", "for what")),
    (Q.INDICATION, 2, r"\bwhy\b.{0,40}" + _w("take", "taking", "prescribe", "prescribed", "give",
                                             "gave", "given", "use", "using", "need")),
    (Q.INDICATION, 1.5, r"^\s*why\b"),
    (Q.INDICATION, 2, _w("to treat", "treat what", "for what", "reason (?:for|to|why)",
                         "(?:best|better|good|effective) for")),
    (Q.INDICATION, 2, _w("uses (?:of|for)", "the use of", "purpose",
                         "what (?:is it|are they) for", "benefits? of")),
    (Q.INDICATION, 1.5, r"\b(?:can|does|will|could|would|is)\s+\w+(?:\s+\w+)?\s+"
                        + _w("help", "treat", "cure", "lower", "reduce", "prevent", "relieve",
                             "work for", "good for")),
    (Q.INDICATION, 0.5, _w("treat", "treats", "treating", "treatment (?:of|for)",
                           "therapy (?:of|for)", "manage", "management of")),
    (Q.INDICATION, 2, _w(r"first[\s-]line", "drug of choice", "treatment of choice",
                         "medical condition")),
    # dosing and administration
    (Q.DOSING, 3, r"(?<!over)(?<!over )\bdos(?:e|es|age|ages|ing)\b"),
    (Q.DOSING, 2, r"\bhow (?:much|many)\b"),
    (Q.DOSING, 1, r"\b\d+(?:\.\d+)?\s*(?:mg|mgs|mcg|g|gm|ml|cc|units?|iu)\b"),
    (Q.DOSING, 1.5, _w("mg", "mgs", "milligrams?", "mcg", "micrograms?", "grams?", "ml", "cc",
                       "strength", "strengths", "amount")),
    (Q.DOSING, 2.5, r"\bhow (?:often|frequently)\b"),
    # stopping a medicine is a dosing matter (tapering) with its withdrawal warnings
    (Q.DOSING, 3, r"\b(?:how|can|should|is it (?:ok|okay|safe)|when (?:is it|can|should|do))\b.{0,30}"
                  r"\b(?:stop|stopping|quit|quitting|"
                  r"wean\w*|taper\w*|discontinu\w*|come off|coming off|get off|getting off|reduce)\b"),
    (Q.DOSING, 4, r"\bwean\w*|\btaper\w*|\bstop (?:it|them|taking)? ?(?:immediately|cold turkey|abruptly|suddenly)\b"),
    (Q.DOSING, 2.5, _w(r"wean\w* off", r"taper\w* (?:off|down)", "come off", "get off")),
    (Q.DOSING, 2, _any(
        r"\bhow long (?:should|can|do|must|will) (?:i|you|he|she|we|they|one)\b",
        r"\bhow long (?:on|to (?:take|use|continue))\b",
        r"\b(?:length|duration) of (?:\w+ ){0,2}(?:treatment|therapy|course)\b",
    )),
    (Q.DOSING, 2.5, r"\bhow (?:to |do |does |should |can |would |is it |is \w+ )?"
                    rf"(?:{_SUBJECT} )?(?:self[\s-]?|properly |safely |best )?"
                    + _w(*_ADMINISTRATION_VERBS)),
    (Q.DOSING, 1.5, _w(r"administ\w+", "infusion", "infuse", r"titrat\w+", r"reconstitut\w+",
                       r"dilut\w+", r"self[\s-]?inject\w*", "missed", "miss a", "regimen",
                       "protocol", "frequency", "twice", "once a day", r"every \d+ hours",
                       "cut(?:ting)?", "crush(?:ing)?", "split(?:ting)?", "chew(?:ing)?")),
    (Q.DOSING, 1.5, _any(
        r"\bwhen (?:to|should|do|is (?:the|it) best)\b", r"\bbest (?:time|tme)\b",
        r"\btime of (?:the )?day\b", r"\bbed ?time\b", r"\bbefore or after\b",
        r"\b(?:eat|meals?)\b.{0,20}\b(?:before|after)\b",
        r"\b(?:before|after) (?:eating|(?:a |each |your )?meals?|food|breakfast|dinner|lunch)\b",
        r"\bhow long (?:before|after)\b",
    )),
    (Q.DOSING, 3, r"\b(?:with or without|with|without) (?:food|meals?|a meal)\b|\bempty stomach\b"),
    (Q.DOSING, 1.5, r"\bcomes? in\b"),
    # contraindications
    (Q.CONTRAINDICATIONS, 4, r"\bcontra[\s-]?indicat\w*"),
    (Q.CONTRAINDICATIONS, 3, _any(
        r"\b(?:who|when)\s+(?:should|must|can)\s*(?:not|n't)\b",
        r"\bshould(?:n't| not)\s+(?:be\s+)?(?:take|taken|use|used|give|given)\b",
    )),
    (Q.CONTRAINDICATIONS, 3, r"\ballergic to\b|\ballergy to\b"),
    (Q.CONTRAINDICATIONS, 2, rf"\b(?:can|may|should|could)\s+{_SUBJECT}\s+(?:with|who (?:has|have|had))\b"),
    (Q.CONTRAINDICATIONS, 1.5, _any(
        r"\bif (?:i|you|he|she|we|they) (?:have|has|had|am|are|is)\b", r"\bwhen i have\b",
        r"\bwith (?:kidney|liver|heart) (?:disease|problems|failure)\b",
    )),
    (Q.CONTRAINDICATIONS, 1.5, _w("precautions?", "warnings?", "black box", "boxed warning",
                                  "not recommended")),
    # adverse effects
    (Q.ADVERSE_EFFECTS, 4, r"\bside[\s-]?effects?\b"),
    (Q.ADVERSE_EFFECTS, 2, _w("adverse", "reactions?", r"toxicit\w*", "safety", "harmful",
                              "dangerous", "dangers?", "risks?")),
    (Q.ADVERSE_EFFECTS, 1.5, _w("cause", "causes", "caused", "causing", "make me", "makes me",
                                "made me", "give me", "gives me", "lead to", "leads to",
                                r"induce\w*", r"exacerbat\w*", r"worsen\w*", "contribute to")),
    (Q.ADVERSE_EFFECTS, 1.5, r"\b(?:is|are) (?:it|this|that|they|\w+) "
                             + _w("safe", "dangerous", "harmful", "bad", "addictive",
                                  r"habit[\s-]forming")),
    (Q.ADVERSE_EFFECTS, 2, r"\baddict\w*|\bhabit[\s-]forming\b|\bwithdraw\w*"),
    (Q.ADVERSE_EFFECTS, 1.5, _SYMPTOMS),
    (Q.ADVERSE_EFFECTS, 1.5, _any(r"\b(?:problems?|issues?|trouble) (?:with|when|from|after)\b",
                                  r"\bexperienc\w+", r"\bwhen (?:i )?stop\w*")),
    (Q.ADVERSE_EFFECTS, 1, r"\bafter (?:taking|using|injecting|starting|stopping)\b"),
    (Q.ADVERSE_EFFECTS, 2, r"\bhow (?:will|would|does|do) (?:i|it|this|\w+) (?:feel|affect)\b"),
    # interactions
    (Q.INTERACTIONS, 4, r"\binteract\w*"),
    (Q.INTERACTIONS, 2.5, _w("together", "at the same time", r"combin\w+", "mix", "mixed",
                             "mixing", r"compatib\w*", r"interfer\w*", r"concomitant\w*",
                             "in combination")),
    (Q.INTERACTIONS, 1.5, _w("take", "taking", "took", "use", "using", "drink", "drinking",
                             "eat", "eating", "have", "give")
                          + r"\s+.{0,40}?\b(?:with|while on|plus)\b"),
    (Q.INTERACTIONS, 1, r"\b(?:while|when) (?:taking|on|using)\b"),
    (Q.INTERACTIONS, 1, _w("alcohol", "drinking", "beer", "wine", "grapefruit", "foods?",
                           "caffeine", "coffee", "tea", "juice", "dairy", "antacids?",
                           "vitamins?", "supplements?", "spices?", "herbs?", "herbal",
                           "probiotics?", "otc", r"over[\s-]the[\s-]counter",
                           "other (?:drugs|medications|medicines|pills)")),
    (Q.INTERACTIONS, 1.5, r"\bfoods? (?:to avoid|should|i should)\b|\bavoid (?:eating|drinking|foods?)\b"),
    # mechanism (and pharmacology)
    (Q.MECHANISM, 4, _w("mechanism", "mode of action", "moa", r"pharmacodynamic\w*",
                        "how (?:it|they) works?")),
    (Q.MECHANISM, 3, r"\bhow (?:does|do|is|are|will)\b.{0,40}\b(?:work|works|working|act|acts)\b"),
    (Q.MECHANISM, 2, r"\bwhat (?:does|do|will)\b.{0,40}\bdo\b(?!\s+(?:for|if|when|with|about))"),
    (Q.MECHANISM, 2.5, _w(r"metaboli[sz]\w*", r"half[\s-]?life", r"pharmacokinetic\w*",
                          r"absorb\w*", "absorption", r"excret\w*", "clearance")),
    (Q.MECHANISM, 1.5, _w("receptors?", r"inhibit\w*", "agonists?", "antagonists?",
                          "therapeutic effect", "effects? on (?:the )?(?:body|brain|heart)")),
    (Q.MECHANISM, 1.5, r"\bhow (?:does|do|will)\b.{0,30}\baffect\b|\bwhat (?:is the )?effects? (?:of|if|does|on)\b"),
    (Q.MECHANISM, 2.5, r"^\s*how (?!much|many|long|often|soon|to\b)(?:do |does |is |are |can |could )?"
                       r"(?:\w+\s+){1,4}?(?:reduce|kill|treat|lower|help|work|affect|effect|act|block|stop)s?\b"),
    # pregnancy and lactation
    (Q.PREGNANCY_LACTATION, 4, _w(r"pregnan\w*", r"breast[\s-]?feed\w*", r"breast[\s-]?milk",
                                  r"lactat\w*", "nursing (?:mother|mom|baby|infant)",
                                  r"conceiv\w*", "fetus", "fetal", "unborn", r"teratogen\w*",
                                  "birth defects?", "trimester")),
    # monitoring
    (Q.MONITORING, 4, r"\bmonitor\w*"),
    (Q.MONITORING, 3, _w("blood (?:tests?|work|levels?)",
                         "(?:drug|serum|plasma|blood|trough|therapeutic) (?:levels?|concentrations?)",
                         "lab(?:s| tests?| work)?")),
    (Q.MONITORING, 2, _w("inr", "ecg", "ekg", "liver function", "kidney function",
                         "renal function", "thyroid function", "checked",
                         "check (?:my|your|the|for)")),
    (Q.MONITORING, 2, r"\bhow often\b.{0,30}\b(?:check\w*|test\w*|measur\w*)\b"),
    # overdose
    (Q.OVERDOSE, 5, r"\bover[\s-]?dos\w*"),
    (Q.OVERDOSE, 3, _w("too (?:much|many)", "double (?:dose|does|dosed)", "extra (?:dose|pill|tablet)s?")),
    (Q.OVERDOSE, 3, _w(r"poison\w*", "toxic dose", "lethal", "fatal dose", "antidote",
                       "revers(?:e|es|al|ing)")),
    (Q.OVERDOSE, 2, _w(r"accidental\w*", "took (?:two|2|three|3|an extra|extra)")),
    # general: what it is, class, form, storage, ingredients
    (Q.GENERAL, 2, _w("(?:what|which) (?:class|type|kind|group|schedule|tier)s? of (?:drug|medication|medicine)s?",
                      "what (?:class|schedule|tier)", "classified", "(?:drug|medication) class",
                      "class (?:of|for)")),
    (Q.PRODUCT, 3, _w(r"(?:inactive |active )?ingredients?", "contains?", "made of", "made from",
                      "look like", "looks like", "colou?r", "shape", "imprint", r"expir\w*",
                      "stor(?:e|ed|age|ing)", "shelf life", r"refrigerat\w*", r"freez\w*",
                      r"dispos\w*", "throw away", "gluten", "lactose", "shellac", r"dyes?",
                      r"gelatin\w*", r"preservatives?", "latex", "pill (?:is|looks)",
                      r"strengths?", "come in", "comes in", "available (?:in|as)", r"tablets? (?:size|look)",
                      r"manufactur\w*", "made by", "who makes", "identify", "stay good", "still good",
                      "go bad", "goes bad")),
    (Q.PRODUCT, 3, r"\bwhat(?:'s| is|s)? (?:all )?in (?:this|the|a|my|it|that)\b|\bwhat(?:'s| is|s)? in \w+\s*\??$"),
    (Q.GENERAL, 2, _w("cost", "price", "generic (?:for|of|version)", "brand name", r"pronounc\w*",
                      "come from")),
    (Q.GENERAL, 3, _w("tell me (?:more )?about", "(?:more )?information (?:about|on)", "know about",
                      "what should i know", "overview of", "facts about")),
    # comparison
    (Q.COMPARISON, 4, _any(r"\bvs\.?\b", r"\bversus\b", r"\bdiffer\w*\b", r"\bcompar\w+",
                          r"\b(?:better|stronger|safer|worse) than\b", r"\bsame as\b",
                          r"\bor\b.{0,40}\b(?:better|best|stronger|safer)\b")),
    # questions about a condition
    (Q.CAUSES, 3, _any(r"\bwhat (?:is |are |could be |might be |can be )?(?:the )?caus\w*",
                       r"\bcaus(?:e|es) of\b", r"\bwhy (?:do|does|am|is|are|would|have)\b",
                       r"\brisk factors?\b", r"\bwhat (?:is|could be) (?:the )?reason\b",
                       r"\b(?:could|can|might) (?:it|this|that) be\b", r"\bwhat triggers?\b")),
    (Q.CAUSES, 1.5, _w("cause", "causes", "caused", "causing", "trigger", "triggers", "lead to",
                       "related to", "relation", "linked to", "because")),
    (Q.SYMPTOMS, 3, _any(r"\bsymptoms?\b", r"\bsigns? (?:of|that)\b", r"\ba sign\b",
                         r"\bis (?:it|this) normal\b", r"\bhow (?:do|can|would) (?:i|you) (?:know|tell)\b",
                         r"\bwhat does .{1,30} feel like\b")),
    (Q.TREATMENT, 3, _any(r"\bhow (?:is|are|do you|do i|can i|should i|to) (?:\w+ ){0,4}"
                          r"(?:treat\w*|cured?|manag\w+|get rid)\b",
                          r"\btreat(?:ment|ments|ing|ed)? (?:for|of|options?)\b", r"\bget rid of\b",
                          r"\bremed(?:y|ies)\b", r"\bwhat (?:can|should|could) (?:i|we|you) (?:take|do|use)\b",
                          r"\b(?:medication|medicine|medicines|drug|drugs|pill|cream|something) "
                          r"(?:for|to help|that (?:could|can|will) help)\b",
                          r"\b(?:help|helps|relieve|ease|soothe) (?:with )?(?:my |the |a |an )?\w+",
                          r"\b(?:recommend|suggest)\b", r"\bcure\b", r"\bhome remed\w*")),
    (Q.PREVENTION, 3, _any(r"\bprevent\w*", r"\bavoid (?:getting|catching|spreading)\b",
                           r"\bcontagious\b", r"\binfectious\b", r"\bspread\w*\b",
                           r"\b(?:catch|caught|transmit\w*|pass (?:it )?on)\b")),
    (Q.PREVENTION, 2, r"\bvaccin\w*"),
    (Q.DIAGNOSIS, 3, _any(r"\bdiagnos\w*", r"\btest(?:s|ed|ing)? (?:for|to)\b", r"\bscreen\w*",
                          r"\bcheck (?:for|if)\b", r"\bexam\w*", r"\bwhat (?:test|tests)\b",
                          r"\b(?:urine|blood) test\b", r"\bmeasure\b")),
    (Q.PROGNOSIS, 3, _any(r"\bhow long (?:does|do|will|would|can|is) (?:\w+ ){0,4}(?:last|take|go away|stay|persist)\b",
                          r"\boutlook\b", r"\bprognosis\b", r"\bgo away\b", r"\blife expectancy\b",
                          r"\bsurviv\w*", r"\brecover\w*", r"\bcurable\b", r"\bpermanent\w*",
                          r"\blast for\b", r"\bcome back\b")),
    (Q.GENERAL, 1.5, r"^\s*(?:what(?:'s| is| are)|whats)\s+(?:a |an |the )?[\w .,/&-]{1,40}\??\s*$"),
    (Q.GENERAL, 1.5, r"^\s*(?:is|are)\s+\w+(?:\s+\w+)?\s+(?:a|an)\s+\w+"),
]
_COMPILED = [(t, w, re.compile(p)) for t, w, p in _RULES]
_TAKING = re.compile(r"\b(?:take|taking|took|use|used|using|drink|drinking|on|while|when|with)\b")
_COMBINING = re.compile(r"\b(?:and|with|plus|together|while|when)\b|[&+]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"'})


def scores(text: str, *, drug_count: int = 0) -> dict[Q, float]:
    """The summed rule weights per question type (only types that scored)."""
    low = " ".join(text.translate(_APOSTROPHES).lower().split())
    out: dict[Q, float] = defaultdict(float)
    for qtype, weight, pattern in _COMPILED:
        if pattern.search(low):
            out[qtype] += weight
    if drug_count >= 2:  # two drugs: likelier a question about taking them together
        out[Q.INTERACTIONS] += 2.5 if _TAKING.search(low) and _COMBINING.search(low) else 1
    return dict(out)


def classify(text: str, *, drug_count: int = 0, condition_count: int | None = None) -> tuple[Q, tuple[Q, ...]]:
    """(primary type, secondary types) of a question; ``drug_count`` is how many drugs
    it names (two drugs make an interaction question likelier). A condition aspect asked
    of a drug becomes the drug aspect that holds it, and a drug aspect asked of a
    condition (``condition_count`` > 0, or unknown: None) the condition aspect."""
    found: dict[Q, float] = defaultdict(float)
    remap: dict[Q, Q] = {}
    if drug_count:
        remap = _WITH_DRUG
    elif condition_count is None or condition_count > 0:
        remap = _WITHOUT_DRUG
    for t, v in scores(text, drug_count=drug_count).items():
        found[remap.get(t, t)] += v
    if drug_count < 2 and Q.COMPARISON in found and not _CONDITION_PAIR.search(text.lower()):
        found[Q.COMPARISON] = min(found[Q.COMPARISON], MIN_SCORE - 0.1)
    ranked = sorted(found.items(), key=lambda kv: (-kv[1], _PRIORITY.index(kv[0])))
    if not ranked or ranked[0][1] < MIN_SCORE:
        return Q.GENERAL, ()
    primary, top = ranked[0]
    floor = max(MIN_SCORE, SECONDARY_SHARE * top)
    secondary = tuple(t for t, s in ranked[1:] if s >= floor and t is not Q.GENERAL)
    return primary, secondary


_OVERVIEW = re.compile(r"\b(?:tell me (?:more )?about|(?:more )?information (?:about|on)|know (?:much )?about|"
                       r"what should i know|overview of|facts about)\b")


def asks_overview(text: str) -> bool:
    """"Tell me about X", "what should I know about X": an overview of X is asked."""
    return bool(_OVERVIEW.search(" ".join(text.translate(_APOSTROPHES).lower().split())))


# "A vs B", "how do A and B differ", "A or B": two things compared (conditions, too)
_CONDITION_PAIR = re.compile(r"\b(?:vs\.?|versus|or|and|from|between)\b")
