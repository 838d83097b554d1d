"""Web analytics: visitors, sessions, pageviews, bounce rate, top pages, referrers,
campaigns, devices and browsers of the ``web`` channel.

Query (every field optional)::

    {"limit": 10, "session_timeout": "30m",
     "from": ..., "to": ..., "channels": [...], "traits": {...}}

Definitions (the SQL and its extraction rules are in ``storage.sql.journeys_web``):

- **Web events** are the ``page``, ``track`` and ``screen`` calls on the ``web``
  channel in the scope; identify/group/alias calls are not activity. A ``channels``
  filter without ``web`` leaves nothing.
- **Visitors**: distinct profiles (after merges) with a web event.
- **Sessions**: each visitor's web events in time order, split where the gap to the
  previous event is *more than* ``session_timeout`` (default 30 minutes; a gap of
  exactly 30:00.000 continues the session). Events on other channels do not keep a web
  session alive.
- **Pageviews**: page calls.
- **Bounce rate**: sessions made of exactly one event, that event a pageview, over all
  sessions.
- **Average session duration**: last event minus first event of each session, averaged
  over sessions (a one-event session lasts 0 s).
- **Top pages**: pageviews by ``properties.path`` (else ``context.page.path``).
- **Referrers**: pageviews whose referrer's host (without ``www.``) differs from the
  page's own host, by referrer host.
- **Campaigns**: events tagged with ``context.campaign`` (name/source/medium) or with
  ``utm_campaign``/``utm_source``/``utm_medium`` in the page URL.
- **Devices** (mobile/tablet/desktop/bot/unknown) and **browsers** from
  ``context.userAgent`` by simple ordered rules (see ``storage.sql.journeys_web``).
- In every table ``sessions`` counts the sessions that include a matching event (so a
  session on two devices counts for both), ``visitors`` the distinct profiles; pages
  are ranked by pageviews, everything else by sessions, cut to ``limit`` rows.
  ``sessions_by_day`` files each session under the UTC day it starts, with its
  visitors, pageviews and bounces.

Answer::

    {"visitors", "sessions", "pageviews", "events", "bounce_rate",
     "avg_session_duration_s", "pageviews_per_session", "session_timeout_s",
     "top_pages": [{"path", "pageviews", "visitors", "sessions"}],
     "referrers": [{"domain", "pageviews", "visitors", "sessions"}],
     "campaigns": [{"name", "source", "medium", "pageviews", "events", "visitors",
                    "sessions"}],
     "devices": [{"device", "sessions", "visitors", "pageviews"}],
     "browsers": [{"browser", "sessions", "visitors", "pageviews"}],
     "sessions_by_day": [{"day", "sessions", "visitors", "pageviews", "bounces"}]}
"""

from __future__ import annotations

from typing import Any

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.journeys._query import Scope, parse_duration, scope_from
from omnicx.journeys._registry import Analysis
from omnicx.journeys._scope import scope_params
from omnicx.journeys.cohorts import parse_fields
from omnicx.storage import Store
from omnicx.storage.sql.journeys_web import CAMPAIGN_SEPARATOR, WEB_SUMMARY

MAX_LIMIT = 1000
MAX_TIMEOUT_S = 24 * 3600


class _WebFields(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    limit: int = 10
    session_timeout: str | int | float = "30m"


class WebQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A validated web analytics query."""

    scope: Scope
    limit: int = 10
    session_timeout_s: int = 1800


# -- named validation rules ----------------------------------------------------------
def limit_in_range(q: _WebFields) -> FieldError | None:
    if not 1 <= q.limit <= MAX_LIMIT:
        return FieldError("limit", f"must be between 1 and {MAX_LIMIT}; got {q.limit}")
    return None


def session_timeout_reasonable(q: _WebFields) -> FieldError | None:
    try:
        seconds = parse_duration(q.session_timeout, "session_timeout")
    except ValidationError as exc:
        return FieldError("session_timeout", str(exc))
    if seconds > MAX_TIMEOUT_S:
        return FieldError("session_timeout", "must be at most 24h")
    return None


RULES = (limit_in_range, session_timeout_reasonable)


def parse_web_query(raw: dict[str, Any]) -> WebQuery:
    scope = scope_from(raw)
    fields: _WebFields = parse_fields(raw, _WebFields)
    errors = [e for rule in RULES if (e := rule(fields)) is not None]
    if errors:
        raise ValidationError(
            "invalid web analytics query: "
            + "; ".join(f"{e.field} {e.message}" for e in errors),
            errors,
        )
    timeout = fields.session_timeout
    if isinstance(timeout, str) and timeout.strip().isdigit():
        timeout = int(timeout)
    return WebQuery(
        scope=scope,
        limit=fields.limit,
        session_timeout_s=parse_duration(timeout, "session_timeout"),
    )


# -- running --------------------------------------------------------------------------
def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _counts(row: dict[str, Any], *names: str) -> dict[str, int]:
    return {name: int(row[name]) for name in names}


def run_web(store: Store, workspace_id: str, q: WebQuery) -> dict[str, Any]:
    params = scope_params(store, workspace_id, q.scope) | {
        "timeout_ms": q.session_timeout_s * 1000,
        "limit": q.limit,
    }
    rows = store.events.query_rows(WEB_SUMMARY, params)
    kinds: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        kinds.setdefault(row["kind"], []).append(row)
    total = (kinds.get("total") or [None])[0]
    metrics = ("pageviews", "visitors", "sessions")
    sessions = int(total["sessions"]) if total else 0
    pageviews = int(total["pageviews"]) if total else 0
    return {
        "visitors": int(total["visitors"]) if total else 0,
        "sessions": sessions,
        "pageviews": pageviews,
        "events": int(total["events"]) if total else 0,
        "bounce_rate": _ratio(int(total["bounces"]), sessions) if total else None,
        "avg_session_duration_s": (
            _ratio(int(total["duration_ms"]) / 1000, sessions) if total else None
        ),
        "pageviews_per_session": _ratio(pageviews, sessions),
        "session_timeout_s": q.session_timeout_s,
        "top_pages": [
            {"path": r["key"]} | _counts(r, *metrics) for r in kinds.get("page", [])
        ],
        "referrers": [
            {"domain": r["key"]} | _counts(r, *metrics)
            for r in kinds.get("referrer", [])
        ],
        "campaigns": [
            dict(
                zip(
                    ("name", "source", "medium"),
                    r["key"].split(CAMPAIGN_SEPARATOR),
                    strict=True,
                )
            )
            | _counts(r, "pageviews", "events", "visitors", "sessions")
            for r in kinds.get("campaign", [])
        ],
        "devices": [
            {"device": r["key"]} | _counts(r, "sessions", "visitors", "pageviews")
            for r in kinds.get("device", [])
        ],
        "browsers": [
            {"browser": r["key"]} | _counts(r, "sessions", "visitors", "pageviews")
            for r in kinds.get("browser", [])
        ],
        "sessions_by_day": sorted(
            (
                {"day": r["key"]}
                | _counts(r, "sessions", "visitors", "pageviews", "bounces")
                for r in kinds.get("day", [])
            ),
            key=lambda d: d["day"],
        ),
    }


ANALYSIS = Analysis(
    name="web",
    title="Web analytics",
    parse=parse_web_query,
    run=run_web,
    example={"limit": 10, "session_timeout": "30m"},
    description=(
        "The web channel: visitors, sessions (split after more than 30 minutes "
        "without activity), pageviews, bounce rate (one-pageview sessions with no "
        "other event), "
        "average session duration, top pages, external referrers, UTM campaigns, "
        "devices and browsers (from the user agent)."
    ),
)
