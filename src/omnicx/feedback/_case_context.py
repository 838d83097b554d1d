"""A case's customer context, and reaching the customer: consent, channel, address.

**Consent** (checked at send time, from the profile's traits; default: allowed until
opted out):

- ``consent: false`` — no messages on any channel;
- ``consent: {"email": false, "sms": true}`` — per channel (missing channel: allowed);
  ``false``, ``"no"``, ``"opted_out"``, ``"denied"``, ``"unsubscribed"`` all mean no;
- ``unsubscribed_channels: ["sms", …]`` — opted out of those channels.

**Preferred consented channel** for a follow-up (and a re-survey), the first that is
consented, has a connector configured and an address on the profile:

1. the trait ``preferred_channel``;
2. the channel the triggering response was answered on;
3. ``email``.

Connectors: ``email`` needs ``smtp_url``; ``sms`` needs ``sms_webhook_url``;
``whatsapp`` needs ``whatsapp_webhook_url`` or ``sms_webhook_url``. Addresses: email →
the profile's ``email`` identity (else an ``email`` trait); sms/whatsapp → ``phone``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from omnicx.errors import ConflictError, FieldError, NotFoundError, ValidationError
from omnicx.feedback._alert_actions import iso

if TYPE_CHECKING:
    from omnicx.feedback.alerts import ClosedLoop
    from omnicx.settings import Settings
    from omnicx.storage import Store

TIMELINE_EVENTS = 20
_NO = {"false", "no", "opted_out", "opt_out", "denied", "unsubscribed", "0"}
_CONNECTED = ("email", "sms", "whatsapp")
_ADDRESS = {"email": "email", "sms": "phone", "whatsapp": "phone"}
_SETTING_ENV = {
    "email": "OMNICX_SMTP_URL",
    "sms": "OMNICX_SMS_WEBHOOK_URL",
    "whatsapp": "OMNICX_WHATSAPP_WEBHOOK_URL",
}


def _is_no(value: Any) -> bool:
    if value is False:
        return True
    return isinstance(value, str) and value.strip().lower() in _NO


def consented(traits: dict[str, Any], channel: str) -> bool:
    """May this customer be messaged on ``channel``? (see the module docstring)"""
    consent = traits.get("consent")
    if _is_no(consent):
        return False
    if isinstance(consent, dict) and _is_no(consent.get(channel, True)):
        return False
    unsubscribed = traits.get("unsubscribed_channels")
    return not (isinstance(unsubscribed, list) and channel in unsubscribed)


def has_connector(settings: Settings, channel: str) -> bool:
    from omnicx import channels

    return channels.has_connector(settings, channel)


def address_for(profile: dict[str, Any], channel: str) -> str | None:
    kind = _ADDRESS.get(channel)
    if kind is None:
        return None
    for identity in reversed(profile.get("identities") or []):
        if identity["type"] == kind:
            return str(identity["value"])
    value = (profile.get("traits") or {}).get(kind)
    return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class Reach:
    """Where a message to the customer goes."""

    channel: str
    to: str


def _why_not(settings: Settings, profile: dict[str, Any], channel: str) -> str | None:
    if not consented(profile.get("traits") or {}, channel):
        return f"the customer has not consented to {channel} messages"
    if channel not in _CONNECTED:
        return f"no outbound connector for the {channel} channel"
    if not has_connector(settings, channel):
        return f"no {channel} connector configured; set {_SETTING_ENV[channel]}"
    if address_for(profile, channel) is None:
        return f"the customer has no {_ADDRESS[channel]} for {channel}"
    return None


def profile_summary(
    store: Store, workspace_id: str, profile_id: int
) -> dict[str, Any] | None:
    """``{"id", "identities", "traits"}`` from the state store alone (no event-store
    query: alert payloads and trait conditions need it fast), following merges;
    None when the profile is gone. Traits: the newest value of each."""
    state = store.state
    current = state.current_profile_id(workspace_id, profile_id)
    if current is None:
        return None
    identities = state.profile_identities(current)
    newest: dict[str, tuple[tuple[int, int], str]] = {}
    for row in state.profile_traits([i["id"] for i in identities]):
        rank = (row["ts"], row["identity_id"])
        if row["key"] not in newest or rank > newest[row["key"]][0]:
            newest[row["key"]] = (rank, row["value"])
    return {
        "id": str(current),
        "identities": [{"type": i["type"], "value": i["value"]} for i in identities],
        "traits": {k: json.loads(v) for k, (_, v) in sorted(newest.items())},
    }


def candidates(profile: dict[str, Any], answered_on: str | None) -> list[str]:
    preferred = (profile.get("traits") or {}).get("preferred_channel")
    order = [preferred if isinstance(preferred, str) else None, answered_on, "email"]
    seen: list[str] = []
    for channel in order:
        if channel and channel not in seen:
            seen.append(channel)
    return seen


def choose_reach(
    settings: Settings,
    profile: dict[str, Any],
    answered_on: str | None,
    requested: str | None = None,
) -> Reach:
    """The channel and address for a message, or a ``ConflictError`` saying why none."""
    if requested is not None:
        reason = _why_not(settings, profile, requested)
        if reason:
            raise ConflictError(f"cannot send on channel {requested!r}: {reason}")
        return Reach(requested, address_for(profile, requested) or "")
    reasons = []
    for channel in candidates(profile, answered_on):
        reason = _why_not(settings, profile, channel)
        if reason is None:
            return Reach(channel, address_for(profile, channel) or "")
        reasons.append(f"{channel}: {reason}")
    message = "no consented channel reaches this customer (" + "; ".join(reasons) + ")"
    raise ConflictError(message)


def suggest_reach(
    settings: Settings, profile: dict[str, Any] | None, answered_on: str | None
) -> dict[str, Any]:
    """What a follow-up would use now, for the case page."""
    if profile is None:
        return {"channel": None, "to": None, "reason": "the profile was erased"}
    try:
        reach = choose_reach(settings, profile, answered_on)
    except ConflictError as exc:
        return {"channel": None, "to": None, "reason": str(exc)}
    return {"channel": reach.channel, "to": reach.to, "reason": None}


def case_context(
    loop: ClosedLoop, workspace_id: str, case: dict[str, Any]
) -> dict[str, Any]:
    """The customer's profile, their last 20 events on every channel, the response."""
    from omnicx import profiles

    profile = loop.profile_or_none(workspace_id, case["profile_id"])
    timeline: list[dict[str, Any]] = []
    if profile is not None:
        try:
            page = profiles.get_timeline(
                loop.runtime.store, workspace_id, profile["id"], TIMELINE_EVENTS, None
            )
            timeline = page.events
        except NotFoundError:
            timeline = []
    return {
        "profile": profile,
        "timeline": timeline,
        "response": case["trigger"],
        "follow_up": suggest_reach(loop.runtime.settings, profile, case["channel"]),
    }


