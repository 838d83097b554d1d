"""Sending surveys: to one customer (API, in-app), to a segment, from the store's
QR code and the web widget, and the scheduled sends that fall due."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import msgspec

from omnicx.errors import FieldError, NotFoundError, ValidationError
from omnicx.feedback._distribution import (
    Customer,
    SurveySuppressedError,
    contact_for,
    create_invitation,
    customer_of_profile,
    deliver_invitation,
    find_customer,
    invitation_dict,
    parse_channel,
    public_base,
    suppression,
)
from omnicx.feedback._i18n import iso_time
from omnicx.feedback.surveys import (
    Survey,
    feedback_state,
    get_survey,
    survey_by_id,
    survey_by_store_token,
)
from omnicx.settings import Settings
from omnicx.storage import Store, now_ms

log = logging.getLogger("omnicx.feedback")
MAX_SEGMENT = 50_000


class IdentityRef(msgspec.Struct, forbid_unknown_fields=True):
    type: str
    value: str


class SendRequest(msgspec.Struct, forbid_unknown_fields=True):
    identity: IdentityRef
    channel: str
    language: str | None = None
    touchpoint: str | None = None
    stage: str | None = None
    message_id: str | None = None
    delay: str | None = None
    force: bool = False


class SegmentRequest(msgspec.Struct, forbid_unknown_fields=True):
    traits: dict[str, Any]
    channel: str
    language: str | None = None
    delay: str | None = None
    limit: int = 10_000


class WidgetRequest(msgspec.Struct, forbid_unknown_fields=True):
    writeKey: str
    survey: str
    userId: str | None = None
    anonymousId: str | None = None
    language: str | None = None
    touchpoint: str | None = None


_UNITS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def parse_duration(raw: str | None, field: str) -> int:
    """``"2h"``, ``"30m"``, ``"90d"``, ``"1w"``, ``"45s"`` or ``"0"`` → milliseconds."""
    text = (raw or "0").strip().lower()
    number, unit = (text[:-1], text[-1]) if text[-1:] in _UNITS else (text, "s")
    if not (number.isascii() and number.isdigit()) or int(number) > 10_000_000:
        raise ValidationError(
            f"{field}: not a duration: {raw!r}",
            [FieldError(field, "a duration like 30m, 2h, 7d or 90d")],
        )
    return int(number) * _UNITS[unit]


def _check_text(value: str | None, field: str, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise ValidationError(
            f"{field} is longer than {limit}", [FieldError(field, "too long")]
        )


def send_survey(
    store: Store,
    settings: Settings,
    workspace_id: str,
    survey_id: str,
    body: SendRequest,
    request_base: str | None = None,
) -> dict[str, Any]:
    """One invitation to one customer, delivered now (or scheduled with ``delay``)."""
    survey = get_survey(store, workspace_id, survey_id)
    channel = parse_channel(body.channel)
    _check_text(body.touchpoint, "touchpoint", 240)
    _check_text(body.stage, "stage", 40)
    _check_text(body.message_id, "message_id", 200)
    delay = parse_duration(body.delay, "delay")
    customer = find_customer(
        store, settings, workspace_id, body.identity.type, body.identity.value
    )
    invitation = create_invitation(
        store,
        survey,
        customer,
        channel,
        language=body.language,
        touchpoint=body.touchpoint,
        stage=body.stage,
        trigger_message_id=body.message_id,
        due_at=now_ms() + delay,
        force=body.force,
    )
    base = public_base(settings, request_base)
    if not delay:
        invitation = _deliver_now(store, settings, survey, invitation, base)
    return invitation_dict(invitation, base)


def _deliver_now(
    store: Store, settings: Settings, survey: Survey, row: dict[str, Any], base: str
) -> dict[str, Any]:
    claimed = feedback_state(store).claim_token(row["token"])
    if not claimed:
        return row
    return deliver_invitation(store, settings, survey, row, f"{base}/s/{row['token']}")


def send_segment(
    store: Store,
    settings: Settings,
    workspace_id: str,
    survey_id: str,
    body: SegmentRequest,
) -> dict[str, Any]:
    """Schedule one invitation per profile holding every ``traits`` value; the
    scheduler sends them (within ``scheduler_interval_s`` when there is no delay)."""
    survey = get_survey(store, workspace_id, survey_id)
    channel = parse_channel(body.channel)
    if not body.traits:
        raise ValidationError(
            'traits: give at least one trait to match, e.g. {"vip": true}',
            [FieldError("traits", "required")],
        )
    if not 1 <= body.limit <= MAX_SEGMENT:
        raise ValidationError(
            f"limit must be 1..{MAX_SEGMENT}", [FieldError("limit", "out of range")]
        )
    due_at = now_ms() + parse_duration(body.delay, "delay")
    profiles = store.state.profiles_with_traits(workspace_id, body.traits)
    counts = {"scheduled": 0, "suppressed": 0, "no_contact": 0}
    tokens: list[str] = []
    for profile_id in profiles[: body.limit]:
        customer = customer_of_profile(store, workspace_id, profile_id)
        if contact_for(customer, channel) is None:
            counts["no_contact"] += 1
            continue
        row = create_invitation(
            store,
            survey,
            customer,
            channel,
            language=body.language,
            touchpoint="segment",
            due_at=due_at,
            record_suppressed=True,
        )
        counts[row["status"]] = counts.get(row["status"], 0) + 1
        if row["status"] == "scheduled" and len(tokens) < 100:
            tokens.append(row["token"])
    return {
        "survey_id": survey.id,
        "channel": channel,
        "profiles": len(profiles),
        **counts,
        "due_at": iso_time(due_at),
        "invitations": tokens,
    }


def send_due(store: Store, settings: Settings, now: int | None = None) -> int:
    """Deliver every scheduled invitation due by ``now`` (ms; default: the clock),
    re-checking fatigue and opt-out at send time. Returns how many were handled."""
    at = now_ms() if now is None else now
    base = public_base(settings)
    handled = 0
    for row in feedback_state(store).claim_due(at):
        handled += 1
        try:
            survey = survey_by_id(store, row["survey_id"])
            if survey is None:
                feedback_state(store).finish_invitation(
                    row["token"], {"status": "failed", "error": "survey deleted"}
                )
                continue
            customer = _customer_of_invitation(store, settings, row)
            blocked = suppression(
                store, row["workspace_id"], customer, row["channel"], at, row["token"]
            )
            if blocked:
                feedback_state(store).finish_invitation(
                    row["token"], {"status": "suppressed", "error": blocked[1]}
                )
                continue
            deliver_invitation(store, settings, survey, row, f"{base}/s/{row['token']}")
        except Exception as exc:  # one bad row must not stop the others
            log.exception("scheduled survey %s failed", row["token"][:8])
            feedback_state(store).finish_invitation(
                row["token"], {"status": "failed", "error": f"{type(exc).__name__}"}
            )
    return handled


def _customer_of_invitation(
    store: Store, settings: Settings, row: dict[str, Any]
) -> Customer:
    return find_customer(
        store,
        settings,
        row["workspace_id"],
        row["identity_type"],
        row["identity_value"],
    )


def store_link_invitation(
    store: Store,
    settings: Settings,
    token: str,
    channel: str | None,
    touchpoint: str | None,
    language: str | None,
) -> dict[str, Any]:
    """An anonymous invitation created when a customer scans the store's QR code."""
    survey = survey_by_store_token(store, token)
    if survey is None:
        raise NotFoundError("no survey behind this link")
    return _anonymous(
        store,
        settings,
        survey,
        ("anonymous_id", "qr-" + secrets.token_hex(10)),
        parse_channel(channel or "store"),
        touchpoint,
        language,
    )


