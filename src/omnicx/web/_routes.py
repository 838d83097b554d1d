"""Pages and assets served by the same process: dashboard, snippet, vendored JS."""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from omnicx.web.sdk import JS_CONTENT_TYPE, snippet, vendor_file_for

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def vendored_js(request: Request) -> Response:
    path = vendor_file_for(request.url.path)
    if path is None or not path.is_file():
        return Response("not found", status_code=404)
    return FileResponse(
        path,
        media_type=JS_CONTENT_TYPE,
        headers={
            "access-control-allow-origin": "*",
            "cache-control": "public, max-age=3600",
        },
    )


async def snippet_page(request: Request) -> HTMLResponse:
    """Copy-paste snippet for a write key (``?write_key=``), or instructions."""
    write_key = request.query_params.get("write_key", "").strip()
    code = snippet(write_key or "YOUR_WRITE_KEY", base_url(request))
    page = (TEMPLATES / "snippet.html").read_text()
    page = page.replace("{{ snippet }}", html.escape(code)).replace(
        "{{ write_key }}", html.escape(write_key or "YOUR_WRITE_KEY")
    )
    return HTMLResponse(page)


async def dashboard(_request: Request) -> HTMLResponse:
    return HTMLResponse((TEMPLATES / "dashboard.html").read_text())


ROUTES = [
    Route("/", dashboard),
    Route("/snippet", snippet_page),
    Route("/js/analytics.js", vendored_js),
    Route("/js/echarts.min.js", vendored_js),
    Route("/analytics-next/bundles/{name}", vendored_js),
    Route("/analytics.js/v1/{key}/analytics.min.js", vendored_js),
    Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
]
