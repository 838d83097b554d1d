"""A deterministic, believable omnichannel retail business as Segment-spec messages.

``generate_business`` yields plain dicts exactly as an SDK would POST them as
``/v1/batch`` items, sorted by timestamp. Every person is simulated by a
:class:`~omnicx.demo.journey.Journey` that follows one of the shopping habits in
:data:`~omnicx.demo.people.ARCHETYPES` (store-only regulars, web carts bought in the
store, e-mail-driven shoppers, app shoppers, social complaints escalated to the call
centre …). Persons are generated one episode at a time and merged lazily, so memory stays
at roughly one episode per customer.

Identities, as the platform has to resolve them:

* web/app: ``anonymousId`` per browser or install; ``identify`` (sign-up, log-in,
  newsletter, guest checkout) ties it to ``userId`` and/or ``traits.email``;
* store: one POS ``anonymousId`` per transaction, the person in ``context.traits``
  (``loyalty_id``, ``phone`` — E.164 or national format such as ``052-123-4567``, whose
  country is ``context.location.country`` — or ``email``);
* e-mail/SMS/WhatsApp/call centre: ``context.traits.email`` / ``context.traits.phone``,
  with ``userId`` once the person has an account (the call centre only on a CRM match);
* social: ``context.externalIds`` with the handle; the outbound call that answers a
  complaint carries the handle *and* the phone.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Final

import msgspec

from omnicx.demo import contact, shopping
from omnicx.demo.catalog import CATEGORIES, EMAIL_CAMPAIGNS, SMS_CAMPAIGNS
from omnicx.demo.journey import DAY_MS, Campaign, Journey, World
from omnicx.demo.outbox import Item
from omnicx.demo.people import Persona, make_personas

DEFAULT_START: Final = datetime(2026, 8, 1, tzinfo=UTC)

#: Every channel the demo uses (``context.channel``).
DEMO_CHANNELS: Final = (
    "web",
    "mobile_app",
    "email",
    "sms",
    "push",
    "whatsapp",
    "social",
    "chat",
    "call_center",
    "store",
)
DEMO_ECOMMERCE_EVENTS: Final = (
    "Products Searched",
    "Product Viewed",
    "Product Added",
    "Cart Viewed",
    "Checkout Started",
    "Payment Info Entered",
    "Order Completed",
)
DEMO_SERVICE_EVENTS: Final = (
    "Complaint Posted",
    "Ticket Opened",
    "Ticket Resolved",
    "Call Started",
    "Call Ended",
    "Chat Started",
    "Chat Ended",
)
DEMO_MESSAGING_EVENTS: Final = (
    "Email Sent",
    "Email Opened",
    "Email Link Clicked",
    "Unsubscribed",
    "SMS Sent",
    "SMS Clicked",
    "Push Notification Received",
    "Push Notification Tapped",
    "WhatsApp Message Sent",
    "WhatsApp Message Read",
)
DEMO_ACCOUNT_EVENTS: Final = (
    "Signed Up",
    "Signed In",
    "Newsletter Subscribed",
    "Loyalty Program Joined",
    "Application Installed",
    "Application Opened",
    "Application Backgrounded",
)
#: Every ``track`` event name the generator can produce.
DEMO_EVENT_NAMES: Final = (
    DEMO_ECOMMERCE_EVENTS
    + DEMO_SERVICE_EVENTS
    + DEMO_MESSAGING_EVENTS
    + DEMO_ACCOUNT_EVENTS
)
#: Events that mean money changed hands (a conversion).
DEMO_CONVERSION_EVENT: Final = "Order Completed"

_NO_WHATSAPP_MARKETS: Final = frozenset({"US"})
_decode = msgspec.json.Decoder(dict[str, Any]).decode


def generate_business(
    customers: int = 5000, seed: int = 7, start: datetime | None = None, days: int = 90
) -> Iterator[dict[str, Any]]:
    """Yield the business's messages in timestamp order. Same arguments, same output."""
    for _t, _person, _seq, raw in _merged(customers, seed, start, days):
        yield _decode(raw)


