"""The shipped survey templates (NPS, CSAT, CES) with every text translated.

A template is a list of questions in the definition format of ``_survey_model``; the
scored question has id ``score`` and the free-text follow-up id ``comment``.
``{brand}`` in a text is replaced by the workspace's brand name when rendered.
"""

from __future__ import annotations

import copy
from typing import Any

TEMPLATES = ("nps", "csat", "ces", "custom")

#: The scale of each template's score question.
SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

_NPS = [
    {
        "id": "score",
        "type": "nps",
        "required": True,
        "text": {
            "en": "How likely are you to recommend {brand} to a friend or colleague?",
            "he": "מה הסיכוי שתמליצו על {brand} לחבר או לעמית?",
            "ar": "ما مدى احتمال أن توصي بـ {brand} لصديق أو زميل؟",
            "tr": "{brand} markasını bir arkadaşınıza veya iş arkadaşınıza tavsiye "
            "etme olasılığınız nedir?",
            "fa": "چقدر احتمال دارد {brand} را به یک دوست یا همکار توصیه کنید؟",
            "es": "¿Qué probabilidad hay de que recomiendes {brand} a un amigo o "
            "colega?",
        },
        "low_label": {
            "en": "Not at all likely",
            "he": "בכלל לא סביר",
            "ar": "غير محتمل على الإطلاق",
            "tr": "Hiç olası değil",
            "fa": "اصلاً محتمل نیست",
            "es": "Nada probable",
        },
        "high_label": {
            "en": "Extremely likely",
            "he": "סביר מאוד",
            "ar": "محتمل جدًا",
            "tr": "Çok olası",
            "fa": "بسیار محتمل",
            "es": "Muy probable",
        },
    },
    {
        "id": "comment",
        "type": "text",
        "text": {
            "en": "What is the main reason for your score?",
            "he": "מה הסיבה העיקרית לציון שנתתם?",
            "ar": "ما السبب الرئيسي لتقييمك؟",
            "tr": "Puanınızın ana nedeni nedir?",
            "fa": "دلیل اصلی امتیاز شما چیست؟",
            "es": "¿Cuál es el motivo principal de tu puntuación?",
        },
    },
]

_CSAT = [
    {
        "id": "score",
        "type": "rating",
        "min": 1,
        "max": 5,
        "required": True,
        "text": {
            "en": "How satisfied are you with your experience today?",
            "he": "עד כמה הייתם מרוצים מהחוויה שלכם היום?",
            "ar": "ما مدى رضاك عن تجربتك اليوم؟",
            "tr": "Bugünkü deneyiminizden ne kadar memnun kaldınız?",
            "fa": "چقدر از تجربه امروز خود راضی هستید؟",
            "es": "¿Qué tan satisfecho estás con tu experiencia de hoy?",
        },
        "low_label": {
            "en": "Very unsatisfied",
            "he": "לא מרוצה כלל",
            "ar": "غير راضٍ إطلاقًا",
            "tr": "Hiç memnun değilim",
            "fa": "اصلاً راضی نیستم",
            "es": "Muy insatisfecho",
        },
        "high_label": {
            "en": "Very satisfied",
            "he": "מרוצה מאוד",
            "ar": "راضٍ جدًا",
            "tr": "Çok memnunum",
            "fa": "بسیار راضی هستم",
            "es": "Muy satisfecho",
        },
    },
    {
        "id": "comment",
        "type": "text",
        "text": {
            "en": "What could we do better?",
            "he": "מה יכולנו לעשות טוב יותר?",
            "ar": "ما الذي يمكننا تحسينه؟",
            "tr": "Neyi daha iyi yapabilirdik?",
            "fa": "چه کاری را می‌توانستیم بهتر انجام دهیم؟",
            "es": "¿Qué podríamos hacer mejor?",
        },
    },
]

_CES = [
    {
        "id": "score",
        "type": "rating",
        "min": 1,
        "max": 7,
        "required": True,
        "text": {
            "en": "How easy was it to get your issue resolved today?",
            "he": "עד כמה היה קל לפתור את הפנייה שלכם היום?",
            "ar": "ما مدى سهولة حل مشكلتك اليوم؟",
            "tr": "Bugün sorununuzu çözmek ne kadar kolaydı?",
            "fa": "حل مشکل شما امروز چقدر آسان بود؟",
            "es": "¿Qué tan fácil fue resolver tu solicitud hoy?",
        },
        "low_label": {
            "en": "Very difficult",
            "he": "קשה מאוד",
            "ar": "صعب جدًا",
            "tr": "Çok zor",
            "fa": "بسیار دشوار",
            "es": "Muy difícil",
        },
        "high_label": {
            "en": "Very easy",
            "he": "קל מאוד",
            "ar": "سهل جدًا",
            "tr": "Çok kolay",
            "fa": "بسیار آسان",
            "es": "Muy fácil",
        },
    },
    {
        "id": "comment",
        "type": "text",
        "text": {
            "en": "What would have made it easier?",
            "he": "מה היה הופך את זה לקל יותר?",
            "ar": "ما الذي كان سيجعل الأمر أسهل؟",
            "tr": "Ne daha kolay hale getirebilirdi?",
            "fa": "چه چیزی آن را آسان‌تر می‌کرد؟",
            "es": "¿Qué lo habría hecho más fácil?",
        },
    },
]

_QUESTIONS: dict[str, list[dict[str, Any]]] = {
    "nps": _NPS,
    "csat": _CSAT,
    "ces": _CES,
    "custom": [],
}


def template_questions(template: str) -> list[dict[str, Any]]:
    """A fresh copy of the template's questions (callers may change it)."""
    return copy.deepcopy(_QUESTIONS[template])
