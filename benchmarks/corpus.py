"""The benchmark corpus: medical-ish English pages generated from word lists, an edit of
them, and a reversible pseudo-translation that keeps Markdown, numbers and links intact.

Everything comes from a seeded `random.Random`, so the same arguments give the same
corpus on every machine.  Not part of the tests; `benchmarks/peers.py` uses it.
"""

from __future__ import annotations

import random
import re
import textwrap
from dataclasses import dataclass, field

LOCALES = ["th", "vi", "id", "ms", "fil", "km", "my", "lo"]


def pyproject(settings: str = "") -> str:
    """The generated site's pyproject.toml: the eight locales, and any further
    `[tool.l10n]` setting lines."""
    locales = ", ".join(f'"{code}"' for code in LOCALES)
    return (
        '[project]\nname = "bench-corpus"\nversion = "1.0.0"\n\n'
        f'[tool.l10n]\nlocales = [{locales}]\npublisher = "Benchmark Medical Centre"\n'
        + (f"{settings}\n" if settings else "")
    )


CONDITIONS = [
    "type 2 diabetes",
    "high blood pressure",
    "chronic kidney disease",
    "asthma",
    "heart failure",
    "atrial fibrillation",
    "migraine",
    "osteoporosis",
    "rheumatoid arthritis",
    "psoriasis",
    "hepatitis B",
    "iron deficiency anaemia",
    "hypothyroidism",
    "gout",
    "chronic obstructive lung disease",
    "sleep apnoea",
    "peptic ulcer disease",
    "systemic sclerosis",
    "lupus",
    "dengue fever",
    "tuberculosis",
    "generalised anxiety",
    "depression",
    "glaucoma",
    "cataract",
    "kidney stones",
    "gallstones",
    "eczema",
    "pneumonia",
    "stroke",
    "Parkinson's disease",
    "epilepsy",
    "coeliac disease",
    "Crohn's disease",
    "endometriosis",
    "prostate enlargement",
    "shingles",
    "urinary tract infection",
    "vitamin D deficiency",
    "lower back pain",
]
GROUPS = [
    "adults",
    "children",
    "older adults",
    "pregnant women",
    "teenagers",
    "people who work night shifts",
    "people with diabetes",
    "new patients",
]
SECTIONS = [
    "What to know about",
    "Common symptoms of",
    "Causes and risk factors of",
    "How doctors diagnose",
    "Treatment options for",
    "Medicines used for",
    "Daily self-care with",
    "When to seek urgent help for",
    "Diet and exercise with",
    "Follow-up visits for",
    "Questions to ask about",
    "Support for families facing",
    "Travelling safely with",
    "Preventing complications of",
    "Tests and results for",
]
SUBSECTIONS = [
    "Before your appointment",
    "During the examination",
    "After the procedure",
    "At home",
    "At work",
    "At school",
    "Side effects to watch",
    "Long-term outlook",
]
SUBJECTS = [
    "Many patients",
    "Some people",
    "Your doctor",
    "A specialist nurse",
    "Your pharmacist",
    "Regular blood tests",
    "This treatment",
    "A healthy diet",
    "Gentle daily exercise",
    "Good sleep",
    "Stopping smoking",
    "The care team",
    "A short course of medicine",
    "Most family members",
    "An early diagnosis",
    "A written care plan",
    "Physiotherapy",
]
PLURAL = {"Many patients", "Some people", "Regular blood tests", "Most family members"}
PLURAL_VERBS = {
    "reduces": "reduce",
    "helps": "help",
    "makes": "make",
    "lowers": "lower",
    "protects": "protect",
    "slows": "slow",
    "relieves": "relieve",
    "prevents": "prevent",
    "shows": "show",
}
ADVERBS = ["often", "usually", "sometimes", "rarely", "clearly", "gradually", "quickly"]
VERBS = [
    "reduces the risk of",
    "helps to control",
    "may cause",
    "can improve",
    "makes it easier to manage",
    "lowers the chance of",
    "protects against",
    "slows the progress of",
    "relieves",
    "prevents",
    "shows early signs of",
]
OBJECTS = [
    "joint pain",
    "shortness of breath",
    "tiredness",
    "swelling in the legs",
    "blurred vision",
    "high blood sugar",
    "low mood",
    "poor appetite",
    "night sweats",
    "headaches",
    "dizziness",
    "muscle weakness",
    "skin rashes",
    "stomach upset",
    "kidney damage",
    "bone fractures",
    "infections",
    "weight loss",
    "chest discomfort",
    "trouble sleeping",
    "irregular heartbeat",
    "dry cough",
    "itching",
    "fever",
]
CONTEXTS = [
    "within {n} weeks",
    "after {n} months of treatment",
    "in about {pct}% of cases",
    "when taken with food",
    "during the first {n} days",
    "for up to {n} hours",
    "in patients over {age} years of age",
    "at a dose of {dose} mg",
    "by nearly {pct}%",
    "before the age of {age}",
    "over the next {n} years",
    "in {n} out of 10 people",
]
ACTIONS = [
    "Take {drug} {dose} mg {freq}",
    "Check your {measure} every {n} days",
    "Drink at least {n} glasses of water a day",
    "Walk for {mins} minutes {freq}",
    "Tell your doctor if you notice {object}",
    "Avoid {avoid} for {n} days",
    "Keep a diary of {object} for {n} weeks",
    "Bring your list of medicines to visit {n}",
    "Book a follow-up visit after {n} weeks",
    "Ask about a vaccine against {infection}",
]
DRUGS = [
    "metformin",
    "amlodipine",
    "paracetamol",
    "ibuprofen",
    "salbutamol",
    "omeprazole",
    "levothyroxine",
    "allopurinol",
    "methotrexate",
    "prednisolone",
    "atorvastatin",
    "warfarin",
    "insulin",
    "folic acid",
    "iron tablets",
    "vitamin D",
]
FREQS = [
    "once a day",
    "twice a day",
    "three times a day",
    "every morning",
    "at night",
    "after meals",
    "on most days",
]
MEASURES = [
    "blood pressure",
    "blood sugar",
    "weight",
    "temperature",
    "pulse",
    "peak flow",
    "urine colour",
]
AVOIDS = [
    "alcohol",
    "heavy lifting",
    "grapefruit juice",
    "salty food",
    "long baths",
    "strong sunlight",
    "sugary drinks",
    "driving at night",
]
INFECTIONS = ["influenza", "pneumococcus", "hepatitis B", "shingles", "tetanus"]
LABELS = ["Important", "Tip", "Note", "Warning", "Remember", "Good to know"]
# One-word edits: swap a word for a near synonym, as an author touching up a page does.
SWAPS = {
    "often": "frequently",
    "usually": "typically",
    "sometimes": "occasionally",
    "rarely": "seldom",
    "clearly": "visibly",
    "gradually": "steadily",
    "quickly": "rapidly",
    "doctor": "physician",
    "patients": "people",
    "people": "patients",
    "helps": "aims",
    "reduces": "lowers",
    "lowers": "reduces",
    "improve": "enhance",
    "risk": "chance",
    "chance": "risk",
    "protects": "shields",
    "relieves": "eases",
    "prevents": "stops",
    "Take": "Use",
    "Check": "Measure",
    "Avoid": "Limit",
    "Tell": "Inform",
    "Walk": "Exercise",
    "Drink": "Have",
    "Keep": "Write",
    "Ask": "Enquire",
    "Book": "Arrange",
    "Bring": "Carry",
    "weeks": "months",
    "months": "weeks",
    "days": "weeks",
    "hours": "minutes",
    "nearly": "almost",
    "about": "around",
    "first": "early",
    "next": "coming",
    "healthy": "balanced",
    "short": "brief",
    "Regular": "Routine",
    "early": "prompt",
    "visits": "appointments",
    "Common": "Typical",
    "Treatment": "Therapy",
    "options": "choices",
    "Medicines": "Drugs",
    "Causes": "Reasons",
    "symptoms": "signs",
    "Questions": "Topics",
    "Support": "Help",
    "families": "relatives",
    "Preventing": "Avoiding",
    "complications": "problems",
    "Tests": "Checks",
    "results": "findings",
    "Daily": "Everyday",
    "urgent": "immediate",
    "Diet": "Nutrition",
    "exercise": "activity",
    "Travelling": "Flying",
    "safely": "securely",
    "diagnose": "detect",
    "know": "learn",
    "used": "given",
    "seek": "get",
    "Before": "Preceding",
    "During": "Throughout",
    "After": "Following",
    "home": "rest",
    "work": "play",
    "school": "college",
    "effects": "reactions",
    "watch": "note",
    "outlook": "prospects",
    "control": "manage",
    "cause": "trigger",
    "tiredness": "fatigue",
    "pain": "aches",
}

