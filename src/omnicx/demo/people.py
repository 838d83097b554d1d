"""The demo's customers: who they are, how to reach them, how they like to shop."""

from __future__ import annotations

import functools
import hashlib
import random
from dataclasses import dataclass
from typing import Final

from omnicx.demo.catalog import (
    ASCII_FOLD,
    CATEGORIES,
    EMAIL_DOMAINS,
    ENGLISH_NAME_POOL,
    FIRST_NAMES,
    LAST_NAMES,
    MARKETS,
    SOCIAL_PLATFORMS,
    STORES,
    Market,
    Store,
)

#: Shopping habits, with their share of the customer base. Each one is a journey
#: template in :mod:`omnicx.demo.plans`; together they span one channel to ten.
ARCHETYPES: Final = {
    "store_only": 0.07,  # walks in, pays with a loyalty card or phone number
    "web_only": 0.07,
    "app_only": 0.04,
    "window_shopper": 0.05,  # browses and reads e-mails, never buys
    "web_to_store": 0.16,  # abandons the web cart, buys the same items in store
    "email_shopper": 0.16,
    "mobile_shopper": 0.12,
    "sms_store": 0.06,
    "social_complainer": 0.09,  # complains on social, the call centre calls back
    "service_seeker": 0.08,  # buys online, then chats and calls about the order
    "omnichannel": 0.10,
}
_LOYALTY_SHARE: Final = {
    "store_only": 0.7,
    "web_to_store": 0.6,
    "sms_store": 0.7,
    "omnichannel": 0.8,
}
_MODULUS: Final = 10**10
_MULTIPLIER: Final = 387_420_489  # 3**18, coprime with 10**10: a bijection mod 10**10
#: Per-person numbering space of :func:`scrambled` (``index * PER_PERSON + counter``).
PER_PERSON: Final = 4096
MAX_CUSTOMERS: Final = _MODULUS // PER_PERSON


def scrambled(seed: int, kind: str, n: int) -> int:
    """A 10-digit number, unique per (kind, n) for n < 10**10, random-looking."""
    return (n * _MULTIPLIER + _salt(seed, kind)) % _MODULUS


@functools.cache
def _salt(seed: int, kind: str) -> int:
    digest = hashlib.blake2b(f"{seed}/{kind}".encode(), digest_size=8).digest()
    return int.from_bytes(digest)


@dataclass(frozen=True, slots=True)
class Persona:
    """One real person behind the demo's data (the ground truth of identity)."""

    index: int
    rng_seed: int
    archetype: str
    market: Market
    language: str
    first_name: str
    last_name: str
    email: str
    phone: str  # E.164
    phone_national: str  # as a shop assistant types it: 052-123-4567
    phone_international: str  # as people type it in web forms: +972 52-123-4567
    user_id: str  # the account id, used once the person signs up
    loyalty_id: str | None
    social: tuple[str, str, str, str] | None  # (platform, id type, handle, account id)
    city: str
    mobile_os: str  # ios | android
    favourite_categories: tuple[str, ...]
    home_store: Store

    @property
    def locale(self) -> str:
        return f"{self.language}-{self.market.code}"

    def identify_traits(self, *, with_loyalty: bool = True) -> dict[str, str]:
        traits = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "language": self.language,
            "city": self.city,
            "country": self.market.code,
        }
        if with_loyalty and self.loyalty_id:
            traits["loyalty_id"] = self.loyalty_id
        return traits


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]


def _phone(rng: random.Random, market: Market) -> tuple[str, str, str]:
    """(E.164, national as typed at a till, international as typed in a web form)."""
    prefix = rng.choice(market.mobile_prefixes)
    if market.code == "US":  # NXX exchange: no leading 0/1, no 555, no N11
        exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(2, 9)}"
        while exchange == "555":
            exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(2, 9)}"
        line = f"{rng.randrange(10_000):04d}"
        return (
            f"+1{prefix}{exchange}{line}",
            f"({prefix}) {exchange}-{line}",
            f"+1 {prefix}-{exchange}-{line}",
        )
    digits = market.subscriber_digits
    subscriber = (
        f"{rng.randint(2, 9)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
    )
    national = "0" + prefix + subscriber
    match market.code:
        case "IL":  # 052-123-4567
            shown = f"{national[:3]}-{national[3:6]}-{national[6:]}"
        case "TR":  # 0532 123 45 67
            shown = f"{national[:4]} {national[4:7]} {national[7:9]} {national[9:]}"
        case "AE":  # 050 123 4567
            shown = f"{national[:3]} {national[3:6]} {national[6:]}"
        case _:  # 0912 345 6789, 07911 123456, 0151 23456789
            cut = 5 if market.code == "GB" else 4
            shown = f"{national[:cut]} {national[cut:]}"
    e164 = f"+{market.dial_code}{prefix}{subscriber}"
    return e164, shown, f"+{market.dial_code} {shown[1:]}"


