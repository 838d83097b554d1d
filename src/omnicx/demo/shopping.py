"""Shopping episodes: web sessions, app sessions and purchases at the till.

Each function advances a :class:`~omnicx.demo.journey.Journey` and appends the
messages its channel's SDK would send.
"""

from __future__ import annotations

from omnicx.demo.catalog import SEARCH_TERMS, STORES, category_slug
from omnicx.demo.journey import APP_HOURS, STORE_HOURS, WEB_HOURS, Campaign, Journey
from omnicx.demo.outbox import Browser
from omnicx.demo.people import scrambled


def web_visit(
    journey: Journey,
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
        journey.begin(day, WEB_HOURS)
    rng = journey.rng
    browser = journey.browser(mobile)
    landing = campaign.landing_category if campaign else None
    products = journey.pick_products(rng.choice((1, 1, 1, 2, 2, 3)), landing)
    category = products[0].category
    category_path = "/c/" + category_slug(category)
    if campaign is not None:
        journey.page(
            browser,
            "Category",
            campaign.landing_path,
            category,
            referrer="",
            campaign=campaign.utm,
            query=campaign.landing_query,
        )
    else:
        referrer = rng.choice(
            (
                "https://www.google.com/",
                "https://www.google.com/",
                "",
                "https://www.instagram.com/",
                "https://www.facebook.com/",
            )
        )
        journey.page(browser, "Home", "/", "Home", referrer=referrer)
        if rng.random() < 0.35:
            term = rng.choice(SEARCH_TERMS[category])
            query = "?q=" + term.replace(" ", "+")
            journey.page(browser, "Search", "/search", "Search", query=query)
            journey.web_track(browser, "Products Searched", {"query": term})
        else:
            journey.page(browser, "Category", category_path, category)
    for product in products:
        journey.page(browser, "Product", f"/p/{product.slug}", product.name)
        viewed = journey.product_properties(
            journey.line(product), journey.currency, event="viewed", url=True
        )
        journey.web_track(browser, "Product Viewed", viewed)
    if identify:
        web_identity_step(journey, browser, identify)
    if intent == "browse" or not journey.allow_purchase:
        return
    if journey.cart and rng.random() < 0.5:
        lines = journey.cart  # came back for the saved cart
    else:
        lines = [journey.line(p) for p in products[: rng.randint(1, len(products))]]
    cart_id = (
        f"cart_{scrambled(journey.world.seed, 'cart', journey.persona.index):010d}"
    )
    for line in lines:
        added = journey.product_properties(
            line, journey.currency, event="added", url=True
        )
        journey.web_track(browser, "Product Added", added | {"cart_id": cart_id})
    cart = {
        "cart_id": cart_id,
        "currency": journey.currency,
        "products": [journey.product_properties(x, journey.currency) for x in lines],
    }
    journey.page(browser, "Cart", "/cart", "Your cart")
    journey.web_track(browser, "Cart Viewed", cart)
    if intent == "abandon":
        journey.cart = lines
        if rng.random() < 0.65:
            journey.page(browser, "Checkout", "/checkout", "Checkout")
            journey.web_track(browser, "Checkout Started", cart)
        return
    if not browser.user_id:
        web_identity_step(
            journey, browser, "login" if journey.registered else "checkout"
        )
    order = journey.order_properties(lines, journey.currency, "W")
    journey.page(browser, "Checkout", "/checkout", "Checkout")
    journey.web_track(
        browser, "Checkout Started", cart | {"order_id": order["order_id"]}
    )
    journey.wait(30, 240)
    journey.web_track(
        browser,
        "Payment Info Entered",
        {"order_id": order["order_id"], "payment_method": "card"},
    )
    journey.web_track(
        browser, "Order Completed", order | {"affiliation": "Lumen Online"}
    )
    journey.page(browser, "Order Confirmation", "/checkout/confirmation", "Thank you")
    journey.cart = []


def web_identity_step(journey: Journey, browser: Browser, how: str) -> None:
    """Sign up, log in, subscribe to the newsletter or check out as a guest."""
    persona = journey.persona
    if how == "login" and not journey.registered:
        how = "signup"
    if how == "signup":
        journey.page(browser, "Sign Up", "/account/signup", "Create your account")
        browser.user_id = persona.user_id
        journey.registered = True
        traits = persona.identify_traits(with_loyalty=journey.rng.random() < 0.7)
        if journey.rng.random() < 0.25:  # typed with spaces, as people do
            traits["phone"] = persona.phone_international
        journey.web_identify(browser, traits)
        journey.web_track(browser, "Signed Up", {"method": "email"})
        journey.email_subscribed = journey.email_subscribed or journey.marketing_consent
    elif how == "login":
        journey.page(browser, "Log In", "/account/login", "Log in")
        browser.user_id = persona.user_id
        journey.web_identify(browser, {"email": persona.email})
        journey.web_track(browser, "Signed In", {"method": "email"})
    elif how == "newsletter":
        journey.web_identify(
            browser, {"email": persona.email, "language": persona.language}
        )
        journey.web_track(browser, "Newsletter Subscribed", {"list": "weekly"})
        journey.email_subscribed = True
    else:  # guest checkout: identify by the e-mail and phone on the order form
        journey.web_identify(
            browser,
            {
                "email": persona.email,
                "phone": persona.phone,
                "first_name": persona.first_name,
                "last_name": persona.last_name,
            },
        )


def app_session(journey: Journey, day: float | None, *, intent: str = "browse") -> None:
    """An app session: open, screens, products, maybe a purchase, background."""
    if day is not None:
        journey.begin(day, APP_HOURS)
    rng, persona = journey.rng, journey.persona
    app = journey.ensure_app()
    wifi = rng.random() < 0.6
    version = {"version": "5.12.1", "build": "5121"}
    first_run = not journey.app_installed
    if first_run:
        journey.out.app(
            journey.t,
            app,
            event="Application Installed",
            properties=version,
            wifi=wifi,
        )
        journey.app_installed = True
    journey.t += rng.randint(300, 3000)
    journey.out.app(
        journey.t,
        app,
        event="Application Opened",
        wifi=wifi,
        properties=version | {"from_background": not first_run},
    )
    if app.user_id is None and (
        journey.registered or not first_run or rng.random() < 0.5
    ):
        journey.wait(10, 60)
        journey.out.app(journey.t, app, kind="screen", name="Log In", wifi=wifi)
        newly = not journey.registered
        app.user_id = persona.user_id
        journey.registered = True
        journey.wait(15, 90)
        traits = persona.identify_traits()
        journey.out.app(journey.t, app, kind="identify", traits=traits, wifi=wifi)
        app.traits = traits
        if newly and rng.random() < 0.5:
            journey.out.app(
                journey.t + 5,
                app,
                kind="alias",
                previous_id=app.anonymous_id,
                wifi=wifi,
            )
            journey.t += 5
    journey.wait(5, 40)
    journey.out.app(journey.t, app, kind="screen", name="Home", wifi=wifi)
    products = journey.pick_products(rng.choice((1, 1, 2, 3)))
    for product in products:
        journey.wait(10, 120)
        journey.out.app(
            journey.t,
            app,
            kind="screen",
            name="Product Detail",
            wifi=wifi,
            properties={"product_id": product.product_id},
        )
        viewed = journey.product_properties(
            journey.line(product), journey.currency, event="viewed"
        )
        journey.t += rng.randint(100, 900)
        journey.out.app(
            journey.t, app, event="Product Viewed", properties=viewed, wifi=wifi
        )
    if intent != "browse" and journey.allow_purchase:
        lines = [journey.line(p) for p in products[: rng.randint(1, len(products))]]
        for line in lines:
            journey.wait(3, 40)
            added = journey.product_properties(line, journey.currency, event="added")
            journey.out.app(
                journey.t, app, event="Product Added", properties=added, wifi=wifi
            )
        journey.wait(5, 60)
        journey.out.app(journey.t, app, kind="screen", name="Cart", wifi=wifi)
        if intent == "purchase":
            order = journey.order_properties(lines, journey.currency, "A")
            affiliation = f"Lumen {'iOS' if app.os == 'ios' else 'Android'} App"
            journey.wait(20, 120)
            journey.out.app(
                journey.t,
                app,
                event="Checkout Started",
                wifi=wifi,
                properties={
                    "order_id": order["order_id"],
                    "currency": journey.currency,
                    "value": order["revenue"],
                },
            )
            journey.wait(30, 200)
            journey.out.app(
                journey.t,
                app,
                event="Order Completed",
                wifi=wifi,
                properties=order | {"affiliation": affiliation},
            )
    journey.wait(30, 400)
    journey.out.app(journey.t, app, event="Application Backgrounded", wifi=wifi)


def store_visit(journey: Journey, day: float, *, from_cart: bool = False) -> None:
    """A purchase at the till, identified by loyalty card, phone or e-mail. SMS
    subscribers sometimes redeem the SMS coupon."""
    rng, persona = journey.rng, journey.persona
    store = persona.home_store
    if rng.random() < 0.15:
        store = rng.choice([s for s in STORES if s.country == store.country])
    journey.begin(day, STORE_HOURS, store.utc_offset_min)
    transaction = f"pos-{store.store_id}-{journey.number('pos'):010d}"
    location = {"city": store.city, "country": store.country}
    same_country = store.country == persona.market.code
    national = same_country and rng.random() < 0.5
    phone = persona.phone_national if national else persona.phone
    if persona.loyalty_id and not journey.loyalty_enrolled:
        traits = {
            "first_name": persona.first_name,
            "last_name": persona.last_name,
            "phone": phone,
            "loyalty_id": persona.loyalty_id,
        }
        if rng.random() < 0.5:
            traits["email"] = persona.email
        journey.out.server(
            journey.t,
            "store",
            kind="identify",
            user_id=None,
            anonymous_id=transaction,
            traits=traits,
            location=location,
        )
        journey.t += rng.randint(1000, 5000)
        journey.out.server(
            journey.t,
            "store",
            event="Loyalty Program Joined",
            user_id=None,
            anonymous_id=transaction,
            location=location,
            properties={"program": "Lumen Rewards", "store_id": store.store_id},
            context_traits={"loyalty_id": persona.loyalty_id},
        )
        journey.loyalty_enrolled = True
        journey.wait(60, 600)
    if from_cart and journey.cart:
        lines = list(journey.cart)
        if rng.random() < 0.3:
            lines.append(journey.line(journey.pick_products(1)[0]))
        journey.cart = []
    else:
        lines = [journey.line(p) for p in journey.pick_products(rng.randint(1, 3))]
    if journey.loyalty_enrolled and rng.random() < 0.85:
        who = {"loyalty_id": persona.loyalty_id}
    elif rng.random() < 0.75:
        who = {"phone": phone}
    else:  # asked for an e-receipt
        who = {"email": persona.email}
    coupon = "SMS15" if journey.sms_subscribed and rng.random() < 0.3 else None
    order = journey.order_properties(lines, store.currency, "S", coupon)
    order |= {
        "affiliation": store.name,
        "store_id": store.store_id,
        "payment_method": rng.choice(("card", "card", "cash", "mobile_wallet")),
    }
    journey.out.server(
        journey.t,
        "store",
        event="Order Completed",
        user_id=None,
        anonymous_id=transaction,
        properties=order,
        context_traits=who,
        location=location,
    )
