"""Text analytics: sentiment, negation, topics and keywords in five languages, with
the lexicons the package ships (no model, no download)."""

from __future__ import annotations

import pytest

from omnicx.feedback import text
from omnicx.feedback.text import (
    TextAnalyzerError,
    TextInsight,
    default_analyzer,
    detect_language,
    load_analyzer,
)
from omnicx.feedback.text._transformer import label_polarity, polarity_score

# (language, text, expected sentiment, a topic it must find)
CASES = [
    # English
    ("en", "The delivery was fast and the staff were very friendly!", "positive",
     "delivery"),
    ("en", "Terrible service, I waited 40 minutes and nobody answered.", "negative",
     "wait_time"),
    ("en", "The delivery was not fast at all.", "negative", "delivery"),
    ("en", "No problems at all, everything arrived on time.", "positive", "delivery"),
    ("en", "I would not recommend this store.", "negative", "store"),
    ("en", "Great product but the refund took forever", "negative",
     "returns_refunds"),
    # Hebrew
    ("he", "המשלוח הגיע מהר והשליח היה אדיב מאוד", "positive", "delivery"),
    ("he", "השירות גרוע, חיכיתי שעה בתור", "negative", "wait_time"),
    ("he", "המחיר לא טוב", "negative", "price"),
    ("he", "לא ממליץ על החנות הזאת", "negative", "store"),
    ("he", "אין בעיה, הכל הגיע בזמן", "positive", "delivery"),
    ("he", "לא אהבתי את האריזה אבל המוצר מעולה", "positive", "product_quality"),
    # Arabic
    ("ar", "التوصيل كان سريع جدا والموظفين محترمين", "positive", "delivery"),
    ("ar", "الخدمة سيئة جدا والمنتج وصل مكسور", "negative", "product_quality"),
    ("ar", "المنتج ليس جيدا", "negative", "product_quality"),
    ("ar", "لا أنصح بهذا المتجر", "negative", "store"),
    ("ar", "السعر غالي لكن الجودة ممتازة", "positive", "price"),
    # Turkish
    ("tr", "Kargo çok hızlı geldi, ürün harika!", "positive", "delivery"),
    ("tr", "Personel çok kaba ve ilgisizdi", "negative", "staff"),
    ("tr", "Ürün iyi değil", "negative", "product_quality"),
    ("tr", "Hiç beğenmedim, kalitesiz ürün", "negative", "product_quality"),
    ("tr", "Fiyatlar uygun, hiç sorun yok", "positive", "price"),
    ("tr", "Kesinlikle tavsiye etmem, para iadesi yapılmadı", "negative",
     "returns_refunds"),
    # Persian
    ("fa", "ارسال خیلی سریع بود و کیفیت عالی", "positive", "delivery"),
    ("fa", "اصلا راضی نیستم، پشتیبانی جواب نمی‌دهند", "negative", "communication"),
    ("fa", "محصول خوب نبود", "negative", "product_quality"),
    ("fa", "قیمت مناسب است", "positive", "price"),
    ("fa", "این فروشگاه را نپسندیدم", "negative", "store"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "sentence", "sentiment", "topic"), CASES)
def test_sentiment_and_topics(language, sentence, sentiment, topic):
    insight = default_analyzer().analyze(sentence)
    assert insight.language == language  # detected, not given
    assert insight.sentiment == sentiment, (insight.score, sentence)
    assert -1 <= insight.score <= 1
    assert (insight.score > 0) == (sentiment == "positive")
    assert topic in insight.topics


@pytest.mark.parametrize(
    ("plain", "negated", "language"),
    [
        ("The staff were helpful", "The staff were not helpful", "en"),
        ("הנציג היה אדיב", "הנציג לא היה אדיב", "he"),
        ("الموظف كان محترم", "الموظف لم يكن محترم", "ar"),
        ("Personel yardımcı oldu", "Personel yardımcı olmadı", "tr"),
        ("Ürünü beğendim", "Ürünü beğenmedim", "tr"),
        ("فروشنده مودب بود", "فروشنده مودب نبود", "fa"),
        ("محصول را پسندیدم", "محصول را نپسندیدم", "fa"),
    ],
)
def test_negation_flips_the_sentiment(plain, negated, language):
    analyzer = default_analyzer()
    yes, no = analyzer.analyze(plain, language), analyzer.analyze(negated, language)
    assert yes.sentiment == "positive", (plain, yes)
    assert no.sentiment == "negative", (negated, no)


def test_negated_negative_is_mildly_positive_and_intensifiers_scale():
    analyzer = default_analyzer()
    bad, not_bad = analyzer.analyze("bad"), analyzer.analyze("not bad")
    assert bad.score < 0 < not_bad.score < -bad.score
    good, very_good = analyzer.analyze("good"), analyzer.analyze("very good")
    assert 0 < good.score < very_good.score
    assert analyzer.analyze("מאוד טוב").score > analyzer.analyze("טוב").score
    assert analyzer.analyze("çok iyi").score > analyzer.analyze("iyi").score


def test_contrast_weighs_the_clause_after_but():
    analyzer = default_analyzer()
    assert analyzer.analyze("The app is great but delivery was late").score < 0
    assert analyzer.analyze("Delivery was late but the app is great").score > 0


