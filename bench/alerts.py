"""Event → alert latency: from sending a detractor to receiving its signed webhook.

    .venv/bin/python bench/alerts.py                       # 500 events at 50/s
    .venv/bin/python bench/alerts.py --events 1000 --rate 100 --open-case
    .venv/bin/python bench/alerts.py --process-interval 0.2 --json-out alerts.json

Starts ``python -m omnicx serve`` (a subprocess, fresh data folder, workspace made with
``omnicx workspace create --json``) with ``OMNICX_PROCESS_INTERVAL_S`` set, creates an
alert rule ``{"score_at_most": 6}`` whose action is a webhook to a recording HTTP server
in this process (plus ``open_case`` with ``--open-case``), then sends ``--events``
``Survey Answered`` detractors, one ``/v1/batch`` request each, at a steady ``--rate``
from one keep-alive connection. Latency is measured per event from just before its
request is written to the moment the recording server has read the webhook carrying its
``messageId`` (same process, same monotonic clock). Every webhook's HMAC signature is
checked. Target: p99 < 1 s (DESIGN.md).

What the latency is made of: the ingest ack (durable append), the processor noticing new
log records (it waits on the log, polling at most every ``OMNICX_PROCESS_INTERVAL_S``),
the micro-batch (identity, traits, chdb insert, state commit), the alert listener
(rule match, firing + deliveries + case in one transaction) and the dispatcher's first
attempt (profile lookup for the payload, signed POST).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import shutil
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    Server,
    create_workspace,
    latency_summary_ms,
    machine_note,
    print_table,
    summarize_pyspy,
    wait_for_quiet,
)


class Recorder:
    """A webhook receiver on 127.0.0.1: ``messageId → monotonic receipt time``."""

    def __init__(self, secret_box: dict[str, str]) -> None:
        self.received: dict[str, float] = {}
        self.bad_signatures = 0
        self.requests = 0
        self.event = threading.Event()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                at = time.monotonic()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                recorder.record(body, self.headers.get("X-OmniCX-Signature"), at)

            def log_message(self, *args: Any) -> None:
                pass

        self.secret_box = secret_box
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def record(self, body: bytes, signature: str | None, at: float) -> None:
        self.requests += 1
        secret = self.secret_box.get("secret", "").encode()
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not signature or not hmac.compare_digest(expected, signature):
            self.bad_signatures += 1
        message_id = json.loads(body)["event"]["message_id"]
        self.received.setdefault(message_id, at)
        self.event.set()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str],
) -> tuple[int, bytes]:
    conn.request(method, path, body=json.dumps(body).encode(), headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def firing_times(
    conn: http.client.HTTPConnection, admin: dict[str, str]
) -> dict[str, float]:
    """``messageId → fired_at`` (epoch s) of every firing, paging back."""
    from datetime import datetime

    out: dict[str, float] = {}
    before = ""
    while True:
        conn.request("GET", f"/api/v1/alerts/firings?limit=500{before}", headers=admin)
        page = json.loads(conn.getresponse().read())
        for f in page["firings"]:
            out[f["message_id"]] = datetime.fromisoformat(f["fired_at"]).timestamp()
        if not page["next_before"]:
            return out
        before = f"&before={page['next_before']}"


def detractor(i: int, run: str) -> dict[str, Any]:
    return {
        "type": "track",
        "event": "Survey Answered",
        "messageId": f"{run}-{i}",
        "userId": f"bench-customer-{i}",
        "properties": {
            "survey_id": "srv_bench",
            "survey_name": "Bench NPS",
            "template": "nps",
            "invitation": f"inv-{run}-{i}",
            "score": i % 7,  # 0..6: every one a detractor
            "comment": "Too slow",
            "partial": False,
        },
        "context": {
            "channel": "sms",
            "traits": {"email": f"bench-{i}@example.com"},
        },
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    parent = Path(args.tmp) if args.tmp else None
    folder = Path(tempfile.mkdtemp(prefix="omnicx-bench-alerts-", dir=parent))
    data = folder / "data"
    secret_box: dict[str, str] = {}
    recorder = Recorder(secret_box)
    server = Server(
        data,
        env={
            "OMNICX_PROCESS_INTERVAL_S": str(args.process_interval),
            "OMNICX_SCHEDULER_INTERVAL_S": "1.0",
        },
    )
    try:
        workspace = create_workspace(data)
        server.start()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        admin = {
            "Authorization": f"Bearer {workspace['admin_token']}",
            "Content-Type": "application/json",
        }
        actions: list[dict[str, Any]] = [{"type": "webhook", "url": recorder.url}]
        if args.open_case:
            actions.append({"type": "open_case"})
        status, body = request(
            conn,
            "POST",
            "/api/v1/alerts",
            {"name": "bench", "when": {"score_at_most": 6}, "actions": actions},
            admin,
        )
        if status != 201:
            raise RuntimeError(f"creating the rule: {status} {body[:300]!r}")
        secret_box["secret"] = json.loads(body)["secret"]
        basic = base64.b64encode(f"{workspace['write_key']}:".encode()).decode()
        ingest = {"Authorization": f"Basic {basic}", "Content-Type": "application/json"}
        busy = wait_for_quiet(args.quiet_wait)
        conn.close()  # idle longer than the server's keep-alive: start afresh
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        # warm-up: the first event pays for lazy imports and thread start-up
        for i in range(args.warmup):
            request(conn, "POST", "/v1/batch", {"batch": [detractor(i, "w")]}, ingest)
        deadline = time.monotonic() + 30
        while len(recorder.received) < args.warmup and time.monotonic() < deadline:
            time.sleep(0.01)
        if args.profile:
            server.start_profile(Path(args.profile))
        sent: dict[str, float] = {}
        sent_wall: dict[str, float] = {}
        acks: list[float] = []
        interval = 1.0 / args.rate
        start = time.monotonic()
        for i in range(args.events):
            target = start + i * interval
            pause = target - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            message = detractor(i, "m")
            t0 = time.monotonic()
            sent[message["messageId"]] = t0
            sent_wall[message["messageId"]] = time.time()
            status, body = request(
                conn, "POST", "/v1/batch", {"batch": [message]}, ingest
            )
            acks.append(time.monotonic() - t0)
            if status != 200:
                raise RuntimeError(f"ingest answered {status}: {body[:300]!r}")
        send_seconds = time.monotonic() - start
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            if all(m in recorder.received for m in sent):
                break
            time.sleep(0.02)
        if args.profile:
            server.stop_profile()
        latencies = [
            recorder.received[m] - t for m, t in sent.items() if m in recorder.received
        ]
        summary = latency_summary_ms(latencies)
        fired = firing_times(conn, admin)
        to_firing = [fired[m] - t for m, t in sent_wall.items() if m in fired]
        return {
            "events": args.events,
            "rate_per_s": args.rate,
            "achieved_rate_per_s": round(args.events / send_seconds, 1),
            "process_interval_s": args.process_interval,
            "open_case": args.open_case,
            "received": len(latencies),
            "missing": args.events - len(latencies),
            "webhook_requests": recorder.requests,
            "bad_signatures": recorder.bad_signatures,
            "latency": summary,
            "to_firing": latency_summary_ms(to_firing),
            "ack": latency_summary_ms(acks),
            "busy_cores_before": round(busy, 2),
            "met": bool(latencies)
            and len(latencies) == args.events
            and summary["p99_ms"] < 1000
            and recorder.bad_signatures == 0,
        }
    finally:
        server.stop()
        recorder.close()
        if not args.keep_data:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0, help="events per second")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--process-interval",
        type=float,
        default=0.05,
        help="OMNICX_PROCESS_INTERVAL_S of the server (processor poll when idle)",
    )
    parser.add_argument("--open-case", action="store_true", help="also open a case")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--tmp", help="parent folder for the temporary data folder")
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--quiet-wait", type=float, default=60.0)
    parser.add_argument(
        "--profile", metavar="FILE", help="py-spy the server while events are sent"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--json-out", metavar="FILE")
    args = parser.parse_args()
    result = {"benchmark": "alerts", "machine": machine_note(), "alerts": run(args)}
    text = json.dumps(result, indent=2)
    if args.json_out:
        Path(args.json_out).write_text(text)
    if args.json:
        print(text)
        return
    if args.profile:
        print(summarize_pyspy(Path(args.profile), 30))
    a = result["alerts"]
    lat, ack = a["latency"], a["ack"]
    print_table(
        "Event → alert webhook latency",
        [
            (
                "events / rate (achieved)",
                f"{a['events']} / {a['rate_per_s']}/s ({a['achieved_rate_per_s']}/s)",
            ),
            ("OMNICX_PROCESS_INTERVAL_S", a["process_interval_s"]),
            ("open_case too", a["open_case"]),
            ("webhooks received / missing", f"{a['received']} / {a['missing']}"),
            ("bad signatures", a["bad_signatures"]),
            ("p50 ms", lat["p50_ms"]),
            ("p95 ms", lat["p95_ms"]),
            ("p99 ms  [target < 1000]", lat["p99_ms"]),
            ("max ms", lat["max_ms"]),
            ("ingest ack p50 / p99 ms", f"{ack['p50_ms']} / {ack['p99_ms']}"),
            (
                "send → firing recorded p50 / p99 ms",
                f"{a['to_firing']['p50_ms']} / {a['to_firing']['p99_ms']}",
            ),
            ("met", a["met"]),
        ],
    )


if __name__ == "__main__":
    main()
