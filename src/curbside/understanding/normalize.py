"""Text folding and the canonical drug key.

``tokens`` is the one tokenizer every matcher in understanding uses (questions and
vocabulary terms alike): unicode folded to ASCII, lower case, split on anything that is
not a letter or digit, possessive 's dropped ("Crohn's" -> "crohn").

``drug_key`` is the canonical matching key of a drug (generic) name: folded, salts,
hydrates, dosage forms and strengths stripped, ingredients of a combination sorted and
joined readably ("hydrocodone bitartrate and acetaminophen" -> "acetaminophen and
hydrocodone"; "LAMIVUDINE; ZIDOVUDINE" -> "lamivudine and zidovudine"). Ingesters should
store ``drug_key(generic_name)`` as a document's drug so it matches question mentions.
"""

from __future__ import annotations

import re
import unicodedata

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ω": "omega",
}
_SPECIAL = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ð": "d", "þ": "th", "ı": "i", "ł": "l",
}
_TRANSLATE = str.maketrans({**_GREEK, **_SPECIAL})
_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_APOS_RE = re.compile(r"['’]s$|['’]", re.IGNORECASE)
_POSSESSIVE_RE = re.compile(r"(?<=[^\W_])['’]s\b")
_INNER_APOS_RE = re.compile(r"(?<=[^\W_])['’](?=[^\W_])")
_ASCII_TOKEN_RE = re.compile(r"[a-z0-9]+")

# Anions, esters and hydrates written after the active moiety ("sertraline hydrochloride").
SALT_WORDS = frozenset(
    """hydrochloride dihydrochloride monohydrochloride hcl hydrobromide hbr bromide chloride
    sulfate sulphate bisulfate hemisulfate phosphate diphosphate acetate diacetate maleate
    dimaleate fumarate hemifumarate tartrate bitartrate citrate succinate mesylate dimesylate
    methanesulfonate besylate besilate tosylate esylate edisylate napsylate nitrate carbonate
    bicarbonate lactate gluconate glucoheptonate pamoate embonate stearate palmitate
    propionate dipropionate valerate cypionate enanthate undecanoate decanoate caproate
    benzoate salicylate hyclate xinafoate furoate oleate iodide fluoride oxide hydroxide
    malate mandelate camsylate axetil medoxomil mofetil pivoxil proxetil trometamol
    tromethamine meglumine monohydrate dihydrate trihydrate sesquihydrate hemihydrate
    pentahydrate hexahydrate hydrate anhydrous base free""".split()
)
# Cations: stripped after an organic moiety ("atorvastatin calcium") and before one
# ("sodium oxybate"), but a name made only of ions is a drug of its own ("sodium chloride").
CATION_WORDS = frozenset(
    """sodium disodium trisodium potassium dipotassium calcium magnesium lithium zinc
    aluminum aluminium ammonium ferrous ferric""".split()
)
_LEADING_STRIP = frozenset("sodium disodium potassium dipotassium calcium magnesium".split())
FORM_WORDS = frozenset(
    """tablet tablets tab tabs capsule capsules cap caps injection injectable injections
    solution solutions suspension oral orally topical cream ointment gel lotion patch patches
    transdermal system extended delayed release modified er xr sr xl cr dr odt inhalation
    inhaler aerosol powder spray nasal ophthalmic otic drops drop eye rectal suppository
    suppositories vaginal kit syrup elixir liquid chewable film coated orally disintegrating
    concentrate infusion intravenous iv im subcutaneous usp nf mg mcg ml g kg unit units iu
    percent in plastic container for""".split()
)
# Comma parts made only of these qualify the part before them ("estrogens, conjugated").
MODIFIER_WORDS = frozenset(
    """conjugated esterified synthetic human recombinant regular dibasic monobasic tribasic
    anhydrous dietary unspecified form type i ii iii iv purified bovine porcine""".split()
)
_PAREN_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_COMPONENT_SPLIT_RE = re.compile(r"\s*(?:;|/|\+|&|\band\b|\bwith\b)\s*")
_WORD_RE = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
_NUMERIC_RE = re.compile(r"^[0-9][0-9.,/%-]*(?:mg|mcg|ml|g|iu|units?|%)?$")


def fold(text: str) -> str:
    """Lower case, accents removed, Greek letters spelled out, ASCII only where possible."""
    low = text.lower()
    if low.isascii():
        return low
    low = unicodedata.normalize("NFKD", low.translate(_TRANSLATE))
    return "".join(c for c in low if not unicodedata.combining(c))


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) for every token of ``text``; start/end index the raw text."""
    spans: list[tuple[str, int, int]] = []
    for m in _TOKEN_RE.finditer(text):
        raw = m.group()
        if "'" in raw or "’" in raw:
            raw = _APOS_RE.sub("", raw)
        if raw.isascii():
            tok = raw.lower()
        else:
            tok = "".join(c for c in fold(raw) if c.isascii() and c.isalnum())
        if tok:
            spans.append((tok, m.start(), m.end()))
    return spans


def tokens(text: str) -> list[str]:
    """The folded tokens of ``text`` ("Baclofène (Lioresal)?" -> ["baclofene", "lioresal"]);
    the same tokens as ``token_spans``, faster."""
    folded = _INNER_APOS_RE.sub("", _POSSESSIVE_RE.sub("", fold(text)))
    return _ASCII_TOKEN_RE.findall(folded)


def term_key(text: str) -> str:
    """The lookup key of a vocabulary term or a question n-gram: its tokens, space-joined."""
    return " ".join(tokens(text))


def _words(text: str) -> list[str]:
    return [w for w in _WORD_RE.findall(text) if w]


def _strip_component(words: list[str]) -> list[str]:
    """Strip strengths, dosage forms and salts from one ingredient's words."""
    words = [w for w in words if not _NUMERIC_RE.match(w)]
    if not words:
        return []
    split = [p for w in words for p in w.split("-") if p not in MODIFIER_WORDS]
    if all(p in SALT_WORDS or p in CATION_WORDS or p in FORM_WORDS for p in split):
        # An inorganic compound ("sodium chloride", "lithium carbonate"): keep its ions.
        return [w for w in words if w not in FORM_WORDS]
    while len(words) > 1 and (
        words[-1] in SALT_WORDS or words[-1] in CATION_WORDS or words[-1] in FORM_WORDS
    ):
        words.pop()
    while len(words) > 1 and (words[0] in _LEADING_STRIP or words[0] == "anhydrous"):
        if any(w in SALT_WORDS or w in CATION_WORDS for w in words[1:]):
            break
        words.pop(0)
    return words


