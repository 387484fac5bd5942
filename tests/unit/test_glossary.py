"""One word per concept: every catalogue keeps to its language's glossary (docs/glossary/)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR

ROOT = Path(__file__).resolve().parents[2]
GLOSSARIES = ROOT / "docs" / "glossary"
CONCEPTS = {
    "suspect", "lead", "prospect", "opportunity", "customer", "lost", "won", "manager", "rep", "follow_up",
    "park", "pipeline", "qualification", "stalled", "decision_maker", "bought_list",
}  # fmt: skip
LANGUAGES = sorted(p.stem for p in GLOSSARIES.glob("*.toml"))
# What is not prose: placeholders, tags, commands, addresses, e-mails.
NOT_PROSE = re.compile(r"\{\w*\}|<[^>]+>|/\w+|https?://\S+|\S+@\S+|&\w+;")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def glossary(language: str) -> dict[str, dict]:
    with (GLOSSARIES / f"{language}.toml").open("rb") as fh:
        return {k: v for k, v in tomllib.load(fh).items() if isinstance(v, dict)}


def settings(language: str) -> dict:
    with (GLOSSARIES / f"{language}.toml").open("rb") as fh:
        return {k: v for k, v in tomllib.load(fh).items() if not isinstance(v, dict)}


def translations(language: str) -> dict[str, list[str]]:
    """msgid (the singular for plurals) -> its translated strings."""
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    found = {}
    for m in catalog:
        if not m.id:
            continue
        key = m.id if isinstance(m.id, str) else m.id[0]
        found[key] = [s for s in (m.string if isinstance(m.string, tuple) else (m.string,)) if s]
    return found


def test_every_language_has_a_glossary():
    assert set(LANGUAGES) >= {"hr", "cs", "pl", "mk", "fa"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_glossary_names_every_concept(language: str):
    terms = glossary(language)
    assert set(terms) >= CONCEPTS, f"{language}: no entry for {sorted(CONCEPTS - set(terms))}"
    for key, term in terms.items():
        assert term.get("use"), f"{language}: {key} has no agreed word"
        for pattern in term.get("reject", []):
            assert not re.fullmatch(pattern, term["use"], re.IGNORECASE), f"{language}: {key} rejects its own word"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_catalogue_entry_uses_a_rejected_variant(language: str):
    found = []
    for msgid, strings in translations(language).items():
        for text in strings:
            prose = NOT_PROSE.sub(" ", text)
            for key, term in glossary(language).items():
                for pattern in term.get("reject", []):
                    hit = re.search(rf"(?<!\w){pattern}(?!\w)", prose, re.IGNORECASE)
                    if hit:
                        found.append(f"{key}: {hit.group(0)!r} in {msgid!r}")
    assert not found, f"{language}: " + "; ".join(found[:10])


@pytest.mark.parametrize("language", LANGUAGES)
def test_labels_are_the_glossary_words(language: str):
    catalogue = translations(language)
    for key, term in glossary(language).items():
        if "msgid" in term:
            assert catalogue[term["msgid"]][0].casefold() == term["use"].casefold(), f"{language}: {key}"


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang in ("mk", "fa")])
def test_no_english_words_in_latin_letters(language: str):
    allowed = {w.casefold() for w in settings(language).get("latin_allowed", [])}
    found = []
    for msgid, strings in translations(language).items():
        for text in strings:
            for word in LATIN_WORD.findall(NOT_PROSE.sub(" ", text)):
                if word.casefold() not in allowed:
                    found.append(f"{word!r} in {msgid!r}")
    assert not found, f"{language}: " + "; ".join(found[:10])


def test_a_rejected_variant_is_caught():
    """The check itself: a rejected word inside a sentence, any case, next to punctuation."""
    pattern = "menadžer\\w*"
    prose = NOT_PROSE.sub(" ", "Samo {name}, <b>Menadžeri</b>: /manager")
    assert re.search(rf"(?<!\w){pattern}(?!\w)", prose, re.IGNORECASE)
    assert LATIN_WORD.findall(NOT_PROSE.sub(" ", "Ваш pipeline: {n} /pipeline")) == ["pipeline"]


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang == "fa"])
def test_persian_text_has_persian_digits(language: str):
    """Numbers a Persian reader sees in the catalogue's own text (examples, hours) are in Persian
    digits; values filled in by the code are localised by the translator (bot/i18n.py)."""
    found = [
        f"{text!r}"
        for strings in translations(language).values()
        for text in strings
        if re.search(r"[0-9%]", NOT_PROSE.sub(" ", text))
    ]
    assert not found, f"{language}: Latin digits in " + "; ".join(found[:10])
