"""Survey responses: checked against the survey, stored in the state store, and sent
through the ingest log as a ``Survey Answered`` track event (from the workspace's
internal ``surveys`` source) so they land on the profile timeline and in journeys.

Partial responses: ``{"partial": true}`` saves what was answered so far (answers
merge with earlier partial saves; required questions may be missing). A complete
submission (the default) needs every required question shown by the skip logic and
closes the invitation: any later submission, partial or complete, is a 409.

The event (property names are relied on by alert rules)::

    {"event": "Survey Answered", "userId" | "anonymousId": …,
     "context": {"channel": <channel answered on>, "traits": {<identity>}},
     "properties": {"survey_id", "survey_name", "template", "metric", "invitation",
       "score", "comment", "answers", "trigger_message_id", "touchpoint", "stage",
       "language", "partial", "invitation_channel", "nps_category"?}}
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec

from omnicx.errors import FieldError, NotFoundError, OmnicxError, ValidationError
from omnicx.feedback._distribution import parse_channel
from omnicx.feedback._i18n import iso_time, pick_language
from omnicx.feedback._survey_model import check_answers, primary_question
from omnicx.feedback.surveys import Survey, feedback_state, survey_by_id
from omnicx.storage import Store, now_ms

if TYPE_CHECKING:
    from omnicx.runtime import Runtime

log = logging.getLogger("omnicx.feedback")
EVENT_NAME = "Survey Answered"
SOURCE_NAME = "surveys"
MAX_EVENT_BYTES = 30_000
_source_lock = threading.Lock()
_write_keys: dict[str, str] = {}


class ResponseRequest(msgspec.Struct, forbid_unknown_fields=True):
    invitation: str
    answers: dict[str, Any]
    partial: bool = False
    channel: str | None = None
    language: str | None = None


def survey_write_key(store: Store, workspace_id: str) -> str:
    """The write key of the workspace's internal ``surveys`` source (made once)."""
    with _source_lock:
        cached = _write_keys.get(workspace_id)
        if cached and store.state.source_by_write_key(cached) is not None:
            return cached
        source = next(
            (s for s in store.state.sources(workspace_id) if s.name == SOURCE_NAME),
            None,
        ) or store.state.create_source(workspace_id, SOURCE_NAME, None)
        _write_keys[workspace_id] = source.write_key
        return source.write_key


def nps_category(score: int) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def _comment(survey: Survey, answers: dict[str, Any]) -> str | None:
    if isinstance(answers.get("comment"), str):
        return answers["comment"]
    for question in survey.questions:
        if question.type == "text" and isinstance(answers.get(question.id), str):
            return answers[question.id]
    return None


def submit_response(
    runtime: Runtime,
    workspace_id: str | None,
    body: ResponseRequest,
    at: int | None = None,
) -> dict[str, Any]:
    """Store one (partial or complete) response and emit its event.

    ``workspace_id`` is the caller's workspace when authenticated with an admin
    token (another workspace's invitation is then a 404), ``None`` on the hosted
    page, where the invitation token is the credential.
    """
    store = runtime.store
    token = body.invitation.strip()
    invitation = (
        feedback_state(store).invitation(token) if 0 < len(token) <= 64 else None
    )
    if invitation is None or (
        workspace_id is not None and invitation["workspace_id"] != workspace_id
    ):
        raise NotFoundError(
            "no such invitation; use the token from the survey link (/s/<token>)"
        )
    survey = survey_by_id(store, invitation["survey_id"])
    if survey is None:
        raise NotFoundError("the survey of this invitation no longer exists")
    channel = parse_channel(body.channel) if body.channel else invitation["channel"]
    existing = feedback_state(store).response(token)
    merged = dict(body.answers)
    primary = primary_question(survey.questions)
    if primary is not None and primary.id != "score" and "score" in merged:
        merged.setdefault(primary.id, merged.pop("score"))
    if existing is not None and not existing["complete"]:
        known = {q.id for q in survey.questions} | {"score"}
        earlier = json.loads(existing["answers"])
        merged = {**{k: v for k, v in earlier.items() if k in known}, **merged}
    answers = check_answers(survey.questions, merged, complete=not body.partial)
    if not answers and body.partial:
        raise ValidationError(
            "a partial response needs at least one answer",
            [FieldError("answers", "empty")],
        )
    score = answers.get(primary.id) if primary is not None else None
    comment = _comment(survey, answers)
    at = now_ms() if at is None else at
    row = feedback_state(store).save_response(
        token,
        {
            "workspace_id": invitation["workspace_id"],
            "survey_id": survey.id,
            "invitation": token,
            "channel": channel,
            "language": pick_language(
                [body.language, invitation["language"]], survey.languages
            ),
            "score": score,
            "comment": comment,
            "answers": json.dumps(answers, ensure_ascii=False),
            "complete": 0 if body.partial else 1,
            "created_at": at,
            "updated_at": at,
        },
        complete=not body.partial,
        at=at,
    )
    message_id = f"svr-{token[:24]}-{'c' if not body.partial else f'p{at}'}"
    event = answered_event(store, survey, invitation, row, answers, message_id)
    try:
        runtime.ingest.ingest_blocking(
            "track",
            msgspec.json.encode(event),
            survey_write_key(store, invitation["workspace_id"]),
        )
        feedback_state(store).set_response_message(token, message_id)
    except OmnicxError:
        log.exception("the Survey Answered event of %s was not accepted", token[:8])
        message_id = ""
    return response_dict(survey, invitation, row, answers, message_id or None)


