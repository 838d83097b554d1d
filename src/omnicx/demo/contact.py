"""Episodes where the business and the customer talk: marketing blasts (e-mail, SMS,
push), WhatsApp order updates, social complaints and the service desk (call centre,
live chat). Each takes the :class:`~omnicx.demo.journey.Journey` it advances."""

from __future__ import annotations

from typing import Any

from omnicx.demo import shopping
from omnicx.demo.catalog import (
    COMPLAINT_TEXTS,
    COMPLAINT_TOPICS,
    SOCIAL_PLATFORMS,
)
from omnicx.demo.journey import OFFICE_HOURS, WEB_HOURS, Journey
from omnicx.demo.people import scrambled


def _click_intent(journey: Journey) -> str:
    return journey.rng.choices(("browse", "abandon", "purchase"), (0.5, 0.2, 0.3))[0]


def email_campaign(journey: Journey, day: float, *, campaign_index: int) -> None:
    """Sent → maybe opened → maybe clicked, landing on the web with UTM tags."""
    campaign = journey.world.campaigns[campaign_index]
    if not journey.email_subscribed:
        return
    rng, persona = journey.rng, journey.persona
    journey.begin(campaign.day, (9.5, 11.0, 10.0))
    user_id = persona.user_id if journey.registered else None
    anonymous_id = (
        None
        if user_id
        else f"esp-{scrambled(journey.world.seed, 'esp', persona.index):010d}"
    )
    who = {"email": persona.email}
    base = {
        "campaign_id": campaign.campaign_id,
        "campaign_name": campaign.name,
        "email_id": f"em_{journey.number('email'):010d}",
        "email_subject": campaign.text,
    }

    def send(event: str, properties: dict[str, Any]) -> None:
        journey.out.server(
            journey.t,
            "email",
            event=event,
            user_id=user_id,
            anonymous_id=anonymous_id,
            properties=properties,
            context_traits=who,
        )

    send("Email Sent", base)
    if rng.random() > 0.45:
        return
    journey.wait(300, 20 * 3600)
    send("Email Opened", base)
    if rng.random() < 0.01:
        journey.wait(5, 60)
        send("Unsubscribed", base | {"list": "marketing"})
        journey.email_subscribed = False
        return
    if rng.random() > 0.35:
        return
    journey.wait(5, 120)
    link = journey.url(campaign.landing_path) + campaign.landing_query
    send("Email Link Clicked", base | {"link_url": link})
    shopping.web_visit(
        journey,
        None,
        intent=_click_intent(journey),
        campaign=campaign,
        mobile=rng.random() < 0.6,
    )


def sms_campaign(journey: Journey, day: float, *, campaign_index: int) -> None:
    """SMS Sent → maybe clicked, opening the shop on the phone's browser."""
    campaign = journey.world.campaigns[campaign_index]
    if not journey.sms_subscribed:
        return
    rng, persona = journey.rng, journey.persona
    journey.begin(campaign.day, (11.0, 13.0, 12.0))
    user_id = persona.user_id if journey.registered else None
    anonymous_id = (
        None
        if user_id
        else f"sms-{scrambled(journey.world.seed, 'sms', persona.index):010d}"
    )
    link = journey.url(campaign.landing_path) + campaign.landing_query
    base = {
        "campaign_id": campaign.campaign_id,
        "campaign_name": campaign.name,
        "message_id": f"sm_{journey.number('sms'):010d}",
        "body": campaign.text.format(url=link),
    }
    who = {"phone": persona.phone}
    journey.out.server(
        journey.t,
        "sms",
        event="SMS Sent",
        user_id=user_id,
        anonymous_id=anonymous_id,
        properties=base,
        context_traits=who,
    )
    if rng.random() > 0.2:
        return
    journey.wait(30, 3 * 3600)
    journey.out.server(
        journey.t,
        "sms",
        event="SMS Clicked",
        user_id=user_id,
        anonymous_id=anonymous_id,
        properties=base | {"link_url": link},
        context_traits=who,
    )
    shopping.web_visit(
        journey, None, intent=_click_intent(journey), campaign=campaign, mobile=True
    )


