"""Shopping habits as dated plans: which episodes each kind of customer lives through.

Every archetype in :data:`~omnicx.demo.people.ARCHETYPES` becomes a list of steps
(day, episode, arguments); :mod:`~omnicx.demo.generator` runs them day by day.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from omnicx.demo import contact, shopping
from omnicx.demo.journey import Journey

_NO_WHATSAPP_MARKETS: Final = frozenset({"US"})

#: Plan step: (day, order planned, episode name, keyword arguments). Plain values only,
#: so thousands of waiting plans cost the garbage collector nothing.
Step = tuple[float, int, str, dict[str, Any]]
EPISODES: Final[dict[str, Callable[..., None]]] = {
    episode.__name__: episode
    for episode in (
        shopping.web_visit,
        shopping.app_session,
        shopping.store_visit,
        contact.email_campaign,
        contact.sms_campaign,
        contact.push_campaign,
        contact.whatsapp_update,
        contact.social_complaint,
        contact.service_contact,
    )
}


class _Plan:
    """Episodes on days; run in day order (ties in the order they were planned)."""

    def __init__(self, journey: Journey, days: int) -> None:
        self.journey = journey
        self.days = days
        self.steps: list[Step] = []

    def day(self, low: float = 0.0, high: float = 1.0) -> float:
        """A random day between two fractions of the window."""
        return self.journey.rng.uniform(low * self.days, high * self.days)

    def on(self, day: float, episode: Callable[..., None], **kw: Any) -> None:
        """Run ``episode(journey, day, **kw)`` (``shopping.web_visit`` …) on ``day``."""
        self.steps.append((day, len(self.steps), episode.__name__, kw))

    def campaigns(self, channel: str, share: float = 0.85) -> None:
        episode = {
            "email": contact.email_campaign,
            "sms": contact.sms_campaign,
            "push": contact.push_campaign,
        }[channel]
        for index, campaign in enumerate(self.journey.world.campaigns):
            if campaign.channel == channel and self.journey.rng.random() < share:
                self.on(campaign.day + 0.4, episode, campaign_index=index)

    def intent(self, buy: float = 0.35, abandon: float = 0.2) -> str:
        rng = self.journey.rng
        return rng.choices(
            ("purchase", "abandon", "browse"), (buy, abandon, 1 - buy - abandon)
        )[0]

    def web_visits(
        self, count: int, low: float = 0.0, high: float = 1.0, intent: str = ""
    ) -> None:
        """``count`` web sessions on random days (random intents unless given)."""
        for _ in range(count):
            day, chosen = self.day(low, high), intent or self.intent()
            self.on(day, shopping.web_visit, intent=chosen)
            if chosen == "purchase":
                self.purchase_followups(day)

    def app_sessions(self, count: int, *, buy: float, abandon: float) -> None:
        for _ in range(count):
            day, intent = self.day(0.0, 1.0), self.intent(buy, abandon)
            self.on(day, shopping.app_session, intent=intent)
            if intent == "purchase":
                self.purchase_followups(day)

    def purchase_followups(self, day: float) -> None:
        """After an online purchase: a WhatsApp shipping update when opted in."""
        self.on(day + self.journey.rng.uniform(1, 2.5), contact.whatsapp_update)

    def sorted_steps(self) -> list[Step]:
        return sorted(self.steps, key=lambda step: (step[0], step[1]))


def plan_journey(j: Journey, days: int) -> list[Step]:
    """Turn the persona's archetype into a dated list of episodes."""
    plan = _Plan(j, days)
    j.whatsapp_opt_in = (
        j.persona.market.code not in _NO_WHATSAPP_MARKETS and j.rng.random() < 0.4
    )
    _ARCHETYPE_PLANS[j.persona.archetype](plan, j)
    return plan.sorted_steps()


def _plan_store_only(plan: _Plan, j: Journey) -> None:
    for _ in range(j.rng.randint(2, 6)):
        plan.on(plan.day(), shopping.store_visit)


def _plan_web_only(plan: _Plan, j: Journey) -> None:
    count = j.rng.randint(2, 5)
    dates = sorted(plan.day() for _ in range(count))
    signup = j.rng.randrange(count) if j.rng.random() < 0.7 else None
    for k, day in enumerate(dates):
        plan.on(
            day,
            shopping.web_visit,
            intent="purchase" if k == count - 1 else plan.intent(),
            identify="signup" if k == signup else None,
            mobile=False,
        )


def _plan_app_only(plan: _Plan, j: Journey) -> None:
    for _ in range(j.rng.randint(3, 6)):
        plan.on(plan.day(), shopping.app_session, intent=plan.intent(0.3, 0.15))


def _plan_window_shopper(plan: _Plan, j: Journey) -> None:
    """Browses, fills carts, reads e-mails; never buys."""
    j.allow_purchase = False
    j.marketing_consent = j.rng.random() < 0.6
    plan.on(
        plan.day(0, 0.3),
        shopping.web_visit,
        identify="newsletter" if j.marketing_consent else None,
    )
    intent = "abandon" if j.rng.random() < 0.4 else "browse"
    plan.web_visits(j.rng.randint(1, 4), intent=intent)
    plan.campaigns("email")


def _plan_email_shopper(plan: _Plan, j: Journey) -> None:
    j.marketing_consent = j.email_subscribed = True
    j.sms_subscribed = j.rng.random() < 0.4
    plan.on(
        plan.day(0, 0.15), shopping.web_visit, intent=plan.intent(), identify="signup"
    )
    plan.web_visits(j.rng.randint(0, 2), 0.15, 1.0)
    plan.campaigns("email", 0.9)
    plan.campaigns("sms")