LINK_TOPICS = ["medicines", "diet", "exercise", "vaccines", "tests", "support", "travel"]


@dataclass
class Block:
    kind: str  # h1 h2 h3 p ul ol
    texts: list[str]


@dataclass
class Page:
    name: str
    blocks: list[Block]

    def segments(self) -> list[str]:
        return [t for b in self.blocks for t in b.texts]

    def markdown(self) -> str:
        out = []
        for block in self.blocks:
            if block.kind in ("h1", "h2", "h3"):
                out.append("#" * int(block.kind[1]) + " " + block.texts[0])
            elif block.kind == "p":
                out.append(
                    textwrap.fill(
                        block.texts[0], width=88, break_long_words=False, break_on_hyphens=False
                    )
                )
            elif block.kind == "ul":
                out.append("\n".join(f"- {t}" for t in block.texts))
            else:
                out.append("\n".join(f"{i}. {t}" for i, t in enumerate(block.texts, 1)))
        return "\n\n".join(out) + "\n"


@dataclass
class Edit:
    changed: list[tuple[str, str]] = field(default_factory=list)  # (old, new)
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


class Writer:
    """Unique medical-ish sentences, headings and list items from the word lists."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def _fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            n=r.randint(2, 12),
            pct=r.randint(5, 90),
            age=r.choice([40, 50, 60, 65, 70]),
            dose=r.choice([5, 10, 20, 40, 250, 500, 1000]),
            drug=r.choice(DRUGS),
            freq=r.choice(FREQS),
            measure=r.choice(MEASURES),
            mins=r.choice([10, 20, 30, 45]),
            object=r.choice(OBJECTS),
            avoid=r.choice(AVOIDS),
            infection=r.choice(INFECTIONS),
        )

    def unique(self, make) -> str:
        for _ in range(1000):
            text = make()
            if text not in self.seen:
                self.seen.add(text)
                return text
        raise RuntimeError("word lists too small for a unique segment")

    def sentence(self, topic: str) -> str:
        r = self.rng
        subject = r.choice(SUBJECTS)
        verb = r.choice(VERBS)
        if subject in PLURAL:
            first, _, rest = verb.partition(" ")
            verb = " ".join(filter(None, [PLURAL_VERBS.get(first, first), rest]))
        obj = r.choice(OBJECTS)
        if r.random() < 0.3:
            obj = f"{obj} in {topic}"
        text = f"{subject} {r.choice(ADVERBS)} {verb} {obj} {self._fill(r.choice(CONTEXTS))}."
        if r.random() < 0.12:
            slug = r.choice(LINK_TOPICS)
            text += f" See our [guide to {slug}](https://example.org/guides/{slug}.html)."
        return text

    def paragraph(self, topic: str) -> str:
        r = self.rng
        return self.unique(lambda: " ".join(self.sentence(topic) for _ in range(r.randint(1, 3))))

    def item(self, topic: str) -> str:
        r = self.rng

        def make() -> str:
            text = self._fill(r.choice(ACTIONS))
            if r.random() < 0.25:
                text = f"**{r.choice(LABELS)}:** {text}"
            if r.random() < 0.3:
                text += f" while you are treated for {topic}"
            return text + "."

        return self.unique(make)

    def heading(self, words: str) -> str:
        return self.unique(lambda: words)


def generate(pages: int, seed: int = 7) -> tuple[list[Page], Writer]:
    """`pages` pages of about 40 unique segments each."""
    rng = random.Random(seed)
    writer = Writer(rng)
    combos = [(c, g) for g in GROUPS for c in CONDITIONS]
    result = []
    for number in range(pages):
        condition, group = combos[number % len(combos)]
        suffix = f" (part {number // len(combos) + 1})" if number >= len(combos) else ""
        topic = f"{condition} in {group}"
        title = condition[0].upper() + condition[1:] + f" in {group}{suffix}"
        blocks = [Block("h1", [writer.heading(title)]), Block("p", [writer.paragraph(topic)])]
        for section in rng.sample(SECTIONS, 5):
            blocks.append(Block("h2", [writer.heading(f"{section} {topic}{suffix}")]))
            blocks.append(Block("p", [writer.paragraph(topic)]))
            kind = rng.choice(["ul", "ol"])
            blocks.append(Block(kind, [writer.item(topic) for _ in range(rng.randint(3, 5))]))
            if rng.random() < 0.5:
                blocks.append(Block("p", [writer.paragraph(topic)]))
            if rng.random() < 0.3:
                sub = rng.choice(SUBSECTIONS)
                blocks.append(
                    Block("h3", [writer.heading(f"{sub}: {section.lower()} {topic}{suffix}")])
                )
                blocks.append(Block("p", [writer.paragraph(topic)]))
        blocks.append(Block("p", [writer.paragraph(topic)]))
        result.append(Page(f"page-{number + 1:03d}", blocks))
    return result, writer


_WORD = re.compile(r"(?<![\w/.\[(*-])([A-Za-z]{4,})(?![\w/.\])-])")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


def _one_word(text: str, rng: random.Random) -> str | None:
    """`text` with one word changed (outside link targets), or None."""
    protected = [m.span() for m in _LINK_TARGET.finditer(text)]
    spots = [m for m in _WORD.finditer(text) if not any(a <= m.start() < b for a, b in protected)]
    swaps = [m for m in spots if m.group(1) in SWAPS]
    choice = rng.choice(swaps or spots or [None])
    if choice is None:
        return None
    word = choice.group(1)
    new = SWAPS.get(word) or ("serious" if word != "serious" else "severe")
    return text[: choice.start()] + new + text[choice.end() :]


def edit(
    pages: list[Page],
    writer: Writer,
    seed: int = 11,
    changed: float = 0.10,
    removed: float = 0.05,
    added: float = 0.05,
) -> Edit:
    """Change one word in `changed` of all segments, remove `removed`, add `added`.

    Page titles (h1) are never removed, so every page keeps its first heading.
    """
    rng = random.Random(seed)
    slots = [(p, b, i) for p in pages for b in p.blocks for i in range(len(b.texts))]
    total = len(slots)
    order = list(range(total))
    rng.shuffle(order)
    n_change, n_remove, n_add = (round(total * f) for f in (changed, removed, added))
    log = Edit()
    picked = iter(order)
    while len(log.changed) < n_change:
        page, block, index = slots[next(picked)]
        old = block.texts[index]
        new = _one_word(old, rng)
        if new is None or new in writer.seen:
            continue
        writer.seen.add(new)
        block.texts[index] = new
        log.changed.append((old, new))
    doomed = []
    while len(doomed) < n_remove:
        page, block, index = slots[next(picked)]
        if block.kind != "h1":
            doomed.append((page, block, block.texts[index]))
    for _page, block, text in doomed:
        block.texts.remove(text)
        log.removed.append(text)
    for page in pages:
        page.blocks = [b for b in page.blocks if b.texts]
    for _ in range(n_add):
        page = rng.choice(pages)
        topic = page.blocks[0].texts[0]
        lists = [b for b in page.blocks if b.kind in ("ul", "ol")]
        if lists and rng.random() < 0.5:
            block = rng.choice(lists)
            text = writer.item(topic.lower())
            block.texts.insert(rng.randint(0, len(block.texts)), text)
        else:
            text = writer.paragraph(topic.lower())
            page.blocks.insert(rng.randint(1, len(page.blocks)), Block("p", [text]))
        log.added.append(text)
    return log


# --- pseudo-translation ------------------------------------------------------------------

# Kept as written: link targets, code, placeholders, HTML tags and entities, URLs.
_PROTECT = re.compile(
    r"\]\([^)]*\)|`[^`]*`|%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>|&\w+;|https?://\S+"
)
_LATIN = "àáâãäåæçèéêëìíîïðñòóôõöøùúûý"
_SCRIPTS = {
    "th": [chr(c) for c in range(0x0E01, 0x0E01 + 26)],
    "km": [chr(c) for c in range(0x1780, 0x1780 + 26)],
    "my": [chr(c) for c in range(0x1000, 0x1000 + 26)],
    "lo": [
        chr(c)
        for c in (
            0x0E81,
            0x0E82,
            0x0E84,
            0x0E87,
            0x0E88,
            0x0E8A,
            0x0E8D,
            0x0E94,
            0x0E95,
            0x0E96,
            0x0E97,
            0x0E99,
            0x0E9A,
            0x0E9B,
            0x0E9C,
            0x0E9D,
            0x0E9E,
            0x0E9F,
            0x0EA1,
            0x0EA2,
            0x0EA3,
            0x0EA5,
            0x0EA7,
            0x0EAA,
            0x0EAB,
            0x0EAE,
        )
    ],
}
_LATIN_LOCALES = ["vi", "id", "ms", "fil"]


def _table(locale: str) -> dict[int, str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    if locale in _SCRIPTS:
        target = _SCRIPTS[locale]
    else:
        shift = _LATIN_LOCALES.index(locale) if locale in _LATIN_LOCALES else 0
        target = list(_LATIN[shift:] + _LATIN[:shift])[:26]
    assert len(set(target)) == 26
    return {ord(a): b for a, b in zip(letters, target, strict=True)}


_TABLES: dict[str, dict[int, str]] = {}


def pseudo(text: str, locale: str) -> str:
    """A stand-in translation: lower-case letters mapped to the locale's script;
    capitals, digits, Markdown, link targets and placeholders kept.  Reversible."""
    table = _TABLES.setdefault(locale, _table(locale))
    out, last = [], 0
    for match in _PROTECT.finditer(text):
        out.append(text[last : match.start()].translate(table))
        out.append(match.group(0))
        last = match.end()
    out.append(text[last:].translate(table))
    return "".join(out)


def unpseudo(text: str, locale: str) -> str:
    table = _TABLES.setdefault(locale, _table(locale))
    back = {ord(v): chr(k) for k, v in table.items()}
    return text.translate(back)
