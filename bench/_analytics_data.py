"""Synthetic omnichannel events written straight into a data folder's chdb tables.

``generate(store, workspace_id, events, customers)`` runs two ``INSERT … SELECT`` over
``numbers()`` inside chdb (no Python loop, no HTTP): ~10M events / 1M customers in a
couple of minutes on 2 cores. Deterministic (hash-based, no ``rand()``).

The shape, per customer ``c`` (profile ``c + 1``):

- identities: a user id (``3c+1``), an anonymous web id (``3c+2``) and an email
  identity (``3c+3``). Web events before the customer's sign-in point are filed under
  the anonymous id, e-mail/SMS/push under the e-mail identity, the rest under the user
  id. For one customer in ten the anonymous id first belonged to a separate profile
  (version 1) and was merged into the customer's (version 2), so analyses must follow
  ``identity_profiles`` to the latest version.
- activity: a heavy-tailed number of events (exponential, mean ≈ events/customers),
  starting at a random time in the 90 days before ``END``; 75% of gaps are in-session
  (10 s to 10 min), the rest 1 h to 10 days (a long history is squeezed to end by
  ``END`` + 1 day). 20% of customers are web-only; the others
  use every channel with the weights of ``MIX``.
- web calls look like analytics.js: page calls with ``path``, ``referrer``, ``search``,
  ``title``, ``url`` and ``context.page``; a user agent from a small desktop/mobile/
  tablet set; 8% of pages land from a campaign (``utm_*`` in the URL and
  ``context.campaign``). Orders carry ``revenue``.
"""

from __future__ import annotations

from typing import Any

END = "2026-06-29 00:00:00"  # a Monday, UTC
DAYS = 90

#: (weight per mille, channel, type, event or page/screen name)
MIX: tuple[tuple[int, str, str, str], ...] = (
    (260, "web", "page", "Page Viewed"),
    (100, "web", "track", "Product Viewed"),
    (40, "web", "track", "Product Added"),
    (25, "web", "track", "Checkout Started"),
    (15, "web", "track", "Order Completed"),
    (20, "web", "track", "Products Searched"),
    (60, "mobile_app", "screen", "Screen Viewed"),
    (40, "mobile_app", "track", "Product Viewed"),
    (20, "mobile_app", "track", "Product Added"),
    (12, "mobile_app", "track", "Checkout Started"),
    (8, "mobile_app", "track", "Order Completed"),
    (10, "mobile_app", "track", "Application Opened"),
    (60, "email", "track", "Email Delivered"),
    (60, "email", "track", "Email Opened"),
    (30, "email", "track", "Email Link Clicked"),
    (20, "sms", "track", "SMS Delivered"),
    (10, "sms", "track", "SMS Link Clicked"),
    (20, "push", "track", "Push Notification Received"),
    (10, "push", "track", "Push Notification Tapped"),
    (40, "store", "track", "Store Visited"),
    (30, "store", "track", "Order Completed"),
    (10, "store", "track", "Product Returned"),
    (30, "call_center", "track", "Call Started"),
    (10, "call_center", "track", "Call Ended"),
    (20, "chat", "track", "Chat Started"),
    (10, "chat", "track", "Chat Ended"),
    (10, "social", "track", "Social Mention"),
    (20, "ads", "track", "Ad Clicked"),
)
WEB_SHARE = sum(w for w, ch, _, _ in MIX if ch == "web")

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:129.0) Gecko/20100101 Firefox/129.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/127.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
)
PATHS = (
    "/",
    "/c/lamps",
    "/c/chairs",
    "/c/rugs",
    "/cart",
    "/checkout",
    "/account",
    "/help/returns",
    "/stores",
)
REFERRERS = (
    "",
    "https://www.google.com/",
    "https://www.facebook.com/",
    "https://instagram.com/",
    "https://www.bing.com/",
    "https://news.example/",
)
SHOP = "https://shop.example.com"


def _array(values: tuple[Any, ...]) -> str:
    parts = []
    for v in values:
        parts.append(
            str(v) if isinstance(v, int) else "'" + v.replace("'", "\\'") + "'"
        )
    return "[" + ",".join(parts) + "]"


def _u(*key: str) -> str:
    """A deterministic uniform number in [0, 1) from the hash of ``key``."""
    return f"(cityHash64({', '.join(key)}) % 1000003) / 1000003.0"


