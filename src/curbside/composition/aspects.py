"""Which aspect of a condition a consumer page answers, read from its own question.

MedQuAD pages are question/answer pairs whose question says what the answer is about
("What are the treatments for Pelvic Inflammatory Disease ?", "How to prevent Lyme
disease ?"): the pair is used for a question of the same aspect about the same
condition, so the answer speaks to what was asked rather than sharing a word with it.
"""

from __future__ import annotations

import re

from curbside.types import QuestionType as Q

# the page question's form -> the aspect it answers (first match wins)
_PAGE_ASPECTS: tuple[tuple[Q, re.Pattern[str]], ...] = tuple(
    (q, re.compile(p, re.I))
    for q, p in (
        (Q.SYMPTOMS, r"\bsymptoms?\b|\bsigns?\b"),
        (Q.TREATMENT, r"\btreatments?\b|\btreated\b|\bmanag(?:e|ed|ement)\b|\bcare for\b"),
        (Q.PREVENTION, r"\bprevent\w*|\bspread\b|\bcontagious\b|\btransmit\w*"),
        (Q.DIAGNOSIS, r"\bdiagnos\w*|\btests?\b|\bexams?\b|\bscreen\w*"),
        (Q.PROGNOSIS, r"\boutlook\b|\bprognosis\b|\bcomplications?\b|\bstages?\b|\blong[- ]term\b"),
        (Q.CAUSES, r"\bcauses?\b|\bat risk\b|\brisk factors?\b|\bgenetic changes\b|\binherited\b"),
        (Q.GENERAL, r"^\s*what (?:is|are)\b|\bdo you have information\b"),
    )
)

# aspects a question may ask about a condition, and what the article calls them
ASPECT_HEADINGS: dict[Q, tuple[str, str]] = {
    Q.TREATMENT: ("Treatment", "How it is treated"),
    Q.CAUSES: ("Causes and risk factors", "What causes it"),
    Q.SYMPTOMS: ("Symptoms and signs", "Symptoms"),
    Q.PREVENTION: ("Prevention and spread", "How to prevent it"),
    Q.DIAGNOSIS: ("Tests and diagnosis", "How it is found"),
    Q.PROGNOSIS: ("Outlook and course", "What to expect"),
    Q.GENERAL: ("Overview", "What it is"),
}

ASPECT_WORDS: dict[Q, str] = {
    Q.TREATMENT: "treatment",
    Q.CAUSES: "causes",
    Q.SYMPTOMS: "symptoms",
    Q.PREVENTION: "prevention",
    Q.DIAGNOSIS: "diagnosis",
    Q.PROGNOSIS: "outlook",
    Q.GENERAL: "overview",
}

# words that say a sentence of a guideline or study speaks to the aspect
ASPECT_CUES: dict[Q, re.Pattern[str]] = {
    Q.TREATMENT: re.compile(r"\btreat\w*|\btherap\w*|\bmanag\w*|\brecommend\w*|\bfirst[- ]line\b|"
                            r"\bregimen\b|\bsurgery\b|\bmedications?\b|\bmedicines?\b|\bdrugs?\b|\brelie\w+|\bcur(?:e|es|ed)\b|"
                            r"\bantibiotics?\b|\bhelps?\b", re.I),
    Q.CAUSES: re.compile(r"\bcaus\w*|\brisk\b|\bdue to\b|\bresult\w* (?:from|of)\b|\btrigger\w*|"
                         r"\bassociated with\b|\blinked\b|\bgenetic\b|\bbecause\b", re.I),
    Q.SYMPTOMS: re.compile(r"\bsymptom\w*|\bsigns?\b|\bpresent\w* with\b|\bcomplain\w*|\bfeel\w*", re.I),
    Q.PREVENTION: re.compile(r"\bprevent\w*|\bvaccin\w*|\bspread\w*|\btransmi\w*|\bavoid\w*|"
                             r"\bcontagious\b|\bprotect\w*|\bscreen\w*", re.I),
    Q.DIAGNOSIS: re.compile(r"\bdiagnos\w*|\btests?\b|\btesting\b|\bscreen\w*|\bexam\w*|\bculture\b|"
                            r"\bimaging\b|\burinalysis\b|\blaborator\w*", re.I),
    # what a condition is: a definition
    Q.GENERAL: re.compile(r"\b(?:is|are) (?:a|an|the|one|any)\b|\brefers? to\b|\bcharacteri[sz]ed by\b|"
                          r"\b(?:is|are) (?:caused|marked)\b", re.I),
    Q.PROGNOSIS: re.compile(r"\boutlook\b|\bprognosis\b|\bsurviv\w*|\brecover\w*|\blasts?\b|"
                            r"\bresolv\w*|\bgo(?:es)? away\b|\bweeks?\b|\bdays?\b|\bmonths?\b|\bchronic\b", re.I),
}


def page_aspect(question: str) -> Q | None:
    """The aspect a consumer page's own question asks about, None when it is another
    (how many people are affected, research, support)."""
    for aspect, pattern in _PAGE_ASPECTS:
        if pattern.search(question):
            return aspect
    return None
