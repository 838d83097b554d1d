"""kill -9 loses no acknowledged event; replaying a batch creates no duplicate.

The server runs as a real ``omnicx serve`` subprocess over one data folder. Sender
threads post batches with unique messageIds and remember which were acknowledged with a
200; the server is killed with SIGKILL while requests are in flight, restarted on the
same folder, and once processing has caught up every acknowledged event must be in the
store exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

USERS = 40
BATCH = 25
THREADS = 8
CHANNELS = ("web", "email", "store", "sms", "call_center")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """``python -m omnicx serve`` on a data folder; killable with SIGKILL."""

    def __init__(self, data: Path, log: Path) -> None:
        self.data = data
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        env = {**os.environ, "OMNICX_LOG_LEVEL": "warning"}
        env.pop("OMNICX_DATA", None)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "omnicx",
                    "serve",
                    "--data",
                    str(self.data),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"server exited:\n{self.log.read_text()}"
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server did not become healthy:\n{self.log.read_text()}")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Keys:
    write_key: str
    admin_token: str


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def keys(data_dir: Path) -> Keys:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNICX_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "omnicx",
            "workspace",
            "create",
            "--data",
            str(data_dir),
            "--name",
            "durable",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    created = json.loads(done.stdout)
    assert created["workspace"] == "durable"
    return Keys(created["write_key"], created["admin_token"])


@pytest.fixture
def server(data_dir: Path, tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(data_dir, tmp_path / "server.log")
    yield process
    process.stop()


@dataclass
class Ledger:
    """What was sent and what the server acknowledged."""

    sent: set[str] = field(default_factory=set)
    acked: set[str] = field(default_factory=set)
    acked_batches: list[dict[str, Any]] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def make_batch(tag: str, thread: int, seq: int) -> dict[str, Any]:
    events = []
    for i in range(BATCH):
        n = thread * 1_000_003 + seq * BATCH + i
        user = f"dur-user-{n % USERS}"
        message: dict[str, Any] = {
            "messageId": f"{tag}-{thread}-{seq}-{i}",
            "userId": user,
            "context": {
                "channel": CHANNELS[n % len(CHANNELS)],
                "traits": {"email": f"{user}@example.com"},
            },
            "timestamp": "2024-05-01T12:00:00.000Z",
        }
        if i == 0:
            message |= {"type": "identify", "traits": {"email": f"{user}@example.com"}}
        else:
            message |= {"type": "track", "event": "Step", "properties": {"n": n}}
        events.append(message)
    return {"batch": events}


def send_until(
    url: str,
    write_key: str,
    ledger: Ledger,
    tag: str,
    stop: threading.Event,
) -> list[threading.Thread]:
    """Start sender threads that post batches until ``stop`` is set."""

    def run(thread: int) -> None:
        with httpx.Client(auth=(write_key, ""), timeout=10) as client:
            seq = 0
            while not stop.is_set():
                body = make_batch(tag, thread, seq)
                seq += 1
                ids = [m["messageId"] for m in body["batch"]]
                with ledger.lock:
                    ledger.sent.update(ids)
                try:
                    response = client.post(f"{url}/v1/batch", json=body)
                except httpx.TransportError:
                    time.sleep(0.01)
                    continue
                with ledger.lock:
                    ledger.statuses[response.status_code] += 1
                    if response.status_code == 200:
                        assert response.json() == {"success": True}
                        ledger.acked.update(ids)
                        ledger.acked_batches.append(body)

    threads = [
        threading.Thread(target=run, args=(t,), daemon=True) for t in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    return threads


def kill_mid_stream(
    server: ServerProcess, keys: Keys, ledger: Ledger, tag: str, target: int
) -> int:
    """Send until ``target`` more events are acked, SIGKILL the server while the
    senders are still posting; return how many events were acked this round."""
    before = len(ledger.acked)
    stop = threading.Event()
    threads = send_until(server.url, keys.write_key, ledger, tag, stop)
    deadline = time.monotonic() + 30
    while len(ledger.acked) - before < target:
        assert time.monotonic() < deadline, f"too slow: {ledger.statuses}"
        time.sleep(0.002)
    server.kill9()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert set(ledger.statuses) <= {200}, ledger.statuses
    return len(ledger.acked) - before


def api(server: ServerProcess, keys: Keys, path: str, **params: Any) -> Any:
    response = httpx.get(
        f"{server.url}{path}",
        params=params,
        headers={"Authorization": f"Bearer {keys.admin_token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def wait_caught_up(server: ServerProcess, keys: Keys, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        status = api(server, keys, "/api/v1/ingest/status")
        if (
            status["lag_bytes"] == 0
            and status["processed_position"] == status["durable_position"]
        ):
            assert status["last_error"] is None, status
            return
        assert time.monotonic() < deadline, f"processing never caught up: {status}"
        time.sleep(0.1)


def stored_message_ids(server: ServerProcess, keys: Keys) -> Counter[str]:
    """Every event of every test user's profile timeline, counted."""
    seen: Counter[str] = Counter()
    for u in range(USERS):
        profile = api(
            server,
            keys,
            "/api/v1/profiles/lookup",
            type="user_id",
            value=f"dur-user-{u}",
        )
        assert (
            "email",
            f"dur-user-{u}@example.com",
        ) in {(i["type"], i["value"]) for i in profile["identities"]}
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 1000}
            if cursor:
                params["cursor"] = cursor
            page = api(
                server, keys, f"/api/v1/profiles/{profile['id']}/timeline", **params
            )
            for event in page["events"]:
                assert event["user_id"] == f"dur-user-{u}"
                seen[event["message_id"]] += 1
            cursor = page["next_cursor"]
            if not cursor:
                break
    return seen


