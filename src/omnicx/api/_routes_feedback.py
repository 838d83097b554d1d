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
from omnicx.api._openapi_feedback import OPENAPI_PATHS
from omnicx.errors import parse_int
from omnicx.feedback import _survey_results as results
from omnicx.feedback import _survey_send as send
from omnicx.feedback import responses, surveys, triggers

__all__ = ["OPENAPI_PATHS", "ROUTES"]

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
