"""Alerts and cases: the closed loop's management API.

- ``POST /api/v1/alerts`` ``{"name", "when", "actions", "enabled"?, "sla_hours"?,
  "secret"?}`` → 201 rule (with its webhook signing ``secret``);
  ``GET /api/v1/alerts`` → ``{"alerts": [...]}``; ``GET|PATCH|DELETE
  /api/v1/alerts/{id}``; ``GET /api/v1/alerts/{id}/firings`` and
  ``GET /api/v1/alerts/firings`` (all rules) → ``{"firings": [...], "next_before"}``.
- ``GET /api/v1/cases?status=&breached=&owner=&profile_id=&limit=&offset=`` →
  ``{"cases": [...], "total", "counts"}``; ``GET|PATCH /api/v1/cases/{id}``;
  ``POST /api/v1/cases/{id}/notes|follow-up|resolve``.
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
from omnicx.feedback import alerts, cases


def _loop(request: Request) -> alerts.ClosedLoop:
    return alerts.closed_loop(runtime_of(request))


def _limit(request: Request, default: int = 50) -> int:
    raw = request.query_params.get("limit")
    return default if not raw else parse_int(raw, "limit", 1, 500)


def _before(request: Request) -> int | None:
    raw = request.query_params.get("before")
    return None if not raw else parse_int(raw, "before", 1, 2**62)


# -- alerts ----------------------------------------------------------------------------


async def create_alert(request: Request) -> JSONResponse:

    workspace_id = workspace_of(request)
    body = await read_json(request, alerts.AlertRuleRequest)
    rule = await run_in_threadpool(
        alerts.create_rule, _loop(request), workspace_id, body
    )
    return JSONResponse(rule, status_code=201)


async def list_alerts(request: Request) -> JSONResponse:

    workspace_id = workspace_of(request)
    found = await run_in_threadpool(alerts.list_rules, _loop(request), workspace_id)
    return JSONResponse({"alerts": found})


async def alert(request: Request) -> Response:

    workspace_id = workspace_of(request)
    loop, rule_id = _loop(request), request.path_params["id"]
    if request.method == "PATCH":
        patch = await read_json(request, alerts.AlertRulePatch)
        result = await run_in_threadpool(
            alerts.update_rule, loop, workspace_id, rule_id, patch
        )
        return JSONResponse(result)
    if request.method == "DELETE":
        await run_in_threadpool(alerts.delete_rule, loop, workspace_id, rule_id)
        return Response(status_code=204)
    result = await run_in_threadpool(alerts.get_rule, loop, workspace_id, rule_id)
    return JSONResponse(result)


async def firings(request: Request) -> JSONResponse:

    workspace_id = workspace_of(request)
    result = await run_in_threadpool(
        alerts.list_firings,
        _loop(request),
        workspace_id,
        request.path_params.get("id"),
        _limit(request),
        _before(request),
    )
    return JSONResponse(result)


# -- cases -----------------------------------------------------------------------------


async def list_cases(request: Request) -> JSONResponse:

    workspace_id = workspace_of(request)
    result = await run_in_threadpool(
        cases.list_cases, _loop(request), workspace_id, dict(request.query_params)
    )
    return JSONResponse(result)


async def case(request: Request) -> JSONResponse:

    workspace_id = workspace_of(request)
    loop, case_id = _loop(request), request.path_params["id"]
    if request.method == "PATCH":
        patch = await read_json(request, cases.CasePatch)
        result = await run_in_threadpool(
            cases.update_case, loop, workspace_id, case_id, patch
        )
    else:
        result = await run_in_threadpool(cases.get_case, loop, workspace_id, case_id)
    return JSONResponse(result)


async def case_note(request: Request) -> JSONResponse:

    workspace_id = workspace_of(request)
    body = await read_json(request, cases.NoteRequest)
    result = await run_in_threadpool(
        cases.add_note, _loop(request), workspace_id, request.path_params["id"], body
    )
    return JSONResponse(result, status_code=201)


async def case_follow_up(request: Request) -> JSONResponse:

    workspace_id = workspace_of(request)
    body = await read_json(request, cases.FollowUpRequest)
    result = await run_in_threadpool(
        cases.follow_up, _loop(request), workspace_id, request.path_params["id"], body
    )
    return JSONResponse(result, status_code=201)


async def case_resolve(request: Request) -> JSONResponse:

    workspace_id = workspace_of(request)
    body = await read_json(request, cases.ResolveRequest, allow_empty=True)
    result = await run_in_threadpool(
        cases.resolve_case,
        _loop(request),
        workspace_id,
        request.path_params["id"],
        body,
    )
    return JSONResponse(result)


ROUTES = [
    Route("/api/v1/alerts", list_alerts, methods=["GET"]),
    Route("/api/v1/alerts", create_alert, methods=["POST"]),
    Route("/api/v1/alerts/firings", firings, methods=["GET"]),
    Route("/api/v1/alerts/{id}", alert, methods=["GET", "PATCH", "DELETE"]),
    Route("/api/v1/alerts/{id}/firings", firings, methods=["GET"]),
    Route("/api/v1/cases", list_cases, methods=["GET"]),
    Route("/api/v1/cases/{id}", case, methods=["GET", "PATCH"]),
    Route("/api/v1/cases/{id}/notes", case_note, methods=["POST"]),
    Route("/api/v1/cases/{id}/follow-up", case_follow_up, methods=["POST"]),
    Route("/api/v1/cases/{id}/resolve", case_resolve, methods=["POST"]),
]


# -- OpenAPI ---------------------------------------------------------------------------


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


_STR = {"type": "string"}
_NUM = {"type": "number"}
_WHEN = {
    "type": "object",
    "properties": {
        "survey": _nullable(_STR),
        "template": _nullable(
            {"type": "string", "enum": ["nps", "csat", "ces", "custom"]}
        ),
        "score_at_most": _nullable(_NUM),
        "score_at_least": _nullable(_NUM),
        "event": _nullable(_STR),
        "sentiment": _nullable(
            {"type": "string", "enum": ["positive", "neutral", "negative"]}
        ),
        "topic": _nullable(_STR),
        "channel": _nullable(_STR),
        "profile_traits": _nullable({"type": "object"}),
        "metric": _nullable({"type": "string", "enum": ["nps", "csat", "ces"]}),
        "drop_points": _nullable(_NUM),
        "window": _nullable(_STR),
        "min_responses": _nullable({"type": "integer"}),
    },
    "additionalProperties": False,
}
_ACTION = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"type": "string", "enum": ["webhook", "email", "open_case"]},
        "url": _nullable(_STR),
        "to": _nullable(_STR),
        "subject": _nullable(_STR),
        "sla_hours": _nullable(_NUM),
        "owner": _nullable(_STR),
    },
    "additionalProperties": False,
}
_RULE_BODY = {
    "type": "object",
    "required": ["name", "when", "actions"],
    "properties": {
        "name": _STR,
        "when": _WHEN,
        "actions": {"type": "array", "items": _ACTION},
        "enabled": {"type": "boolean"},
        "sla_hours": _nullable(_NUM),
        "secret": _nullable(_STR),
    },
    "additionalProperties": False,
}
_RULE_PATCH = {
    "type": "object",
    "properties": {
        "name": _nullable(_STR),
        "when": _nullable(_WHEN),
        "actions": _nullable({"type": "array", "items": _ACTION}),
        "enabled": _nullable({"type": "boolean"}),
        "sla_hours": _nullable(_NUM),
        "rotate_secret": {"type": "boolean"},
    },
    "additionalProperties": False,
}
_STATUS = {"type": "string", "enum": list(cases.STATUSES)}


def _body(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


def _openapi_paths() -> dict[str, Any]:
    from omnicx.api._openapi import _ID, _op, _query

    limit = _query("limit", {"type": "integer", "minimum": 1, "maximum": 500})
    before = _query("before", {"type": "integer", "minimum": 1})
    follow_up = _op(
        "Message the customer on their preferred consented channel",
        None,
        [_ID],
        _body(["text"], text=_STR, channel=_nullable(_STR), subject=_nullable(_STR)),
        "201",
        body_required=True,
    )
    follow_up["responses"]["502"] = {
        "description": "The channel connector could not deliver it",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
        },
    }
    delete = _op("Delete an alert rule", None, [_ID], None, "204")
    delete["responses"]["204"] = {"description": "Deleted"}
    return {
        "/api/v1/alerts": {
            "get": _op("Alert rules"),
            "post": _op(
                "Create an alert rule (the answer has its webhook signing secret)",
                None,
                None,
                _RULE_BODY,
                "201",
                body_required=True,
            ),
        },
        "/api/v1/alerts/firings": {
            "get": _op("Recent firings of every rule", None, [limit, before])
        },
        "/api/v1/alerts/{id}": {
            "get": _op("An alert rule", None, [_ID]),
            "patch": _op("Change an alert rule", None, [_ID], _RULE_PATCH),
            "delete": delete,
        },
        "/api/v1/alerts/{id}/firings": {
            "get": _op(
                "Firings of a rule with delivery status", None, [_ID, limit, before]
            )
        },
        "/api/v1/cases": {
            "get": _op(
                "Cases, newest first",
                None,
                [
                    _query("status", _STR),
                    _query("breached", {"type": "string", "enum": ["true", "false"]}),
                    _query("owner", _STR),
                    _query("profile_id", _STR),
                    limit,
                    _query("offset", {"type": "integer", "minimum": 0}),
                ],
            )
        },
        "/api/v1/cases/{id}": {
            "get": _op("A case with the customer's context", None, [_ID]),
            "patch": _op(
                "Change a case's status or owner",
                None,
                [_ID],
                _body([], status=_STATUS, owner=_nullable(_STR)),
            ),
        },
        "/api/v1/cases/{id}/notes": {
            "post": _op(
                "Add a note",
                None,
                [_ID],
                _body(["text"], text=_STR, author=_nullable(_STR)),
                "201",
                body_required=True,
            )
        },
        "/api/v1/cases/{id}/follow-up": {"post": follow_up},
        "/api/v1/cases/{id}/resolve": {
            "post": _op(
                "Resolve, optionally re-surveying the customer",
                None,
                [_ID],
                _body(
                    [],
                    resurvey=_nullable(_STR),
                    channel=_nullable(_STR),
                    note=_nullable(_STR),
                ),
            )
        },
    }


#: For ``api/_openapi.py``: ``OPENAPI["paths"].update(OPENAPI_PATHS)``.
OPENAPI_PATHS = _openapi_paths()
