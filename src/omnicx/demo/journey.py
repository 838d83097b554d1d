"""One person's life with the business: state, clock and the shopping episodes.

A :class:`Journey` runs episodes in time order; each one appends messages to the
person's :class:`~omnicx.demo.outbox.Outbox` with a clock that only moves forward, so a
person's messages come out sorted. Service, campaign and messaging episodes live in
:mod:`omnicx.demo.contact`.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from omnicx.demo.catalog import (
    APP_DEVICES,
    DESKTOP_USER_AGENTS,
    MOBILE_USER_AGENTS,
    PRODUCTS,
    SHOP_URL,
    Product,
    category_slug,
    local_price,
)
from omnicx.demo.outbox import AppInstall, Browser, Outbox
from omnicx.demo.people import PER_PERSON, Persona, scrambled

DAY_MS = 86_400_000
WEB_HOURS = (7.0, 23.9, 21.0)  # triangular (low, high, mode), local time
APP_HOURS = (7.0, 23.9, 20.0)
STORE_HOURS = (10.0, 21.0, 17.0)
OFFICE_HOURS = (9.0, 19.0, 12.0)
#: A bought line: (product, variant, quantity).
Line = tuple[Product, str, int]


@dataclass(frozen=True, slots=True)
class Campaign:
    """One blast of the marketing calendar (e-mail, SMS or push)."""

    campaign_id: str
    name: str
    text: str
    channel: str
    day: int
    landing_category: str

    @property
    def utm(self) -> dict[str, str]:
        """The campaign as analytics.js reports it in ``context.campaign``."""
        source = {"email": "newsletter", "sms": "sms", "push": "app"}[self.channel]
        return {"name": self.campaign_id, "source": source, "medium": self.channel}

    @property
    def landing_path(self) -> str:
        return f"/c/{category_slug(self.landing_category)}"

    @property
    def landing_query(self) -> str:
        utm = self.utm
        return (
            f"?utm_source={utm['source']}&utm_medium={utm['medium']}"
            f"&utm_campaign={utm['name']}"
        )


@dataclass(frozen=True, slots=True)
class World:
    """What every journey shares: the time window, the seed and the calendar."""

    seed: int
    start_ms: int
    end_ms: int
    midnight_ms: int  # UTC midnight of the first day
    campaigns: tuple[Campaign, ...]


class Journey:
    """The simulated customer: identifiers, consent flags, cart and clock."""

    def __init__(self, persona: Persona, world: World) -> None:
        self.persona = persona
        self.world = world
        self.rng = random.Random(persona.rng_seed)
        self.out = Outbox(
            self.rng, persona.index, persona.locale, persona.market.timezone
        )
        self.t = world.start_ms
        self.browsers: list[Browser] = []
        self.last_browser: Browser | None = None
        self.app: AppInstall | None = None
        self.app_installed = False
        self.registered = False  # has an online account (persona.user_id)
        self.loyalty_enrolled = False
        self.email_subscribed = False
        self.sms_subscribed = False
        self.push_enabled = False
        self.whatsapp_opt_in = False
        self.allow_purchase = True
        self.marketing_consent = False  # signing up also subscribes to e-mails
        self.cart: list[Line] = []
        self._counters: dict[str, int] = {}
        self.last_order_id: str | None = None
        self._page: dict[str, str] = {}
        self._page_campaign: dict[str, str] | None = None

    # -- clock and identifiers -------------------------------------------------------
    def begin(
        self,
        day: float,
        hours: tuple[float, float, float],
        offset_min: int | None = None,
    ) -> None:
        """Start an episode on ``day`` at a plausible local hour, after anything the
        person already did. ``offset_min``: the place's UTC offset (default: home)."""
        if offset_min is None:
            offset_min = self.persona.market.utc_offset_min
        offset = offset_min
        local_ms = int(self.rng.triangular(*hours) * 3_600_000)
        planned = (
            self.world.midnight_ms + int(day) * DAY_MS + local_ms - offset * 60_000
        )
        self.t = max(
            planned, self.world.start_ms, self.t + self.rng.randint(60_000, 900_000)
        )

    def wait(self, low_s: float, high_s: float) -> int:
        self.t += int(self.rng.uniform(low_s, high_s) * 1000)
        return self.t

    def within_office_hours(self) -> None:
        """Move the clock to the person's next local 9:00-19:00 (staffed hours)."""
        offset_ms = self.persona.market.utc_offset_min * 60_000
        local_ms = (self.t + offset_ms) % DAY_MS
        opens, closes = 9 * 3_600_000, 19 * 3_600_000
        if local_ms < opens:
            self.t += opens - local_ms + self.rng.randint(0, 7_200_000)
        elif local_ms > closes:
            self.t += DAY_MS - local_ms + opens + self.rng.randint(0, 7_200_000)

    def documentation_ip(self) -> str:
        """An address from the documentation ranges (RFC 5737): never a real host."""
        return (
            f"{self.rng.choice(('198.51.100', '203.0.113'))}.{self.rng.randint(1, 254)}"
        )

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def number(self, kind: str) -> int:
        """A unique 10-digit number for this person's next ``kind`` (order, call …)."""
        counter = self._counters.get(kind, 0) + 1
        self._counters[kind] = counter
        return scrambled(
            self.world.seed, kind, self.persona.index * PER_PERSON + counter
        )

    def pick_products(self, count: int, category: str | None = None) -> list[Product]:
        categories = (category,) if category else self.persona.favourite_categories
        pool = [p for p in PRODUCTS if p.category in categories]
        if category is None and self.rng.random() < 0.25:
            pool = list(PRODUCTS)
        return self.rng.sample(pool, min(count, len(pool)))

    def line(self, product: Product) -> Line:
        return (
            product,
            self.rng.choice(product.variants),
            1 + (self.rng.random() < 0.12),
        )

    @property
    def currency(self) -> str:
        return self.persona.market.currency

    def product_properties(
        self, line: Line, currency: str, *, event: str = "", url: bool = False
    ) -> dict[str, Any]:
        """A product as the e-commerce spec describes it: an item of a ``products``
        list by default, or the properties of a ``viewed`` / ``added`` event."""
        product, variant, quantity = line
        properties: dict[str, Any] = {
            "product_id": product.product_id,
            "sku": product.sku,
            "name": product.name,
            "category": product.category,
            "brand": "Lumen",
            "variant": variant,
            "price": local_price(product.price_usd, currency),
        }
        if event != "viewed":
            properties["quantity"] = quantity
        if event:
            properties["currency"] = currency
        if url:
            properties["url"] = self.url(f"/p/{product.slug}")
        return properties

    def order_properties(
        self, lines: list[Line], currency: str, prefix: str, coupon: str | None = None
    ) -> dict[str, Any]:
        products = [self.product_properties(line, currency) for line in lines]
        subtotal = round(sum(p["price"] * p["quantity"] for p in products), 2)
        discount = round(subtotal * 0.15, 2) if coupon else 0.0
        revenue = round(subtotal - discount, 2)
        shipping = 0.0 if prefix == "S" or revenue > 150 else local_price(6, currency)
        order_id = f"{prefix}{self.number('order'):010d}"
        self.last_order_id = order_id
        properties: dict[str, Any] = {
            "order_id": order_id,
            "subtotal": subtotal,
            "discount": discount,
            "shipping": shipping,
            "revenue": revenue,
            "total": round(revenue + shipping, 2),
            "currency": currency,
            "products": products,
        }
        if coupon:
            properties["coupon"] = coupon
        return properties

    # -- web -------------------------------------------------------------------------
    def url(self, path: str) -> str:
        language = self.persona.language
        return f"{SHOP_URL}{'' if language == 'en' else '/' + language}{path}"

    def browser(self, mobile: bool | None = None) -> Browser:
        """A browser the person already uses, or a new one (a new anonymous id)."""
        if mobile is None:
            if self.last_browser and self.rng.random() < 0.8:
                return self.last_browser
            mobile = self.rng.random() < 0.45
        browser = next((b for b in self.browsers if b.mobile == mobile), None)
        if browser is None:
            agents = MOBILE_USER_AGENTS if mobile else DESKTOP_USER_AGENTS
            ip = self.documentation_ip()
            browser = Browser(self.new_uuid(), self.rng.choice(agents), ip, mobile)
            self.browsers.append(browser)
        self.last_browser = browser
        return browser

    def page(
        self,
        browser: Browser,
        name: str,
        path: str,
        title: str,
        *,
        referrer: str | None = None,
        campaign: dict[str, str] | None = None,
        query: str = "",
    ) -> None:
        """Navigate to a page and send the analytics.js page call."""
        self.wait(8, 90)
        url = self.url(path)
        previous = self._page.get("url", "") if referrer is None else referrer
        self._page = {
            "path": url.removeprefix(SHOP_URL),
            "referrer": previous,
            "search": query,
            "title": f"{title} | Lumen",
            "url": url + query,
        }
        self._page_campaign = campaign
        self.out.web(
            self.t, browser, self._page, kind="page", page_name=name, campaign=campaign
        )

    def web_track(
        self, browser: Browser, event: str, properties: dict[str, Any]
    ) -> None:
        self.t += self.rng.randint(150, 2500)
        self.out.web(
            self.t,
            browser,
            self._page,
            event=event,
            properties=properties,
            campaign=self._page_campaign,
        )

    def web_identify(self, browser: Browser, traits: dict[str, Any]) -> None:
        self.t += self.rng.randint(200, 1500)
        self.out.web(self.t, browser, self._page, kind="identify", traits=traits)

    # -- mobile app ------------------------------------------------------------------
    def ensure_app(self) -> AppInstall:
        if self.app is None:
            rng, persona = self.rng, self.persona
            manufacturer, model, os_version, screen = rng.choice(
                APP_DEVICES[persona.mobile_os]
            )
            ip = self.documentation_ip()
            device_id = self.new_uuid()
            if persona.mobile_os == "ios":
                device_id = device_id.upper()
            self.app = AppInstall(
                self.new_uuid(),
                device_id,
                persona.mobile_os,
                manufacturer,
                model,
                os_version,
                screen,
                rng.choice(persona.market.carriers),
                ip,
            )
        return self.app