def components(name: str) -> list[str]:
    """The stripped ingredient names of a drug name, in their written order."""
    text = fold(name)
    text = _PAREN_RE.sub(" ", _PAREN_RE.sub(" ", text))
    parts: list[list[str]] = []
    for chunk in _COMPONENT_SPLIT_RE.split(text):
        for piece in chunk.split(","):
            words = _words(piece)
            if not words:
                continue
            if parts and all(w in MODIFIER_WORDS for w in words):
                parts[-1] = words + parts[-1]  # "estrogens, conjugated"
                continue
            parts.append(words)
    if len(parts) > 1:
        # "oxybate, sodium" / "hcl, metformin": a lone salt part qualifies its neighbour.
        ions = SALT_WORDS | CATION_WORDS
        kept = [p for p in parts if not (len(p) == 1 and p[0] in ions)]
        parts = kept or parts
    out: list[str] = []
    for words in parts:
        stripped = " ".join(_strip_component(words))
        if stripped and stripped not in out:
            out.append(stripped)
    return out


def join_components(parts: list[str]) -> str:
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def drug_key(name: str) -> str:
    """The canonical key of a drug name ("Succinylcholine Chloride" -> "succinylcholine";
    "amlodipine and benazepril hydrochloride" -> "amlodipine and benazepril")."""
    parts = components(name)
    if not parts:
        return " ".join(_words(fold(name)))
    return join_components(sorted(parts))


# Everyday English words that are never a drug or a disease on their own, however some
# vocabulary lists them ("Today" is a sponge brand, "Balance" a pesticide, "COLD" an
# acronym for COPD). Multi-word names that contain them are unaffected.
ENGLISH_WORDS = frozenset(
    """a about above across act action actually add added after again against age ago aid
    aids aim air all allow almost alone along already also although always am among an and
    another answer any anyone anything anyway anywhere are area arm around as ask asked at
    away baby back bad balance bar base based be beam became because become bed been before
    began begin behind being believe below best better between big bit black blood blue
    body book both bottle box boy brain break bring brought build burn but buy by call
    called came can cannot capital car care carry case cause caused causes cell center certain
    chance change check child children choose city clear close cold color come comes coming
    common complete could count country course cover cut daily dark date day days dead deal
    dear death decide deep did die diet different do doctor does doing done door double
    down draw drink drive drop dry due during each ear early earth easy eat effect effects
    eight either else end enough even ever every example eye eyes face fact fall family far
    fast father fear feel feeling feet felt few field fill final find fine fire first five
    fix food foot for force form found four free friend from front full fun gave get
    gets getting girl give given gives go goes going gold gone good got great green ground
    group grow had half hand happen happened happens hard has have having he head hear
    heard heart heat heavy held help her here high him his hold home hope hot hour hours
    house how however human hundred i ice idea if important in inside instead into is it
    its itself job just keep kept kid kids kind knew know known large last late later lead
    learn least leave left leg less let level life light like line list little live long
    look looking lose lost lot love low made main make makes making man many mark matter may
    me mean means medical medicine meet men might milk mind minute minutes miss monitor
    month months more morning most mother move much must my name near need needed needs
    never new next nice night nine no none normal nose not note nothing now number of off
    often oh ok okay old on once one only open or order other others our out over own page
    pain part pass past people per perhaps person pick piece place plan play please plus
    point possible power pressure pretty problem problems pull put question quick quickly
    quite rate rather reach read ready real really reason red remember rest result right
    road room round run safe said same saw say says school sea second see seem seen self
    send sense set seven several shall she short should show side simple since six size
    skin sleep slow small smoke so some someone something sometimes soon sorry sound speed
    stand start started state stay step still stop stopped story strong study such sugar
    sun support sure system take taken takes taking talk tea tell ten test than thank that
    the their them then there these they thing things think third this those though
    thought three through time times tired to today together told too took top toward town
    tree tried true try trying turn twice two under until up upon us use used uses using
    usual usually very wait walk want wanted warm was watch water way we week weeks weight
    well went were what whatever when where whether which while white who whole whom whose
    why wife will with within without woman women word words work works world worse worst
    would write wrong year years yes yet you young your yours yourself""".split()
    # words of medication questions, everyday substances and generic words of chemistry
    # and pharmacology that vocabularies list as synonyms of one drug
    + """alpha beta gamma delta carrier carriers channel channels complement compound
    dried esters feeding granules humanized hydroxy lubricant metric preparation primary
    protein proteins pump receptor receptors reagents indicators secondary supplement
    supplements tertiary trans vitamin vitamins volume admin prep
    adverse alcohol allergic allergy breastfeeding capsule capsules coffee cure dosage
    dose doses dosing drug drugs effective generic indication indications interact
    interaction interactions juice label mechanism medication medications medicines
    overdose pill pills pregnancy pregnant prescription reaction reactions salt sodium
    symptom symptoms tablet tablets treat treated treatment treatments""".split()
)
