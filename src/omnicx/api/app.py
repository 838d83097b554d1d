"""The HTTP application: ingest (bare ASGI), management API and dashboard."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from omnicx.api import (
    _routes_analytics,
    _routes_closed_loop,
    _routes_feedback,
    _routes_insights,
    _routes_journeys,
    _routes_profiles,
    _routes_workspace,
)
from omnicx.api._errors import EXCEPTION_HANDLERS, error_response
from omnicx.api._ingest import IngestApp
from omnicx.api._openapi import OPENAPI
from omnicx.runtime import Runtime
from omnicx.web import _routes as web_routes
from omnicx.web import _survey_pages
from omnicx.web.docs import docs_page


async def health(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    return JSONResponse(
        {
            "ok": True,
            "status": "ready",
            "processing_lag_bytes": runtime.processor.lag_bytes,
        }
    )


_ROUTE_MODULES = (
    _routes_profiles,
    _routes_workspace,
    _routes_analytics,
    _routes_journeys,
    _routes_feedback,
    _routes_closed_loop,
    _routes_insights,
)


def openapi_document() -> dict[str, Any]:
    """The base document plus the paths each route module documents itself."""
    paths = dict(OPENAPI["paths"])
    for module in _ROUTE_MODULES:
        paths.update(getattr(module, "OPENAPI_PATHS", {}))
    return {**OPENAPI, "paths": paths}


async def openapi(_request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


async def docs(_request: Request) -> HTMLResponse:
    return HTMLResponse(docs_page(openapi_document()))


async def not_found(request: Request, _exc: Exception) -> JSONResponse:
    return error_response(404, f"no route for {request.method} {request.url.path}")


class OmnicxApp:
    """Routes ``/v1/*`` to the ingest app, everything else to Starlette."""

    def __init__(self, runtime: Runtime, extra_routes: list[Any] | None = None) -> None:
        self.runtime = runtime
        self.ingest = IngestApp(runtime)
        routes = [
            Route("/health", health),
            Route("/api/v1/openapi.json", openapi),
            Route("/docs", docs),
            *_routes_profiles.ROUTES,
            *_routes_workspace.ROUTES,
            *_routes_analytics.ROUTES,
            *_routes_journeys.ROUTES,
            *_routes_feedback.ROUTES,
            *_routes_closed_loop.ROUTES,
            *_routes_insights.ROUTES,
            *_survey_pages.ROUTES,
            *(extra_routes or []),
            *web_routes.ROUTES,
        ]
        self.web = Starlette(
            routes=routes,
            exception_handlers={**EXCEPTION_HANDLERS, 404: not_found},
        )
        self.web.state.runtime = runtime

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            await self.ingest(scope, receive, send)
            return
        await self.web(scope, receive, send)


def create_app(runtime: Runtime) -> OmnicxApp:
    return OmnicxApp(runtime)
