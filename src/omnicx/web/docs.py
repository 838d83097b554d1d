"""A self-contained API reference page rendered from the OpenAPI document."""

from __future__ import annotations

import html
import json
from typing import Any


def docs_page(spec: dict[str, Any]) -> str:
    rows = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            params = ", ".join(
                f"{p['name']} ({p['in']}{', required' if p.get('required') else ''})"
                for p in operation.get("parameters", [])
            )
            body = operation.get("requestBody", {})
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            rows.append(
                "<section class='op'>"
                f"<h2><span class='method'>{method.upper()}</span> "
                f"<code>{html.escape(path)}</code></h2>"
                f"<p>{html.escape(operation.get('summary', ''))}</p>"
                + (f"<p>Parameters: {html.escape(params)}</p>" if params else "")
                + (
                    "<pre>" + html.escape(json.dumps(schema, indent=2)) + "</pre>"
                    if schema
                    else ""
                )
                + "</section>"
            )
    info = spec["info"]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(info['title'])}</title>"
        "<link rel='stylesheet' href='/static/app.css'></head><body><main class='page'>"
        f"<h1>{html.escape(info['title'])}</h1>"
        f"<p>{html.escape(info.get('description', ''))}</p>"
        "<p>Authenticate with <code>Authorization: Bearer &lt;admin token&gt;</code>. "
        "The machine-readable document is at "
        "<a href='/api/v1/openapi.json'>/api/v1/openapi.json</a>. Errors always have "
        'the shape <code>{"ok": false, "status", "error", "errors": '
        '[{"field", "message"}]}</code>.</p>' + "".join(rows) + "</main></body></html>"
    )
