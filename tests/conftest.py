"""Shared fixtures: a real data folder, a running server on loopback, workspaces."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from omnicx.runtime import Runtime
from omnicx.server import BackgroundServer
from omnicx.settings import load_settings
from omnicx.storage import NewWorkspace

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def settings(tmp_path: Path):
    return load_settings({"data": str(tmp_path / "data")}, environ={})


@pytest.fixture
def runtime(settings) -> Iterator[Runtime]:
    runtime = Runtime.open(settings)
    yield runtime
    runtime.close()


@dataclass
class Live:
    """A server on 127.0.0.1 over a fresh data folder, with one workspace."""

    url: str
    runtime: Runtime
    workspace: NewWorkspace

    @property
    def write_key(self) -> str:
        return self.workspace.source.write_key

    @property
    def admin_token(self) -> str:
        return self.workspace.admin_token

    def send(
        self, path: str, body: Any, write_key: str | None = None
    ) -> httpx.Response:
        return httpx.post(
            f"{self.url}{path}",
            json=body,
            auth=(write_key or self.write_key, ""),
            timeout=30,
        )

    def api(
        self, path: str, token: str | None = None, method: str = "GET", **kwargs: Any
    ) -> httpx.Response:
        return httpx.request(
            method,
            f"{self.url}{path}",
            headers={"Authorization": f"Bearer {token or self.admin_token}"},
            timeout=30,
            **kwargs,
        )

    def wait_processed(self, timeout: float = 30.0) -> None:
        assert self.runtime.processor.drain(timeout), "processing did not catch up"

    def new_workspace(self, name: str) -> NewWorkspace:
        return self.runtime.store.state.create_workspace(name)


@pytest.fixture
def live(runtime: Runtime) -> Iterator[Live]:
    server = BackgroundServer(runtime)
    url = server.start()
    workspace = runtime.store.state.create_workspace("test")
    yield Live(url, runtime, workspace)
    server.stop()


def chromium_or_skip() -> str:
    """Path of Debian's chromium; with CI=true a missing browser fails the test."""
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing; CI installs Debian's chromium package")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()
