"""``omnicx fake-provider`` as its own process."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import click
import httpx
from click.testing import CliRunner

from omnicx.cli_fake_provider import register
from tests.channels.conftest import free_port

SCRIPT = """
import click
from omnicx.cli_fake_provider import register
group = click.Group("omnicx")
register(group)
group(prog_name="omnicx")
"""


def test_register_adds_the_command():
    group = click.Group("omnicx")
    register(group)
    result = CliRunner().invoke(group, ["fake-provider", "--help"])
    assert result.exit_code == 0
    assert "--fail-first" in result.output


def test_fake_provider_process_records_and_prints():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "fake-provider", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stderr.readline()
        assert re.search(rf"http://127\.0\.0\.1:{port}/", banner), banner
        url = f"http://127.0.0.1:{port}/"
        answer = httpx.post(url, json={"to": "+15551234567", "text": "שלום"})
        assert answer.status_code == 200
        assert json.loads(process.stdout.readline()) == {
            "to": "+15551234567",
            "text": "שלום",
        }
        assert httpx.get(url + "messages").json()["messages"][0]["text"] == "שלום"
    finally:
        process.terminate()
        process.wait(timeout=10)
