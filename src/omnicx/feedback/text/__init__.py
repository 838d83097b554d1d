"""Text analytics for feedback: sentiment (positive / neutral / negative with a score
in [-1, 1]), topics and keywords, offline, in English, Hebrew, Arabic, Turkish and
Persian.

    insight = default_analyzer().analyze("המשלוח איחר בשבוע")
    insight.sentiment, insight.score, insight.topics   # "negative", -0.46, ["delivery"]

The default analyzer uses the curated lexicons shipped in ``lexicons/`` (see
``_lexicon``). Another analyzer plugs in through ``load_analyzer(spec)``
(``OMNICX_TEXT_ANALYZER``): ``"lexicon"`` (default), ``"transformers:<model folder>"``
for a locally installed transformer model, or ``"package.module:Name"`` for any
class or factory whose objects have ``analyze(text, language=None) -> TextInsight``.

Errors::

    ConfigError
     └── TextAnalyzerError   the configured analyzer cannot be loaded
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from omnicx.feedback.text._analyzer import LexiconAnalyzer
from omnicx.feedback.text._insight import (
    NEGATIVE_FROM,
    POSITIVE_FROM,
    TextAnalyzer,
    TextInsight,
    label,
)
from omnicx.feedback.text._lexicon import topic_names
from omnicx.feedback.text._tokenize import (
    SUPPORTED_LANGUAGES,
    detect_language,
    normalize_language,
)
from omnicx.feedback.text._transformer import TextAnalyzerError, TransformerAnalyzer
from omnicx.feedback.text._trends import sentiment_trends

__all__ = [
    "NEGATIVE_FROM",
    "POSITIVE_FROM",
    "SUPPORTED_LANGUAGES",
    "LexiconAnalyzer",
    "TextAnalyzer",
    "TextAnalyzerError",
    "TextInsight",
    "TransformerAnalyzer",
    "analyzer_for",
    "default_analyzer",
    "detect_language",
    "label",
    "load_analyzer",
    "normalize_language",
    "sentiment_trends",
    "text_properties",
    "topic_names",
]


@functools.cache
def default_analyzer() -> TextAnalyzer:
    """The shipped lexicon analyzer (shared; it is stateless apart from caches)."""
    return LexiconAnalyzer()


@functools.cache
def load_analyzer(spec: str | None = None) -> TextAnalyzer:
    """The analyzer named by ``spec`` (see the module docstring)."""
    text = (spec or "").strip()
    if text.lower() in ("", "lexicon", "default"):
        return default_analyzer()
    kind, sep, rest = text.partition(":")
    if sep and kind.lower() == "transformers":
        return TransformerAnalyzer(rest)
    if not sep or not kind or not rest:
        raise TextAnalyzerError(
            f"OMNICX_TEXT_ANALYZER={text!r} is not 'lexicon', "
            "'transformers:<model folder>' or 'package.module:ClassName'"
        )
    try:
        target: Any = getattr(importlib.import_module(kind), rest)
    except (ImportError, AttributeError) as exc:
        raise TextAnalyzerError(
            f"OMNICX_TEXT_ANALYZER={text!r} cannot be loaded: {exc}"
        ) from None
    analyzer = target() if callable(target) else target
    if not isinstance(analyzer, TextAnalyzer):
        raise TextAnalyzerError(
            f"OMNICX_TEXT_ANALYZER={text!r} gave {type(analyzer).__name__}, which has "
            "no analyze(text, language=None) method"
        )
    return analyzer


def analyzer_for(settings: Any) -> TextAnalyzer:
    """The analyzer the settings ask for (``text_analyzer``; default: lexicon)."""
    return load_analyzer(getattr(settings, "text_analyzer", "") or "")


def text_properties(insight: TextInsight) -> dict[str, Any]:
    """Event properties recording an insight, the same on ``Survey Answered`` and
    ``Feedback Received`` (``sentiment_score``: ``score`` is the survey score there)."""
    return {
        "sentiment": insight.sentiment,
        "sentiment_score": insight.score,
        "topics": list(insight.topics),
        "keywords": list(insight.keywords),
        "text_language": insight.language,
    }