def widget_invitation(
    store: Store, settings: Settings, body: WidgetRequest, request_base: str
) -> dict[str, Any]:
    """An invitation for a visitor identified by the web widget (write key auth)."""
    source = store.state.source_by_write_key(body.writeKey)
    if source is None:
        raise ValidationError(
            "unknown write key", [FieldError("writeKey", "unknown write key")]
        )
    survey = survey_by_id(store, body.survey)
    if survey is None or survey.workspace_id != source.workspace_id:
        raise NotFoundError(f"no survey {body.survey!r} in this workspace")
    if body.userId:
        identity = ("user_id", body.userId)
    elif body.anonymousId:
        identity = ("anonymous_id", body.anonymousId)
    else:
        raise ValidationError(
            "send userId or anonymousId", [FieldError("userId", "required")]
        )
    _check_text(identity[1], "userId", 200)
    _check_text(body.touchpoint, "touchpoint", 240)
    customer = find_customer(store, settings, source.workspace_id, *identity)
    row = create_invitation(
        store,
        survey,
        customer,
        "web",
        language=body.language,
        touchpoint=body.touchpoint or "web:widget",
        force=True,
    )
    row = {**row, "status": "no_connector"}
    feedback_state(store).finish_invitation(
        row["token"], {"status": "no_connector", "sent_at": now_ms()}
    )
    return invitation_dict(row, public_base(settings, request_base))


def _anonymous(
    store: Store,
    settings: Settings,
    survey: Survey,
    identity: tuple[str, str],
    channel: str,
    touchpoint: str | None,
    language: str | None,
) -> dict[str, Any]:
    customer = Customer(identity, None, [], [identity], {})
    row = create_invitation(
        store,
        survey,
        customer,
        channel,
        language=language,
        touchpoint=(touchpoint or "")[:240] or f"{channel}:qr",
        force=True,
    )
    feedback_state(store).finish_invitation(
        row["token"], {"status": "no_connector", "sent_at": now_ms()}
    )
    return {**row, "status": "no_connector"}


def list_invitations(
    store: Store,
    settings: Settings,
    workspace_id: str,
    survey_id: str,
    limit: int,
    request_base: str | None = None,
) -> list[dict[str, Any]]:
    get_survey(store, workspace_id, survey_id)
    base = public_base(settings, request_base)
    return [
        invitation_dict(row, base)
        for row in feedback_state(store).invitations(workspace_id, survey_id, limit)
    ]


__all__ = [
    "SegmentRequest",
    "SendRequest",
    "SurveySuppressedError",
    "WidgetRequest",
    "list_invitations",
    "parse_duration",
    "send_due",
    "send_segment",
    "send_survey",
    "store_link_invitation",
    "widget_invitation",
]