def push_campaign(journey: Journey, day: float, *, campaign_index: int) -> None:
    """A push notification to the app; a tap opens an app session."""
    campaign = journey.world.campaigns[campaign_index]
    if not (journey.push_enabled and journey.app_installed and journey.app):
        return
    rng = journey.rng
    journey.begin(campaign.day, (17.5, 19.5, 18.0))
    properties = {
        "campaign": {
            "name": campaign.campaign_id,
            "source": "lumen",
            "medium": "push",
            "content": campaign.text,
        },
        "title": campaign.name,
    }
    journey.out.app(
        journey.t,
        journey.app,
        event="Push Notification Received",
        properties=properties,
        channel="push",
    )
    if rng.random() > 0.25:
        return
    journey.wait(10, 2 * 3600)
    journey.out.app(
        journey.t,
        journey.app,
        event="Push Notification Tapped",
        properties=properties,
        channel="push",
    )
    shopping.app_session(journey, None, intent=_click_intent(journey))


def whatsapp_update(journey: Journey, day: float) -> None:
    """An order-shipped WhatsApp template message, usually read."""
    if not (journey.whatsapp_opt_in and journey.last_order_id):
        return
    journey.begin(day, OFFICE_HOURS)
    persona = journey.persona
    user_id = persona.user_id if journey.registered else None
    properties = {
        "template": "order_shipped",
        "order_id": journey.last_order_id,
        "message_id": f"wamid_{journey.number('whatsapp'):010d}",
    }
    who = {"phone": persona.phone}
    anonymous_id = None if user_id else f"wa-{persona.phone[1:]}"
    journey.out.server(
        journey.t,
        "whatsapp",
        event="WhatsApp Message Sent",
        user_id=user_id,
        anonymous_id=anonymous_id,
        properties=properties,
        context_traits=who,
    )
    if journey.rng.random() < 0.8:
        journey.wait(60, 5 * 3600)
        journey.out.server(
            journey.t,
            "whatsapp",
            event="WhatsApp Message Read",
            user_id=user_id,
            anonymous_id=anonymous_id,
            properties=properties,
            context_traits=who,
        )


def _call(
    journey: Journey,
    *,
    direction: str,
    queue: str,
    ticket_id: str | None,
    reason: str,
    handle_ids: list[dict[str, str]] | None = None,
) -> None:
    """Call Started → Call Ended, identified by the caller's phone number."""
    rng, persona = journey.rng, journey.persona
    call_id = f"call_{journey.number('call'):010d}"
    crm_match = journey.registered and rng.random() < 0.6
    user_id = persona.user_id if crm_match else None
    anonymous_id = None if user_id else f"cc-{call_id}"
    properties: dict[str, Any] = {
        "call_id": call_id,
        "direction": direction,
        "queue": queue,
        "reason": reason,
        "agent_id": f"agent_{rng.randint(1, 40):03d}",
    }
    if ticket_id:
        properties["ticket_id"] = ticket_id
    if journey.last_order_id and reason != "product_question":
        properties["order_id"] = journey.last_order_id
    who = {"phone": persona.phone}
    journey.out.server(
        journey.t,
        "call_center",
        event="Call Started",
        user_id=user_id,
        anonymous_id=anonymous_id,
        properties=properties,
        context_traits=who,
        external_ids=handle_ids,
    )
    wait_s = 0 if direction == "outbound" else rng.randint(10, 600)
    duration_s = rng.randint(90, 1500)
    journey.wait(wait_s + duration_s, wait_s + duration_s)
    resolved = rng.random() < 0.7
    ended = properties | {
        "duration_s": duration_s,
        "wait_s": wait_s,
        "disposition": "resolved" if resolved else "follow_up",
    }
    journey.out.server(
        journey.t,
        "call_center",
        event="Call Ended",
        user_id=user_id,
        anonymous_id=anonymous_id,
        properties=ended,
        context_traits=who,
        external_ids=handle_ids,
    )


def _chat(journey: Journey, *, topic: str, ticket_id: str | None) -> bool:
    """Chat Started → Chat Ended in the web widget; returns whether it was resolved."""
    rng, persona = journey.rng, journey.persona
    browser = journey.browser()
    user_id = persona.user_id if journey.registered else None
    chat_id = f"chat_{journey.number('chat'):010d}"
    properties: dict[str, Any] = {
        "chat_id": chat_id,
        "topic": topic,
        "source": "web_widget",
        "agent_id": f"agent_{rng.randint(41, 70):03d}",
    }
    if ticket_id:
        properties["ticket_id"] = ticket_id
    if journey.last_order_id:
        properties["order_id"] = journey.last_order_id
    who = {"email": persona.email, "name": f"{persona.first_name} {persona.last_name}"}
    journey.out.server(
        journey.t,
        "chat",
        event="Chat Started",
        user_id=user_id,
        anonymous_id=browser.anonymous_id,
        properties=properties,
        context_traits=who,
    )
    duration_s = rng.randint(120, 1500)
    journey.wait(duration_s, duration_s)
    resolved = rng.random() < 0.75
    ended = properties | {
        "duration_s": duration_s,
        "messages": rng.randint(4, 30),
        "resolved": resolved,
    }
    journey.out.server(
        journey.t,
        "chat",
        event="Chat Ended",
        user_id=user_id,
        anonymous_id=browser.anonymous_id,
        properties=ended,
        context_traits=who,
    )
    return resolved


