"""``omnicx import``: into a running server over HTTP, or straight into the folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from rich.progress import Progress

from omnicx.errors import StorageError
from omnicx.ingest._importer import ImportSummary, count_lines, import_file
from omnicx.runtime import Runtime
from omnicx.server import SERVER_FILE
from omnicx.settings import Settings
from omnicx.storage import StateStore


def _write_key(settings: Settings, workspace_name: str) -> str:
    state = StateStore.in_folder(settings.data_dir)
    try:
        workspace = state.workspace_by_name(workspace_name)
        return state.sources(workspace.id)[0].write_key
    finally:
        state.close()


def run_import(
    settings: Settings,
    file: Path,
    workspace_name: str,
    channel: str | None,
    progress: Progress,
) -> ImportSummary:
    write_key = _write_key(settings, workspace_name)
    total = count_lines(file) if file.exists() else 0
    with progress:
        task = progress.add_task(f"importing {file.name}", total=total)

        def advance(n: int) -> None:
            progress.advance(task, n)

        try:
            runtime = Runtime.open(settings, start_processor=False)
        except StorageError:
            server_file = settings.data_dir / SERVER_FILE
            if not server_file.exists():
                raise
            url = json.loads(server_file.read_text())["url"]
            return _import_over_http(url, file, write_key, channel, advance)
        try:
            summary = import_file(runtime.ingest, file, write_key, channel, advance)
            drain = progress.add_task("resolving identities", total=summary.accepted)
            while processed := runtime.processor.process_available():
                progress.advance(drain, processed)
        finally:
            runtime.close()
    return summary


def _import_over_http(
    url: str, file: Path, write_key: str, channel: str | None, advance: Any
) -> ImportSummary:
    with httpx.Client(base_url=url, auth=(write_key, ""), timeout=60) as client:

        def send(body: bytes) -> dict[str, Any]:
            return client.post(
                "/v1/import", content=body, headers={"content-type": "application/json"}
            ).json()

        return import_file(None, file, write_key, channel, advance, send)  # type: ignore[arg-type]