def _plan_mobile_shopper(plan: _Plan, j: Journey) -> None:
    j.push_enabled = j.rng.random() < 0.7
    j.marketing_consent = j.email_subscribed = j.rng.random() < 0.5
    plan.app_sessions(j.rng.randint(2, 5), buy=0.3, abandon=0.15)
    plan.web_visits(j.rng.choice((0, 0, 1, 2)))
    plan.campaigns("push")
    plan.campaigns("email")


def _plan_sms_store(plan: _Plan, j: Journey) -> None:
    j.sms_subscribed = True
    for _ in range(j.rng.randint(2, 4)):
        plan.on(plan.day(), shopping.store_visit)
    plan.web_visits(int(j.rng.random() < 0.4), intent="browse")
    plan.campaigns("sms", 1.0)


def _plan_service_seeker(plan: _Plan, j: Journey) -> None:
    """Buys online, then asks about the order in chat and sometimes by phone."""
    rng = j.rng
    j.marketing_consent = rng.random() < 0.4
    first = plan.day(0, 0.5)
    signup = rng.random() < 0.6
    plan.on(
        first,
        shopping.web_visit,
        intent="purchase",
        identify="signup" if signup else None,
    )
    plan.purchase_followups(first)
    plan.on(first + rng.uniform(2, 6), contact.service_contact, channel="chat")
    if rng.random() < 0.5:
        plan.on(
            first + rng.uniform(4, 10), contact.service_contact, channel="call_center"
        )
    plan.web_visits(int(rng.random() < 0.6), 0.5, 1.0, intent="purchase")
    plan.web_visits(rng.randint(0, 2))
    plan.campaigns("email")


def _plan_web_to_store(plan: _Plan, j: Journey) -> None:
    """The silo blind spot: an anonymous web cart bought in the store days later."""
    rng = j.rng
    j.marketing_consent = rng.random() < 0.7
    browse = plan.day(0, 0.55)
    newsletter = j.marketing_consent and rng.random() < 0.5
    plan.on(
        browse,
        shopping.web_visit,
        identify="newsletter" if newsletter else None,
        mobile=False,
    )
    abandon = browse + rng.uniform(0, 3)
    plan.on(abandon, shopping.web_visit, intent="abandon", mobile=False)
    store = abandon + rng.uniform(1, 8)
    plan.on(store, shopping.store_visit, from_cart=True)
    if not newsletter or rng.random() < 0.5:  # later signs in on the same browser
        plan.on(
            store + rng.uniform(2, 15),
            shopping.web_visit,
            intent=plan.intent(0.3, 0.1),
            identify="signup",
            mobile=False,
        )
    for _ in range(rng.choice((0, 0, 1, 2))):
        plan.on(plan.day(), shopping.store_visit)
    plan.campaigns("email")


def _plan_complaint(plan: _Plan, j: Journey) -> None:
    """Buy, complain publicly, get a call from the contact centre, maybe chat."""
    rng = j.rng
    j.marketing_consent = rng.random() < 0.5
    first = plan.day(0, 0.45)
    if rng.random() < 0.6:
        plan.on(
            first,
            shopping.web_visit,
            intent="purchase",
            identify="signup" if rng.random() < 0.7 else None,
        )
        plan.purchase_followups(first)
    else:
        plan.on(first, shopping.store_visit)
    plan.on(
        first + rng.uniform(3, 12),
        contact.social_complaint,
        chat_follow_up=rng.random() < 0.4,
    )
    for _ in range(rng.randint(1, 3)):
        plan.on(plan.day(), shopping.web_visit, intent=plan.intent(0.2, 0.2))
    plan.campaigns("email")


def _plan_omnichannel(plan: _Plan, j: Journey) -> None:
    """Everything: web, app, store, e-mail, SMS, push, chat, calls, maybe social."""
    rng = j.rng
    j.marketing_consent = True
    j.sms_subscribed = rng.random() < 0.6
    j.push_enabled = rng.random() < 0.6
    j.whatsapp_opt_in = j.whatsapp_opt_in or rng.random() < 0.3
    plan.on(plan.day(0, 0.1), shopping.web_visit, identify="signup", mobile=False)
    plan.app_sessions(rng.randint(2, 4), buy=0.25, abandon=0.15)
    abandon = plan.day(0.1, 0.7)
    plan.on(abandon, shopping.web_visit, intent="abandon", mobile=False)
    plan.on(abandon + rng.uniform(1, 6), shopping.store_visit, from_cart=True)
    for _ in range(rng.randint(0, 2)):
        plan.on(plan.day(), shopping.store_visit)
    for _ in range(rng.randint(1, 2)):
        plan.on(plan.day(), shopping.web_visit, intent=plan.intent(0.3, 0.2))
    plan.on(plan.day(0.2, 1.0), contact.service_contact, channel="chat")
    if rng.random() < 0.5:
        plan.on(plan.day(0.2, 1.0), contact.service_contact, channel="call_center")
    if j.persona.social and rng.random() < 0.4:
        plan.on(
            plan.day(0.3, 0.9),
            contact.social_complaint,
            chat_follow_up=rng.random() < 0.3,
        )
    plan.campaigns("email")
    plan.campaigns("sms")
    plan.campaigns("push")


_ARCHETYPE_PLANS: Final[dict[str, Callable[[_Plan, Journey], None]]] = {
    "store_only": _plan_store_only,
    "web_only": _plan_web_only,
    "app_only": _plan_app_only,
    "window_shopper": _plan_window_shopper,
    "web_to_store": _plan_web_to_store,
    "email_shopper": _plan_email_shopper,
    "mobile_shopper": _plan_mobile_shopper,
    "sms_store": _plan_sms_store,
    "social_complainer": _plan_complaint,
    "service_seeker": _plan_service_seeker,
    "omnichannel": _plan_omnichannel,
}
