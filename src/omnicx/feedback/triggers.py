"""Survey triggers: after an event, on a schedule, and the scheduled sends.

A trigger (``POST /api/v1/surveys/{id}/triggers``)::

    {"type": "event", "event": "Order Completed", "channel": "store",
     "properties": {"store_id": "tlv-1"}, "send_via": "sms", "delay": "2h"}
    {"type": "schedule", "every": "90d", "send_via": "email",
     "active_within": "90d", "start_in": "0m", "limit": 10000}

An *event* trigger fires for each processed track event with that name (and, when
given, that channel and those property values). The survey goes to the event's
customer on ``send_via`` (default: the event's channel) ``delay`` after the event;
the invitation records the event's message id and its touchpoint
(``"<channel>:<event>"``), and the event's journey stage (the workspace's
``journey_stages``, stage → event names, as the journeys package reads it). Events
older than the delay plus a day (historical imports) fire nothing.

A *schedule* trigger (relationship surveys) runs ``start_in`` after it is made
(default: at once) and then every ``every``: one invitation to each profile seen
within ``active_within`` (default ``every``), up to ``limit``.

Opt-out and fatigue are checked when an invitation is made and again when it is
sent. ``Survey Opt Out`` / ``Survey Opt In`` events (``properties.channel``: a
channel, a list, or nothing for every channel) record the customer's choice.
Scheduled invitations live in the state store, so they survive a restart.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from omnicx.contracts import Event
from omnicx.errors import FieldError, NotFoundError, OmnicxError, ValidationError
from omnicx.feedback._distribution import (
    contact_for,
    create_invitation,
    customer_of_profile,
    parse_channel,
)
from omnicx.feedback._i18n import iso_time
from omnicx.feedback._survey_send import parse_duration, send_due
from omnicx.feedback.surveys import feedback_state, get_survey, survey_by_id
from omnicx.storage import Store, now_ms

if TYPE_CHECKING:
    from omnicx.runtime import Runtime

log = logging.getLogger("omnicx.feedback")
DAY_MS = 86_400_000
OPT_EVENTS = {"Survey Opt Out": False, "Survey Opt In": True}
SCHEDULE_EVERY_S = 30.0


class TriggerRequest(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    type: Literal["event", "schedule"]
    event: str | None = None
    channel: str | None = None
    properties: dict[str, Any] = {}
    send_via: str | None = None
    delay: str | None = None
    every: str | None = None
    active_within: str | None = None
    start_in: str | None = None
    limit: int = 10_000


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", [FieldError(field, message)])


def create_trigger(
    store: Store, workspace_id: str, survey_id: str, body: TriggerRequest
) -> dict[str, Any]:
    survey = get_survey(store, workspace_id, survey_id)
    definition = msgspec.to_builtins(body)
    if body.send_via is not None:
        definition["send_via"] = parse_channel(body.send_via, "send_via")
    next_run_at = None
    if body.type == "event":
        if not (body.event and body.event.strip()) or len(body.event) > 200:
            raise _bad("event", "the track event name that triggers the survey")
        if body.channel is not None:
            definition["channel"] = parse_channel(body.channel)
        definition["delay_ms"] = parse_duration(body.delay, "delay")
    else:
        if not body.every:
            raise _bad("every", "how often, e.g. 90d")
        every = parse_duration(body.every, "every")
        if every < 60_000:
            raise _bad("every", "at least 1m")
        definition["every_ms"] = every
        definition["active_ms"] = parse_duration(
            body.active_within or body.every, "active_within"
        )
        definition.setdefault("send_via", "email")
        if not 1 <= body.limit <= 1_000_000:
            raise _bad("limit", "1 to 1000000")
        definition["limit"] = body.limit
        next_run_at = now_ms() + parse_duration(body.start_in, "start_in")
    row = {
        "id": "tr_" + secrets.token_hex(6),
        "workspace_id": workspace_id,
        "survey_id": survey.id,
        "kind": body.type,
        "definition": json.dumps(definition, ensure_ascii=False),
        "next_run_at": next_run_at,
        "created_at": now_ms(),
    }
    feedback_state(store).insert_trigger(row)
    return trigger_dict({**row, "definition": definition})


def trigger_dict(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "survey_id": row["survey_id"],
        **row["definition"],
        "next_run_at": iso_time(row.get("next_run_at")),
        "created_at": iso_time(row["created_at"]),
    }


def list_triggers(
    store: Store, workspace_id: str, survey_id: str
) -> list[dict[str, Any]]:
    get_survey(store, workspace_id, survey_id)
    return [
        trigger_dict(r)
        for r in feedback_state(store).triggers(workspace_id, survey_id=survey_id)
    ]


def delete_trigger(
    store: Store, workspace_id: str, survey_id: str, trigger_id: str
) -> None:
    if not feedback_state(store).delete_trigger(workspace_id, survey_id, trigger_id):
        raise NotFoundError(f"no trigger {trigger_id!r} on survey {survey_id!r}")


# -- reacting to events ----------------------------------------------------------------


def _matches(rule: dict[str, Any], event: Event) -> bool:
    if event.type != "track" or event.event != rule.get("event"):
        return False
    if rule.get("channel") and event.channel != rule["channel"]:
        return False
    wanted = rule.get("properties") or {}
    if wanted:
        properties = json.loads(event.properties or "{}")
        if any(properties.get(k) != v for k, v in wanted.items()):
            return False
    return True


def on_events(
    store: Store,
    workspace_id: str,
    events: list[tuple[Event, int]],
    now: int | None = None,
) -> int:
    """The processor listener: record opt-in/out, schedule triggered invitations.
    Returns the number of invitations made."""
    at = now_ms() if now is None else now
    state = feedback_state(store)
    for event, profile_id in events:
        if event.type == "track" and event.event in OPT_EVENTS:
            _record_choice(store, workspace_id, event, profile_id)
    rules = state.triggers(workspace_id, kind="event")
    if not rules:
        return 0
    made = 0
    stages = _stages(store.state.workspace(workspace_id).config)
    for event, profile_id in events:
        for rule in rules:
            definition = rule["definition"]
            if not _matches(definition, event):
                continue
            delay = int(definition.get("delay_ms") or 0)
            if event.timestamp < at - delay - DAY_MS:
                continue  # a historical event: too late to ask about it
            try:
                made += _schedule(store, rule, event, profile_id, delay, stages)
            except Exception:
                log.exception("survey trigger %s failed", rule["id"])
    return made


def _schedule(
    store: Store,
    rule: dict[str, Any],
    event: Event,
    profile_id: int,
    delay: int,
    stages: dict[str, Any],
) -> int:
    survey = survey_by_id(store, rule["survey_id"])
    if survey is None:
        return 0
    definition = rule["definition"]
    customer = customer_of_profile(store, rule["workspace_id"], profile_id)
    stage = next((s for s, names in stages.items() if event.event in names), None)
    create_invitation(
        store,
        survey,
        customer,
        definition.get("send_via") or event.channel,
        touchpoint=f"{event.channel}:{event.event}",
        stage=str(stage)[:40] if stage else None,
        trigger_id=rule["id"],
        trigger_message_id=event.message_id,
        due_at=event.timestamp + delay,
        record_suppressed=True,
    )
    return 1


def _stages(config: dict[str, Any]) -> dict[str, Any]:
    """Stage → event names: the journeys package's mapping when it has one."""
    try:
        from omnicx.journeys import journey_stages  # type: ignore[attr-defined]

        return dict(journey_stages(config))
    except (ImportError, OmnicxError):
        configured = config.get("journey_stages")
        if not isinstance(configured, dict):
            return {}
        return {k: v for k, v in configured.items() if isinstance(v, list)}


