"""The one JSON error shape, everywhere::

{"ok": false, "status": 400, "error": "…", "errors": [{"field": "…", "message": "…"}]}
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from omnicx.errors import FieldError, OmnicxError, ValidationError

log = logging.getLogger("omnicx.api")


def error_body(
    status: int, message: str, errors: list[FieldError] | None = None
) -> dict[str, Any]:
    return {
        "ok": False,
        "status": status,
        "error": message,
        "errors": [e.as_dict() for e in errors or []],
    }


def error_response(
    status: int,
    message: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(status, message, errors), status, headers=headers)


async def omnicx_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OmnicxError)
    errors = exc.errors if isinstance(exc, ValidationError) else []
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return error_response(exc.status, str(exc), errors, headers)


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal error; the server log has the details")


EXCEPTION_HANDLERS = {
    OmnicxError: omnicx_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
