"""Cases: follow-ups opened by alerts, tracked to resolution.

Lifecycle (anything else is a ``ConflictError``, HTTP 409)::

    open ──► assigned ──► in_progress ──► resolved ──► closed
     │  ▲        │  ▲          │  ▲           │
     │  └────────┘  └──────────┘  └───────────┘ (reopen)
     └─► in_progress, closed;  assigned/in_progress ─► resolved, closed

``assigned`` and ``in_progress`` need an owner; giving an ``open`` case an owner assigns
it. ``closed`` is final. The SLA due time is the case's opening time plus ``sla_hours``
(the ``open_case`` action's, else the rule's, else the workspace config's
``case_sla_hours``, else 24); a periodic job flags active cases past it
(``sla_breached``), and resolving late flags it too. One customer has at most one
active case per rule: a new alert for them is added to it.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, get_args

import msgspec

from omnicx.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    OmnicxError,
    ValidationError,
    parse_int,
)
from omnicx.feedback import _case_context as ctx
from omnicx.feedback._alert_actions import iso
from omnicx.feedback._case_requests import (
    CasePatch,
    FollowUpRequest,
    NoteRequest,
    ResolveRequest,
    Status,
    request_text,
)
from omnicx.storage._closed_loop_state import ACTIVE_STATUSES

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from omnicx.contracts import Event
    from omnicx.feedback.alerts import ClosedLoop

STATUSES: tuple[str, ...] = get_args(Status)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("assigned", "in_progress", "closed"),
    "assigned": ("open", "in_progress", "resolved", "closed"),
    "in_progress": ("assigned", "resolved", "closed"),
    "resolved": ("in_progress", "closed"),
    "closed": (),
}
DEFAULT_SLA_HOURS = 24.0


class FollowUpError(OmnicxError):
    """The channel connector could not deliver the follow-up."""

    status = 502


def open_case(
    conn: Connection,
    loop: ClosedLoop,
    workspace_id: str,
    rule: dict[str, Any],
    action: dict[str, Any],
    firing_id: int,
    profile_id: int,
    trigger: dict[str, Any],
) -> str:
    """Open a case for a firing (inside its transaction); its id. An active case of
    the same rule for the customer takes the new alert instead."""
    state = loop.state
    now = loop.now_ms()
    existing = state.active_case_for(conn, workspace_id, profile_id, rule["id"])
    if existing is not None:
        state.add_activity(
            conn,
            workspace_id,
            existing,
            "alert",
            now,
            {"firing_id": firing_id, "message_id": trigger.get("message_id")},
        )
        return existing
    hours = action.get("sla_hours") or rule.get("sla_hours")
    if not hours:
        config = loop.runtime.store.state.workspace(workspace_id).config
        hours = ctx.workspace_sla_hours(config, DEFAULT_SLA_HOURS)
    owner = (action.get("owner") or "").strip() or None
    case_id = "case_" + secrets.token_hex(6)
    state.insert_case(
        conn,
        {
            "id": case_id,
            "workspace_id": workspace_id,
            "profile_id": profile_id,
            "status": "assigned" if owner else "open",
            "owner": owner,
            "title": ctx.case_title(rule, trigger)[:500],
            "rule_id": rule["id"],
            "firing_id": firing_id,
            "channel": trigger.get("channel"),
            "trigger": trigger,
            "sla_hours": hours,
            "sla_due_at": now + int(hours * 3_600_000),
            "sla_breached": False,
            "created_at": now,
            "updated_at": now,
        },
    )
    state.add_activity(
        conn, workspace_id, case_id, "opened", now, {"firing_id": firing_id}
    )
    return case_id


def _load(loop: ClosedLoop, workspace_id: str, case_id: str) -> dict[str, Any]:
    case = loop.state.case(workspace_id, case_id)
    if case is None:
        raise NotFoundError(f"no case {case_id!r} in this workspace")
    return case


def list_cases(
    loop: ClosedLoop, workspace_id: str, params: dict[str, str]
) -> dict[str, Any]:
    """``?status=open,assigned&breached=true&owner=&profile_id=&limit=&offset=``."""
    statuses = [s.strip() for s in params.get("status", "").split(",") if s.strip()]
    if statuses == ["active"]:
        statuses = list(ACTIVE_STATUSES)
    bad = [s for s in statuses if s not in STATUSES]
    if bad:
        raise ValidationError(
            f"unknown case status {bad[0]!r}; use " + ", ".join(STATUSES),
            [FieldError("status", "one or more of " + ", ".join(STATUSES))],
        )
    profile_id = None
    if params.get("profile_id"):
        profile_id = parse_int(params["profile_id"], "profile_id", 1, 2**63 - 1)
    limit = parse_int(params.get("limit") or "50", "limit", 1, 500)
    offset = parse_int(params.get("offset") or "0", "offset", 0, 10_000_000)
    rows, total = loop.state.cases(
        workspace_id,
        statuses,
        ctx.parse_flag(params.get("breached"), "breached"),
        params.get("owner") or None,
        profile_id,
        limit,
        offset,
    )
    return {
        "cases": [ctx.public_case(r) for r in rows],
        "total": total,
        "counts": loop.state.case_counts(workspace_id),
    }


def get_case(loop: ClosedLoop, workspace_id: str, case_id: str) -> dict[str, Any]:
    """The case with the customer's context, its notes and its history."""
    case = _load(loop, workspace_id, case_id)
    activity = loop.state.activity(workspace_id, case_id)
    return {
        **ctx.public_case(case),
        "transitions": list(TRANSITIONS[case["status"]]),
        "context": ctx.case_context(loop, workspace_id, case),
        "notes": [_public_note(a) for a in activity if a["kind"] == "note"],
        "activity": [ctx.public_activity(a) for a in activity],
    }