def send_message(
    loop: ClosedLoop, reach: Reach, text: str, subject: str, case_id: str
) -> dict[str, Any]:
    """Deliver through the channel connectors; the delivery as a dict."""
    from omnicx.channels import OutboundMessage, deliver

    message = OutboundMessage(
        channel=reach.channel,
        to=reach.to,
        text=text,
        subject=subject,
        metadata={"case_id": case_id},
    )
    result = deliver(loop.runtime.settings, message)
    return {
        "channel": result.channel,
        "to": result.to,
        "status": result.status,
        "provider_id": result.provider_id,
        "error": result.error,
    }


def identity_for(profile: dict[str, Any], reach: Reach | None) -> dict[str, str]:
    """The identity a survey invitation is addressed to."""
    if reach is not None:
        kind = _ADDRESS.get(reach.channel)
        if kind is not None:
            return {"type": kind, "value": reach.to}
    identities = profile.get("identities") or []
    for kind in ("email", "phone", "user_id"):
        for identity in identities:
            if identity["type"] == kind:
                return {"type": kind, "value": identity["value"]}
    if not identities:
        raise ConflictError("the customer has no identity to address a survey to")
    return {"type": identities[0]["type"], "value": identities[0]["value"]}


def send_resurvey(
    loop: ClosedLoop,
    workspace_id: str,
    survey_id: str,
    identity: dict[str, str],
    channel: str,
    case_id: str,
) -> dict[str, Any]:
    """Invite the customer to ``survey_id`` (the surveys module does the sending)."""
    try:
        from omnicx.feedback import surveys
    except ImportError:
        raise ValidationError(
            "re-surveys need the surveys module (omnicx.feedback.surveys), which "
            "this installation lacks; resolve without 'resurvey'",
            [FieldError("resurvey", "surveys are not available")],
        ) from None
    send = getattr(surveys, "send_survey", None)
    if send is not None:
        return send(
            loop.runtime,
            workspace_id,
            survey_id,
            identity,
            channel,
            base_url=loop.base_url,
            metadata={"case_id": case_id},
        )
    # Until the surveys facade has send_survey(runtime, ...): its internal sender.
    # ``force``: a re-survey after resolution is deliberate (not survey fatigue).
    from omnicx.feedback import _survey_send

    body = _survey_send.SendRequest(
        identity=_survey_send.IdentityRef(**identity), channel=channel, force=True
    )
    return _survey_send.send_survey(
        loop.runtime.store,
        loop.runtime.settings,
        workspace_id,
        survey_id,
        body,
        request_base=loop.base_url,
    )


