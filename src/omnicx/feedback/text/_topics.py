"""Topics (a multilingual keyword → topic map, ``lexicons/topics.json``) and the top
keywords of a text (stopword-filtered, counted, stemmed where a lexicon entry
matched)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from omnicx.feedback.text._lexicon import Lexicon, PhraseTable
from omnicx.feedback.text._tokenize import Token

MAX_KEYWORDS = 8
_ARABIC_ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")


@dataclass(frozen=True)
class Match:
    length: int  # tokens consumed
    value: Any
    shown: str  # the lexicon's spelling of the matched term
    negated: bool  # by morphology (Persian na-, Turkish -me-)


def _same_word(lexicon: Lexicon, key: str, wanted: str) -> bool:
    if key == wanted:
        return True
    if lexicon.stem_by_prefix:
        return len(wanted) >= lexicon.min_prefix_stem and key.startswith(wanted)
    return any(
        form == wanted and not negated for form, negated in lexicon.variants(key)
    )


def match_at(
    lexicon: Lexicon, table: PhraseTable, tokens: list[Token], index: int
) -> Match | None:
    """The longest term of ``table`` starting at ``tokens[index]``."""
    token = tokens[index]
    if token.kind not in ("word", "emoji"):
        return None
    if table.phrases:
        for form, negated in lexicon.forms(token.key):
            for keys, value in table.phrases.get(form, ()):
                end = index + len(keys)
                if end <= len(tokens) and all(
                    tokens[index + j].kind == "word"
                    and _same_word(lexicon, tokens[index + j].key, keys[j])
                    for j in range(1, len(keys))
                ):
                    shown = table.display.get(" ".join(keys), " ".join(keys))
                    return Match(len(keys), value, shown, negated)
    found = lexicon.match(table.words, token.key)
    if found is None:
        return None
    entry, value, negated = found
    return Match(1, value, table.display.get(entry, entry), negated)


def find_topics(
    lexicon: Lexicon, tokens: list[Token]
) -> tuple[list[str], dict[int, str]]:
    """Topics by mentions (then first mention), and ``{token index: term}`` of the
    words that named them."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    named: dict[int, str] = {}
    for index in range(len(tokens)):
        found = match_at(lexicon, lexicon.topics, tokens, index)
        if found is None:
            continue
        counts[found.value] += 1
        first.setdefault(found.value, index)
        if found.length == 1:
            named[index] = found.shown
    topics = sorted(counts, key=lambda t: (-counts[t], first[t]))
    return topics, named


def _is_function_word(lexicon: Lexicon, key: str) -> bool:
    return (
        lexicon.is_stopword(key)
        or lexicon.is_in(lexicon.negators, key)
        or lexicon.is_negator_after(key)
        or lexicon.is_in(lexicon.intensifiers, key)
        or lexicon.is_in(lexicon.contrast, key)
    )


def keywords(lexicon: Lexicon, tokens: list[Token], named: dict[int, str]) -> list[str]:
    """Up to ``MAX_KEYWORDS`` content words: most mentioned first; topic words
    before others at equal counts; then by first mention."""
    min_length = 3 if lexicon.language in ("en", "tr", "und") else 2
    counts: Counter[str] = Counter()
    rank: dict[str, tuple[int, int]] = {}
    for index, token in enumerate(tokens):
        if token.kind != "word" or len(token.surface) < min_length:
            continue
        if index not in named and _is_function_word(lexicon, token.key):
            continue
        word = named.get(index) or token.surface
        if index not in named and lexicon.language == "ar":
            for article in _ARABIC_ARTICLES:
                if word.startswith(article) and len(word) - len(article) >= 3:
                    word = word[len(article) :]
                    break
        counts[word] += 1
        rank.setdefault(word, (0 if index in named else 1, index))
    ordered = sorted(counts, key=lambda w: (-counts[w], *rank[w]))
    return ordered[:MAX_KEYWORDS]
