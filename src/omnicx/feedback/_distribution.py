"""Distribution: invitations to a survey, one per customer, channel and send.

An invitation is a hard-to-guess token (192 random bits): the hosted page
``/s/<token>`` and ``POST /api/v1/responses`` accept it as the respondent's only
credential. Each invitation records the survey, the customer (identity and profile),
the channel, the language, the triggering message and touchpoint, when it is due and
what the channel's connector did with it (``status``):

    scheduled → sending → sent | failed | no_connector
    suppressed   (fatigue or opt-out when it was due; ``error`` says which)

Email goes over SMTP, SMS and WhatsApp through the provider webhook
(``omnicx.channels.deliver``); other channels (store, call_center, web, mobile_app,
chat …) have no connector and the link / QR code is handed over by the caller.
"""

from __future__ import annotations

import html
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from omnicx.errors import ConflictError, FieldError, ValidationError
from omnicx.feedback._i18n import (
    base_language,
    direction,
    iso_time,
    pick_language,
    ui_strings,
)
from omnicx.feedback.surveys import (
    Survey,
    feedback_state,
    get_brand,
    get_survey_settings,
)
from omnicx.identity import normalize_identity
from omnicx.ingest import canonical_channel
from omnicx.settings import Settings
from omnicx.storage import Store, now_ms

log = logging.getLogger("omnicx.feedback")
DAY_MS = 86_400_000
#: The identifier a channel's connector sends to.
CONTACT_TYPE = {"email": "email", "sms": "phone", "whatsapp": "phone"}
_ALIASES = {"userId": "user_id", "anonymousId": "anonymous_id"}


class SurveySuppressedError(ConflictError, ValidationError):
    """A survey may not go to this customer now (fatigue rule or opt-out): a 409
    whose ``errors`` name the reason (``identity``: ``fatigue`` | ``opted_out`` |
    ``no_opt_in``)."""

    status = 409

    def __init__(self, reason: str, message: str) -> None:
        ValidationError.__init__(self, message, [FieldError("identity", reason)])
        self.reason = reason


@dataclass(frozen=True)
class Customer:
    """Who an invitation goes to: the identity it names and what we know of them."""

    identity: tuple[str, str]
    profile_id: int | None
    family: list[int]  # the profile and the profiles merged into it
    identities: list[tuple[str, str]]
    traits: dict[str, Any]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def public_base(settings: Settings, request_base: str | None = None) -> str:
    """Base URL of survey links: ``public_url``, else the request's, else local."""
    if settings.public_url:
        return str(settings.public_url).rstrip("/")
    if request_base:
        return request_base.rstrip("/")
    return f"http://{settings.host}:{settings.port}"


def parse_channel(raw: str, field: str = "channel") -> str:
    channel = canonical_channel(raw)
    if channel is None:
        raise ValidationError(
            f"{field}: not a channel name: {raw!r}",
            [FieldError(field, "a channel such as email, sms, store, web")],
        )
    return channel


def find_customer(
    store: Store, settings: Settings, workspace_id: str, kind: str, value: str
) -> Customer:
    """Normalise an identity the way ingest does and find its profile (if any)."""
    kind = _ALIASES.get(kind.strip(), kind.strip().lower())
    if not kind or len(kind) > 40:
        raise ValidationError(
            "identity.type is required", [FieldError("identity.type", "required")]
        )
    config = store.state.workspace(workspace_id).config
    region = (config.get("identity") or {}).get("default_region") or (
        settings.default_region
    )
    normalised = normalize_identity(kind, value, region)
    if normalised is None or len(normalised) > 500:
        raise ValidationError(
            f"identity.value is not a valid {kind}: {value!r}",
            [FieldError("identity.value", f"not a valid {kind}")],
        )
    profile_id = store.state.profile_for_identity(workspace_id, kind, normalised)
    if profile_id is None:
        return Customer((kind, normalised), None, [], [(kind, normalised)], {})
    return customer_of_profile(store, workspace_id, profile_id, (kind, normalised))


