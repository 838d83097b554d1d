"""The offline lexicon analyzer: sentiment with negation, intensifiers and contrast,
topics and keywords, for English, Hebrew, Arabic, Turkish and Persian.

Scoring (after VADER, Hutto & Gilbert 2014): each sentiment term adds its weight,
multiplied by a preceding intensifier; a negator within three words before it (or,
in Turkish and Persian, right after it: *iyi degil*, *khub nist*), or a negating
affix, multiplies it by -0.75 ("not good" is milder than "bad"); before the last
*but* a clause counts half, after it one and a half; exclamation marks add emphasis.
The sum ``s`` becomes ``s / sqrt(s² + 15)`` in [-1, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from omnicx.feedback.text._insight import TextInsight, label
from omnicx.feedback.text._lexicon import Lexicon, generic_lexicon, load_lexicon
from omnicx.feedback.text._tokenize import (
    Token,
    detect_language,
    normalize_language,
    tokenize,
)
from omnicx.feedback.text._topics import find_topics, keywords, match_at

NEGATION = -0.75
NEGATION_SCOPE = 3
INTENSITY_SCOPE = 2
BEFORE_CONTRAST = 0.5
AFTER_CONTRAST = 1.5
EXCLAMATION = 0.292
ALPHA = 15.0
MAX_CHARS = 20_000


@dataclass
class _Term:
    index: int
    value: float
    clause: int
    flipped_after: bool = False


def lexicon_for(language: str) -> Lexicon:
    return load_lexicon(language) or generic_lexicon(language)


def _role(lexicon: Lexicon, key: str) -> str | None:
    """What a function word does: ``contrast``, ``negator``, ``negator_after``,
    ``intensifier``; ``None`` for any other word."""
    if lexicon.is_in(lexicon.contrast, key):
        return "contrast"
    if lexicon.is_in(lexicon.negators, key):
        return "negator"
    if lexicon.is_negator_after(key):
        return "negator_after"
    if lexicon.is_in(lexicon.intensifiers, key):
        return "intensifier"
    return None


def sentiment_sum(lexicon: Lexicon, tokens: list[Token]) -> float:
    """The raw (unbounded) sentiment of ``tokens``."""
    terms: list[_Term] = []
    clause = 0
    contrast_at: int | None = None
    negate_left = 0
    intensity, intensity_left = 1.0, 0
    exclamations = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "punct":
            clause += 1
            negate_left, intensity_left = 0, 0
            exclamations += token.surface.count("!")
            index += 1
            continue
        found = match_at(lexicon, lexicon.sentiment, tokens, index)
        key = token.key
        role = _role(lexicon, key) if found is None or found.length == 1 else None
        if role is None and found is not None:
            value = found.value * (intensity if intensity_left > 0 else 1.0)
            if found.negated != (negate_left > 0):
                value *= NEGATION
            terms.append(_Term(index, value, clause))
            negate_left, intensity_left = 0, 0
            index += found.length
            continue
        if role == "contrast":
            contrast_at = len(terms)
            clause += 1
            negate_left, intensity_left = 0, 0
        elif role == "negator":
            negate_left = NEGATION_SCOPE + 1
        elif role == "negator_after":
            for term in reversed(terms):
                if term.clause != clause or term.index < index - NEGATION_SCOPE:
                    break
                if not term.flipped_after:
                    term.value *= NEGATION
                    term.flipped_after = True
                    break
        elif role == "intensifier":
            intensity = lexicon.intensifiers[
                lexicon.function_form(lexicon.intensifiers, key) or key
            ]
            intensity_left = INTENSITY_SCOPE + 1
        negate_left = max(0, negate_left - 1)
        intensity_left = max(0, intensity_left - 1)
        index += 1
    if contrast_at is not None:
        for position, term in enumerate(terms):
            term.value *= BEFORE_CONTRAST if position < contrast_at else AFTER_CONTRAST
    total = sum(term.value for term in terms)
    if total and exclamations:
        total += math.copysign(min(exclamations, 4) * EXCLAMATION, total)
    return total


class LexiconAnalyzer:
    """The default ``TextAnalyzer``: curated lexicons shipped in the package."""

    def analyze(self, text: str, language: str | None = None) -> TextInsight:
        text = (text or "")[:MAX_CHARS]
        lang = normalize_language(language) or detect_language(text)
        lexicon = lexicon_for(lang)
        tokens = tokenize(text, lang)
        total = sentiment_sum(lexicon, tokens)
        score = round(total / math.sqrt(total * total + ALPHA), 4) if total else 0.0
        topics, named = find_topics(lexicon, tokens)
        return TextInsight(
            language=lang,
            sentiment=label(score),
            score=score,
            topics=topics,
            keywords=keywords(lexicon, tokens, named),
        )
