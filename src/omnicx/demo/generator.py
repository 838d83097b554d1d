"""A deterministic, believable omnichannel retail business as Segment-spec messages.

``generate_business`` yields plain dicts exactly as an SDK would POST them as
``/v1/batch`` items, sorted by timestamp. Every person is simulated by a
:class:`~omnicx.demo.journey.Journey` that follows one of the shopping habits in
:data:`~omnicx.demo.people.ARCHETYPES` (store-only regulars, web carts bought in the
store, e-mail-driven shoppers, app shoppers, social complaints escalated to the call
centre …). The simulation advances everybody a week at a time and yields each week's
messages sorted, so memory stays at about a week of messages, whatever the size.

Ground truth: :func:`generate_business_with_truth` also returns the person behind
each message; :func:`demo_personas` returns those people. No identifier (user id,
anonymous id, e-mail, phone, loyalty id, handle) is ever shared by two people.

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
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Final

import msgspec

from omnicx.demo.catalog import CATEGORIES, EMAIL_CAMPAIGNS, SMS_CAMPAIGNS
from omnicx.demo.journey import DAY_MS, Campaign, Journey, World
from omnicx.demo.outbox import Item
from omnicx.demo.people import MAX_CUSTOMERS, Persona, make_personas
from omnicx.demo.plans import EPISODES, plan_journey

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

_decode = msgspec.json.Decoder(dict[str, Any]).decode
#: Days simulated per step: everybody runs these days' episodes, then the messages
#: stamped in them are sorted and yielded (memory: about this many days of messages).
WINDOW_DAYS = 7


def generate_business(
    customers: int = 5000, seed: int = 7, start: datetime | None = None, days: int = 90
) -> Iterator[dict[str, Any]]:
    """Yield the business's messages in timestamp order. Same arguments, same output."""
    for _t, _person, _seq, raw in _merged(customers, seed, start, days):
        yield _decode(raw)


def generate_business_json(
    customers: int = 5000, seed: int = 7, start: datetime | None = None, days: int = 90
) -> Iterator[bytes]:
    """The messages of :func:`generate_business` as UTF-8 JSON documents, ready to be
    joined into ``{"batch": [...]}`` bodies without decoding and re-encoding."""
    for _t, _person, _seq, raw in _merged(customers, seed, start, days):
        yield raw


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
    """Everybody's messages in timestamp order, simulated a few UTC days at a time.

    For each window of :data:`WINDOW_DAYS` days, every person with something to do
    runs the episodes planned in it (an episode never starts before its day, and a
    person's clock only moves forward), then the messages stamped before the window's
    end are sorted and yielded; later ones wait for their window. Memory stays at
    about one window of messages, held as JSON bytes the garbage collector ignores.
    """
    if not 0 <= customers <= MAX_CUSTOMERS or days <= 0:
        raise ValueError(f"need 0 <= customers <= {MAX_CUSTOMERS} and days > 0")
    world = _world(seed, start or DEFAULT_START, days)
    people = [
        _Scheduled(persona, world, days) for persona in make_personas(customers, seed)
    ]
    due: dict[int, list[_Scheduled]] = {}  # window -> people with something to do
    for person in people:
        due.setdefault(person.next_day() // WINDOW_DAYS, []).append(person)
    window = 0
    while due:
        last_day = (window + 1) * WINDOW_DAYS - 1
        window_end = world.midnight_ms + (last_day + 1) * DAY_MS
        batch: list[Item] = []
        for person in due.pop(window, ()):
            person.run_through(last_day)
            batch.extend(person.take_before(window_end))
            if not person.done:
                later = max(person.next_day() // WINDOW_DAYS, window + 1)
                due.setdefault(later, []).append(person)
        batch.sort()  # (t, person, seq) is unique: messages are never compared
        yield from batch
        window += 1


class _Scheduled:
    """A journey with its plan and how far through it the simulation is."""

    __slots__ = ("cursor", "journey", "steps")

    def __init__(self, persona: Persona, world: World, days: int) -> None:
        self.journey = Journey(persona, world)
        self.steps = plan_journey(self.journey, days)
        self.cursor = 0

    def run_through(self, day: int) -> None:
        journey, steps = self.journey, self.steps
        while self.cursor < len(steps) and steps[self.cursor][0] < day + 1:
            if journey.t > journey.world.end_ms:
                self.cursor = len(steps)
                return
            _day, _order, name, kwargs = steps[self.cursor]
            self.cursor += 1
            EPISODES[name](journey, _day, **kwargs)

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
        day = (
            int(self.steps[self.cursor][0])
            if self.cursor < len(self.steps)
            else 1 << 30
        )
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