def _identity_fields(store: Store, invitation: dict[str, Any]) -> dict[str, Any]:
    kind, value = invitation["identity_type"], invitation["identity_value"]
    fields: dict[str, Any] = {}
    traits: dict[str, Any] = {}
    if kind == "user_id":
        fields["userId"] = value
    elif kind == "anonymous_id":
        fields["anonymousId"] = value
    elif kind in ("email", "phone"):
        traits[kind] = value
    else:
        fields["context_external"] = [{"id": value, "type": kind}]
    if "userId" not in fields and "anonymousId" not in fields:
        known: list[tuple[str, str]] = []
        if invitation.get("profile_id"):
            known = [
                (i["type"], i["value"])
                for i in store.state.profile_identities(int(invitation["profile_id"]))
            ]
        user = next((v for t, v in known if t == "user_id"), None)
        anon = next((v for t, v in known if t == "anonymous_id"), None)
        if user:
            fields["userId"] = user
        elif anon:
            fields["anonymousId"] = anon
        else:
            digest = hashlib.sha256(invitation["token"].encode()).hexdigest()
            fields["anonymousId"] = "svy-" + digest[:24]
    fields["traits"] = traits
    return fields


def answered_event(
    store: Store,
    survey: Survey,
    invitation: dict[str, Any],
    row: dict[str, Any],
    answers: dict[str, Any],
    message_id: str,
) -> dict[str, Any]:
    """The ``Survey Answered`` track message of a stored response."""
    who = _identity_fields(store, invitation)
    context: dict[str, Any] = {"channel": row["channel"], "traits": who.pop("traits")}
    if "context_external" in who:
        context["externalIds"] = who.pop("context_external")
    properties: dict[str, Any] = {
        "survey_id": survey.id,
        "survey_name": survey.name,
        "template": survey.template,
        "metric": survey.metric,
        "invitation": invitation["token"],
        "score": row["score"],
        "comment": row["comment"],
        "answers": answers,
        "trigger_message_id": invitation.get("trigger_message_id"),
        "touchpoint": invitation.get("touchpoint"),
        "stage": invitation.get("stage"),
        "language": row["language"],
        "partial": not row["complete"],
        "invitation_channel": invitation["channel"],
    }
    if survey.metric == "nps" and row["score"] is not None:
        properties["nps_category"] = nps_category(int(row["score"]))
    event = {
        "type": "track",
        "event": EVENT_NAME,
        "messageId": message_id,
        "timestamp": datetime.fromtimestamp(row["updated_at"] / 1000, UTC).isoformat(),
        "context": context,
        "properties": properties,
        **who,
    }
    if len(msgspec.json.encode(event)) > MAX_EVENT_BYTES:
        properties["answers"] = {
            k: (v[:500] if isinstance(v, str) else v) for k, v in answers.items()
        }
        properties["comment"] = (row["comment"] or "")[:4000] or None
    return event


def response_dict(
    survey: Survey,
    invitation: dict[str, Any],
    row: dict[str, Any],
    answers: dict[str, Any],
    message_id: str | None,
) -> dict[str, Any]:
    return {
        "ok": True,
        "id": row["id"],
        "invitation": invitation["token"],
        "survey_id": survey.id,
        "complete": bool(row["complete"]),
        "partial": not row["complete"],
        "score": row["score"],
        "comment": row["comment"],
        "answers": answers,
        "channel": row["channel"],
        "language": row["language"],
        "touchpoint": invitation.get("touchpoint"),
        "profile_id": (
            str(invitation["profile_id"]) if invitation.get("profile_id") else None
        ),
        "event": EVENT_NAME,
        "message_id": message_id,
        "created_at": iso_time(row["created_at"]),
    }


def invitation_state(store: Store, token: str) -> dict[str, Any] | None:
    """The invitation and its response (if any), for the hosted page."""
    if not 0 < len(token) <= 64:
        return None
    invitation = feedback_state(store).invitation(token)
    if invitation is None:
        return None
    response = feedback_state(store).response(token)
    return {
        "invitation": invitation,
        "complete": bool(response and response["complete"]),
        "answers": json.loads(response["answers"]) if response else {},
    }
