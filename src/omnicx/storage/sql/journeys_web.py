"""ClickHouse SQL of the web analytics (``journeys.web``).

``WEB_EVENTS`` reads the web interactions of the scope — ``page``, ``track`` and
``screen`` calls on the ``web`` channel (identify/group/alias calls are bookkeeping, not
activity) — and pulls out what analytics.js sends:

- ``path``: ``properties.path``, else ``context.page.path`` (page calls only);
- ``referrer_domain``: the host (without ``www.``) of ``properties.referrer``, else
  ``context.page.referrer``, of a page call, when it is not the page's own host (from
  ``properties.url``, else ``context.page.url``);
- the campaign: ``context.campaign.name/source/medium``, else the ``utm_campaign``,
  ``utm_source``, ``utm_medium`` parameters of the page URL (or of ``search``);
- ``device`` from ``context.userAgent``, first rule that matches (substrings):
  empty → ``unknown``; ``bot``, ``crawl``, ``spider``, ``slurp``, ``HeadlessChrome``
  (any case) → ``bot``; ``iPad``, ``Tablet``,
  ``Kindle``, ``Silk``, ``PlayBook``, or ``Android`` without ``Mobile`` → ``tablet``;
  ``Mobi``, ``iPhone``, ``iPod``, ``Android``, ``Windows Phone``, ``BlackBerry``,
  ``Opera Mini`` → ``mobile``; else ``desktop``;
- ``browser``: ``Edg/``, ``EdgA/``, ``EdgiOS/``, ``Edge/`` → Edge; ``OPR/``, ``Opera``
  → Opera; ``SamsungBrowser/`` → Samsung Internet; ``Firefox/``, ``FxiOS/`` → Firefox;
  ``Chrome/``, ``CriOS/``, ``Chromium/`` → Chrome; ``Safari/`` → Safari; else Other
  (``unknown`` when there is no user agent).

``WEB_SESSION_STARTS`` finds each profile's session starts from its sorted web event
times (a narrow array per profile): an event starts a session when it is the profile's
first or comes more than ``timeout_ms`` after the previous one (a gap of exactly the
timeout continues the session; events at the same millisecond never split one).
``WEB_SESSIONS`` joins them back: an event's session is the last start at or before it.
(A window-function version — ``lagInFrame`` + running ``sum`` — gives the same answer
but sorts every wide event row: twice as slow at 10M events, measured.)

``WEB_SUMMARY`` files every event under its dimension values — ``total``, ``day``,
``page``, ``referrer``, ``campaign`` (name, source and medium joined by
``CAMPAIGN_SEPARATOR``), ``device``, ``browser`` — sums them per session and value, then
per value: ``sessions`` (sessions with at least one such event; for ``day``, sessions
*starting* that UTC day), ``visitors`` (distinct profiles), ``pageviews``, ``events``,
``bounces`` (sessions of exactly one event, a pageview) and ``duration_ms`` (summed
session lengths; meaningful for ``total`` and ``day``). Each kind is ranked (pages by
pageviews, the rest by sessions) and cut to ``limit`` rows; days are never cut.
Counting per session first means no distinct count of sessions (a ``sumMap`` per
session instead was slower and took more memory at 10M events). Lazy
(short-circuit) evaluation of ``if`` is turned off: with it, the JSON extraction shared
by both branches of the ``if(a != '', a, b)`` fallbacks ran again per branch (2x
slower, measured).

Parameters: those of ``SCOPED_EVENTS`` plus ``timeout_ms`` and ``limit``.
"""

from __future__ import annotations

from omnicx.storage.sql.journeys import SCOPED_EVENTS

_DEVICE = """multiIf(
    ua = '', 'unknown',
    multiSearchAnyCaseInsensitive(ua, ['bot', 'crawl', 'spider', 'slurp',
                                       'HeadlessChrome']), 'bot',
    multiSearchAny(ua, ['iPad', 'Tablet', 'Kindle', 'Silk', 'PlayBook'])
        OR (position(ua, 'Android') > 0 AND position(ua, 'Mobile') = 0), 'tablet',
    multiSearchAny(ua, ['Mobi', 'iPhone', 'iPod', 'Android', 'Windows Phone',
                        'BlackBerry', 'Opera Mini']), 'mobile',
    'desktop')"""

_BROWSER = """multiIf(
    ua = '', 'unknown',
    multiSearchAny(ua, ['Edg/', 'EdgA/', 'EdgiOS/', 'Edge/']), 'Edge',
    multiSearchAny(ua, ['OPR/', 'Opera']), 'Opera',
    position(ua, 'SamsungBrowser/') > 0, 'Samsung Internet',
    multiSearchAny(ua, ['Firefox/', 'FxiOS/']), 'Firefox',
    multiSearchAny(ua, ['Chrome/', 'CriOS/', 'Chromium/']), 'Chrome',
    position(ua, 'Safari/') > 0, 'Safari',
    'Other')"""

#: One JSON parse per column: the fields analytics.js sends.
_PAGE = "Tuple(path String, referrer String, search String, url String)"
_PROPERTIES = f"JSONExtract(se.properties, '{_PAGE}')"
_CONTEXT = (
    "JSONExtract(se.context, 'Tuple(userAgent String, "
    f"page {_PAGE}, campaign Tuple(name String, source String, medium String))')"
)


