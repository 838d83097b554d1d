"""Dashboard overview series: events per channel over time."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from omnicx.api._auth import runtime_of, workspace_of
from omnicx.errors import FieldError, ValidationError


async def events_per_channel(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    bucket = request.query_params.get("bucket", "day")
    if bucket not in ("day", "hour"):
        raise ValidationError(
            "bucket must be day or hour", [FieldError("bucket", "day or hour")]
        )
    rows = await run_in_threadpool(
        runtime_of(request).store.events.events_per_channel, workspace_id, bucket
    )
    return JSONResponse(
        {
            "bucket": bucket,
            "series": [
                {
                    "bucket": str(r["bucket"]),
                    "channel": r["channel"],
                    "events": int(r["events"]),
                }
                for r in rows
            ],
        }
    )


ROUTES = [Route("/api/v1/analytics/events-per-channel", events_per_channel)]