def _public_note(a: dict[str, Any]) -> dict[str, Any]:
    return {"id": a["id"], "text": a["text"], "author": a["author"], "at": iso(a["at"])}


def _status_values(case: dict[str, Any], target: str, now: int) -> dict[str, Any]:
    values: dict[str, Any] = {"status": target, "updated_at": now}
    if target == "resolved":
        values["resolved_at"] = now
    elif target == "closed":
        values["closed_at"] = now
    elif case["status"] == "resolved":
        values["resolved_at"] = None  # reopened
    late = not case["sla_breached"] and now > case["sla_due_at"]
    if target in ("resolved", "closed") and late:
        values.update(sla_breached=True, sla_breached_at=now)
    return values


def _check_transition(case: dict[str, Any], target: str) -> None:
    allowed = TRANSITIONS[case["status"]]
    if target not in allowed:
        raise ConflictError(
            f"a case that is {case['status']} cannot become {target}; allowed: "
            + (", ".join(allowed) or "none (closed is final)")
        )


def update_case(
    loop: ClosedLoop, workspace_id: str, case_id: str, patch: CasePatch
) -> dict[str, Any]:
    case = _load(loop, workspace_id, case_id)
    now = loop.now_ms()
    owner = case["owner"]
    if patch.owner is not msgspec.UNSET:
        owner = (patch.owner or "").strip() or None
        if owner is not None and len(owner) > 200:
            raise ValidationError("owner is too long", [FieldError("owner", "<= 200")])
    target = None if patch.status is msgspec.UNSET else patch.status
    if target is None and owner != case["owner"]:
        if case["status"] == "open" and owner:
            target = "assigned"
        elif case["status"] == "assigned" and not owner:
            target = "open"
    values: dict[str, Any] = {}
    if target is not None and target != case["status"]:
        _check_transition(case, target)
        values = _status_values(case, target, now)
    if (target or case["status"]) in ("assigned", "in_progress") and not owner:
        raise ValidationError(
            f"a case that is {target or case['status']} needs an owner",
            [FieldError("owner", "required for assigned and in_progress")],
        )
    if owner != case["owner"]:
        values.update(owner=owner, updated_at=now)
    if not values:
        return get_case(loop, workspace_id, case_id)
    with loop.state.transaction() as conn:
        if not loop.state.update_case(
            conn, workspace_id, case_id, values, expected_status=case["status"]
        ):
            raise ConflictError("the case changed meanwhile; reload it and retry")
        if "status" in values:
            loop.state.add_activity(
                conn,
                workspace_id,
                case_id,
                "status",
                now,
                {"from": case["status"], "to": values["status"]},
            )
        if "owner" in values:
            loop.state.add_activity(
                conn, workspace_id, case_id, "owner", now, {"owner": owner}
            )
    return get_case(loop, workspace_id, case_id)


def add_note(
    loop: ClosedLoop, workspace_id: str, case_id: str, request: NoteRequest
) -> dict[str, Any]:
    _load(loop, workspace_id, case_id)
    text = request_text(request.text, "text")
    author = (request.author or "").strip()[:200] or None
    now = loop.now_ms()
    with loop.state.transaction() as conn:
        note_id = loop.state.add_activity(
            conn, workspace_id, case_id, "note", now, author=author, text=text
        )
    return {"id": note_id, "text": text, "author": author, "at": iso(now)}