def customer_of_profile(
    store: Store,
    workspace_id: str,
    profile_id: int,
    identity: tuple[str, str] | None = None,
) -> Customer:
    rows = store.state.profile_identities(profile_id)
    identities = [(r["type"], r["value"]) for r in rows]
    latest: dict[str, tuple[int, Any]] = {}
    for trait in store.state.profile_traits([r["id"] for r in rows]):
        best = latest.get(trait["key"])
        if best is None or trait["ts"] >= best[0]:
            latest[trait["key"]] = (trait["ts"], trait["value"])
    traits = {key: json.loads(value) for key, (_ts, value) in latest.items()}
    family = feedback_state(store).profile_family(workspace_id, profile_id)
    first = identity or (
        identities[0] if identities else ("profile_id", str(profile_id))
    )
    return Customer(first, profile_id, family, identities, traits)


def contact_for(customer: Customer, channel: str) -> tuple[str, str] | None:
    """The identity to deliver on ``channel`` (an email for email, a phone for SMS
    and WhatsApp; the named identity otherwise)."""
    needed = CONTACT_TYPE.get(channel)
    if needed is None or customer.identity[0] == needed:
        return customer.identity
    return next((i for i in customer.identities if i[0] == needed), None)


def _listed(value: Any, channel: str) -> bool:
    if value is True or value in ("all", "*"):
        return True
    if isinstance(value, str):
        return value.strip().lower() == channel
    if isinstance(value, list):
        return any(
            isinstance(v, str) and v.strip().lower() in (channel, "all", "*")
            for v in value
        )
    return False


def suppression(
    store: Store,
    workspace_id: str,
    customer: Customer,
    channel: str,
    at: int,
    exclude_token: str | None = None,
) -> tuple[str, str] | None:
    """``(reason, message)`` when no survey may go to the customer on ``channel``."""
    options = get_survey_settings(store, workspace_id)
    decided: bool | None = None
    for row in sorted(
        feedback_state(store).consent(workspace_id, customer.family)
        if customer.family
        else [],
        key=lambda r: (r["channel"] != "*", r["at"]),
    ):
        if row["channel"] in ("*", channel):
            decided = bool(row["allowed"])
    if _listed(customer.traits.get("survey_opt_out"), channel):
        decided = False
    elif decided is None and _listed(customer.traits.get("survey_opt_in"), channel):
        decided = True
    if decided is False:
        return "opted_out", f"the customer opted out of surveys on {channel}"
    if decided is None and options["require_opt_in"]:
        return "no_opt_in", (
            f"surveys need opt-in in this workspace and the customer has not opted "
            f"in on {channel}"
        )
    days = options["fatigue_days"]
    if days and feedback_state(store).contacted_since(
        workspace_id,
        customer.family,
        customer.identity,
        at - days * DAY_MS,
        exclude_token,
    ):
        return "fatigue", f"the customer was already surveyed in the last {days} days"
    return None


def language_for(survey: Survey, customer: Customer, requested: str | None) -> str:
    candidates = [
        requested,
        customer.traits.get("language"),
        customer.traits.get("locale"),
    ]
    return pick_language(candidates, survey.languages)


def create_invitation(
    store: Store,
    survey: Survey,
    customer: Customer,
    channel: str,
    *,
    language: str | None = None,
    touchpoint: str | None = None,
    stage: str | None = None,
    trigger_id: str | None = None,
    trigger_message_id: str | None = None,
    due_at: int | None = None,
    force: bool = False,
    record_suppressed: bool = False,
) -> dict[str, Any]:
    """Store an invitation (``scheduled``), after the opt-out and fatigue rules.

    A suppressed send raises ``SurveySuppressedError``, or with
    ``record_suppressed`` is stored as ``suppressed`` (triggered sends keep a trace).
    ``force`` skips the fatigue rule, never an opt-out.
    """
    at = now_ms()
    contact = contact_for(customer, channel)
    status, error = "scheduled", None
    if contact is None:
        needed = CONTACT_TYPE[channel]
        if not record_suppressed:
            raise ValidationError(
                f"the customer has no {needed} to send a {channel} survey to",
                [FieldError("identity", f"no {needed} known for this customer")],
            )
        status, error = "failed", f"no {needed} known for this customer"
    else:
        blocked = suppression(store, survey.workspace_id, customer, channel, at)
        if blocked and (blocked[0] != "fatigue" or not force):
            if not record_suppressed:
                raise SurveySuppressedError(*blocked)
            status, error = "suppressed", blocked[1]
    identity = contact or customer.identity
    row = {
        "token": new_token(),
        "workspace_id": survey.workspace_id,
        "survey_id": survey.id,
        "profile_id": customer.profile_id,
        "identity_type": identity[0],
        "identity_value": identity[1],
        "channel": channel,
        "language": language_for(survey, customer, base_language(language)),
        "touchpoint": touchpoint,
        "stage": stage,
        "trigger_id": trigger_id,
        "trigger_message_id": trigger_message_id,
        "status": status,
        "error": error,
        "provider_id": None,
        "created_at": at,
        "due_at": max(due_at or at, at) if status == "scheduled" else at,
        "sent_at": None,
        "answered_at": None,
    }
    feedback_state(store).insert_invitation(row)
    return row