def assert_exactly_once(server: ServerProcess, keys: Keys, ledger: Ledger) -> None:
    seen = stored_message_ids(server, keys)
    duplicates = {m: c for m, c in seen.items() if c > 1}
    assert not duplicates, f"{len(duplicates)} duplicated events, e.g. {duplicates}"
    missing = ledger.acked - set(seen)
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {missing}"
    # Unacknowledged events may or may not have made it; nothing else may appear.
    assert set(seen) <= ledger.sent
    stats = api(server, keys, "/api/v1/stats")
    assert stats["events"] == len(seen)
    assert stats["profiles"] == USERS


def test_kill9_loses_no_acknowledged_event_and_replay_adds_none(
    server: ServerProcess, keys: Keys
) -> None:
    ledger = Ledger()
    server.start()
    # Round 1: kill -9 while batches are being posted (and processed).
    assert kill_mid_stream(server, keys, ledger, "r1", target=1500) >= 1500
    server.start()
    # Round 2: kill -9 again while the restarted server also works off the backlog.
    assert kill_mid_stream(server, keys, ledger, "r2", target=1500) >= 1500
    server.start()
    wait_caught_up(server, keys)
    assert len(ledger.acked) >= 3000
    assert_exactly_once(server, keys, ledger)
    events_before = api(server, keys, "/api/v1/stats")["events"]

    # Replay acknowledged batches (an SDK retrying after a lost response).
    replayed = ledger.acked_batches[:40] + ledger.acked_batches[-40:]
    with httpx.Client(auth=(keys.write_key, ""), timeout=30) as client:
        for body in replayed:
            response = client.post(f"{server.url}/v1/batch", json=body)
            assert response.status_code == 200, response.text
    wait_caught_up(server, keys)
    assert api(server, keys, "/api/v1/stats")["events"] == events_before

    # Replay after yet another restart: the dedup marks are durable too.
    server.kill9()
    server.start()
    with httpx.Client(auth=(keys.write_key, ""), timeout=30) as client:
        for body in replayed[:10]:
            assert client.post(f"{server.url}/v1/batch", json=body).status_code == 200
    wait_caught_up(server, keys)
    assert api(server, keys, "/api/v1/stats")["events"] == events_before
    assert_exactly_once(server, keys, ledger)
    assert "Traceback" not in server.log.read_text()