EVENTS_SQL = """
INSERT INTO omnicx.events (workspace_id, identity_id, profile_id, timestamp, message_id,
    type, event, name, channel, source_id, user_id, anonymous_id, received_at, sent_at,
    properties, traits, context, integrations)
SELECT '__WS__', identity_id, c + 1, ts, message_id, type,
       if(type = 'track', ev, ''), if(type = 'track', '', ev), channel, 'src_bench',
       if(identity_id % 3 = 1, concat('u', toString(c)), NULL),
       if(identity_id % 3 = 2, concat('a', toString(c)), NULL),
       ts, NULL, properties, '{}', context, '{}'
FROM (
    SELECT c, k, ts, channel, type, ev,
           concat('b', toString(c), '-', toString(k)) AS message_id,
           multiIf(channel IN ('email', 'sms', 'push'), 3 * c + 3,
                   channel = 'web' AND k < signin_k, 3 * c + 2,
                   3 * c + 1) AS identity_id,
           __PATHS__[1 + cityHash64(c, k, 'path') % __NPATHS__] AS section,
           if(section = '/c/lamps' AND __U_PROD__ < 0.6,
              concat('/p/', toString(cityHash64(c, k, 'sku') % 500)), section) AS path,
           __U_CAMP__ < 0.08 AS from_campaign,
           if(from_campaign, concat('?utm_source=newsletter&utm_medium=email',
              '&utm_campaign=week-', toString(toISOWeek(ts))), '') AS search,
           multiIf(from_campaign, 'https://mail.example/',
                   __U_REF__ < 0.55, concat('__SHOP__', '/'),
                   __REFS__[1 + cityHash64(c, k, 'ref') % __NREFS__]) AS referrer,
           concat('{"path":"', path, '","referrer":"', referrer, '","search":"',
                  search, '","title":"Lumen","url":"__SHOP__', path, search, '"}')
               AS page_json,
           multiIf(type = 'page', page_json,
                   ev = 'Order Completed',
                   concat('{"order_id":"o', toString(c), '-', toString(k),
                          '","revenue":', toString(round(5 + 295 * __U_REV__, 2)),
                          ',"currency":"USD"}'),
                   ev LIKE 'Product%',
                   concat('{"product_id":"p', toString(cityHash64(c, k, 'sku') % 500),
                          '","price":', toString(round(5 + 95 * __U_REV__, 2)), '}'),
                   '{}') AS properties,
           if(channel = 'web',
              concat('{"channel":"web","library":{"name":"analytics.js","version":',
                     '"next-1.70.0"},"userAgent":"', ua, '","page":', page_json,
                     if(from_campaign, concat(',"campaign":{"name":"week-',
                        toString(toISOWeek(ts)),
                        '","source":"newsletter","medium":"email"}'), ''), '}'),
              concat('{"channel":"', channel, '"}')) AS context,
           __UAS__[1 + cityHash64(c, intDiv(k, 6), 'ua') % __NUAS__] AS ua
    FROM (
        SELECT c, k1 - 1 AS k, signin_k,
               start + toIntervalMillisecond(offset_ms) AS ts,
               if(web_only, __U_R__ * __WEB_SHARE__, __U_R__ * 1000) AS r,
               arrayFirstIndex(x -> r < x, __THRESHOLDS__) AS pick,
               __CHANNELS__[pick] AS channel,
               __TYPES__[pick] AS type,
               __NAMES__[pick] AS ev
        FROM (
            SELECT number AS c,
                   toDateTime64('__END__', 3, 'UTC')
                       - toIntervalSecond(toUInt32(__U_START__ * __DAYS__ * 86400))
                       AS start,
                   toUInt32(1 + -log(1 - __U_N__) * __MEAN__) AS n,
                   toUInt32(__U_SIGNIN__ * 4) AS signin_k,
                   __U_PERSONA__ < 0.2 AS web_only,
                   arrayCumSum(arrayMap(k -> toInt64(if(k = 0, 0,
                       if(__U_GAP__ < 0.75, 10000 + 590000 * __U_GAPLEN__,
                          3600000 + 860400000 * pow(__U_GAPLEN__, 3)))),
                       range(n))) AS raw_offsets,
                   -- squeeze a long history so that it ends by END + 1 day
                   least(1.0, (__U_START__ * __DAYS__ + 1) * 86400000
                              / greatest(1, raw_offsets[-1])) AS squeeze,
                   arrayMap(o -> toInt64(o * squeeze), raw_offsets) AS offsets
            FROM numbers(__CUSTOMERS__)
        )
        ARRAY JOIN offsets AS offset_ms, arrayEnumerate(offsets) AS k1
    )
)
LIMIT __EVENTS__
"""

