"""Static reference data for the demo retailer "Lumen": markets, names, products,
stores, campaigns, devices and complaint texts. Pure data, no randomness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

BRAND: Final = "Lumen"
SHOP_URL: Final = "https://shop.lumen.example"
#: Reserved example domains only, so a demo can never e-mail a real inbox.
EMAIL_DOMAINS: Final = (
    "example.com",
    "example.net",
    "example.org",
    "mail.example",
    "inbox.example",
)


@dataclass(frozen=True, slots=True)
class Market:
    """A country the business sells in, as seen from a customer living there."""

    code: str  # ISO 3166-1 alpha-2
    dial_code: str
    languages: tuple[tuple[str, float], ...]
    utc_offset_min: int  # August–October offset; enough for time-of-day realism
    timezone: str
    currency: str
    cities: tuple[str, ...]
    weight: float
    mobile_prefixes: tuple[str, ...]  # national significant number prefixes
    subscriber_digits: int
    carriers: tuple[str, ...]
    store_country: str  # where this market's customers shop in person


MARKETS: Final = (
    Market("IL", "972", (("he", 0.8), ("en", 0.1), ("ar", 0.1)), 180,
           "Asia/Jerusalem", "ILS",
           ("Tel Aviv", "Jerusalem", "Haifa", "Rishon LeZion", "Netanya",
            "Be'er Sheva"),
           0.32, ("50", "52", "53", "54"), 7,
           ("Partner", "Cellcom", "Pelephone", "HOT mobile"), "IL"),
    Market("AE", "971", (("ar", 0.55), ("en", 0.4), ("fa", 0.05)), 240,
           "Asia/Dubai", "AED", ("Dubai", "Abu Dhabi", "Sharjah"),
           0.14, ("50", "52", "54", "55", "56", "58"), 7, ("etisalat", "du"), "AE"),
    Market("TR", "90", (("tr", 0.9), ("en", 0.1)), 180,
           "Europe/Istanbul", "TRY", ("Istanbul", "Ankara", "Izmir", "Antalya"),
           0.14, ("530", "532", "533", "535", "536", "542", "505", "506", "553"), 7,
           ("Turkcell", "Vodafone TR", "Türk Telekom"), "TR"),
    Market("IR", "98", (("fa", 0.95), ("en", 0.05)), 210,
           "Asia/Tehran", "USD", ("Tehran", "Isfahan", "Shiraz", "Mashhad"),
           0.06, ("912", "913", "915", "919", "901", "935", "936", "939"), 7,
           ("MCI", "Irancell"), "AE"),
    Market("US", "1", (("en", 0.9), ("he", 0.05), ("fa", 0.05)), -240,
           "America/New_York", "USD", ("New York", "Miami", "Boston", "Philadelphia"),
           0.16, ("212", "646", "917", "718", "305", "786", "617", "215"), 7,
           ("Verizon", "T-Mobile", "AT&T"), "US"),
    Market("GB", "44", (("en", 0.95), ("ar", 0.05)), 60,
           "Europe/London", "GBP", ("London", "Manchester", "Birmingham", "Leeds"),
           0.10, ("74", "75", "78", "79"), 8, ("EE", "Vodafone UK", "O2 - UK"), "GB"),
    Market("DE", "49", (("en", 0.7), ("tr", 0.3)), 120,
           "Europe/Berlin", "EUR", ("Berlin", "Munich", "Hamburg", "Frankfurt"),
           0.08, ("151", "152", "157", "160", "162", "170", "171", "176", "177"), 8,
           ("Telekom.de", "Vodafone.de", "o2 - de"), "DE"),
)  # fmt: skip

#: Names as (latin, native script). Latin is used for e-mail addresses and handles.
FIRST_NAMES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "he": (("Noa", "נועה"), ("Yael", "יעל"), ("Tamar", "תמר"), ("Maya", "מאיה"),
           ("Shira", "שירה"), ("Daniel", "דניאל"), ("Itai", "איתי"), ("Yosef", "יוסף"),
           ("Omer", "עומר"), ("Eitan", "איתן"), ("Ariel", "אריאל"), ("Noam", "נועם"),
           ("Lior", "ליאור"), ("Michal", "מיכל"), ("Amit", "עמית"), ("Dana", "דנה"),
           ("Yonatan", "יונתן"), ("Rotem", "רותם")),
    "ar": (("Ahmed", "أحمد"), ("Mohammed", "محمد"), ("Omar", "عمر"), ("Khalid", "خالد"),
           ("Youssef", "يوسف"), ("Fatima", "فاطمة"), ("Layla", "ليلى"),
           ("Mariam", "مريم"), ("Noura", "نورة"), ("Aisha", "عائشة"), ("Hassan", "حسن"),
           ("Rania", "رانيا"), ("Sara", "سارة"), ("Salma", "سلمى"), ("Hamad", "حمد")),
    "fa": (("Ali", "علی"), ("Reza", "رضا"), ("Mohammad", "محمد"), ("Hossein", "حسین"),
           ("Mehdi", "مهدی"), ("Amir", "امیر"), ("Sara", "سارا"), ("Maryam", "مریم"),
           ("Zahra", "زهرا"), ("Narges", "نرگس"), ("Shirin", "شیرین"),
           ("Leila", "لیلا"), ("Parisa", "پریسا"), ("Arash", "آرش"),
           ("Niloufar", "نیلوفر")),
    "tr": tuple((n, n) for n in ("Ayşe", "Elif", "Zeynep", "Mehmet", "Mustafa", "Emre",
                                 "Burak", "Can", "Deniz", "Selin", "Ece", "Oğuz", "Cem",
                                 "Merve", "Hakan")),
    "en": tuple((n, n) for n in ("Emma", "Olivia", "Sophie", "James", "Oliver", "Jack",
                                 "Emily", "Michael", "Sarah", "David", "Jessica",
                                 "Ryan", "Chloe", "Grace", "Ethan", "Daniel")),
    "de": tuple((n, n) for n in ("Lukas", "Leon", "Felix", "Jonas", "Anna", "Lena",
                                 "Laura", "Julia", "Max", "Paul", "Hannah", "Niklas",
                                 "Katharina", "Jürgen")),
}  # fmt: skip
LAST_NAMES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "he": (("Cohen", "כהן"), ("Levi", "לוי"), ("Mizrahi", "מזרחי"), ("Peretz", "פרץ"),
           ("Biton", "ביטון"), ("Friedman", "פרידמן"), ("Azoulay", "אזולאי"),
           ("Katz", "כץ"), ("Shapiro", "שפירא"), ("Ben David", "בן דוד"),
           ("Golan", "גולן"), ("Dahan", "דהן"), ("Ohana", "אוחנה"), ("Rosen", "רוזן"),
           ("Avraham", "אברהם")),
    "ar": (("Al Mansouri", "المنصوري"), ("Al Hashimi", "الهاشمي"), ("Haddad", "حداد"),
           ("Khoury", "خوري"), ("Nasser", "ناصر"), ("Saleh", "صالح"),
           ("Abdullah", "عبدالله"), ("Darwish", "درويش"), ("Kassem", "قاسم"),
           ("Mansour", "منصور"), ("Hamdan", "حمدان")),
    "fa": (("Ahmadi", "احمدی"), ("Hosseini", "حسینی"), ("Karimi", "کریمی"),
           ("Rezaei", "رضایی"), ("Moradi", "مرادی"), ("Jafari", "جعفری"),
           ("Tehrani", "تهرانی"), ("Farahani", "فراهانی"), ("Sadeghi", "صادقی"),
           ("Kazemi", "کاظمی"), ("Rahimi", "رحیمی"), ("Nazari", "نظری")),
    "tr": tuple((n, n) for n in ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız",
                                 "Aydın", "Öztürk", "Arslan", "Doğan", "Koç", "Kurt")),
    "en": tuple((n, n) for n in ("Smith", "Johnson", "Brown", "Taylor", "Wilson",
                                 "Davies", "Miller", "Clarke", "Walker", "Hughes",
                                 "Evans", "Carter", "Murphy", "Bennett")),
    "de": tuple((n, n) for n in ("Müller", "Schmidt", "Schneider", "Fischer", "Weber",
                                 "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz",
                                 "Koch", "Richter")),
}  # fmt: skip
#: Name pool for a customer writing in English, by market.
ENGLISH_NAME_POOL: Final = {"IL": "he", "TR": "tr", "IR": "fa", "DE": "de"}
ASCII_FOLD: Final = str.maketrans(
    {"ş": "s", "ç": "c", "ğ": "g", "ı": "i", "ö": "o", "ü": "u", "ä": "a", "ß": "ss",
     "Ş": "s", "Ç": "c", "Ğ": "g", "İ": "i", "Ö": "o", "Ü": "u", "Ä": "a",
     " ": "", "'": ""}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Product:
    product_id: str
    sku: str
    name: str
    category: str
    price_usd: float
    variants: tuple[str, ...]

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-").replace(",", "")


_SIZES = ("XS", "S", "M", "L", "XL")
_SHOE_SIZES = ("37", "38", "39", "40", "41", "42", "43", "44")
_RAW_PRODUCTS = (
    ("Women's Apparel", _SIZES, (("Linen Wrap Dress", 79), ("Silk Blend Blouse", 59),
     ("High-Rise Wide Jeans", 69), ("Cashmere Crew Sweater", 119),
     ("Pleated Midi Skirt", 55), ("Cotton Poplin Shirt", 45))),
    ("Men's Apparel", _SIZES, (("Oxford Button-Down Shirt", 49),
     ("Slim Chino Trousers", 59), ("Merino V-Neck Sweater", 89),
     ("Quilted Overshirt", 99), ("Organic Cotton Tee", 19),
     ("Relaxed Linen Shirt", 52))),
    ("Shoes", _SHOE_SIZES, (("Leather Court Sneakers", 110),
     ("Suede Chelsea Boots", 149), ("Canvas Slip-Ons", 39),
     ("Trail Running Shoes", 129), ("Leather Sandals", 65))),
    ("Home & Kitchen", ("Natural", "Charcoal", "Sand"), (("Stoneware Dinner Set", 89),
     ("Linen Duvet Cover", 119), ("Ceramic Table Lamp", 75), ("Scented Soy Candle", 24),
     ("Waffle Bath Towel Set", 45), ("Cast Iron Casserole", 139),
     ("Glass Carafe Set", 32))),
    ("Beauty", ("30 ml", "50 ml"), (("Vitamin C Serum", 38),
     ("Hydrating Day Cream", 42), ("Rose Body Oil", 29),
     ("Mineral Sunscreen SPF 50", 26),
     ("Eau de Parfum Amber", 95))),
    ("Accessories", ("Black", "Tan", "Olive"), (("Leather Crossbody Bag", 129),
     ("Canvas Weekender", 85), ("Polarized Sunglasses", 69), ("Silk Square Scarf", 49),
     ("Minimalist Watch", 159), ("Leather Belt", 45))),
)  # fmt: skip


def _build_products() -> tuple[Product, ...]:
    products: list[Product] = []
    for category, variants, items in _RAW_PRODUCTS:
        code = "".join(word[0] for word in category.replace("&", "").split()).upper()
        for name, price in items:
            number = 1001 + len(products)
            products.append(
                Product(
                    f"P{number}",
                    f"LUM-{code}-{number}",
                    name,
                    category,
                    price,
                    variants,
                )
            )
    return tuple(products)


PRODUCTS: Final = _build_products()
CATEGORIES: Final = tuple(dict.fromkeys(p.category for p in PRODUCTS))


def category_slug(category: str) -> str:
    """A URL path segment: ``Home & Kitchen`` → ``home-kitchen``."""
    return category.lower().replace("'", "").replace(" & ", "-").replace(" ", "-")


SEARCH_TERMS: Final = {
    "Women's Apparel": ("linen dress", "blouse", "wide jeans", "sweater women"),
    "Men's Apparel": ("oxford shirt", "chinos", "merino", "linen shirt men"),
    "Shoes": ("sneakers", "chelsea boots", "sandals", "running shoes"),
    "Home & Kitchen": ("candle", "duvet cover", "dinner set", "lamp"),
    "Beauty": ("vitamin c", "sunscreen", "day cream", "perfume"),
    "Accessories": ("crossbody bag", "sunglasses", "watch", "scarf"),
}
#: Approximate exchange rates from the catalogue's USD base price.
USD_RATES: Final = {
    "USD": 1.0, "ILS": 3.7, "AED": 3.67, "TRY": 41.0, "GBP": 0.79, "EUR": 0.92,
}  # fmt: skip


def local_price(price_usd: float, currency: str) -> float:
    """A shelf price in the local currency: 49.90 ILS, 289 AED, 62.99 GBP."""
    amount = round(price_usd * USD_RATES[currency])
    if currency == "AED":
        return float(max(amount, 1))
    if currency in ("ILS", "TRY"):
        return round(max(amount, 1) - 0.1, 2)
    return round(max(amount, 1) - 0.01, 2)


@dataclass(frozen=True, slots=True)
class Store:
    store_id: str
    name: str
    city: str
    country: str
    currency: str
    utc_offset_min: int


STORES: Final = (
    Store("TLV01", "Lumen Tel Aviv Dizengoff", "Tel Aviv", "IL", "ILS", 180),
    Store("JLM01", "Lumen Jerusalem Mamilla", "Jerusalem", "IL", "ILS", 180),
    Store("HFA01", "Lumen Haifa Grand Canyon", "Haifa", "IL", "ILS", 180),
    Store("DXB01", "Lumen Dubai Mall", "Dubai", "AE", "AED", 240),
    Store("AUH01", "Lumen Abu Dhabi Yas Mall", "Abu Dhabi", "AE", "AED", 240),
    Store("IST01", "Lumen Istanbul Istinye Park", "Istanbul", "TR", "TRY", 180),
    Store("ANK01", "Lumen Ankara Kentpark", "Ankara", "TR", "TRY", 180),
    Store("NYC01", "Lumen New York SoHo", "New York", "US", "USD", -240),
    Store("MIA01", "Lumen Miami Aventura", "Miami", "US", "USD", -240),
    Store("LON01", "Lumen London Oxford Street", "London", "GB", "GBP", 60),
    Store("BER01", "Lumen Berlin Mitte", "Berlin", "DE", "EUR", 120),
)

#: (slug, name, subject) of the e-mail programme, one campaign every nine days.
EMAIL_CAMPAIGNS: Final = (
    ("summer-clearance", "Summer Clearance", "Up to 50% off: the summer clearance"),
    ("back-to-school", "Back to School", "Everything for the new term"),
    ("new-season", "New Season Arrivals", "Just in: the new season"),
    ("loyalty-double", "Double Loyalty Points", "Double points all week"),
    ("holiday-edit", "The Holiday Edit", "Gifts for everyone on your list"),
    ("weekend-flash", "Weekend Flash Sale", "48 hours only: flash sale"),
    ("autumn", "Autumn Collection", "Layers for cooler days"),
    ("home-refresh", "Home Refresh", "Make your home feel new"),
    ("vip-preview", "VIP Early Access", "You're in: early access starts now"),
    ("black-friday-early", "Early Black Friday", "Black Friday prices, early"),
)
#: (slug, name, text) of the SMS programme, one every fifteen days.
SMS_CAMPAIGNS: Final = (
    ("flash-today", "Flash Sale Today", "Lumen: 30% off today only. Shop: {url}"),
    (
        "store-event",
        "In-Store Event",
        "Lumen: this weekend in store, gifts with purchase",
    ),
    ("points-expiring", "Points Expiring", "Lumen: your points expire soon. {url}"),
    ("new-drop", "New Drop", "Lumen: the new collection is live. {url}"),
)

DESKTOP_USER_AGENTS: Final = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:129.0) Gecko/20100101 Firefox/129.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0",
)
MOBILE_USER_AGENTS: Final = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/127.0.0.0 Mobile Safari/537.36",
)
#: (manufacturer, model, os version, (width, height, density)) per mobile platform.
APP_DEVICES: Final = {
    "ios": (
        ("Apple", "iPhone15,2", "17.5.1", (393, 852, 3.0)),
        ("Apple", "iPhone14,5", "17.4", (390, 844, 3.0)),
        ("Apple", "iPhone16,1", "18.0", (393, 852, 3.0)),
    ),
    "android": (
        ("samsung", "SM-S918B", "14", (1080, 2316, 2.625)),
        ("Google", "Pixel 7", "14", (1080, 2400, 2.625)),
        ("Xiaomi", "2201117TG", "13", (1080, 2400, 2.75)),
    ),
}
APP_INFO: Final = {"name": "Lumen", "version": "5.12.1", "build": "5121"}
APP_NAMESPACE: Final = {"ios": "example.lumen.ios", "android": "example.lumen.android"}

LIBRARIES: Final = {
    "web": {"name": "analytics.js", "version": "next-1.70.0"},
    "ios": {"name": "analytics-ios", "version": "4.1.8"},
    "android": {"name": "analytics-android", "version": "4.11.3"},
    "python": {"name": "analytics-python", "version": "2.3.3"},
    "node": {"name": "@segment/analytics-node", "version": "2.1.2"},
}
#: Which server library each back-office system uses.
SERVER_LIBRARY: Final = {
    "store": "python",  # POS
    "call_center": "python",  # contact-centre platform
    "sms": "python",  # SMS gateway webhook relay
    "email": "node",  # e-mail service provider webhooks
    "social": "node",  # social listening / care tool
    "chat": "node",  # live-chat platform
    "whatsapp": "node",  # WhatsApp Business API relay
}

COMPLAINT_TOPICS: Final = ("late_delivery", "damaged_item", "refund_delay")
COMPLAINT_TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "late_delivery": "My order is two weeks late and nobody answers. @lumen",
        "damaged_item": "Received my order broken. Not happy at all @lumen",
        "refund_delay": "Still waiting for my refund after three weeks! @lumen",
    },
    "he": {
        "late_delivery": "ההזמנה שלי מתעכבת כבר שבועיים ואף אחד לא עונה @lumen",
        "damaged_item": "קיבלתי את המוצר שבור, ממש לא בסדר @lumen",
        "refund_delay": "עדיין מחכה להחזר הכספי אחרי שלושה שבועות @lumen",
    },
    "ar": {
        "late_delivery": "طلبي متأخر منذ أسبوعين ولا أحد يرد @lumen",
        "damaged_item": "وصلني المنتج مكسوراً، تجربة سيئة جداً @lumen",
        "refund_delay": "ما زلت أنتظر استرداد المبلغ منذ ثلاثة أسابيع @lumen",
    },
    "tr": {
        "late_delivery": "Siparişim iki haftadır gecikiyor, cevap veren yok @lumen",
        "damaged_item": "Ürün kırık geldi, hiç memnun değilim @lumen",
        "refund_delay": "Üç haftadır iademi bekliyorum @lumen",
    },
    "fa": {
        "late_delivery": "سفارش من دو هفته است که تأخیر دارد و کسی جواب نمی‌دهد @lumen",
        "damaged_item": "محصول شکسته به دستم رسید، اصلاً راضی نیستم @lumen",
        "refund_delay": "سه هفته است که منتظر بازپرداخت پول هستم @lumen",
    },
}
SOCIAL_PLATFORMS: Final = (
    ("twitter", "twitter_handle", "https://x.com/{handle}/status/{post}"),
    ("instagram", "instagram_handle", "https://www.instagram.com/p/{post}/"),
)
