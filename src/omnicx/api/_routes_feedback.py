"""Surveys: definitions, sending, triggers, responses, results, brand and settings.

Every route takes the workspace admin token, except ``POST /api/v1/responses``
(the invitation token is the credential; an admin token, when sent, must own the
invitation) and ``POST /api/v1/widget/invitations`` (a source write key).
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from omnicx.api._auth import runtime_of, workspace_of
from omnicx.api._body import read_json
from omnicx.errors import parse_int
from omnicx.feedback import _survey_results as results
from omnicx.feedback import _survey_send as send
from omnicx.feedback import responses, surveys, triggers

_CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-allow-headers": "content-type",
    "access-control-max-age": "600",
}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def survey_list(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    if request.method == "GET":
        found = await run_in_threadpool(
            surveys.list_surveys, store, workspace_id, _base(request)
        )
        return JSONResponse({"surveys": found})
    body = await read_json(request, surveys.SurveyRequest)
    survey = await run_in_threadpool(surveys.create_survey, store, workspace_id, body)
    return JSONResponse(surveys.survey_dict(survey, _base(request)), status_code=201)


async def survey_detail(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    survey_id = request.path_params["id"]
    if request.method == "PUT":
        body = await read_json(request, surveys.SurveyRequest)
        survey = await run_in_threadpool(
            surveys.update_survey, store, workspace_id, survey_id, body
        )
    else:
        survey = await run_in_threadpool(
            surveys.get_survey, store, workspace_id, survey_id
        )
    return JSONResponse(surveys.survey_dict(survey, _base(request)))


async def survey_send(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    runtime = runtime_of(request)
    body = await read_json(request, send.SendRequest)
    result = await run_in_threadpool(
        send.send_survey,
        runtime.store,
        runtime.settings,
        workspace_id,
        request.path_params["id"],
        body,
        _base(request),
    )
    return JSONResponse(result, status_code=201)


async def survey_send_segment(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    runtime = runtime_of(request)
    body = await read_json(request, send.SegmentRequest)
    result = await run_in_threadpool(
        send.send_segment,
        runtime.store,
        runtime.settings,
        workspace_id,
        request.path_params["id"],
        body,
    )
    return JSONResponse(result, status_code=201)


async def survey_invitations(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    runtime = runtime_of(request)
    raw = request.query_params.get("limit")
    limit = parse_int(raw, "limit", 1, 1000) if raw else 100
    found = await run_in_threadpool(
        send.list_invitations,
        runtime.store,
        runtime.settings,
        workspace_id,
        request.path_params["id"],
        limit,
        _base(request),
    )
    return JSONResponse({"invitations": found})


async def survey_triggers(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    survey_id = request.path_params["id"]
    if request.method == "GET":
        found = await run_in_threadpool(
            triggers.list_triggers, store, workspace_id, survey_id
        )
        return JSONResponse({"triggers": found})
    body = await read_json(request, triggers.TriggerRequest)
    created = await run_in_threadpool(
        triggers.create_trigger, store, workspace_id, survey_id, body
    )
    return JSONResponse(created, status_code=201)


async def survey_trigger_delete(request: Request) -> Response:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    await run_in_threadpool(
        triggers.delete_trigger,
        store,
        workspace_id,
        request.path_params["id"],
        request.path_params["trigger_id"],
    )
    return Response(status_code=204)


async def survey_results(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    query = request.query_params
    found = await run_in_threadpool(
        results.survey_results,
        store,
        workspace_id,
        request.path_params["id"],
        query.get("group_by") or None,
        query.get("segment"),
        query.get("from"),
        query.get("to"),
        query.get("partial", "true").lower() not in ("false", "0", "no"),
    )
    return JSONResponse(found)


async def response_create(request: Request) -> JSONResponse:
    workspace_id = (
        workspace_of(request) if request.headers.get("authorization") else None
    )
    runtime = runtime_of(request)
    body = await read_json(request, responses.ResponseRequest)
    stored = await run_in_threadpool(
        responses.submit_response, runtime, workspace_id, body
    )
    return JSONResponse(stored, status_code=201)


async def brand(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    if request.method == "GET":
        return JSONResponse(
            await run_in_threadpool(surveys.get_brand, store, workspace_id)
        )
    body = await read_json(request, surveys.BrandRequest)
    return JSONResponse(
        await run_in_threadpool(surveys.set_brand, store, workspace_id, body)
    )


async def survey_settings(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    if request.method == "GET":
        found: Any = await run_in_threadpool(
            surveys.get_survey_settings, store, workspace_id
        )
        return JSONResponse(found)
    body = await read_json(request, surveys.SurveySettingsRequest)
    return JSONResponse(
        await run_in_threadpool(surveys.set_survey_settings, store, workspace_id, body)
    )


async def widget_invitation(request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=_CORS)
    runtime = runtime_of(request)
    body = await read_json(request, send.WidgetRequest)
    created = await run_in_threadpool(
        send.widget_invitation, runtime.store, runtime.settings, body, _base(request)
    )
    return JSONResponse(created, status_code=201, headers=_CORS)


ROUTES = [
    Route("/api/v1/surveys", survey_list, methods=["GET", "POST"]),
    Route("/api/v1/surveys/{id}", survey_detail, methods=["GET", "PUT"]),
    Route("/api/v1/surveys/{id}/send", survey_send, methods=["POST"]),
    Route("/api/v1/surveys/{id}/send-segment", survey_send_segment, methods=["POST"]),
    Route("/api/v1/surveys/{id}/invitations", survey_invitations),
    Route("/api/v1/surveys/{id}/triggers", survey_triggers, methods=["GET", "POST"]),
    Route(
        "/api/v1/surveys/{id}/triggers/{trigger_id}",
        survey_trigger_delete,
        methods=["DELETE"],
    ),
    Route("/api/v1/surveys/{id}/results", survey_results),
    Route("/api/v1/responses", response_create, methods=["POST"]),
    Route("/api/v1/brand", brand, methods=["GET", "PUT"]),
    Route("/api/v1/survey-settings", survey_settings, methods=["GET", "PUT"]),
    Route("/api/v1/widget/invitations", widget_invitation, methods=["POST", "OPTIONS"]),
]


# -- OpenAPI (merged into the served document by ``_openapi``) ------------------------

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
