"""``omnicx report``: run a journey analysis on a data folder.

When a server holds the folder, the report runs through its API with a short-lived
admin token; otherwise the folder is opened here, unprocessed events are processed
first, and the analysis runs in-process.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from omnicx import journeys
from omnicx.errors import OmnicxError, StorageError
from omnicx.runtime import Runtime
from omnicx.server import SERVER_FILE
from omnicx.settings import Settings
from omnicx.storage import StateStore


def run_report(
    settings: Settings, name: str, workspace_name: str, raw: dict[str, Any]
) -> dict[str, Any]:
    journeys.analysis(name)  # unknown names fail before anything is opened
    try:
        runtime = Runtime.open(settings, start_processor=False)
    except StorageError:
        server_file = settings.data_dir / SERVER_FILE
        if not server_file.exists():
            raise
        return _report_over_http(
            settings,
            json.loads(server_file.read_text())["url"],
            name,
            workspace_name,
            raw,
        )
    try:
        while runtime.processor.process_available():
            pass
        workspace = runtime.store.state.workspace_by_name(workspace_name)
        return journeys.run_analysis(runtime.store, workspace.id, name, raw)
    finally:
        runtime.close()


class RemoteError(OmnicxError):
    status = 400


def _report_over_http(
    settings: Settings, url: str, name: str, workspace_name: str, raw: dict[str, Any]
) -> dict[str, Any]:
    state = StateStore.in_folder(settings.data_dir)
    try:
        workspace = state.workspace_by_name(workspace_name)
        token = state.create_admin_token(workspace.id)
        try:
            response = httpx.post(
                f"{url}/api/v1/analytics/{name}",
                json=raw,
                headers={"Authorization": f"Bearer {token}"},
                timeout=600,
            )
        finally:
            state.revoke_admin_token(token)
    finally:
        state.close()
    body = response.json()
    if response.status_code != 200:
        raise RemoteError(body.get("error", response.text))
    return body
