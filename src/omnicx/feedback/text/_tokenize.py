"""Normalise, tokenise and detect the language of short customer texts.

Two forms of every word: the **surface** (cleaned: NFKC, lower case with Turkish
dotted/dotless i, no diacritics, niqqud, tatweel, bidi marks or zero-width joiners,
ASCII digits) shown to people, and the **key** (surface with letter variants folded,
Arabic and Persian letter variants unified, Turkish â/î/û → a/i/u) used
to look words up, so lexicon entries match however the customer typed them.
(The folds: Persian yeh and alef maksura to yeh, keheh to kaf, hamza/madda alefs to
bare alef, teh marbuta to heh, as in the table ``_FOLD``.)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SUPPORTED_LANGUAGES = ("en", "he", "ar", "tr", "fa")
UNDETERMINED = "und"

_REMOVE = re.compile(
    "["
    "\u0591-\u05bd\u05bf-\u05c7"  # Hebrew cantillation and niqqud
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"  # Arabic diacritics
    "\u0640"  # tatweel
    "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"  # zero-width and bidi marks
    "\u05f3\u05f4"  # Hebrew geresh / gershayim inside abbreviations
    "\u0307"  # combining dot left by lower-casing İ
    "]"
)
_PUNCT = str.maketrans(
    {
        "\u060c": ",",  # Arabic comma
        "\u061b": ";",
        "\u061f": "?",
        "\u06d4": ".",  # Urdu/Persian full stop
        "\u05be": " ",  # maqaf joins Hebrew words; split them
        "\u2019": "'",
        "\u2018": "'",
        "`": "'",
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)
_FOLD = str.maketrans(
    {
        "\u06cc": "\u064a",  # Persian yeh → Arabic yeh
        "\u0649": "\u064a",  # alef maksura → yeh
        "\u06a9": "\u0643",  # keheh → kaf
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u0629": "\u0647",  # teh marbuta → heh
        "\u06c0": "\u0647",
        "\u00e2": "a",
        "\u00ee": "i",
        "\u00fb": "u",
    }
)
_TOKEN = re.compile(
    r"(?P<word>[^\W_]+(?:['\-][^\W_]+)*)"
    r"|(?P<punct>[.!?;,:…]+)"
    r"|(?P<emoji>[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50])"
)

_HEBREW = re.compile(r"[\u05d0-\u05ea]")
_ARABIC_SCRIPT = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_PERSIAN_LETTERS = re.compile(r"[\u067e\u0686\u0698\u06af]")  # پ چ ژ گ
_PERSIAN_FORMS = re.compile(r"[\u06a9\u06cc]")  # ک ی
_ARABIC_LETTERS = re.compile(r"[\u0629\u0649]|(?:^|\s)ال")  # ة ى, al- article
_TURKISH_LETTERS = re.compile(r"[ğĞıİşŞ]")
_TURKISH_WEAK = re.compile(r"[çÇöÖüÜ]")

_FA_CUES = frozenset(
    [
        "است",
        "این",
        "که",
        "را",
        "می",
        "های",
        "برای",
        "خیلی",
        "نیست",
        "بود",
        "من",
        "با",
        "هم",
        "یک",
        "ولی",
        "اما",
        "خوب",
        "بد",
    ]
)
_AR_CUES = frozenset(
    [
        "في",
        "من",
        "على",
        "هذا",
        "هذه",
        "التي",
        "الذي",
        "كان",
        "لم",
        "لا",
        "جدا",
        "عن",
        "مع",
        "انا",
        "ما",
        "هو",
        "هي",
        "لكن",
    ]
)
_TR_CUES = frozenset(
    [
        "ve",
        "bir",
        "bu",
        "çok",
        "için",
        "ama",
        "değil",
        "ile",
        "da",
        "de",
        "ben",
        "siz",
        "var",
        "yok",
        "gibi",
        "daha",
        "mi",
        "hiç",
        "iyi",
        "kötü",
        "ürün",
        "sipariş",
        "kargo",
        "olarak",
        "çünkü",
        "ne",
    ]
)
_EN_CUES = frozenset(
    [
        "the",
        "and",
        "is",
        "was",
        "to",
        "of",
        "it",
        "in",
        "for",
        "not",
        "very",
        "my",
        "this",
        "with",
        "but",
        "you",
        "are",
        "on",
        "they",
        "have",
        "had",
        "be",
        "no",
        "so",
    ]
)


@dataclass(frozen=True)
class Token:
    surface: str  # cleaned, for display
    key: str  # folded, for lookups
    kind: str  # "word" | "punct" | "emoji"


def normalize_language(language: str | None) -> str | None:
    """``"he-IL"`` → ``"he"``, ``"iw"`` → ``"he"``, ``"per"`` → ``"fa"``; ``None``
    stays ``None``."""
    if not language or not language.strip():
        return None
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return {"iw": "he", "heb": "he", "ara": "ar", "tur": "tr", "per": "fa"}.get(
        code, {"fas": "fa", "eng": "en"}.get(code, code)
    )


def lower(text: str, language: str) -> str:
    if language in ("tr", "az"):
        text = text.replace("I", "ı").replace("İ", "i")
    return text.lower()


def clean(text: str, language: str) -> str:
    """The surface form of ``text`` (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT)
    return _REMOVE.sub("", lower(text, language))


def fold(surface: str) -> str:
    """The lookup key of a cleaned word."""
    return surface.translate(_FOLD)


def tokenize(text: str, language: str) -> list[Token]:
    """Words, runs of punctuation and emoji, in order. Turkish words lose what
    follows an apostrophe (``Trendyol'dan`` → ``trendyol``)."""
    tokens = []
    for match in _TOKEN.finditer(clean(text, language)):
        kind = match.lastgroup or "word"
        surface = match.group()
        if kind == "word":
            if language == "tr" and "'" in surface:
                surface = surface.split("'", 1)[0]
            if surface.isdigit():
                kind = "number"
        tokens.append(Token(surface, fold(surface), kind))
    return tokens


def detect_language(text: str) -> str:
    """The language of ``text`` from its script, and simple cues within a script:
    Persian vs Arabic by Persian-only letters and common words, Turkish vs English
    by Turkish letters and common words. ``"und"`` when nothing tells."""
    hebrew = len(_HEBREW.findall(text))
    arabic = len(_ARABIC_SCRIPT.findall(text))
    latin = len(_LATIN.findall(text))
    if max(hebrew, arabic, latin) == 0:
        return UNDETERMINED
    if hebrew >= arabic and hebrew >= latin:
        return "he"
    words = set(re.findall(r"[^\W\d_]+", text.lower()))
    if arabic >= latin:
        persian = 3 * len(_PERSIAN_LETTERS.findall(text)) + len(
            _PERSIAN_FORMS.findall(text)
        )
        persian += 2 * len(words & _FA_CUES)
        arab = 2 * len(_ARABIC_LETTERS.findall(text)) + 2 * len(words & _AR_CUES)
        return "fa" if persian > arab else "ar"
    turkish = 3 * len(_TURKISH_LETTERS.findall(text)) + len(_TURKISH_WEAK.findall(text))
    turkish += 2 * len(words & _TR_CUES)
    english = 2 * len(words & _EN_CUES)
    return "tr" if turkish > english else "en"
