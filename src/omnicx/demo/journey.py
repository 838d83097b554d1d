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
    SEARCH_TERMS,
    SHOP_URL,
    STORES,
    Product,
    category_slug,
    local_price,
)
from omnicx.demo.outbox import AppInstall, Browser, Outbox
from omnicx.demo.people import Persona, scrambled

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
        self.out = Outbox(world.seed, persona.index, persona.locale, persona.market.timezone)
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
    def begin(self, day: float, hours: tuple[float, float, float], offset_min: int = 0) -> None:
        """Start an episode on ``day`` at a plausible local hour (never in the past)."""
        offset = offset_min or self.persona.market.utc_offset_min
        local_ms = int(self.rng.triangular(*hours) * 3_600_000)
        planned = self.world.midnight_ms + int(day) * DAY_MS + local_ms - offset * 60_000
        self.t = max(planned, self.world.start_ms, self.t + self.rng.randint(60_000, 900_000))

    def wait(self, low_s: float, high_s: float) -> int:
        self.t += int(self.rng.uniform(low_s, high_s) * 1000)
        return self.t

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def number(self, kind: str) -> int:
        """A unique 9-digit number for this person's next ``kind`` (order, call …)."""
        counter = self._counters.get(kind, 0) + 1
        self._counters[kind] = counter
        return scrambled(self.world.seed, kind, self.persona.index * 4096 + counter)

    def pick_products(self, count: int, category: str | None = None) -> list[Product]:
        categories = (category,) if category else self.persona.favourite_categories
        pool = [p for p in PRODUCTS if p.category in categories]
        if category is None and self.rng.random() < 0.25:
            pool = list(PRODUCTS)
        return self.rng.sample(pool, min(count, len(pool)))

    def line(self, product: Product) -> Line:
        return product, self.rng.choice(product.variants), 1 + (self.rng.random() < 0.12)

    @property
    def currency(self) -> str:
        return self.persona.market.currency

    def product_properties(self, line: Line, currency: str, *, url: bool = True) -> dict:
        product, variant, quantity = line
        properties: dict[str, Any] = {
            "product_id": product.product_id,
            "sku": product.sku,
            "name": product.name,
            "category": product.category,
            "brand": "Lumen",
            "variant": variant,
            "price": local_price(product.price_usd, currency),
            "quantity": quantity,
        }
        if url:
            properties["url"] = self.url(f"/p/{product.slug}")
        return properties

    def order_properties(
        self, lines: list[Line], currency: str, prefix: str, coupon: str | None = None
    ) -> dict[str, Any]:
        products = [self.product_properties(line, currency, url=False) for line in lines]
        subtotal = round(sum(p["price"] * p["quantity"] for p in products), 2)
        discount = round(subtotal * 0.15, 2) if coupon else 0.0
        revenue = round(subtotal - discount, 2)
        shipping = 0.0 if prefix == "S" or revenue > 150 else local_price(6, currency)
        order_id = f"{prefix}{self.number('order'):09d}"
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
            ip = f"{self.rng.choice(('198.51.100', '203.0.113'))}.{self.rng.randint(1, 254)}"
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
        self.out.web(self.t, browser, self._page, kind="page", page_name=name)

    def web_track(self, browser: Browser, event: str, properties: dict[str, Any]) -> None:
        self.t += self.rng.randint(150, 2500)
        self.out.web(
            self.t, browser, self._page, event=event, properties=properties,
            campaign=self._page_campaign,
        )  # fmt: skip

    def web_identify(self, browser: Browser, traits: dict[str, Any]) -> None:
        self.t += self.rng.randint(200, 1500)
        self.out.web(self.t, browser, self._page, kind="identify", traits=traits)

    def web_visit(
        self,
        day: float | None,
        *,
        intent: str = "browse",
        identify: str | None = None,
        campaign: Campaign | None = None,
        mobile: bool | None = None,
    ) -> None:
        """A web session. ``intent``: browse | abandon | purchase; ``identify``:
        signup | login | newsletter; ``day`` None continues right now (a click)."""
        if day is not None:
            self.begin(day, WEB_HOURS)
        rng = self.rng
        browser = self.browser(mobile)
        landing = campaign.landing_category if campaign else None
        products = self.pick_products(rng.choice((1, 1, 2, 2, 3, 4)), landing)
        category = products[0].category
        category_path = "/c/" + category_slug(category)
        if campaign is not None:
            medium = "email" if campaign.channel == "email" else campaign.channel
            source = {"email": "newsletter", "sms": "sms", "push": "app"}[medium]
            utm = {"name": campaign.campaign_id, "source": source, "medium": medium}
            query = (f"?utm_source={source}&utm_medium={medium}"
                     f"&utm_campaign={campaign.campaign_id}")  # fmt: skip
            self.page(browser, "Category", category_path, category, referrer="",
                      campaign=utm, query=query)  # fmt: skip
        else:
            referrer = rng.choice(
                ("https://www.google.com/", "https://www.google.com/", "",
                 "https://www.instagram.com/", "https://www.facebook.com/")
            )  # fmt: skip
            self.page(browser, "Home", "/", "Home", referrer=referrer)
            if rng.random() < 0.35:
                term = rng.choice(SEARCH_TERMS[category])
                self.web_track(browser, "Products Searched", {"query": term})
                self.page(browser, "Search", "/search", "Search",
                          query="?q=" + term.replace(" ", "+"))  # fmt: skip
            else:
                self.page(browser, "Category", category_path, category)
        for product in products:
            self.page(browser, "Product", f"/p/{product.slug}", product.name)
            properties = self.product_properties(self.line(product), self.currency)
            del properties["quantity"]
            self.web_track(browser, "Product Viewed", properties | {"currency": self.currency})
        if identify:
            self.web_identity_step(browser, identify)
        if intent == "browse" or not self.allow_purchase:
            return
        if self.cart and rng.random() < 0.5:
            lines = self.cart  # came back for the saved cart
        else:
            lines = [self.line(p) for p in products[: rng.randint(1, len(products))]]
        cart_id = f"cart_{scrambled(self.world.seed, 'cart', self.persona.index):09d}"
        for line in lines:
            added = self.product_properties(line, self.currency)
            self.web_track(browser, "Product Added", added | {"cart_id": cart_id})
        cart = {"cart_id": cart_id, "currency": self.currency,
                "products": [self.product_properties(x, self.currency, url=False)
                             for x in lines]}  # fmt: skip
        self.page(browser, "Cart", "/cart", "Your cart")
        self.web_track(browser, "Cart Viewed", cart)
        if intent == "abandon":
            self.cart = lines
            if rng.random() < 0.65:
                self.page(browser, "Checkout", "/checkout", "Checkout")
                self.web_track(browser, "Checkout Started", cart)
            return
        if not browser.user_id:
            self.web_identity_step(browser, "login" if self.registered else "checkout")
        order = self.order_properties(lines, self.currency, "W")
        self.page(browser, "Checkout", "/checkout", "Checkout")
        self.web_track(browser, "Checkout Started", cart | {"order_id": order["order_id"]})
        self.wait(30, 240)
        self.web_track(browser, "Payment Info Entered",
                       {"order_id": order["order_id"], "payment_method": "card"})  # fmt: skip
        self.web_track(browser, "Order Completed", order | {"affiliation": "Lumen Online"})
        self.page(browser, "Order Confirmation", "/checkout/confirmation", "Thank you")
        self.cart = []

    def web_identity_step(self, browser: Browser, how: str) -> None:
        """Sign up, log in, subscribe to the newsletter or check out as a guest."""
        persona = self.persona
        if how == "login" and not self.registered:
            how = "signup"
        if how == "signup":
            self.page(browser, "Sign Up", "/account/signup", "Create your account")
            browser.user_id = persona.user_id
            self.registered = True
            traits = persona.identify_traits(with_loyalty=self.rng.random() < 0.7)
            if self.rng.random() < 0.25:  # typed with spaces, as people do
                traits["phone"] = f"+{persona.market.dial_code} " + persona.phone_national[1:]
            self.web_identify(browser, traits)
            self.web_track(browser, "Signed Up", {"method": "email"})
            self.email_subscribed = self.email_subscribed or self.marketing_consent
        elif how == "login":
            self.page(browser, "Log In", "/account/login", "Log in")
            browser.user_id = persona.user_id
            self.web_identify(browser, {"email": persona.email})
            self.web_track(browser, "Signed In", {"method": "email"})
        elif how == "newsletter":
            self.web_identify(browser, {"email": persona.email, "language": persona.language})
            self.web_track(browser, "Newsletter Subscribed", {"list": "weekly"})
            self.email_subscribed = True
        else:  # guest checkout: identify by the e-mail and phone on the order form
            self.web_identify(
                browser, {"email": persona.email, "phone": persona.phone,
                          "first_name": persona.first_name,
                          "last_name": persona.last_name}
            )  # fmt: skip

    # -- mobile app ------------------------------------------------------------------
    def ensure_app(self) -> AppInstall:
        if self.app is None:
            rng, persona = self.rng, self.persona
            manufacturer, model, os_version, screen = rng.choice(
                APP_DEVICES[persona.mobile_os]
            )
            ip = f"{rng.choice(('198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"
            device_id = self.new_uuid()
            if persona.mobile_os == "ios":
                device_id = device_id.upper()
            self.app = AppInstall(
                self.new_uuid(), device_id, persona.mobile_os, manufacturer, model,
                os_version, screen, rng.choice(persona.market.carriers), ip,
            )  # fmt: skip
        return self.app

    def app_session(self, day: float | None, *, intent: str = "browse") -> None:
        """An app session: open, screens, products, maybe a purchase, background."""
        if day is not None:
            self.begin(day, APP_HOURS)
        rng, persona = self.rng, self.persona
        app = self.ensure_app()
        wifi = rng.random() < 0.6
        version = {"version": "5.12.1", "build": "5121"}
        first_run = not self.app_installed
        if first_run:
            self.out.app(self.t, app, event="Application Installed", properties=version,
                         wifi=wifi)  # fmt: skip
            self.app_installed = True
        self.t += rng.randint(300, 3000)
        self.out.app(self.t, app, event="Application Opened", wifi=wifi,
                     properties=version | {"from_background": not first_run})  # fmt: skip
        if app.user_id is None and (self.registered or not first_run or rng.random() < 0.5):
            self.wait(10, 60)
            self.out.app(self.t, app, kind="screen", name="Log In", wifi=wifi)
            newly = not self.registered
            app.user_id = persona.user_id
            self.registered = True
            self.wait(15, 90)
            traits = persona.identify_traits()
            self.out.app(self.t, app, kind="identify", traits=traits, wifi=wifi)
            app.traits = traits
            if newly and rng.random() < 0.5:
                self.out.app(self.t + 5, app, kind="alias", previous_id=app.anonymous_id,
                             wifi=wifi)  # fmt: skip
                self.t += 5
        self.wait(5, 40)
        self.out.app(self.t, app, kind="screen", name="Home", wifi=wifi)
        products = self.pick_products(rng.choice((1, 2, 2, 3)))
        for product in products:
            self.wait(10, 120)
            self.out.app(self.t, app, kind="screen", name="Product Detail", wifi=wifi,
                         properties={"product_id": product.product_id})  # fmt: skip
            viewed = self.product_properties(self.line(product), self.currency, url=False)
            self.t += rng.randint(100, 900)
            self.out.app(self.t, app, event="Product Viewed", properties=viewed, wifi=wifi)
        if intent != "browse" and self.allow_purchase:
            lines = [self.line(p) for p in products[: rng.randint(1, len(products))]]
            for line in lines:
                self.wait(3, 40)
                added = self.product_properties(line, self.currency, url=False)
                self.out.app(self.t, app, event="Product Added", properties=added, wifi=wifi)
            self.wait(5, 60)
            self.out.app(self.t, app, kind="screen", name="Cart", wifi=wifi)
            if intent == "purchase":
                order = self.order_properties(lines, self.currency, "A")
                affiliation = f"Lumen {'iOS' if app.os == 'ios' else 'Android'} App"
                self.wait(20, 120)
                self.out.app(self.t, app, event="Checkout Started", wifi=wifi,
                             properties={"order_id": order["order_id"],
                                         "currency": self.currency,
                                         "value": order["revenue"]})  # fmt: skip
                self.wait(30, 200)
                self.out.app(self.t, app, event="Order Completed", wifi=wifi,
                             properties=order | {"affiliation": affiliation})  # fmt: skip
        self.wait(30, 400)
        self.out.app(self.t, app, event="Application Backgrounded", wifi=wifi)

    # -- store -----------------------------------------------------------------------
    def store_visit(
        self, day: float, *, from_cart: bool = False, coupon: str | None = None
    ) -> None:
        """A purchase at the till, identified by loyalty card, phone or e-mail."""
        rng, persona = self.rng, self.persona
        store = persona.home_store
        if rng.random() < 0.15:
            store = rng.choice([s for s in STORES if s.country == store.country])
        self.begin(day, STORE_HOURS, store.utc_offset_min)
        transaction = f"pos-{store.store_id}-{self.number('pos'):09d}"
        location = {"city": store.city, "country": store.country}
        same_country = store.country == persona.market.code
        phone = persona.phone_national if same_country and rng.random() < 0.5 else (
            persona.phone
        )
        if persona.loyalty_id and not self.loyalty_enrolled:
            traits = {"first_name": persona.first_name, "last_name": persona.last_name,
                      "phone": phone, "loyalty_id": persona.loyalty_id}  # fmt: skip
            if rng.random() < 0.5:
                traits["email"] = persona.email
            self.out.server(self.t, "store", kind="identify", user_id=None,
                            anonymous_id=transaction, traits=traits, location=location)  # fmt: skip
            self.t += rng.randint(1000, 5000)
            self.out.server(self.t, "store", event="Loyalty Program Joined",
                            user_id=None, anonymous_id=transaction, location=location,
                            properties={"program": "Lumen Rewards",
                                        "store_id": store.store_id},
                            context_traits={"loyalty_id": persona.loyalty_id})  # fmt: skip
            self.loyalty_enrolled = True
            self.wait(60, 600)
        if from_cart and self.cart:
            lines = list(self.cart)
            if rng.random() < 0.3:
                lines.append(self.line(self.pick_products(1)[0]))
            self.cart = []
        else:
            lines = [self.line(p) for p in self.pick_products(rng.randint(1, 3))]
        if self.loyalty_enrolled and rng.random() < 0.85:
            who = {"loyalty_id": persona.loyalty_id}
        elif rng.random() < 0.75:
            who = {"phone": phone}
        else:  # asked for an e-receipt
            who = {"email": persona.email}
        order = self.order_properties(lines, store.currency, "S", coupon)
        order |= {"affiliation": store.name, "store_id": store.store_id,
                  "payment_method": rng.choice(("card", "card", "cash", "mobile_wallet"))}  # fmt: skip
        self.out.server(self.t, "store", event="Order Completed", user_id=None,
                        anonymous_id=transaction, properties=order,
                        context_traits=who, location=location)  # fmt: skip