def generate_business_with_truth(
    customers: int = 5000, seed: int = 7, start: datetime | None = None, days: int = 90
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The same messages as :func:`generate_business`, plus the ground truth: the index
    of the real person behind each ``messageId`` (for identity-resolution checks)."""
    messages: list[dict[str, Any]] = []
    person_of_message: dict[str, int] = {}
    for _t, person, _seq, raw in _merged(customers, seed, start, days):
        message = _decode(raw)
        messages.append(message)
        person_of_message[message["messageId"]] = person
    return messages, person_of_message


def demo_personas(customers: int = 5000, seed: int = 7) -> list[Persona]:
    """The people behind :func:`generate_business` (index = ground-truth person id)."""
    return make_personas(customers, seed)


def _merged(
    customers: int, seed: int, start: datetime | None, days: int
) -> Iterator[Item]:
    """Everybody's messages in timestamp order, simulated one UTC day at a time.

    On day ``d`` every person runs the episodes planned for day ``d`` (an episode never
    starts before its day, and a person's clock only moves forward), then the messages
    stamped before the next midnight are sorted and yielded. Memory stays at about one
    day of messages, and little of it lives long enough to burden the garbage collector.
    """
    if customers < 0 or days <= 0:
        raise ValueError("customers must be >= 0 and days > 0")
    world = _world(seed, start or DEFAULT_START, days)
    people = [_Scheduled(persona, world, days) for persona in make_personas(customers, seed)]
    due: dict[int, list[_Scheduled]] = {}  # day -> people with something to do
    for person in people:
        due.setdefault(person.next_day(), []).append(person)
    day = 0
    while due:
        window_end = world.midnight_ms + (day + 1) * DAY_MS
        batch: list[Item] = []
        for person in due.pop(day, ()):
            person.run_through(day)
            batch.extend(person.take_before(window_end))
            if not person.done:
                due.setdefault(max(person.next_day(), day + 1), []).append(person)
        batch.sort()  # (t, person, seq) is unique: messages are never compared
        yield from batch
        day += 1


class _Scheduled:
    """A journey with its plan and how far through it the simulation is."""

    __slots__ = ("cursor", "journey", "steps")

    def __init__(self, persona: Persona, world: World, days: int) -> None:
        self.journey = Journey(persona, world)
        self.steps = _plan(self.journey, days)
        self.cursor = 0

    def run_through(self, day: int) -> None:
        journey, steps = self.journey, self.steps
        while self.cursor < len(steps) and steps[self.cursor][0] < day + 1:
            if journey.t > journey.world.end_ms:
                self.cursor = len(steps)
                return
            _day, _order, name, kwargs = steps[self.cursor]
            self.cursor += 1
            _EPISODES[name](journey, _day, **kwargs)

    def take_before(self, window_end: int) -> list[Item]:
        items = self.journey.out.items
        if not items or items[0][0] >= window_end:
            return []
        cut = bisect.bisect_left(items, window_end, key=_timestamp)
        taken, self.journey.out.items = items[:cut], items[cut:]
        end = self.journey.world.end_ms
        return taken if taken[-1][0] <= end else [i for i in taken if i[0] <= end]

    @property
    def done(self) -> bool:
        return self.cursor >= len(self.steps) and not self.journey.out.items

    def next_day(self) -> int:
        """The next day this person has an episode to run or a message to hand out."""
        journey = self.journey
        day = int(self.steps[self.cursor][0]) if self.cursor < len(self.steps) else 1 << 30
        if journey.out.items:
            waiting = (journey.out.items[0][0] - journey.world.midnight_ms) // DAY_MS
            day = min(day, waiting)
        return day


def _timestamp(item: Item) -> int:
    return item[0]


def _world(seed: int, start: datetime, days: int) -> World:
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    start_ms = int(start.timestamp() * 1000)
    campaigns = []
    for k, day in enumerate(range(2, days, 9)):
        slug, name, subject = EMAIL_CAMPAIGNS[k % len(EMAIL_CAMPAIGNS)]
        category = CATEGORIES[k % len(CATEGORIES)]
        campaigns.append(
            Campaign(f"em-{k + 1:02d}-{slug}", name, subject, "email", day, category)
        )
        if k % 2:
            campaigns.append(
                Campaign(
                    f"push-{k + 1:02d}-{slug}", name, subject, "push", day, category
                )
            )
    for k, day in enumerate(range(5, days, 15)):
        slug, name, text = SMS_CAMPAIGNS[k % len(SMS_CAMPAIGNS)]
        category = CATEGORIES[(k + 3) % len(CATEGORIES)]
        campaigns.append(
            Campaign(f"sms-{k + 1:02d}-{slug}", name, text, "sms", day, category)
        )
    return World(
        seed=seed,
        start_ms=start_ms,
        end_ms=start_ms + days * DAY_MS,
        midnight_ms=start_ms - start_ms % DAY_MS,
        campaigns=tuple(sorted(campaigns, key=lambda c: c.day)),
    )


#: Plan step: (day, order planned, episode name, keyword arguments). Plain values only,
#: so thousands of waiting plans cost the garbage collector nothing.
_Step = tuple[float, int, str, dict[str, Any]]
_EPISODES: Final[dict[str, Callable[..., None]]] = {
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
        self.steps: list[_Step] = []

    def day(self, low: float = 0.0, high: float = 1.0) -> float:
        """A random day between two fractions of the window."""
        return self.journey.rng.uniform(low * self.days, high * self.days)

    def on(self, day: float, episode: Callable[..., None], **kw: Any) -> None:
        """Run ``episode(journey, day, **kw)`` (``shopping.web_visit`` …) on ``day``."""
        assert _EPISODES[episode.__name__] is episode
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

    def purchase_followups(self, day: float) -> None:
        """After an online purchase: a WhatsApp shipping update when opted in."""
        self.on(day + self.journey.rng.uniform(1, 2.5), contact.whatsapp_update)

    def sorted_steps(self) -> list[_Step]:
        return sorted(self.steps, key=lambda step: (step[0], step[1]))


def _plan(j: Journey, days: int) -> list[_Step]:
    """Turn the persona's archetype into a dated list of episodes."""
    plan = _Plan(j, days)
    rng, persona = j.rng, j.persona
    archetype = persona.archetype
    j.whatsapp_opt_in = (
        persona.market.code not in _NO_WHATSAPP_MARKETS and rng.random() < 0.4
    )

    def visits(
        count: int, low: float = 0.0, high: float = 1.0, intent: str = ""
    ) -> None:
        for _ in range(count):
            day, chosen = plan.day(low, high), intent or plan.intent()
            plan.on(day, shopping.web_visit, intent=chosen)
            if chosen == "purchase":
                plan.purchase_followups(day)

    if archetype == "store_only":
        for _ in range(rng.randint(2, 6)):
            plan.on(plan.day(), shopping.store_visit)
    elif archetype == "web_only":
        count = rng.randint(2, 5)
        dates = sorted(plan.day() for _ in range(count))
        signup = rng.randrange(count) if rng.random() < 0.7 else None
        for k, day in enumerate(dates):
            intent = "purchase" if k == count - 1 else plan.intent()
            plan.on(
                day,
                shopping.web_visit,
                intent=intent,
                identify="signup" if k == signup else None,
                mobile=False,
            )
    elif archetype == "app_only":
        for _ in range(rng.randint(3, 6)):
            plan.on(plan.day(), shopping.app_session, intent=plan.intent(0.3, 0.15))
    elif archetype == "window_shopper":
        j.allow_purchase = False
        j.marketing_consent = rng.random() < 0.6
        plan.on(
            plan.day(0, 0.3),
            shopping.web_visit,
            identify="newsletter" if j.marketing_consent else None,
        )
        visits(rng.randint(1, 4), intent="abandon" if rng.random() < 0.4 else "browse")
        plan.campaigns("email")
    elif archetype == "web_to_store":
        _plan_web_to_store(plan, j)
    elif archetype == "email_shopper":
        j.marketing_consent = j.email_subscribed = True
        j.sms_subscribed = rng.random() < 0.4
        plan.on(
            plan.day(0, 0.15),
            shopping.web_visit,
            intent=plan.intent(),
            identify="signup",
        )
        visits(rng.randint(0, 2), 0.15, 1.0)
        plan.campaigns("email", 0.9)
        plan.campaigns("sms")
    elif archetype == "mobile_shopper":
        j.push_enabled = rng.random() < 0.7
        j.marketing_consent = j.email_subscribed = rng.random() < 0.5
        for _ in range(rng.randint(2, 5)):
            day = plan.day()
            intent = plan.intent(0.3, 0.15)
            plan.on(day, shopping.app_session, intent=intent)
            if intent == "purchase":
                plan.purchase_followups(day)
        visits(rng.choice((0, 0, 1, 2)))
        plan.campaigns("push")
        plan.campaigns("email")
    elif archetype == "sms_store":
        j.sms_subscribed = True
        for _ in range(rng.randint(2, 4)):
            plan.on(plan.day(), shopping.store_visit)
        visits(int(rng.random() < 0.4), intent="browse")
        plan.campaigns("sms", 1.0)
    elif archetype == "social_complainer":
        _plan_complaint(plan, j)
    elif archetype == "service_seeker":
        j.marketing_consent = rng.random() < 0.4
        first = plan.day(0, 0.5)
        plan.on(
            first,
            shopping.web_visit,
            intent="purchase",
            identify="signup" if rng.random() < 0.6 else None,
        )
        plan.purchase_followups(first)
        plan.on(first + rng.uniform(2, 6), contact.service_contact, channel="chat")
        if rng.random() < 0.5:
            plan.on(
                first + rng.uniform(4, 10),
                contact.service_contact,
                channel="call_center",
            )
        visits(int(rng.random() < 0.6), 0.5, 1.0, intent="purchase")
        visits(rng.randint(0, 2))
        plan.campaigns("email")
    else:
        _plan_omnichannel(plan, j)
    return plan.sorted_steps()


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
    for _ in range(rng.randint(2, 4)):
        day, intent = plan.day(0.05, 1.0), plan.intent(0.25, 0.15)
        plan.on(day, shopping.app_session, intent=intent)
        if intent == "purchase":
            plan.purchase_followups(day)
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
