"""Profiles, timelines, lookups, splits and workspace stats."""

from __future__ import annotations

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from omnicx import profiles
from omnicx.api._auth import runtime_of, workspace_of
from omnicx.api._body import read_json
from omnicx.profiles._timeline import parse_limit


class SplitRequest(msgspec.Struct, forbid_unknown_fields=True):
    merge_id: int | None = None


async def stats(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    return JSONResponse(
        await run_in_threadpool(profiles.workspace_stats, store, workspace_id)
    )


async def lookup(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    runtime = runtime_of(request)
    return JSONResponse(
        await run_in_threadpool(
            profiles.lookup_profile,
            runtime.store,
            workspace_id,
            request.query_params.get("type"),
            request.query_params.get("value"),
            runtime.settings.default_region,
        )
    )


async def profile(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    return JSONResponse(
        await run_in_threadpool(
            profiles.get_profile, store, workspace_id, request.path_params["id"]
        )
    )


async def timeline(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    limit = parse_limit(request.query_params.get("limit"))
    page = await run_in_threadpool(
        profiles.get_timeline,
        store,
        workspace_id,
        request.path_params["id"],
        limit,
        request.query_params.get("cursor") or None,
    )
    return JSONResponse(page.as_dict())


async def merges(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    found = await run_in_threadpool(
        profiles.profile_merges, store, workspace_id, request.path_params["id"]
    )
    return JSONResponse({"merges": found})


async def split(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    body = await read_json(request, SplitRequest, allow_empty=True)
    result = await run_in_threadpool(
        profiles.split_profile,
        store,
        workspace_id,
        request.path_params["id"],
        body.merge_id,
    )
    return JSONResponse(result)


ROUTES = [
    Route("/api/v1/stats", stats),
    Route("/api/v1/profiles/lookup", lookup),
    Route("/api/v1/profiles/{id}", profile),
    Route("/api/v1/profiles/{id}/timeline", timeline),
    Route("/api/v1/profiles/{id}/merges", merges),
    Route("/api/v1/profiles/{id}/split", split, methods=["POST"]),
]
