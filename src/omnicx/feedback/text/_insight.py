"""What an analyzer says about one text, and the analyzer interface."""

from __future__ import annotations

from typing import Any, Literal, Protocol, runtime_checkable

import msgspec

Sentiment = Literal["positive", "neutral", "negative"]
#: Scores at or beyond these are positive / negative; between them, neutral.
POSITIVE_FROM = 0.05
NEGATIVE_FROM = -0.05


class TextInsight(msgspec.Struct, frozen=True, kw_only=True):
    """``score`` is in [-1, 1]; ``topics`` are ids of the topic map (``delivery``,
    ``price`` ...), most mentioned first; ``keywords`` are content words."""

    language: str
    sentiment: Sentiment
    score: float
    topics: list[str] = []
    keywords: list[str] = []

    def as_dict(self) -> dict[str, Any]:
        return msgspec.structs.asdict(self)


def label(score: float) -> Sentiment:
    if score >= POSITIVE_FROM:
        return "positive"
    if score <= NEGATIVE_FROM:
        return "negative"
    return "neutral"


@runtime_checkable
class TextAnalyzer(Protocol):
    """Anything with this method can analyse feedback text (see ``load_analyzer``)."""

    def analyze(self, text: str, language: str | None = None) -> TextInsight: ...
