"""Run the HTTP server on a runtime: uvicorn in this thread or a background one."""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import time
from pathlib import Path

import uvicorn

from omnicx.api import create_app
from omnicx.runtime import Runtime

SERVER_FILE = "server.json"


def _config(runtime: Runtime, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(runtime),
        host=host,
        port=port,
        log_level=str(runtime.settings.log_level),
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_keep_alive=30,
    )


def _announce(data_dir: Path, url: str) -> None:
    (data_dir / SERVER_FILE).write_text(json.dumps({"url": url}))


def tune_garbage_collector() -> None:
    """Long-lived objects (settings, caches, compiled SQL) stop being rescanned, and
    collections run less often: ingest allocates many short-lived, cycle-free objects
    (measured: the default collector cost ~20% of processing CPU)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


def serve_forever(runtime: Runtime, host: str, port: int) -> None:
    """Serve until interrupted; records the URL in the data folder for the CLI."""
    tune_garbage_collector()
    server = uvicorn.Server(_config(runtime, host, port))
    _announce(runtime.settings.data_dir, f"http://{host}:{port}")
    try:
        server.run()
    finally:
        (runtime.settings.data_dir / SERVER_FILE).unlink(missing_ok=True)


class BackgroundServer:
    """A uvicorn server on its own thread (demo loading, tests)."""

    def __init__(
        self, runtime: Runtime, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.server = uvicorn.Server(_config(runtime, host, port))
        self.thread = threading.Thread(
            target=lambda: asyncio.run(self.server.serve()),
            name="omnicx-http",
            daemon=True,
        )
        self.host = host

    def start(self, timeout: float = 30.0) -> str:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://{self.host}:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