IDENTITIES_SQL = """
INSERT INTO omnicx.identity_profiles (workspace_id, identity_id, profile_id, version)
SELECT '__WS__', identity_id, profile_id, version
FROM (
    SELECT number AS c, arrayJoin([
        (3 * c + 1, c + 1, 1),
        (3 * c + 2, c + 1, 2),
        (3 * c + 3, c + 1, 1),
        (3 * c + 2, if(c % 10 = 0, __CUSTOMERS__ + c + 1, c + 1), 1)
    ]) AS row,
    row.1 AS identity_id, row.2 AS profile_id, row.3 AS version
    FROM numbers(__CUSTOMERS__)
)
"""


def _statement(template: str, workspace_id: str, events: int, customers: int) -> str:
    thresholds, total = [], 0
    for weight, *_ in MIX:
        total += weight
        thresholds.append(total)
    assert total == 1000, total
    mean = max(events / customers - 0.3, 0.0)
    values = {
        "__WS__": workspace_id,
        "__END__": END,
        "__DAYS__": str(DAYS - 5),
        "__EVENTS__": str(events),
        "__CUSTOMERS__": str(customers),
        "__MEAN__": f"{mean:.4f}",
        "__WEB_SHARE__": str(WEB_SHARE),
        "__THRESHOLDS__": _array(tuple(thresholds)),
        "__CHANNELS__": _array(tuple(m[1] for m in MIX)),
        "__TYPES__": _array(tuple(m[2] for m in MIX)),
        "__NAMES__": _array(tuple(m[3] for m in MIX)),
        "__PATHS__": _array(PATHS),
        "__NPATHS__": str(len(PATHS)),
        "__REFS__": _array(REFERRERS),
        "__NREFS__": str(len(REFERRERS)),
        "__UAS__": _array(USER_AGENTS),
        "__NUAS__": str(len(USER_AGENTS)),
        "__SHOP__": SHOP,
        "__U_START__": _u("c", "'start'"),
        "__U_N__": _u("c", "'n'"),
        "__U_SIGNIN__": _u("c", "'signin'"),
        "__U_PERSONA__": _u("c", "'persona'"),
        "__U_GAP__": _u("c", "k", "'gap'"),
        "__U_GAPLEN__": _u("c", "k", "'gaplen'"),
        "__U_R__": _u("c", "k", "'r'"),
        "__U_PROD__": _u("c", "k", "'prod'"),
        "__U_CAMP__": _u("c", "k", "'camp'"),
        "__U_REF__": _u("c", "k", "'ref'"),
        "__U_REV__": _u("c", "k", "'rev'"),
    }
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def generate(store: Any, workspace_id: str, events: int, customers: int) -> None:
    """Fill the workspace's event tables (``store``: an open ``Store``)."""
    store.events.query_rows(_statement(IDENTITIES_SQL, workspace_id, events, customers))
    store.events.query_rows(_statement(EVENTS_SQL, workspace_id, events, customers))
    store.events.query_rows("OPTIMIZE TABLE omnicx.identity_profiles FINAL")


def describe(store: Any, workspace_id: str) -> dict[str, Any]:
    """What was generated: counts per channel and the time span."""
    rows = store.events.query_rows(
        "SELECT channel, count() AS events, uniqExact(profile_id) AS profiles "
        "FROM omnicx.events WHERE workspace_id = {ws:String} GROUP BY channel "
        "ORDER BY events DESC",
        {"ws": workspace_id},
    )
    span = store.events.query_rows(
        "SELECT count() AS events, uniqExact(profile_id) AS profiles, "
        "toString(min(timestamp)) AS first, toString(max(timestamp)) AS last "
        "FROM omnicx.events WHERE workspace_id = {ws:String}",
        {"ws": workspace_id},
    )[0]
    return span | {"per_channel": rows}
