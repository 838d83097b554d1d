"""Workspace settings, sources, ingest status and rejected events."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from omnicx.api._auth import runtime_of, workspace_of
from omnicx.api._body import read_json
from omnicx.errors import FieldError, ValidationError, parse_int
from omnicx.identity import MergeRules, merge_rules_from_config
from omnicx.ingest import canonical_channel
from omnicx.profiles._profile import iso
from omnicx.profiles._timeline import parse_limit


class SourceRequest(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    default_channel: str | None = None


def _source_dict(source: Any) -> dict[str, Any]:
    return {
        "id": source.id,
        "name": source.name,
        "write_key": source.write_key,
        "default_channel": source.default_channel,
    }


async def workspace(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    runtime = runtime_of(request)
    found = runtime.store.state.workspace(workspace_id)
    rules = merge_rules_from_config(found.config, runtime.settings.default_region)
    return JSONResponse(
        {
            "id": found.id,
            "name": found.name,
            "created_at": iso(found.created_at),
            "identity_rules": msgspec.to_builtins(rules),
            "sources": [
                _source_dict(s) for s in runtime.store.state.sources(workspace_id)
            ],
        }
    )


async def put_identity_rules(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    runtime = runtime_of(request)
    rules = await read_json(request, MergeRules)
    for identity_type, limit in rules.limits.items():
        if limit < 1:
            raise ValidationError(
                "identity limits must be at least 1",
                [FieldError(f"limits.{identity_type}", "must be >= 1")],
            )
    found = runtime.store.state.workspace(workspace_id)
    config = {**found.config, "identity": msgspec.to_builtins(rules)}
    runtime.store.state.set_workspace_config(workspace_id, config)
    runtime.invalidate_workspace(workspace_id)
    return JSONResponse({"identity_rules": config["identity"]})


async def sources(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    state = runtime_of(request).store.state
    if request.method == "GET":
        return JSONResponse(
            {"sources": [_source_dict(s) for s in state.sources(workspace_id)]}
        )
    body = await read_json(request, SourceRequest)
    channel = None
    if body.default_channel is not None:
        channel = canonical_channel(body.default_channel)
        if channel is None:
            raise ValidationError(
                f"unknown channel {body.default_channel!r}",
                [FieldError("default_channel", "not a channel name")],
            )
    if not body.name.strip():
        raise ValidationError("name is required", [FieldError("name", "empty")])
    source = state.create_source(workspace_id, body.name.strip(), channel)
    return JSONResponse(_source_dict(source), status_code=201)


async def ingest_status(request: Request) -> JSONResponse:
    workspace_of(request)
    runtime = runtime_of(request)
    processor = runtime.processor
    return JSONResponse(
        {
            "durable_position": list(runtime.store.log.durable_position),
            "processed_position": list(processor.position),
            "lag_bytes": processor.lag_bytes,
            "events_processed_since_start": processor.events_processed,
            "last_error": processor.last_error,
        }
    )


async def rejected(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    limit = parse_limit(request.query_params.get("limit"), 100)
    before_raw = request.query_params.get("before")
    before = parse_int(before_raw, "before", 0, 2**62) if before_raw else None
    rows = await run_in_threadpool(
        runtime_of(request).store.state.rejections, workspace_id, limit, before
    )
    items = []
    for row in rows:
        try:
            payload: Any = json.loads(row["payload"]) if row["payload"] else None
        except ValueError:
            payload = row["payload"]
        items.append(
            {
                "id": row["id"],
                "source_id": row["source_id"],
                "received_at": iso(row["received_at"]),
                "index": row["batch_index"],
                "field": row["field"],
                "message": row["message"],
                "payload": payload,
            }
        )
    next_before = items[-1]["id"] if len(items) == limit else None
    return JSONResponse({"rejected": items, "next_before": next_before})


ROUTES = [
    Route("/api/v1/workspace", workspace),
    Route("/api/v1/workspace/identity-rules", put_identity_rules, methods=["PUT"]),
    Route("/api/v1/sources", sources, methods=["GET", "POST"]),
    Route("/api/v1/ingest/status", ingest_status),
    Route("/api/v1/ingest/rejected", rejected),
]
