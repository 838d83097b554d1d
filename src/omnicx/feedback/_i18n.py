"""Languages of surveys: the strings of the survey page and invitations in every
shipped language, right-to-left scripts, and picking a respondent's language."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

#: Languages shipped with translations, in display order (the first is the default).
SHIPPED: tuple[str, ...] = ("en", "he", "ar", "tr", "fa", "es")
#: Scripts written right to left.
RTL: frozenset[str] = frozenset({"he", "ar", "fa", "ur", "yi", "ps", "ckb", "dv"})
NAMES: dict[str, str] = {
    "en": "English",
    "he": "עברית",
    "ar": "العربية",
    "tr": "Türkçe",
    "fa": "فارسی",
    "es": "Español",
}
#: Old or alternative codes browsers and CRMs still send.
_ALIASES = {"iw": "he", "per": "fa", "fas": "fa", "ara": "ar", "heb": "he"}
_CODE = re.compile(r"^[a-z]{2,3}$")

UI: dict[str, dict[str, str]] = {
    "title": {
        "en": "Your feedback matters",
        "he": "דעתכם חשובה לנו",
        "ar": "رأيك يهمنا",
        "tr": "Görüşünüz bizim için önemli",
        "fa": "نظر شما برای ما مهم است",
        "es": "Tu opinión nos importa",
    },
    "submit": {
        "en": "Submit",
        "he": "שליחה",
        "ar": "إرسال",
        "tr": "Gönder",
        "fa": "ارسال",
        "es": "Enviar",
    },
    "thanks": {
        "en": "Thank you for your feedback!",
        "he": "תודה על המשוב!",
        "ar": "شكرًا لملاحظاتك!",
        "tr": "Geri bildiriminiz için teşekkürler!",
        "fa": "از بازخورد شما سپاسگزاریم!",
        "es": "¡Gracias por tu opinión!",
    },
    "already": {
        "en": "This survey has already been answered. Thank you!",
        "he": "הסקר הזה כבר נענה. תודה!",
        "ar": "تمت الإجابة على هذا الاستطلاع بالفعل. شكرًا!",
        "tr": "Bu anket zaten yanıtlandı. Teşekkürler!",
        "fa": "به این نظرسنجی قبلاً پاسخ داده شده است. متشکریم!",
        "es": "Esta encuesta ya fue respondida. ¡Gracias!",
    },
    "optional": {
        "en": "Optional",
        "he": "רשות",
        "ar": "اختياري",
        "tr": "İsteğe bağlı",
        "fa": "اختیاری",
        "es": "Opcional",
    },
    "required": {
        "en": "Please answer this question.",
        "he": "נא לענות על שאלה זו.",
        "ar": "يرجى الإجابة عن هذا السؤال.",
        "tr": "Lütfen bu soruyu yanıtlayın.",
        "fa": "لطفاً به این سؤال پاسخ دهید.",
        "es": "Por favor, responde esta pregunta.",
    },
    "error": {
        "en": "Something went wrong. Please try again.",
        "he": "משהו השתבש. נא לנסות שוב.",
        "ar": "حدث خطأ ما. يرجى المحاولة مرة أخرى.",
        "tr": "Bir şeyler ters gitti. Lütfen tekrar deneyin.",
        "fa": "مشکلی پیش آمد. لطفاً دوباره تلاش کنید.",
        "es": "Algo salió mal. Inténtalo de nuevo.",
    },
    "not_found": {
        "en": "This survey link is not valid.",
        "he": "קישור הסקר אינו תקף.",
        "ar": "رابط الاستطلاع غير صالح.",
        "tr": "Bu anket bağlantısı geçerli değil.",
        "fa": "این پیوند نظرسنجی معتبر نیست.",
        "es": "Este enlace de encuesta no es válido.",
    },
    "preview": {
        "en": "Preview — answers are not saved",
        "he": "תצוגה מקדימה — התשובות לא נשמרות",
        "ar": "معاينة — لا يتم حفظ الإجابات",
        "tr": "Önizleme — yanıtlar kaydedilmez",
        "fa": "پیش‌نمایش — پاسخ‌ها ذخیره نمی‌شوند",
        "es": "Vista previa: las respuestas no se guardan",
    },
    "choose_many": {
        "en": "Choose all that apply",
        "he": "בחרו את כל מה שמתאים",
        "ar": "اختر كل ما ينطبق",
        "tr": "Uygun olanların tümünü seçin",
        "fa": "همه موارد مرتبط را انتخاب کنید",
        "es": "Elige todas las que correspondan",
    },
    "email_subject": {
        "en": "{brand}: how did we do?",
        "he": "{brand}: איך היינו?",
        "ar": "{brand}: كيف كانت تجربتك؟",
        "tr": "{brand}: Nasıldık?",
        "fa": "{brand}: تجربه شما چطور بود؟",
        "es": "{brand}: ¿cómo lo hicimos?",
    },
    "invite": {
        "en": "We'd love your feedback. It takes less than a minute:",
        "he": "נשמח לשמוע את דעתכם. זה לוקח פחות מדקה:",
        "ar": "يسعدنا سماع رأيك. لن يستغرق الأمر أكثر من دقيقة:",
        "tr": "Görüşlerinizi almak isteriz. Bir dakikadan kısa sürer:",
        "fa": "خوشحال می‌شویم نظر شما را بدانیم. کمتر از یک دقیقه طول می‌کشد:",
        "es": "Nos encantaría conocer tu opinión. Toma menos de un minuto:",
    },
    "button": {
        "en": "Take the survey",
        "he": "למענה על הסקר",
        "ar": "ابدأ الاستطلاع",
        "tr": "Ankete katıl",
        "fa": "شرکت در نظرسنجی",
        "es": "Responder la encuesta",
    },
    "feedback": {
        "en": "Feedback",
        "he": "משוב",
        "ar": "ملاحظات",
        "tr": "Geri bildirim",
        "fa": "بازخورد",
        "es": "Opinión",
    },
}


def iso_time(ms: int | None) -> str | None:
    """Milliseconds since the epoch as ISO 8601 UTC (what the API shows)."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def base_language(code: Any) -> str | None:
    """``"he-IL"`` → ``"he"``, ``"iw"`` → ``"he"``; ``None`` for anything else."""
    if not isinstance(code, str):
        return None
    head = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    head = _ALIASES.get(head, head)
    return head if _CODE.match(head) else None


def direction(language: str) -> str:
    return "rtl" if base_language(language) in RTL else "ltr"


def pick_language(candidates: Iterable[Any], available: list[str]) -> str:
    """The first candidate (a code, a locale, or ``Accept-Language``-style list)
    among ``available``; else the survey's first language."""
    for candidate in candidates:
        if not isinstance(candidate, str):
            continue
        for part in candidate.split(","):
            code = base_language(part.split(";")[0])
            if code in available:
                return code
    return available[0] if available else "en"


def translate(
    texts: Mapping[str, str] | str | None, language: str, default: str
) -> str:
    """The text in ``language``, else the default language's, else any."""
    if texts is None:
        return ""
    if isinstance(texts, str):
        return texts
    for code in (language, default, "en"):
        if texts.get(code):
            return texts[code]
    return next((v for v in texts.values() if v), "")


def ui_strings(language: str) -> dict[str, str]:
    return {key: translate(texts, language, "en") for key, texts in UI.items()}