def _email(rng: random.Random, first: str, last: str, used: set[str]) -> str:
    f, last_ascii = (
        first.lower().translate(ASCII_FOLD),
        last.lower().translate(ASCII_FOLD),
    )
    local = rng.choice(
        (
            f"{f}.{last_ascii}",
            f"{f}{last_ascii}",
            f"{f}_{last_ascii}",
            f"{f[0]}.{last_ascii}",
            f"{f}{rng.randint(1, 99)}",
        )
    )
    domain = rng.choice(EMAIL_DOMAINS)
    email = f"{local}@{domain}"
    while email in used:
        email = f"{local}{rng.randint(1, 9999)}@{domain}"
    used.add(email)
    return email


def _handle(rng: random.Random, first: str, last: str, used: set[str]) -> str:
    f, last_ascii = (
        first.lower().translate(ASCII_FOLD),
        last.lower().translate(ASCII_FOLD),
    )
    candidates = (f"@{f}_{last_ascii[0]}", f"@{f}{last_ascii}", f"@{f}_{last_ascii}")
    handle = rng.choice(candidates)[:16]  # "@" + at most 15 characters, as on X
    while handle in used:
        handle = f"{handle.rstrip('0123456789')[:14]}{rng.randint(1, 99)}"
    used.add(handle)
    return handle


def make_personas(customers: int, seed: int) -> list[Persona]:
    """The customer base for a seed: unique e-mails, phones, handles and ids."""
    rng = random.Random(seed)
    market_weights = [m.weight for m in MARKETS]
    archetypes, archetype_weights = list(ARCHETYPES), list(ARCHETYPES.values())
    used_emails: set[str] = set()
    used_phones: set[str] = set()
    used_handles: set[str] = set()
    personas = []
    for index in range(customers):
        market = rng.choices(MARKETS, market_weights)[0]
        language = _weighted(rng, market.languages)
        archetype = rng.choices(archetypes, archetype_weights)[0]
        pool = (
            language if language != "en" else ENGLISH_NAME_POOL.get(market.code, "en")
        )
        first_latin, first_native = rng.choice(FIRST_NAMES[pool])
        last_latin, last_native = rng.choice(LAST_NAMES[pool])
        native = language in ("he", "ar", "fa") and rng.random() < 0.35
        phone, phone_national, phone_international = _phone(rng, market)
        while phone in used_phones:
            phone, phone_national, phone_international = _phone(rng, market)
        used_phones.add(phone)
        email = _email(rng, first_latin, last_latin, used_emails)
        loyalty = rng.random() < _LOYALTY_SHARE.get(archetype, 0.25)
        social = None
        social_share = {"social_complainer": 1.0, "omnichannel": 0.6}.get(
            archetype, 0.1
        )
        if rng.random() < social_share:
            platform, id_type, _ = rng.choice(SOCIAL_PLATFORMS)
            handle = _handle(rng, first_latin, last_latin, used_handles)
            social = (platform, id_type, handle, str(scrambled(seed, "social", index)))
        city = rng.choice(market.cities)
        stores = [s for s in STORES if s.country == market.store_country]
        home_store = next((s for s in stores if s.city == city), stores[0])
        personas.append(
            Persona(
                index=index,
                rng_seed=rng.getrandbits(64),
                archetype=archetype,
                market=market,
                language=language,
                first_name=first_native if native else first_latin,
                last_name=last_native if native else last_latin,
                email=email,
                phone=phone,
                phone_national=phone_national,
                phone_international=phone_international,
                user_id=f"usr_{scrambled(seed, 'user', index):010d}",
                loyalty_id=f"LY{scrambled(seed, 'loyalty', index):010d}"
                if loyalty
                else None,
                social=social,
                city=city,
                mobile_os="ios" if rng.random() < 0.55 else "android",
                favourite_categories=tuple(rng.sample(CATEGORIES, 2)),
                home_store=home_store,
            )
        )
    return personas
