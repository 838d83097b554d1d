"""``omnicx demo``: generate the retail business, send it through HTTP ingest, serve.

The data goes through the real ingest path (``POST /v1/batch`` on loopback), exactly as
an SDK would send it. Loading is idempotent: a folder that already holds the demo is
served as it is.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from omnicx.demo.generator import generate_business_json
from omnicx.errors import ConflictError
from omnicx.runtime import Runtime
from omnicx.server import SERVER_FILE, BackgroundServer
from omnicx.settings import Settings

WORKSPACE = "demo"
CREDENTIALS = "demo-credentials.json"
BATCH = 100


def _credentials(runtime: Runtime) -> tuple[dict[str, str], bool]:
    """Demo workspace credentials; ``True`` when they were just created."""
    path = runtime.settings.data_dir / CREDENTIALS
    if path.exists():
        return json.loads(path.read_text()), False
    try:
        created = runtime.store.state.create_workspace(WORKSPACE)
    except ConflictError:
        raise ConflictError(
            f"{runtime.settings.data_dir} has a '{WORKSPACE}' workspace but no "
            f"{CREDENTIALS}; use an empty --data folder for the demo"
        ) from None
    credentials = {
        "workspace": created.workspace.name,
        "write_key": created.source.write_key,
        "admin_token": created.admin_token,
    }
    path.write_text(json.dumps(credentials, indent=2))
    os.chmod(path, 0o600)
    return credentials, True


def _batches(customers: int, seed: int) -> Iterator[tuple[bytes, int]]:
    """``({"batch": [...]}`` body, message count) pairs, built without re-encoding."""
    messages = generate_business_json(customers=customers, seed=seed)
    while chunk := list(islice(messages, BATCH)):
        yield b'{"batch":[' + b",".join(chunk) + b"]}", len(chunk)


def _send_all(
    url: str, write_key: str, customers: int, seed: int, progress: Progress
) -> int:
    task = progress.add_task("sending events", total=None)
    sent = 0
    lock = threading.Lock()
    client = httpx.Client(base_url=url, auth=(write_key, ""), timeout=60)

    def post(body: bytes, count: int) -> None:
        nonlocal sent
        response = client.post(
            "/v1/batch", content=body, headers={"content-type": "application/json"}
        )
        response.raise_for_status()
        with lock:
            sent += count
        progress.advance(task, count)

    in_flight: deque[Future[None]] = deque()
    with client, ThreadPoolExecutor(max_workers=4) as pool:
        for body, count in _batches(customers, seed):
            in_flight.append(pool.submit(post, body, count))
            if len(in_flight) >= 16:  # bounded: bodies are not all held at once
                in_flight.popleft().result()
        for future in in_flight:
            future.result()
    progress.update(task, total=sent, completed=sent)
    return sent


def _wait_processed(runtime: Runtime, progress: Progress) -> None:
    task = progress.add_task("resolving identities", total=None)
    while not runtime.processor.drain(timeout=0.5):
        progress.update(task, completed=runtime.processor.events_processed)
    done = runtime.processor.events_processed
    progress.update(task, total=done, completed=done)


def _seed_feedback(runtime: Runtime, progress: Progress) -> None:
    """Surveys, multilingual responses, a detractor alert and the cases it opens."""
    from omnicx.feedback import surveys
    from omnicx.feedback._alert_demo import seed_demo_alerts

    task = progress.add_task("surveys and feedback", total=None)
    workspace = runtime.store.state.workspace_by_name(WORKSPACE)
    seed_demo_alerts(runtime, workspace.id)
    surveys.seed_demo(runtime, workspace.id)
    _wait_processed(runtime, progress)
    progress.update(task, total=1, completed=1)


def run_demo(
    settings: Settings,
    customers: int,
    seed: int,
    serve: bool = True,
    console: Console | None = None,
) -> dict[str, Any]:
    console = console or Console(stderr=True)
    runtime = Runtime.open(settings)
    server = BackgroundServer(runtime, settings.host, int(settings.port))
    try:
        url = server.start()
        (settings.data_dir / SERVER_FILE).write_text(json.dumps({"url": url}))
        credentials, fresh = _credentials(runtime)
        started = time.monotonic()
        if fresh:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:,} events"),
                TimeElapsedColumn(),
                console=console,
            ) as progress:
                sent = _send_all(
                    url, credentials["write_key"], customers, seed, progress
                )
                _wait_processed(runtime, progress)
                _seed_feedback(runtime, progress)
            console.print(
                f"loaded {sent:,} events for {customers:,} customers "
                f"in {time.monotonic() - started:.1f} s"
            )
        summary = {"url": url, **credentials}
        console.print(
            f"\n[bold]OmniCX demo[/bold] at [link={url}]{url}[/link]\n"
            f"  dashboard:   {url}/  (sign in with the admin token)\n"
            f"  write key:   {credentials['write_key']}\n"
            f"  admin token: {credentials['admin_token']}\n"
            f"  snippet:     {url}/snippet?write_key={credentials['write_key']}\n"
            f"  API docs:    {url}/docs\n"
        )
        if serve:
            console.print("serving; press Ctrl-C to stop")
            try:
                while server.thread.is_alive():
                    server.thread.join(timeout=0.5)
            except KeyboardInterrupt:
                pass
        return summary
    finally:
        server.stop()
        (Path(settings.data_dir) / SERVER_FILE).unlink(missing_ok=True)
        runtime.close()
