"""Text analytics, unified feedback import, sentiment / topic insights and "why"
drivers (``feedback.text``, ``feedback.imports``, ``feedback.drivers``)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from omnicx.api._auth import runtime_of, workspace_of
from omnicx.api._body import read_json
from omnicx.api._openapi import _op, _query
from omnicx.errors import FieldError, PayloadTooLargeError, ValidationError
from omnicx.feedback import drivers, imports, text

MAX_TEXT = 20_000
MAX_IMPORT_BYTES = 8 * 1024 * 1024


class AnalyzeRequest(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    language: str | None = None


async def _read(request: Request, kind: Any) -> Any:
    """``read_json``, naming the field of an unknown-field error, and refusing
    bodies nested too deeply to decode."""
    try:
        return await read_json(request, kind)
    except RecursionError:
        raise ValidationError(
            "the body is nested too deeply", [FieldError("body", "nested too deeply")]
        ) from None
    except ValidationError as exc:
        message = str(exc)
        if (
            "unknown field `" in message
            and exc.errors
            and exc.errors[0].field == "body"
        ):
            field = message.split("unknown field `", 1)[1].split("`", 1)[0]
            raise ValidationError(
                message, [FieldError(field, "unknown field")]
            ) from None
        raise


def _language(raw: str | None) -> str | None:
    language = text.normalize_language(raw)
    if language is not None and language not in text.SUPPORTED_LANGUAGES:
        supported = ", ".join(text.SUPPORTED_LANGUAGES)
        raise ValidationError(
            f"language {raw!r} has no lexicon; use one of {supported} or leave it "
            "out to detect it",
            [FieldError("language", f"must be one of {supported}")],
        )
    return language


async def analyze(request: Request) -> JSONResponse:
    workspace_of(request)
    body = await _read(request, AnalyzeRequest)
    if not body.text.strip():
        raise ValidationError(
            "text must not be empty", [FieldError("text", "must not be empty")]
        )
    if len(body.text) > MAX_TEXT:
        raise ValidationError(
            f"text is {len(body.text)} characters; at most {MAX_TEXT}",
            [FieldError("text", f"longer than {MAX_TEXT} characters")],
        )
    language = _language(body.language)
    analyzer = text.analyzer_for(runtime_of(request).settings)
    insight = await run_in_threadpool(analyzer.analyze, body.text, language)
    return JSONResponse(insight.as_dict())


async def import_feedback(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    runtime = runtime_of(request)
    if int(request.headers.get("content-length") or 0) > MAX_IMPORT_BYTES:
        raise PayloadTooLargeError(
            f"the body exceeds {MAX_IMPORT_BYTES} bytes; send smaller batches",
            [FieldError("body", "request too large")],
        )
    body: Any = await _read(request, Any)
    items = body.get("items") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise ValidationError(
            'send a JSON list of feedback items (or {"items": [...]})',
            [FieldError("body", "not a list of items")],
        )
    result = await run_in_threadpool(
        imports.import_feedback,
        runtime.ingest,
        runtime.store,
        workspace_id,
        items,
        text.analyzer_for(runtime.settings),
    )
    return JSONResponse(result)


async def insights(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    runtime = runtime_of(request)
    result = await run_in_threadpool(
        text.sentiment_trends,
        runtime.store,
        workspace_id,
        dict(request.query_params),
        text.analyzer_for(runtime.settings),
    )
    return JSONResponse(result)


async def feedback_drivers(request: Request) -> JSONResponse:
    workspace_id = workspace_of(request)
    store = runtime_of(request).store
    query = drivers.parse_drivers_query(dict(request.query_params))
    result = await run_in_threadpool(
        drivers.touchpoint_drivers, store, workspace_id, query
    )
    return JSONResponse(result)


ROUTES = [
    Route("/api/v1/text/analyze", analyze, methods=["POST"]),
    Route("/api/v1/feedback/import", import_feedback, methods=["POST"]),
    Route("/api/v1/feedback/insights", insights),
    Route("/api/v1/feedback/drivers", feedback_drivers),
]

_STRING = {"type": "string"}
_ITEM = {
    "type": "object",
    "required": ["source"],
    "properties": {
        "source": {"type": "string", "minLength": 1, "maxLength": 100},
        "text": {"type": "string", "maxLength": 8000},
        "rating": {"type": "number", "minimum": 0},
        "rating_max": {"type": "number", "minimum": 1, "maximum": 100},
        **{
            name: _STRING
            for name in [
                "title",
                "author",
                "email",
                "phone",
                "handle",
                "handle_type",
                "user_id",
                "created_at",
                "url",
                "id",
                "language",
                "channel",
                "kind",
            ]
        },
        "extra": {"type": "object"},
    },
    "additionalProperties": False,
}
_INSIGHT = {
    "type": "object",
    "properties": {
        "language": _STRING,
        "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
        "score": {"type": "number", "minimum": -1, "maximum": 1},
        "topics": {"type": "array", "items": _STRING},
        "keywords": {"type": "array", "items": _STRING},
    },
}

#: OpenAPI paths of these routes (merged into ``api._openapi.OPENAPI["paths"]``).
OPENAPI_PATHS = {
    "/api/v1/text/analyze": {
        "post": _op(
            "Sentiment, topics and keywords of a text (en, he, ar, tr, fa)",
            _INSIGHT,
            body={
                "type": "object",
                "required": ["text"],
                "properties": {
                    "text": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
                    "language": {
                        "type": "string",
                        "enum": list(text.SUPPORTED_LANGUAGES),
                    },
                },
                "additionalProperties": False,
            },
            body_required=True,
        )
    },
    "/api/v1/feedback/import": {
        "post": _op(
            "Import reviews and social mentions as Feedback Received events",
            body={"type": "array", "maxItems": imports.MAX_ITEMS, "items": _ITEM},
            body_required=True,
        )
    },
    "/api/v1/feedback/insights": {
        "get": _op(
            "Sentiment and topic trends of survey comments and imported feedback",
            None,
            [
                _query("from", _STRING),
                _query("to", _STRING),
                _query("bucket", {"type": "string", "enum": ["day", "week", "month"]}),
                _query(
                    "events", {"type": "string", "enum": ["all", "survey", "feedback"]}
                ),
                _query("sources", _STRING),
                _query("channels", _STRING),
                _query("keywords", {"type": "integer", "minimum": 1, "maximum": 200}),
            ],
        )
    },
    "/api/v1/feedback/drivers": {
        "get": _op(
            "Touchpoints and channels before a survey response that go with "
            "detractors vs promoters",
            None,
            [
                _query("survey", _STRING),
                _query(
                    "template",
                    {"type": "string", "enum": ["nps", "csat", "ces", "custom"]},
                ),
                _query("window", _STRING),
                _query("from", _STRING),
                _query("to", _STRING),
                _query("detractor_max", {"type": "number", "minimum": 0}),
                _query("promoter_min", {"type": "number", "minimum": 0}),
                _query("min_responses", {"type": "integer", "minimum": 1}),
            ],
        )
    },
}