def social_complaint(journey: Journey, day: float, *, chat_follow_up: bool) -> None:
    """A public complaint, a care ticket, an outbound call from the contact centre,
    and sometimes a follow-up in live chat: one conversation across four channels."""
    persona, rng = journey.persona, journey.rng
    if persona.social is None:
        return
    platform, id_type, handle, account_id = persona.social
    journey.begin(day, WEB_HOURS)
    handle_ids = [
        {"id": handle, "type": id_type, "collection": "users", "encoding": "none"}
    ]
    anonymous_id = f"{platform}-{account_id}"
    topic = rng.choice(COMPLAINT_TOPICS)
    post_id = str(journey.number("post"))
    url_template = next(u for p, _, u in SOCIAL_PLATFORMS if p == platform)
    texts = COMPLAINT_TEXTS[persona.language]
    posted: dict[str, Any] = {
        "platform": platform,
        "post_id": post_id,
        "post_url": url_template.format(handle=handle.lstrip("@"), post=post_id),
        "text": texts[topic],
        "topic": topic,
        "sentiment": "negative",
        "language": persona.language,
    }
    if journey.last_order_id and rng.random() < 0.3:
        posted["order_id"] = journey.last_order_id
    journey.out.server(
        journey.t,
        "social",
        event="Complaint Posted",
        user_id=None,
        anonymous_id=anonymous_id,
        properties=posted,
        external_ids=handle_ids,
    )
    journey.wait(600, 3 * 3600)
    ticket_id = f"TCK-{journey.number('ticket'):010d}"
    journey.out.server(
        journey.t,
        "social",
        event="Ticket Opened",
        user_id=None,
        anonymous_id=anonymous_id,
        external_ids=handle_ids,
        properties={
            "ticket_id": ticket_id,
            "subject": topic,
            "priority": "high",
            "source_channel": "social",
            "post_id": post_id,
        },
    )
    journey.wait(2 * 3600, 26 * 3600)
    journey.within_office_hours()
    _call(
        journey,
        direction="outbound",
        queue="social_care",
        ticket_id=ticket_id,
        reason=topic,
        handle_ids=handle_ids,
    )
    if chat_follow_up:
        journey.wait(86_400, 3 * 86_400)
        journey.within_office_hours()
        _chat(journey, topic=topic, ticket_id=ticket_id)
    _resolve(journey, ticket_id, "chat" if chat_follow_up else "call_center")


def _resolve(journey: Journey, ticket_id: str, channel: str) -> None:
    persona = journey.persona
    journey.wait(60, 3600)
    user_id = persona.user_id if journey.registered else None
    if channel == "call_center":
        who, anonymous_id = {"phone": persona.phone}, f"tk-{ticket_id}"
    else:
        browser = journey.last_browser or journey.browser()
        who, anonymous_id = {"email": persona.email}, browser.anonymous_id
    journey.out.server(
        journey.t,
        channel,
        event="Ticket Resolved",
        user_id=user_id,
        anonymous_id=None if user_id else anonymous_id,
        properties={"ticket_id": ticket_id},
        context_traits=who,
    )


def service_contact(journey: Journey, day: float, *, channel: str) -> None:
    """A customer-initiated question about their order, by chat or phone."""
    journey.begin(day, OFFICE_HOURS)
    reasons = ("order_status", "return_request", "product_question", "delivery_change")
    reason = journey.rng.choice(reasons)
    if channel == "chat":
        if not _chat(journey, topic=reason, ticket_id=None):
            browser = journey.last_browser or journey.browser()
            ticket_id = f"TCK-{journey.number('ticket'):010d}"
            journey.out.server(
                journey.t + 1000,
                "chat",
                event="Ticket Opened",
                user_id=journey.persona.user_id if journey.registered else None,
                anonymous_id=browser.anonymous_id,
                properties={
                    "ticket_id": ticket_id,
                    "subject": reason,
                    "priority": "normal",
                    "source_channel": "chat",
                },
                context_traits={"email": journey.persona.email},
            )
            journey.t += 1000
    else:
        _call(
            journey,
            direction="inbound",
            queue="customer_service",
            ticket_id=None,
            reason=reason,
        )
