"""OpenAPI paths of the survey endpoints (merged into /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_TEXT = {"oneOf": [{"type": "string"}, {"type": "object"}]}
_IDENTITY = {
    "type": "object",
    "properties": {"type": _STR, "value": _STR},
    "required": ["type", "value"],
}
_SURVEY_BODY = {
    "type": "object",
    "properties": {
        "name": _STR,
        "template": {"type": "string", "enum": ["nps", "csat", "ces", "custom"]},
        "questions": {"type": "array", "items": {"type": "object"}},
        "languages": {"type": "array", "items": _STR},
        "title": _TEXT,
    },
    "required": ["name", "template"],
    "additionalProperties": False,
}
_TRIGGER_ID = {
    "name": "trigger_id",
    "in": "path",
    "required": True,
    "schema": _STR,
}


def _openapi_paths() -> dict[str, Any]:
    from omnicx.api._openapi import _ID, _op, _query

    def created(summary: str, body: dict[str, Any], params: Any = None) -> Any:
        return _op(summary, None, params, body, ok_status="201", body_required=True)

    public = {"security": []}
    errors = {k: v for k, v in _op("")["responses"].items() if k != "200"}
    return {
        "/api/v1/surveys": {
            "get": _op("Surveys of this workspace"),
            "post": created("Create a survey (template or custom)", _SURVEY_BODY),
        },
        "/api/v1/surveys/{id}": {
            "get": _op("A survey", None, [_ID]),
            "put": _op(
                "Change a survey", None, [_ID], _SURVEY_BODY, body_required=True
            ),
        },
        "/api/v1/surveys/{id}/send": {
            "post": created(
                "Invite one customer on a channel; returns the link and QR codes",
                {
                    "type": "object",
                    "properties": {
                        "identity": _IDENTITY,
                        "channel": _STR,
                        "language": _STR,
                        "touchpoint": _STR,
                        "stage": _STR,
                        "message_id": _STR,
                        "delay": _STR,
                        "force": {"type": "boolean"},
                    },
                    "required": ["identity", "channel"],
                },
                [_ID],
            )
        },
        "/api/v1/surveys/{id}/send-segment": {
            "post": created(
                "Invite every customer holding the given trait values",
                {
                    "type": "object",
                    "properties": {
                        "traits": {"type": "object"},
                        "channel": _STR,
                        "language": _STR,
                        "delay": _STR,
                        "limit": {"type": "integer"},
                    },
                    "required": ["traits", "channel"],
                },
                [_ID],
            )
        },
        "/api/v1/surveys/{id}/invitations": {
            "get": _op(
                "Invitations of a survey, newest first",
                None,
                [_ID, _query("limit", {"type": "integer", "minimum": 1})],
            )
        },
        "/api/v1/surveys/{id}/triggers": {
            "get": _op("Triggers of a survey", None, [_ID]),
            "post": created(
                "Send after an event, or on a schedule",
                {"type": "object", "properties": {"type": _STR}, "required": ["type"]},
                [_ID],
            ),
        },
        "/api/v1/surveys/{id}/triggers/{trigger_id}": {
            "delete": {
                **_op("Remove a trigger", None, [_ID, _TRIGGER_ID]),
                "responses": {"204": {"description": "Removed"}, **errors},
            }
        },
        "/api/v1/surveys/{id}/results": {
            "get": _op(
                "Scores (unrounded, with 95% intervals), groups and omnichannel lens",
                None,
                [
                    _ID,
                    _query("group_by", {"type": "string"}),
                    _query("segment", _STR),
                    _query("from", _STR),
                    _query("to", _STR),
                    _query("partial", {"type": "boolean"}),
                ],
            )
        },
        "/api/v1/responses": {
            "post": {
                **created(
                    "Answer an invitation (the invitation token is the credential)",
                    {
                        "type": "object",
                        "properties": {
                            "invitation": _STR,
                            "answers": {"type": "object"},
                            "partial": {"type": "boolean"},
                            "channel": _STR,
                            "language": _STR,
                        },
                        "required": ["invitation", "answers"],
                    },
                ),
                **public,
            }
        },
        "/api/v1/brand": {
            "get": _op("The brand kit used on survey pages and invitations"),
            "put": _op(
                "Change the brand kit",
                None,
                None,
                {
                    "type": "object",
                    "properties": {
                        "name": _STR,
                        "logo_url": _STR,
                        "primary_color": _STR,
                    },
                    "additionalProperties": False,
                },
                body_required=True,
            ),
        },
        "/api/v1/survey-settings": {
            "get": _op("Survey fatigue and opt-in settings"),
            "put": _op(
                "Change survey fatigue and opt-in settings",
                None,
                None,
                {
                    "type": "object",
                    "properties": {
                        "fatigue_days": {"type": "integer", "nullable": True},
                        "require_opt_in": {"type": "boolean"},
                    },
                    "additionalProperties": False,
                },
                body_required=True,
            ),
        },
    }


#: Paths of this module for ``/api/v1/openapi.json`` (the widget endpoint, which
#: takes a write key, is documented with the widget instead).
OPENAPI_PATHS: dict[str, Any] = _openapi_paths()
