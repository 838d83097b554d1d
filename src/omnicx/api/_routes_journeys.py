"""``/api/v1/analytics/<name>``: every registered journey analysis.

POST takes the query as a JSON body; GET takes it as query-string parameters (values
that are JSON arrays or objects are decoded; a repeated key makes a list).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from omnicx import journeys
from omnicx.api._auth import runtime_of, workspace_of
from omnicx.errors import FieldError, ValidationError


def query_from_params(params: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for key in params:
        values = params.getlist(key)
        decoded = []
        for value in values:
            text = value.strip()
            if text[:1] in ("[", "{"):
                try:
                    decoded.append(json.loads(text))
                    continue
                except ValueError:
                    raise ValidationError(
                        f"{key} is not valid JSON", [FieldError(key, "invalid JSON")]
                    ) from None
            decoded.append(value)
        raw[key] = decoded[0] if len(decoded) == 1 else decoded
    return raw


async def _raw_query(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        return query_from_params(request.query_params)
    body = await request.body()
    if not body.strip():
        return {}
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError):
        raise ValidationError(
            "the body is not valid JSON", [FieldError("body", "invalid JSON")]
        ) from None
    if not isinstance(raw, dict):
        raise ValidationError(
            "the query must be a JSON object", [FieldError("body", "not an object")]
        )
    return raw


async def run(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    name = request.path_params["name"]
    raw = await _raw_query(request)
    result = await run_in_threadpool(
        journeys.run_analysis, runtime_of(request).store, workspace_id, name, raw
    )
    return JSONResponse(result)


async def catalogue(request: Request) -> JSONResponse:
    workspace_of(request)
    return JSONResponse(
        {
            "analyses": [
                {
                    "name": a.name,
                    "title": a.title,
                    "description": a.description,
                    "example": a.example,
                }
                for a in journeys.analyses().values()
            ]
        }
    )


ROUTES = [
    Route("/api/v1/analytics", catalogue),
    Route("/api/v1/analytics/{name}", run, methods=["GET", "POST"]),
]
