"""Curated lexicons shipped in ``lexicons/``, and word matching with light stemming.

Per language ``<lang>.txt`` holds sentiment entries, one per line,
``term<TAB>weight`` (weight from -3 to 3; a term may be several words) and
``<lang>.json`` the rules: ``negators`` (before the word they negate),
``negators_after`` / ``negators_after_prefix`` (after it: Turkish *degil*, Persian
*nist*), ``intensifiers`` (word → multiplier; below 1 softens), ``contrast`` (*but*),
``stopwords``, and the morphology: ``prefixes`` (clitics stripped: Hebrew *ve-, ha-,
be-, le-, she-*, Arabic *al-, wa-, bi-* ...), ``negating_prefixes`` (Persian *na-,
nemi-*), ``function_prefixes`` (clitics a negator or *but* may carry), ``suffixes``,
and for Turkish ``stem_by_prefix`` with ``negating_suffix`` (a regular expression on
what follows the stem: *begen-me-dim*). ``emoji.txt`` applies
to every language; ``topics.json`` maps topic → language → terms.

A word is looked up as typed; then with clitic prefixes and suffixes stripped (or, in
Turkish, by its longest known stem); a match found by stripping a negating affix
reports ``negated``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, TypeVar

from omnicx.feedback.text._tokenize import clean, fold

T = TypeVar("T")
MIN_STEM = 2
_CACHE_LIMIT = 100_000


def _data(name: str) -> str:
    folder = resources.files("omnicx.feedback.text").joinpath("lexicons")
    return folder.joinpath(name).read_text(encoding="utf-8")


def term_key(term: str, language: str) -> tuple[str, ...]:
    """The lookup keys of a lexicon term (one per word)."""
    return tuple(fold(w) for w in clean(term, language).split())


@dataclass
class PhraseTable:
    """Single words and multi-word terms, each with a value and a display form."""

    words: dict[str, Any] = field(default_factory=dict)
    phrases: dict[str, list[tuple[tuple[str, ...], Any]]] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)

    def add(self, keys: tuple[str, ...], value: Any, shown: str) -> None:
        if not keys:
            return
        if len(keys) == 1:
            self.words[keys[0]] = value
            self.display.setdefault(keys[0], shown)
            return
        bucket = self.phrases.setdefault(keys[0], [])
        bucket.append((keys, value))
        bucket.sort(key=lambda item: -len(item[0]))
        self.display.setdefault(" ".join(keys), shown)


@dataclass
class Lexicon:
    """One language's sentiment entries, rules and topic terms."""

    language: str
    sentiment: PhraseTable
    topics: PhraseTable
    negators: frozenset[str]
    negators_after: frozenset[str]
    negators_after_prefix: tuple[str, ...]
    intensifiers: dict[str, float]
    contrast: frozenset[str]
    stopwords: frozenset[str]
    prefixes: tuple[str, ...] = ()
    function_prefixes: tuple[str, ...] = ()
    negating_prefixes: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    stem_by_prefix: bool = False
    min_prefix_stem: int = 3
    negating_suffix: re.Pattern[str] | None = None
    _cache: dict[tuple[int, str], Any] = field(default_factory=dict, repr=False)

    # -- word forms --------------------------------------------------------------------
    def _stripped(self, key: str) -> Iterator[tuple[str, bool]]:
        """``key`` without up to three letters of clitic prefixes (longest first)."""
        seen = {key}
        frontier = [(key, False, 0)]
        while frontier:
            word, negated, used = frontier.pop(0)
            for prefix in self.prefixes:
                rest = word[len(prefix) :]
                if (
                    word.startswith(prefix)
                    and len(rest) >= MIN_STEM
                    and used + len(prefix) <= 4
                    and rest not in seen
                ):
                    seen.add(rest)
                    flag = negated or prefix in self.negating_prefixes
                    yield rest, flag
                    frontier.append((rest, flag, used + len(prefix)))

    def variants(self, key: str) -> Iterator[tuple[str, bool]]:
        """Candidate lookup forms of ``key`` after the exact form, best first."""
        bases = [(key, False), *self._stripped(key)]
        yield from bases[1:]
        for base, negated in bases:
            for suffix in self.suffixes:
                if base.endswith(suffix) and len(base) - len(suffix) >= MIN_STEM:
                    yield base[: -len(suffix)], negated

    def match(self, words: Mapping[str, T], key: str) -> tuple[str, T, bool] | None:
        """``(matched entry, value, negated by morphology)`` or ``None``."""
        if key in words:
            return key, words[key], False
        cache_key = (id(words), key)
        if cache_key in self._cache:
            return self._cache[cache_key]
        found = self._match_slow(words, key)
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = found
        return found

    def _match_slow(
        self, words: Mapping[str, T], key: str
    ) -> tuple[str, T, bool] | None:
        if self.stem_by_prefix:
            for end in range(len(key) - 1, self.min_prefix_stem - 1, -1):
                stem = key[:end]
                if stem in words:
                    rest = key[end:]
                    negated = bool(
                        self.negating_suffix and self.negating_suffix.match(rest)
                    )
                    return stem, words[stem], negated
            return None
        for candidate, negated in self.variants(key):
            if candidate in words:
                return candidate, words[candidate], negated
        return None

    def forms(self, key: str) -> Iterator[tuple[str, bool]]:
        """Every lookup form of ``key``, exact first: ``(form, negated)``."""
        yield key, False
        if self.stem_by_prefix:
            for end in range(len(key) - 1, self.min_prefix_stem - 1, -1):
                rest = key[end:]
                yield (
                    key[:end],
                    bool(self.negating_suffix and self.negating_suffix.match(rest)),
                )
        else:
            yield from self.variants(key)

    def function_form(self, words: Collection[str], key: str) -> str | None:
        """``key``, or it after one of ``function_prefixes`` (Hebrew *ve-, she-*,
        Arabic *wa-, fa-*: "and not", "and very"), when that is one of ``words``."""
        if key in words:
            return key
        for prefix in self.function_prefixes:
            rest = key[len(prefix) :]
            if key.startswith(prefix) and rest in words:
                return rest
        return None

    def is_in(self, words: Collection[str], key: str) -> bool:
        return self.function_form(words, key) is not None

    def is_stopword(self, key: str) -> bool:
        """Whether ``key``, or it without clitic prefixes, is a stopword."""
        if key in self.stopwords:
            return True
        return any(
            rest in self.stopwords and not negated
            for rest, negated in self._stripped(key)
        )

    def is_negator_after(self, key: str) -> bool:
        return key in self.negators_after or key.startswith(self.negators_after_prefix)


