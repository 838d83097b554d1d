"""ClickHouse SQL for omnichannel impact (``journeys.impact``).

Built on the per-profile keys of ``journeys_switching.PROFILE_EVENTS``. Parameters
besides ``PROFILE_EVENTS``'s: ``lookback_ms`` (for the journeys of orders).
"""

from __future__ import annotations

from omnicx.storage.sql.journeys_silo import JOURNEY_ARRAYS
from omnicx.storage.sql.journeys_switching import (
    PROFILE_EVENTS,
    key_code,
    key_is_conversion,
    key_t,
)

_DAY_MS = 86400000

#: Customers (profiles with an interaction in scope) per number of distinct channels
#: used (``channels``) and per ``flags`` — 1: has an order, 2: has two or more,
#: 4: used two or more channels within one UTC day — with ``customers``, their
#: ``orders``, ``revenue`` and ``multichannel_orders`` (orders whose journey used two
#: or more channels).
CUSTOMERS_BY_CHANNELS = f"""
SELECT channels, flags,
       count() AS customers,
       sum(profile_orders) AS orders,
       sum(profile_revenue) AS revenue,
       sum(profile_multichannel_orders) AS multichannel_orders
FROM (
    SELECT arraySort(groupArray(key)) AS keys,
           countIf({key_is_conversion("key")}) AS profile_orders,
           sum(value) AS profile_revenue,
           length(arrayDistinct(arrayMap(k -> {key_code("k")}, keys))) AS channels,
           arrayExists(
               (a, b) -> intDiv({key_t("a")}, {_DAY_MS})
                             = intDiv({key_t("b")}, {_DAY_MS})
                         AND {key_code("a")} != {key_code("b")},
               arrayPopBack(keys), arrayPopFront(keys)) AS same_day_switch,
           {JOURNEY_ARRAYS},
           countEqual(arrayMap(c -> length(c) >= 2, journey_codes), 1)
               AS profile_multichannel_orders,
           (profile_orders >= 1) + 2 * (profile_orders >= 2) + 4 * same_day_switch
               AS flags
    FROM ({PROFILE_EVENTS})
    GROUP BY profile_id
)
GROUP BY channels, flags
ORDER BY channels, flags
"""