def test_neutral_text_has_no_sentiment_but_keywords():
    insight = default_analyzer().analyze("I ordered a blue jacket on Monday.")
    assert (insight.sentiment, insight.score) == ("neutral", 0.0)
    assert insight.keywords[:2] == ["ordered", "blue"]
    assert "a" not in insight.keywords and "on" not in insight.keywords


def test_arabic_diacritics_and_persian_letter_variants_are_normalised():
    analyzer = default_analyzer()
    voweled = analyzer.analyze("الْخِدْمَةُ مُمْتَازَةٌ")  # with tashkeel
    assert voweled.sentiment == "positive"
    assert "staff" in voweled.topics
    # Persian written with Arabic yeh/kaf (common on Arabic keyboards)
    arabic_letters = analyzer.analyze("كيفيت عالي است", "fa")
    persian_letters = analyzer.analyze("کیفیت عالی است", "fa")
    assert arabic_letters.score == persian_letters.score > 0
    assert arabic_letters.topics == persian_letters.topics == ["product_quality"]


def test_clitic_prefixes_are_stripped_for_lookup_and_keywords():
    hebrew = default_analyzer().analyze("ובמשלוח הכל היה מצוין", "he")
    assert hebrew.topics == ["delivery"]
    assert hebrew.keywords[0] == "משלוח"
    arabic = default_analyzer().analyze("وبالتوصيل مشكلة", "ar")
    assert arabic.topics == ["delivery"] and arabic.sentiment == "negative"
    turkish = default_analyzer().analyze("Kargodan memnun kaldım", "tr")
    assert turkish.topics == ["delivery"] and turkish.sentiment == "positive"


def test_emoji_count_in_any_language():
    assert default_analyzer().analyze("👍👍").sentiment == "positive"
    assert default_analyzer().analyze("😡").sentiment == "negative"
    assert default_analyzer().analyze("Доставка 😡").sentiment == "negative"


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("The order arrived", "en"),
        ("Sipariş geldi ama biraz geç", "tr"),
        ("İyi", "tr"),
        ("ההזמנה הגיעה", "he"),
        ("وصل الطلب في الموعد", "ar"),
        ("سفارش دیر رسید", "fa"),
        ("سفارش من رسید و این خیلی خوب است", "fa"),
        ("12345", "und"),
    ],
)
def test_language_detection(sentence, language):
    assert detect_language(sentence) == language


def test_language_hint_and_codes():
    analyzer = default_analyzer()
    assert analyzer.analyze("שירות מעולה", "he-IL").language == "he"
    assert analyzer.analyze("שירות מעולה", "iw").language == "he"
    assert text.normalize_language("fa_IR") == "fa"
    assert set(text.SUPPORTED_LANGUAGES) == {"en", "he", "ar", "tr", "fa"}


def test_lexicons_are_curated_and_large_enough():
    from omnicx.feedback.text._lexicon import load_lexicon

    for language in text.SUPPORTED_LANGUAGES:
        lexicon = load_lexicon(language)
        entries = len(lexicon.sentiment.words) + sum(
            len(v) for v in lexicon.sentiment.phrases.values()
        )
        assert entries >= 200, (language, entries)
        assert lexicon.negators or lexicon.negators_after
        assert lexicon.stopwords and lexicon.intensifiers and lexicon.contrast
        assert {t for t in lexicon.topics.words.values()} == set(text.topic_names())
    assert len(text.topic_names()) == 10


def test_text_properties_for_events():
    insight = default_analyzer().analyze("Terrible delivery")
    props = text.text_properties(insight)
    assert props["sentiment"] == "negative"
    assert props["sentiment_score"] == insight.score
    assert props["topics"] == ["delivery"]
    assert props["text_language"] == "en"


class UpperAnalyzer:
    """A stand-in for a locally installed model."""

    def analyze(self, text: str, language: str | None = None) -> TextInsight:
        return TextInsight(language="en", sentiment="positive", score=1.0)


def test_load_analyzer_plugs_in_a_class():
    assert load_analyzer("") is default_analyzer()
    assert load_analyzer("lexicon") is default_analyzer()
    plugged = load_analyzer("tests.feedback.test_text:UpperAnalyzer")
    assert isinstance(plugged, UpperAnalyzer)
    assert plugged.analyze("whatever").score == 1.0


def test_load_analyzer_errors_are_clear():
    with pytest.raises(TextAnalyzerError, match=r"transformers|no local model"):
        load_analyzer("transformers:/nonexistent/model")
    with pytest.raises(TextAnalyzerError, match="cannot be loaded"):
        load_analyzer("no_such_module_xyz:Thing")
    with pytest.raises(TextAnalyzerError, match="no analyze"):
        load_analyzer("builtins:dict")
    with pytest.raises(TextAnalyzerError, match="is not"):
        load_analyzer("nonsense")


def test_transformer_label_mapping():
    assert label_polarity("NEGATIVE", 2) == -1.0
    assert label_polarity("positive", 3) == 1.0
    assert label_polarity("neutral", 3) == 0.0
    assert label_polarity("1 star", 5) == -1.0
    assert label_polarity("5 stars", 5) == 1.0
    assert label_polarity("LABEL_1", 3) == 0.0
    assert label_polarity("LABEL_0", 2) == -1.0
    scores = [{"label": "negative", "score": 0.1}, {"label": "positive", "score": 0.9}]
    assert polarity_score(scores) == pytest.approx(0.8)