def follow_up(
    loop: ClosedLoop, workspace_id: str, case_id: str, request: FollowUpRequest
) -> dict[str, Any]:
    """Message the customer on their preferred consented channel (or ``channel``)."""
    case = _load(loop, workspace_id, case_id)
    text = request_text(request.text, "text")
    if case["status"] == "closed":
        raise ConflictError("a closed case takes no follow-ups")
    if request.channel is not None and not request.channel.strip():
        raise ValidationError("channel must not be empty", [FieldError("channel", "")])
    profile = loop.profile_or_none(workspace_id, case["profile_id"])
    if profile is None:
        raise ConflictError("the customer's profile no longer exists")
    reach = ctx.choose_reach(
        loop.runtime.settings, profile, case["channel"], request.channel
    )
    subject = (request.subject or "").strip() or "About your recent feedback"
    delivery = ctx.send_message(loop, reach, text, subject, case_id)
    now = loop.now_ms()
    with loop.state.transaction() as conn:
        loop.state.add_activity(
            conn,
            workspace_id,
            case_id,
            "follow_up",
            now,
            {**delivery, "subject": subject},
            text=text,
        )
    if delivery["status"] != "sent":
        raise FollowUpError(
            f"the {reach.channel} follow-up to {reach.to} was not delivered "
            f"({delivery['status']}): {delivery['error']}"
        )
    return {"case_id": case_id, "delivery": delivery, "text": text, "at": iso(now)}


def resolve_case(
    loop: ClosedLoop, workspace_id: str, case_id: str, request: ResolveRequest
) -> dict[str, Any]:
    """Resolve; with ``resurvey`` also invite the customer to that survey, and link
    their answer back to the case when it arrives."""
    case = _load(loop, workspace_id, case_id)
    _check_transition(case, "resolved")
    note = request_text(request.note, "note") if request.note else None
    now = loop.now_ms()
    values = _status_values(case, "resolved", now)
    if request.resurvey is not None:
        survey_id = request_text(request.resurvey, "resurvey")
        values["resurvey"] = ctx.invite_resurvey(
            loop, workspace_id, case, survey_id, request.channel, now
        )
        values["resurvey_invitation"] = values["resurvey"]["invitation"]
    with loop.state.transaction() as conn:
        if not loop.state.update_case(
            conn, workspace_id, case_id, values, expected_status=case["status"]
        ):
            raise ConflictError("the case changed meanwhile; reload it and retry")
        loop.state.add_activity(
            conn,
            workspace_id,
            case_id,
            "status",
            now,
            {"from": case["status"], "to": "resolved"},
        )
        if "resurvey" in values:
            loop.state.add_activity(
                conn, workspace_id, case_id, "resurvey_sent", now, values["resurvey"]
            )
        if note:
            loop.state.add_activity(conn, workspace_id, case_id, "note", now, text=note)
    return get_case(loop, workspace_id, case_id)


def link_resurvey_answers(
    loop: ClosedLoop,
    workspace_id: str,
    answers: list[tuple[Event, int, dict[str, Any]]],
) -> None:
    """Store each re-survey answer on the case that sent the invitation."""
    by_invitation = {str(props["invitation"]): (e, p, props) for e, p, props in answers}
    for case in loop.state.cases_by_invitation(workspace_id, list(by_invitation)):
        event, profile_id, props = by_invitation[case["resurvey_invitation"]]
        resurvey = dict(case["resurvey"] or {})
        previous = resurvey.get("response")
        if previous and not previous.get("partial"):
            continue
        resurvey["response"] = {
            "message_id": event.message_id,
            "score": props.get("score"),
            "comment": props.get("comment"),
            "answers": props.get("answers"),
            "partial": bool(props.get("partial")),
            "channel": event.channel,
            "profile_id": str(profile_id),
            "answered_at": iso(event.timestamp),
        }
        now = loop.now_ms()
        with loop.state.transaction() as conn:
            loop.state.update_case(
                conn,
                workspace_id,
                case["id"],
                {"resurvey": resurvey, "updated_at": now},
            )
            loop.state.add_activity(
                conn,
                workspace_id,
                case["id"],
                "resurvey_answered",
                now,
                resurvey["response"],
            )
