"""Demo surveys: NPS, CSAT and CES with triggers, and responses in several languages
from the workspace's customers, spread over the last weeks and over channels (some
customers answer on two channels, so the omnichannel lens has data)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from omnicx.feedback._distribution import (
    Customer,
    customer_of_profile,
    language_for,
    new_token,
)
from omnicx.feedback._i18n import SHIPPED
from omnicx.feedback.responses import ResponseRequest, submit_response
from omnicx.feedback.surveys import (
    BrandRequest,
    Survey,
    SurveyRequest,
    create_survey,
    feedback_state,
    set_brand,
)
from omnicx.feedback.triggers import TriggerRequest, create_trigger
from omnicx.storage import now_ms

if TYPE_CHECKING:
    from omnicx.runtime import Runtime

DAY_MS = 86_400_000
COMMENTS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "pos": ("Fast delivery and friendly staff.", "Great selection, easy checkout."),
        "neu": ("It was okay, nothing special.", "Fine, but the website was slow."),
        "neg": (
            "I waited 40 minutes on the phone.",
            "My order arrived late and damaged.",
        ),
    },
    "he": {
        "pos": ("משלוח מהיר ושירות אדיב.", "מבחר מצוין וקל לשלם."),
        "neu": ("היה בסדר, לא יותר.", "סביר, אבל האתר היה קצת איטי."),
        "neg": ("חיכיתי 40 דקות בטלפון.", "ההזמנה הגיעה באיחור ופגומה."),
    },
    "ar": {
        "pos": ("توصيل سريع وموظفون لطفاء.", "تشكيلة رائعة ودفع سهل."),
        "neu": ("كانت التجربة عادية.", "جيدة، لكن الموقع كان بطيئًا قليلًا."),
        "neg": ("انتظرت 40 دقيقة على الهاتف.", "وصل طلبي متأخرًا وتالفًا."),
    },
    "tr": {
        "pos": (
            "Hızlı teslimat ve güler yüzlü personel.",
            "Harika çeşit, kolay ödeme.",
        ),
        "neu": ("Fena değildi, sıradandı.", "İyiydi ama web sitesi biraz yavaştı."),
        "neg": ("Telefonda 40 dakika bekledim.", "Siparişim geç ve hasarlı geldi."),
    },
    "fa": {
        "pos": ("ارسال سریع و کارکنان مهربان.", "تنوع عالی و پرداخت آسان."),
        "neu": ("بد نبود، معمولی بود.", "خوب بود، اما سایت کمی کند بود."),
        "neg": ("۴۰ دقیقه پشت تلفن منتظر ماندم.", "سفارشم دیر و آسیب‌دیده رسید."),
    },
    "es": {
        "pos": ("Entrega rápida y personal amable.", "Gran variedad y pago fácil."),
        "neu": ("Estuvo bien, nada especial.", "Bien, pero la web fue algo lenta."),
        "neg": ("Esperé 40 minutos al teléfono.", "Mi pedido llegó tarde y dañado."),
    },
}
#: NPS answer mood per channel: (mean, spread) of a 0-10 draw.
NPS_MOOD = {
    "email": (7.6, 2.2),
    "sms": (7.2, 2.4),
    "web": (7.9, 2.0),
    "mobile_app": (8.3, 1.8),
    "store": (8.6, 1.5),
    "call_center": (5.8, 2.8),
}
PLANS = (
    ("nps", "relationship", ("email", "sms", "web", "mobile_app", "store")),
    ("csat", "store:Order Completed", ("sms", "store")),
    ("ces", "call_center:Call Ended", ("sms", "call_center")),
)


def _score(rng: random.Random, template: str, channel: str) -> int:
    mean, spread = NPS_MOOD.get(channel, (7.5, 2.0))
    nps = min(10, max(0, round(rng.gauss(mean, spread))))
    if template == "nps":
        return nps
    top = 5 if template == "csat" else 7
    return max(1, min(top, round(1 + nps * (top - 1) / 10)))


def _comment(rng: random.Random, language: str, template: str, score: int) -> str:
    if rng.random() < 0.25:
        return ""
    top = {"nps": 10, "csat": 5, "ces": 7}[template]
    share = score / top
    mood = "pos" if share >= 0.8 else "neu" if share >= 0.6 else "neg"
    return rng.choice(COMMENTS.get(language, COMMENTS["en"])[mood])


def _make_surveys(runtime: Runtime, workspace_id: str) -> dict[str, Survey]:
    store = runtime.store
    names = {
        "nps": "Relationship NPS",
        "csat": "Store visit CSAT",
        "ces": "Support effort (CES)",
    }
    made = {
        t: create_survey(store, workspace_id, SurveyRequest(name=n, template=t))  # type: ignore[arg-type]
        for t, n in names.items()
    }
    create_trigger(
        store,
        workspace_id,
        made["csat"].id,
        TriggerRequest(
            type="event",
            event="Order Completed",
            channel="store",
            send_via="sms",
            delay="2h",
        ),
    )
    create_trigger(
        store,
        workspace_id,
        made["ces"].id,
        TriggerRequest(type="event", event="Call Ended", send_via="sms", delay="1h"),
    )
    # The next relationship wave is 90 days out: the demo's answers are the last one.
    create_trigger(
        store,
        workspace_id,
        made["nps"].id,
        TriggerRequest(type="schedule", every="90d", send_via="email", start_in="90d"),
    )
    return made


def seed_demo(
    runtime: Runtime,
    workspace_id: str,
    customers: int = 150,
    days: int = 60,
    seed: int = 7,
    answer_rate: float = 0.7,
) -> dict[str, Any]:
    """Create the demo surveys and answer them as up to ``customers`` of the
    workspace's customers (synthetic ones when it has none yet)."""
    store = runtime.store
    rng = random.Random(seed)
    set_brand(
        store,
        workspace_id,
        BrandRequest(name="Lumen", primary_color="#0f766e"),
    )
    made = _make_surveys(runtime, workspace_id)
    state = feedback_state(store)
    profile_ids = state.active_profiles(workspace_id, 0, customers)
    people: list[Customer] = [
        customer_of_profile(store, workspace_id, p) for p in profile_ids
    ] or [
        Customer(("email", f"demo{n}@example.com"), None, [], [], {"language": lang})
        for n, lang in ((n, SHIPPED[n % len(SHIPPED)]) for n in range(customers))
    ]
    now = now_ms()
    invitations = answered = 0
    for customer in people:
        template, touchpoint, channels = rng.choice(PLANS)
        survey = made[template]
        picks = [rng.choice(channels)]
        if template == "nps" and rng.random() < 0.35:
            picks.append(rng.choice([c for c in channels if c != picks[0]]))
        for channel in picks:
            sent = now - rng.randrange(1, days) * DAY_MS - rng.randrange(DAY_MS)
            token = _invite(store, survey, customer, channel, touchpoint, sent)
            invitations += 1
            if rng.random() > answer_rate:
                continue
            language = language_for(survey, customer, None)
            score = _score(rng, template, channel)
            answers: dict[str, Any] = {"score": score}
            comment = _comment(rng, language, template, score)
            if comment:
                answers["comment"] = comment
            at = sent + rng.randrange(60_000, DAY_MS // 2)
            submit_response(
                runtime,
                workspace_id,
                ResponseRequest(invitation=token, answers=answers),
                at=at,
            )
            answered += 1
    return {
        "surveys": {t: s.id for t, s in made.items()},
        "customers": len(people),
        "invitations": invitations,
        "responses": answered,
    }


def _invite(
    store: Any,
    survey: Survey,
    customer: Customer,
    channel: str,
    touchpoint: str,
    sent: int,
) -> str:
    """A backdated invitation, as if delivered (demo data: nothing is sent)."""
    needed = {"email": "email", "sms": "phone"}.get(channel)
    identity = next(
        (i for i in customer.identities if i[0] == needed), customer.identity
    )
    token = new_token()
    connected = channel in ("email", "sms")
    feedback_state(store).insert_invitation(
        {
            "token": token,
            "workspace_id": survey.workspace_id,
            "survey_id": survey.id,
            "profile_id": customer.profile_id,
            "identity_type": identity[0],
            "identity_value": identity[1],
            "channel": channel,
            "language": language_for(survey, customer, None),
            "touchpoint": touchpoint,
            "stage": "retention" if touchpoint == "relationship" else "purchase",
            "trigger_id": None,
            "trigger_message_id": None,
            "status": "sent" if connected else "no_connector",
            "error": None,
            "provider_id": None,
            "created_at": sent,
            "due_at": sent,
            "sent_at": sent,
            "answered_at": None,
        }
    )
    return token