def _record_choice(
    store: Store, workspace_id: str, event: Event, profile_id: int
) -> None:
    properties = json.loads(event.properties or "{}")
    raw = properties.get("channel")
    channels = raw if isinstance(raw, list) else [raw] if raw else ["*"]
    for channel in channels:
        if channel == "*" or (isinstance(channel, str) and channel.strip()):
            name = "*" if channel in ("*", "all") else parse_channel(str(channel))
            feedback_state(store).set_consent(
                workspace_id, profile_id, name, OPT_EVENTS[event.event], event.timestamp
            )


# -- time ----------------------------------------------------------------------


def run_schedules(store: Store, now: int | None = None) -> int:
    """Run every schedule trigger that is due; returns the invitations made."""
    at = now_ms() if now is None else now
    state = feedback_state(store)
    made = 0
    for rule in state.triggers(kind="schedule"):
        expected = rule["next_run_at"]
        if expected is None or expected > at:
            continue
        definition = rule["definition"]
        if not state.advance_trigger(rule["id"], expected, at + definition["every_ms"]):
            continue  # another worker ran it
        survey = survey_by_id(store, rule["survey_id"])
        if survey is None:
            continue
        for profile_id in state.active_profiles(
            rule["workspace_id"], at - definition["active_ms"], definition["limit"]
        ):
            try:
                customer = customer_of_profile(store, rule["workspace_id"], profile_id)
                if contact_for(customer, definition["send_via"]) is None:
                    continue  # e.g. no email address for an email survey
                create_invitation(
                    store,
                    survey,
                    customer,
                    definition["send_via"],
                    touchpoint="relationship",
                    trigger_id=rule["id"],
                    record_suppressed=True,
                )
                made += 1
            except Exception:
                log.exception("scheduled survey for profile %s failed", profile_id)
    return made


def run_due(runtime: Runtime, now: int | None = None) -> int:
    """Schedules then due sends, at ``now`` (ms; tests step the clock with it)."""
    made = run_schedules(runtime.store, now)
    return made + send_due(runtime.store, runtime.settings, now)


def attach(runtime: Runtime) -> None:
    """Listen to processed events and run due sends on the scheduler thread."""
    store = runtime.store

    def listener(workspace_id: str, events: list[tuple[Event, int]]) -> None:
        on_events(store, workspace_id, events)

    runtime.processor.add_listener(listener)
    runtime.add_periodic(
        "surveys.due_sends",
        float(runtime.settings.scheduler_interval_s),
        lambda: send_due(store, runtime.settings),
    )
    runtime.add_periodic(
        "surveys.schedules", SCHEDULE_EVERY_S, lambda: run_schedules(store)
    )
