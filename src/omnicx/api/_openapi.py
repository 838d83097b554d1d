"""The OpenAPI document of the management/read API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from omnicx.contracts import CHANNELS

_ERROR = {"$ref": "#/components/schemas/Error"}


def _op(
    summary: str,
    ok: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    ok_status: str = "200",
    body_required: bool = False,
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        ok_status: {
            "description": "OK",
            "content": {"application/json": {"schema": ok or {"type": "object"}}},
        },
    }
    for status, text in (
        ("400", "Invalid input"),
        ("401", "Missing or unknown admin token"),
        ("404", "Not found in this workspace"),
        ("409", "Conflict"),
    ):
        responses[status] = {
            "description": text,
            "content": {"application/json": {"schema": _ERROR}},
        }
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": body}},
        }
    return operation


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


_PROFILE = {"$ref": "#/components/schemas/Profile"}

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "OmniCX management API",
        "version": "1",
        "description": "Read unified profiles and manage a workspace. Events are sent "
        "with the Segment tracking API at /v1/* using a write key.",
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/stats": {"get": _op("Workspace counts")},
        "/api/v1/profiles/lookup": {
            "get": _op(
                "Find a profile by any identifier",
                _PROFILE,
                [
                    _query("type", {"type": "string", "minLength": 1}, True),
                    _query("value", {"type": "string", "minLength": 1}, True),
                ],
            )
        },
        "/api/v1/profiles/{id}": {"get": _op("A unified profile", _PROFILE, [_ID])},
        "/api/v1/profiles/{id}/timeline": {
            "get": _op(
                "Events of a profile on every channel, newest first",
                None,
                [
                    _ID,
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}),
                    _query("cursor", {"type": "string"}),
                ],
            )
        },
        "/api/v1/profiles/{id}/merges": {
            "get": _op("Merges of a profile", None, [_ID])
        },
        "/api/v1/profiles/{id}/split": {
            "post": _op(
                "Undo a merge into this profile",
                None,
                [_ID],
                {
                    "type": "object",
                    "properties": {"merge_id": {"type": "integer", "nullable": True}},
                    "additionalProperties": False,
                },
            )
        },
        "/api/v1/workspace": {"get": _op("This workspace, its sources and rules")},
        "/api/v1/workspace/identity-rules": {
            "put": _op(
                "Replace the identity merge rules",
                None,
                None,
                {"$ref": "#/components/schemas/IdentityRules"},
                body_required=True,
            )
        },
        "/api/v1/sources": {
            "get": _op("Sources and their write keys"),
            "post": _op(
                "Create a source",
                None,
                None,
                {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "pattern": "\\S"},
                        "default_channel": {
                            "type": "string",
                            "nullable": True,
                            "enum": [*CHANNELS, None],
                        },
                    },
                    "additionalProperties": False,
                },
                "201",
                body_required=True,
            ),
        },
        "/api/v1/ingest/status": {"get": _op("Ingest log and processing progress")},
        "/api/v1/ingest/rejected": {
            "get": _op(
                "Messages that were not accepted, newest first",
                None,
                [
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}),
                    _query("before", {"type": "integer", "minimum": 0}),
                ],
            )
        },
        "/api/v1/analytics/events-per-channel": {
            "get": _op(
                "Events per channel over time",
                None,
                [_query("bucket", {"type": "string", "enum": ["day", "hour"]})],
            )
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["ok", "status", "error", "errors"],
                "properties": {
                    "ok": {"type": "boolean"},
                    "status": {"type": "integer"},
                    "error": {"type": "string"},
                    "errors": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                },
            },
            "Profile": {
                "type": "object",
                "required": ["id", "identities", "traits", "channels"],
                "properties": {
                    "id": {"type": "string"},
                    "identities": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "type": {"type": "string"},
                                "value": {"type": "string"},
                            },
                        },
                    },
                    "traits": {"type": "object"},
                    "channels": {"type": "array", "items": {"type": "string"}},
                    "first_seen": {"type": "string", "nullable": True},
                    "last_seen": {"type": "string", "nullable": True},
                    "counts": {"type": "object"},
                },
            },
            "IdentityRules": {
                "type": "object",
                "properties": {
                    "priority": {"type": "array", "items": {"type": "string"}},
                    "limits": {
                        "type": "object",
                        "additionalProperties": {"type": "integer", "minimum": 1},
                    },
                    "blocked_values": {"type": "array", "items": {"type": "string"}},
                    "identity_traits": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                    },
                    "default_region": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
    },
}