def _read_sentiment(text: str, language: str, table: PhraseTable) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        term, sep, weight = line.rpartition("\t")
        if not sep:
            raise ValueError(f"{language} lexicon line {number}: need term<TAB>weight")
        table.add(term_key(term, language), float(weight), term.strip())


def _keys(items: Any, language: str) -> frozenset[str]:
    return frozenset(k for item in items for k in term_key(item, language)[:1])


@functools.cache
def _topic_terms() -> dict[str, dict[str, list[str]]]:
    return json.loads(_data("topics.json"))


def topic_names() -> tuple[str, ...]:
    """Every topic of the shipped map, in its order."""
    return tuple(_topic_terms())


@functools.cache
def load_lexicon(language: str) -> Lexicon | None:
    """The shipped lexicon of ``language``; ``None`` when none ships."""
    try:
        rules = json.loads(_data(f"{language}.json"))
        sentiment_text = _data(f"{language}.txt")
    except FileNotFoundError:
        return None
    sentiment = PhraseTable()
    _read_sentiment(_data("emoji.txt"), language, sentiment)
    _read_sentiment(sentiment_text, language, sentiment)
    topics = PhraseTable()
    for topic, by_language in _topic_terms().items():
        for term in by_language.get(language, []):
            topics.add(term_key(term, language), topic, term)
    pattern = rules.get("negating_suffix")
    return Lexicon(
        language=language,
        sentiment=sentiment,
        topics=topics,
        negators=_keys(rules.get("negators", []), language),
        negators_after=_keys(rules.get("negators_after", []), language),
        negators_after_prefix=tuple(
            fold(clean(p, language)) for p in rules.get("negators_after_prefix", [])
        ),
        intensifiers={
            fold(clean(k, language)): float(v)
            for k, v in rules.get("intensifiers", {}).items()
        },
        contrast=_keys(rules.get("contrast", []), language),
        stopwords=_keys(rules.get("stopwords", []), language),
        prefixes=tuple(
            sorted((fold(p) for p in rules.get("prefixes", [])), key=len, reverse=True)
        ),
        function_prefixes=tuple(fold(p) for p in rules.get("function_prefixes", [])),
        negating_prefixes=frozenset(
            fold(p) for p in rules.get("negating_prefixes", [])
        ),
        suffixes=tuple(
            sorted((fold(s) for s in rules.get("suffixes", [])), key=len, reverse=True)
        ),
        stem_by_prefix=bool(rules.get("stem_by_prefix", False)),
        min_prefix_stem=int(rules.get("min_prefix_stem", 3)),
        negating_suffix=re.compile(pattern) if pattern else None,
    )


@functools.cache
def generic_lexicon(language: str) -> Lexicon:
    """For a language without a lexicon: emoji sentiment only, no topics."""
    table = PhraseTable()
    _read_sentiment(_data("emoji.txt"), "und", table)
    empty: frozenset[str] = frozenset()
    return Lexicon(language, table, PhraseTable(), empty, empty, (), {}, empty, empty)