def invitation_message(
    store: Store, survey: Survey, invitation: dict[str, Any], url: str
) -> Any:
    """The ``OutboundMessage`` inviting the customer, in their language."""
    from omnicx.channels import OutboundMessage

    brand = get_brand(store, survey.workspace_id)
    strings = ui_strings(invitation["language"])
    name = str(brand["name"])
    subject = strings["email_subject"].replace("{brand}", name)
    text = f"{name}: {strings['invite']} {url}"
    page_dir = direction(invitation["language"])
    body = (
        f'<div dir="{page_dir}" lang="{html.escape(invitation["language"])}" '
        'style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5">'
        f"<p>{html.escape(strings['invite'])}</p>"
        f'<p><a href="{html.escape(url)}" '
        'style="display:inline-block;padding:12px 20px;'
        f"background:{html.escape(str(brand['primary_color']))};color:#fff;"
        f'border-radius:8px;text-decoration:none">{html.escape(strings["button"])}</a></p>'
        f'<p style="color:#555;font-size:13px">{html.escape(name)}</p></div>'
    )
    return OutboundMessage(
        channel=invitation["channel"],
        to=invitation["identity_value"],
        text=text,
        subject=subject,
        html=body,
        metadata={
            "invitation": invitation["token"],
            "survey_id": survey.id,
            "workspace_id": survey.workspace_id,
            "message_id": "svi-" + invitation["token"][:16],
        },
    )


def deliver_invitation(
    store: Store,
    settings: Settings,
    survey: Survey,
    invitation: dict[str, Any],
    url: str,
) -> dict[str, Any]:
    """Send through the channel's connector and record the outcome."""
    from omnicx.channels import deliver

    delivery = deliver(settings, invitation_message(store, survey, invitation, url))
    values = {
        "status": delivery.status,
        "error": delivery.error,
        "provider_id": delivery.provider_id,
        "sent_at": now_ms(),
    }
    if delivery.status == "failed":
        log.warning(
            "survey invitation on %s failed: %s", delivery.channel, delivery.error
        )
    feedback_state(store).finish_invitation(invitation["token"], values)
    return {**invitation, **values}


def invitation_dict(invitation: dict[str, Any], base: str) -> dict[str, Any]:
    url = f"{base}/s/{invitation['token']}"
    return {
        "invitation": invitation["token"],
        "url": url,
        "qr_png": url + "/qr.png",
        "qr_svg": url + "/qr.svg",
        "survey_id": invitation["survey_id"],
        "channel": invitation["channel"],
        "language": invitation["language"],
        "status": invitation["status"],
        "error": invitation.get("error"),
        "provider_id": invitation.get("provider_id"),
        "profile_id": (
            str(invitation["profile_id"]) if invitation.get("profile_id") else None
        ),
        "identity": {
            "type": invitation["identity_type"],
            "value": invitation["identity_value"],
        },
        "touchpoint": invitation.get("touchpoint"),
        "stage": invitation.get("stage"),
        "trigger_message_id": invitation.get("trigger_message_id"),
        "created_at": iso_time(invitation["created_at"]),
        "due_at": iso_time(invitation["due_at"]),
        "sent_at": iso_time(invitation.get("sent_at")),
        "answered_at": iso_time(invitation.get("answered_at")),
    }
