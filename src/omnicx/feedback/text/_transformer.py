"""A locally installed transformer sentiment model as a ``TextAnalyzer``.

``OMNICX_TEXT_ANALYZER=transformers:/models/xlm-roberta-sentiment`` loads a
text-classification model from that folder with the ``transformers`` package (never
from a model hub: the folder must hold ``config.json`` and the weights). Sentiment
comes from the model; topics and keywords from the lexicon analyzer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from omnicx.errors import ConfigError
from omnicx.feedback.text._analyzer import LexiconAnalyzer
from omnicx.feedback.text._insight import TextInsight, label

MAX_MODEL_CHARS = 2000
_STARS = re.compile(r"^\s*([1-5])\s*star")
_INDEXED = re.compile(r"^label_(\d+)$")


class TextAnalyzerError(ConfigError):
    """The configured text analyzer cannot be loaded."""


def label_polarity(name: str, count: int) -> float:
    """A classifier label as a polarity in [-1, 1]: negative/neutral/positive names,
    ``"1 star"`` … ``"5 stars"``, or ``LABEL_<i>`` of 2 (neg, pos) or 3 (neg, neu,
    pos) classes."""
    text = name.strip().lower()
    if stars := _STARS.match(text):
        return (int(stars.group(1)) - 3) / 2
    if indexed := _INDEXED.match(text):
        position = int(indexed.group(1))
        return -1.0 + 2.0 * position / max(1, count - 1)
    if text.startswith("neg"):
        return -1.0
    if text.startswith("pos"):
        return 1.0
    return 0.0


def polarity_score(scores: list[dict[str, Any]]) -> float:
    """The expected polarity of a classifier's ``[{"label", "score"}, ...]``."""
    total = sum(float(s["score"]) for s in scores) or 1.0
    value = sum(
        float(s["score"]) * label_polarity(str(s["label"]), len(scores)) for s in scores
    )
    return max(-1.0, min(1.0, value / total))


class TransformerAnalyzer:
    """See the module docstring."""

    def __init__(self, model_dir: str) -> None:
        try:
            import transformers  # type: ignore[import-not-found]
        except ImportError:
            raise TextAnalyzerError(
                "OMNICX_TEXT_ANALYZER asks for a transformers model, but the "
                "`transformers` package (and torch) is not installed; install them, "
                "or unset OMNICX_TEXT_ANALYZER to use the built-in lexicon analyzer"
            ) from None
        folder = Path(model_dir).expanduser()
        if not (folder / "config.json").is_file():
            raise TextAnalyzerError(
                f"no local model at {folder} (expected config.json and weights "
                "there); models are never downloaded at run time"
            )
        self._pipeline = transformers.pipeline(
            "text-classification", model=str(folder), tokenizer=str(folder)
        )
        self._lexicon = LexiconAnalyzer()

    def analyze(self, text: str, language: str | None = None) -> TextInsight:
        base = self._lexicon.analyze(text, language)
        if not text.strip():
            return base
        scores = self._pipeline(text[:MAX_MODEL_CHARS], top_k=None)
        if scores and isinstance(scores[0], list):
            scores = scores[0]
        score = round(polarity_score(scores), 4)
        return TextInsight(
            language=base.language,
            sentiment=label(score),
            score=score,
            topics=base.topics,
            keywords=base.keywords,
        )