def _either(first: str, second: str) -> str:
    return f"if({first} != '', {first}, {second})"


def _utm(field: str, key: str) -> str:
    return _either(
        f"c.campaign.{field}",
        f"decodeURLFormComponent(extractURLParameter(query_url, 'utm_{key}'))",
    )


WEB_EVENTS = f"""
SELECT profile_id, ts_ms, is_page,
       if(is_page, {_either("p.path", "c.page.path")}, '') AS path,
       if(is_page AND ref_host != '' AND ref_host != own_host, ref_host, '')
           AS referrer_domain,
       {_utm("name", "campaign")} AS campaign_name,
       {_utm("source", "source")} AS campaign_source,
       {_utm("medium", "medium")} AS campaign_medium,
       {_DEVICE} AS device,
       {_BROWSER} AS browser
FROM (
    SELECT se.profile_id AS profile_id,
           toUnixTimestamp64Milli(se.ts) AS ts_ms,
           se.type = 'page' AS is_page,
           {_PROPERTIES} AS p,
           {_CONTEXT} AS c,
           c.userAgent AS ua,
           {_either("p.url", "c.page.url")} AS page_url,
           {_either("p.search", "c.page.search")} AS search,
           if(position(page_url, '?') > 0, page_url,
              concat('/?', trimLeft(search, '?'))) AS query_url,
           domainWithoutWWW({_either("p.referrer", "c.page.referrer")}) AS ref_host,
           domainWithoutWWW(page_url) AS own_host
    FROM ({SCOPED_EVENTS}) AS se
    WHERE se.channel = 'web' AND se.type IN ('page', 'track', 'screen')
)
"""

#: Per profile, the start times of its sessions, from its web event times alone.
WEB_SESSION_STARTS = f"""
SELECT profile_id,
       arrayFilter((t, i) -> i = 1 OR t - times[i - 1] > {{timeout_ms:Int64}},
                   times, arrayEnumerate(times)) AS starts
FROM (
    SELECT se.profile_id AS profile_id,
           arraySort(groupArray(toUnixTimestamp64Milli(se.ts))) AS times
    FROM ({SCOPED_EVENTS}) AS se
    WHERE se.channel = 'web' AND se.type IN ('page', 'track', 'screen')
    GROUP BY profile_id
)
"""

WEB_SESSIONS = f"""
SELECT e.*, arrayLastIndex(s -> s <= e.ts_ms, st.starts) AS session_no
FROM ({WEB_EVENTS}) AS e
INNER JOIN ({WEB_SESSION_STARTS}) AS st ON st.profile_id = e.profile_id
"""

#: Separates the name, source and medium of a campaign key (ASCII unit separator).
CAMPAIGN_SEPARATOR = "\x1f"
_SEP = "\\x1f"  # the same as a ClickHouse string-literal escape
_KIND = "\\x1e"  # between a dimension's kind and its value (record separator)


def _dim(kind: str, value: str) -> str:
    return f"if({value} != '', concat('{kind}{_KIND}', {value}), '')"


_CAMPAIGN_KEY = (
    f"if(campaign_name = '' AND campaign_source = '' AND campaign_medium = '', '', "
    f"concat(campaign_name, '{_SEP}', campaign_source, '{_SEP}', campaign_medium))"
)

WEB_SUMMARY = f"""
SELECT kind, key, pageviews, events, visitors, sessions, bounces, duration_ms
FROM (
    SELECT substring(dim, 1, position(dim, '{_KIND}') - 1) AS kind,
           if(kind = 'day',
              toString(toDate(fromUnixTimestamp64Milli(start_ms, 'UTC'))),
              substring(dim, position(dim, '{_KIND}') + 1)) AS key,
           sum(d_pageviews) AS pageviews,
           sum(d_events) AS events,
           uniqExact(profile_id) AS visitors,
           count() AS sessions,
           countIf(d_events = 1 AND d_pageviews = 1) AS bounces,
           sum(end_ms - start_ms) AS duration_ms,
           row_number() OVER (
               PARTITION BY kind
               ORDER BY if(kind = 'page', pageviews, sessions) DESC, key
           ) AS rank
    FROM (
        -- one row per session and dimension value; "total" and "day" hold the
        -- whole session
        SELECT profile_id, session_no, dim,
               countIf(is_page) AS d_pageviews,
               count() AS d_events,
               min(ts_ms) AS start_ms,
               max(ts_ms) AS end_ms
        FROM ({WEB_SESSIONS})
        ARRAY JOIN arrayFilter(d -> d != '', [
            'total{_KIND}-',
            'day{_KIND}-',
            {_dim("page", "path")},
            {_dim("referrer", "referrer_domain")},
            {_dim("campaign", _CAMPAIGN_KEY)},
            {_dim("device", "device")},
            {_dim("browser", "browser")}
        ]) AS dim
        GROUP BY profile_id, session_no, dim
    )
    GROUP BY dim, kind, key
)
WHERE kind IN ('total', 'day') OR rank <= {{limit:UInt32}}
ORDER BY kind, rank
SETTINGS short_circuit_function_evaluation = 'disable'
"""