def invite_resurvey(
    loop: ClosedLoop,
    workspace_id: str,
    case: dict[str, Any],
    survey_id: str,
    channel: str | None,
    now: int,
) -> dict[str, Any]:
    """Send the re-survey of a resolved case on the preferred consented channel (or
    ``channel``); without one, a link the agent can share (channel ``web``)."""
    profile = loop.profile_or_none(workspace_id, case["profile_id"])
    if profile is None:
        raise ConflictError("the customer's profile no longer exists")
    settings = loop.runtime.settings
    reach: Reach | None
    if channel is not None:
        reach = choose_reach(settings, profile, case["channel"], channel)
    else:
        try:
            reach = choose_reach(settings, profile, case["channel"])
        except ConflictError:
            reach = None
    sent_on = reach.channel if reach else "web"
    sent = send_resurvey(
        loop,
        workspace_id,
        survey_id,
        identity_for(profile, reach),
        sent_on,
        case["id"],
    )
    return {
        "survey_id": survey_id,
        "invitation": sent.get("invitation"),
        "url": sent.get("url"),
        "channel": sent_on,
        "status": sent.get("status"),
        "sent_at": iso(now),
        "response": None,
    }


def public_case(case: dict[str, Any]) -> dict[str, Any]:
    trigger = case["trigger"] or {}
    props = trigger.get("properties") or {}
    return {
        "id": case["id"],
        "profile_id": str(case["profile_id"]),
        "status": case["status"],
        "owner": case["owner"],
        "title": case["title"],
        "rule_id": case["rule_id"],
        "firing_id": case["firing_id"],
        "channel": case["channel"],
        "score": props.get("score"),
        "comment": props.get("comment") or props.get("text"),
        "sla_hours": case["sla_hours"],
        "sla_due_at": iso(case["sla_due_at"]),
        "sla_breached": bool(case["sla_breached"]),
        "sla_breached_at": iso(case["sla_breached_at"]),
        "created_at": iso(case["created_at"]),
        "updated_at": iso(case["updated_at"]),
        "resolved_at": iso(case["resolved_at"]),
        "closed_at": iso(case["closed_at"]),
        "trigger": trigger,
        "resurvey": case["resurvey"],
    }


def public_activity(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": a["id"],
        "kind": a["kind"],
        "author": a["author"],
        "text": a["text"],
        "data": a["data"],
        "at": iso(a["at"]),
    }


def case_title(rule: dict[str, Any], trigger: dict[str, Any]) -> str:
    props = trigger.get("properties") or {}
    parts = [rule["name"]]
    what = props.get("survey_name") or trigger.get("event")
    if props.get("score") is not None:
        what = f"{what} {props['score']}"
    if what:
        parts.append(f"{what} on {trigger.get('channel')}")
    return " — ".join(str(p) for p in parts)


def parse_flag(raw: str | None, field: str) -> bool | None:
    if raw is None or raw == "":
        return None
    value = raw.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ValidationError(
        f"{field} must be true or false; got {raw!r}",
        [FieldError(field, "true or false")],
    )


def workspace_sla_hours(config: dict[str, Any], default: float) -> float:
    """The workspace config's ``case_sla_hours`` when it is a sensible number."""
    value = config.get("case_sla_hours")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if number and 0 < value <= 8760 else default
