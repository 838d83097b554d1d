"""Ingest benchmark: sustained ``/v1/batch`` load against ``omnicx serve``.

    .venv/bin/python bench/ingest.py --seconds 20 --connections 8 --processes 2

What it does:
1. creates a data folder and a workspace with the CLI (``omnicx workspace create``);
2. generates realistic Segment traffic (page/track/identify from analytics.js, a mobile
   SDK and server-side sources; ~20 properties per track; 200K customers, each with a
   user id, 1-2 anonymous ids, an email, some phones and devices) as pre-encoded
   100-event batch requests; every send patches unique messageIds into the template;
3. starts ``python -m omnicx serve`` as a subprocess (the only serving process) and
   drives it with keep-alive connections from several load-generator processes;
4. reports events/s acknowledged (HTTP 200), request latency p50/p99, the time until
   processing has drained (``GET /api/v1/ingest/status`` → ``lag_bytes == 0``), the
   processing rate, exactly-once storage (``GET /api/v1/stats`` events == acknowledged),
   profile/identity counts against the bulk resolver on the same identity tuples, and
   the server's peak RSS (psutil, sampled every 200 ms).

``--mode sink`` / ``--mode uvicorn-null`` run the same client against a server that does
nothing (raw asyncio / bare uvicorn ASGI app): the ceiling of the load generator and of
the HTTP stack on this machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    CpuMeter,
    Server,
    api_json,
    baseline_server,
    build_workload,
    create_workspace,
    fmt_bytes,
    free_port,
    machine_note,
    print_table,
    run_load,
    sent_template_indices,
    wait_drained,
    wait_for_quiet,
)


class StatusPoller(threading.Thread):
    """Samples ``/api/v1/ingest/status`` once a second: the processing timeline."""

    def __init__(self, port: int, token: str, t0: float, interval: float = 1.0) -> None:
        super().__init__(daemon=True, name="status-poller")
        self.port, self.token, self.t0, self.interval = port, token, t0, interval
        self.samples: list[dict[str, Any]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                status = api_json(self.port, "/api/v1/ingest/status", self.token, 10)
                self.samples.append(
                    {
                        "t": round(time.time() - self.t0, 2),
                        "processed": status["events_processed_since_start"],
                        "lag_bytes": status["lag_bytes"],
                        "last_error": status["last_error"],
                    }
                )
            except Exception as exc:
                self.samples.append(
                    {"t": round(time.time() - self.t0, 2), "error": repr(exc)}
                )
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=15)


def expected_graph(workload: Any, ranges: list[tuple[int, int]]) -> dict[str, int]:
    """Profiles/identities the bulk resolver finds for the identity tuples sent."""
    from omnicx.identity import MergeRules, resolve_components

    sent = sent_template_indices(ranges, len(workload.templates))
    events = [t for i in sorted(sent) for t in workload.identity_tuples[i]]
    keys, labels = resolve_components(events, MergeRules())
    return {
        "profiles": int(labels.max()) + 1 if len(keys) else 0,
        "identities": len(keys),
        "templates_sent": len(sent),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    own_data = args.data is None
    data_dir = Path(
        args.data or tempfile.mkdtemp(prefix="omnicx-bench-ingest-", dir=args.tmp)
    )
    port = args.port or free_port()
    batches = args.batches or max(1, (2 * args.customers) // args.batch_size)
    result: dict[str, Any] = {
        "benchmark": "ingest",
        "mode": args.mode,
        "machine": machine_note(),
        "params": {
            "seconds": args.seconds,
            "connections": args.connections,
            "processes": args.processes,
            "batch_size": args.batch_size,
            "customers": args.customers,
            "template_batches": batches,
        },
    }
    if args.mode == "server":
        workspace = create_workspace(data_dir)
        write_key, token = workspace["write_key"], workspace["admin_token"]
        server = Server(data_dir, port, log_path=data_dir / "server.log")
    else:
        write_key, token = "wk_baseline", ""
        server = baseline_server(args.mode)
        port = server.port

    print(
        f"generating {batches:,} batches × {args.batch_size} events over "
        f"{args.customers:,} customers …",
        file=sys.stderr,
        flush=True,
    )
    started = time.perf_counter()
    workload = build_workload(
        port,
        write_key,
        args.customers,
        batches,
        args.batch_size,
        seed=args.seed,
        with_identities=args.mode == "server" and not args.no_verify,
    )
    result["params"]["bytes_per_event"] = round(workload.bytes_per_event)
    result["params"]["request_bytes"] = round(
        workload.bytes_per_event * args.batch_size
    )
    print(
        f"  done in {time.perf_counter() - started:.1f} s; "
        f"{workload.bytes_per_event:.0f} bytes/event",
        file=sys.stderr,
        flush=True,
    )

    quiet = wait_for_quiet(args.quiet_wait) if args.quiet_wait > 0 else -1.0
    server.start()
    rss_idle = server.sampler.peak if server.sampler else 0
    poller = None
    try:
        print(
            f"load: {args.seconds} s, {args.connections} connections in "
            f"{args.processes} processes → {args.mode} on port {port}",
            file=sys.stderr,
            flush=True,
        )
        if args.profile:
            server.start_profile(Path(f"{args.profile}-load.txt"), gil=args.profile_gil)
        if args.mode == "server":
            poller = StatusPoller(port, token, time.time())
            poller.start()
        cpu_start = server.cpu_seconds()
        box = CpuMeter()
        load = run_load(
            port, workload.templates, args.seconds, args.connections, args.processes
        )
        cpu_load = server.cpu_seconds() - cpu_start
        box_busy = box.busy_cores()
        if args.profile:
            server.stop_profile()
            if args.mode == "server":
                server.start_profile(
                    Path(f"{args.profile}-drain.txt"), gil=args.profile_gil
                )
        if poller:
            poller.t0 = load.t_first_send
        result["load"] = {
            "seconds": round(load.seconds, 2),
            "requests": load.requests,
            "events_acked": load.events_acked,
            "events_rejected": load.events_rejected,
            "errors": load.errors,
            "error_samples": load.error_samples,
            "events_per_s": round(load.events_per_s),
            "requests_per_s": round(load.requests / load.seconds, 1)
            if load.seconds
            else 0,
            "latency": load.latency,
            "acked_per_second": load.per_second,
            "server_cpu_cores": round(cpu_load / load.seconds, 2)
            if load.seconds
            else 0,
            "client_cpu_cores": round(load.client_cpu_s / load.seconds, 2)
            if load.seconds
            else 0,
            "client_cpu_us_per_request": round(1e6 * load.client_cpu_s / load.requests)
            if load.requests
            else 0,
            "box_busy_cores": round(box_busy, 2),
            "other_processes_cpu_cores": round(
                max(0.0, box_busy - (cpu_load + load.client_cpu_s) / load.seconds), 2
            )
            if load.seconds
            else 0,
            "box_busy_before_start": round(quiet, 2),
        }
        if args.mode == "server":
            print("waiting for processing to drain …", file=sys.stderr, flush=True)
            drained, status = wait_drained(port, token, args.drain_timeout)
            t_drained = time.time()
            cpu_drain = server.cpu_seconds() - cpu_start - cpu_load
            server.stop_profile()
            poller.stop()
            total_s = t_drained - load.t_first_send
            drain_s = t_drained - load.t_last_ack
            processed_at_load_end = _processed_at(
                poller.samples, load.t_last_ack - load.t_first_send
            )
            stats = api_json(port, "/api/v1/stats", token, timeout=300)
            result["processing"] = {
                "drained": drained,
                "last_error": status.get("last_error"),
                "drain_after_load_s": round(drain_s, 2),
                "first_send_to_drained_s": round(total_s, 2),
                "server_cpu_cores_while_draining": round(cpu_drain / drain_s, 2)
                if drain_s > 0
                else None,
                "events_per_s": round(load.events_acked / total_s) if drained else None,
                "processed_during_load": processed_at_load_end,
                "events_per_s_during_load": round(processed_at_load_end / load.seconds)
                if processed_at_load_end is not None and load.seconds
                else None,
                "timeline": poller.samples,
            }
            result["verify"] = {
                "events_stored": stats["events"],
                "events_acked": load.events_acked,
                "exactly_once": stats["events"] == load.events_acked,
                "profiles": stats["profiles"],
                "identities": stats["identities"],
            }
            if not args.no_verify:
                expected = expected_graph(workload, load.sent_ranges)
                result["verify"]["expected_profiles"] = expected["profiles"]
                result["verify"]["expected_identities"] = expected["identities"]
                result["verify"]["profiles_match"] = (
                    expected["profiles"] == stats["profiles"]
                    and expected["identities"] == stats["identities"]
                )
    finally:
        if poller and poller.is_alive():
            poller.stop()
        server.stop()
    result["server"] = {
        "peak_rss_bytes": server.peak_rss,
        "idle_rss_bytes": rss_idle,
        "log": str(server.log_path),
    }
    if server.sampler and server.sampler.samples:
        # RSS once a second (MiB), from the first send: does it plateau or grow?
        t0 = result.get("load", {}) and load.t_first_send
        timeline, last = [], -1
        for t, rss in server.sampler.samples:
            second = int(t - t0) if t0 else int(t)
            if second != last:
                timeline.append([second, round(rss / 2**20)])
                last = second
        result["server"]["rss_mib_timeline"] = timeline
    if args.mode == "server":
        result["server"]["data_dir"] = str(data_dir)
    if args.profile:
        result["server"]["py_spy_profiles"] = [
            f"{args.profile}-load.txt",
            f"{args.profile}-drain.txt",
        ]
    if own_data and not args.keep_data and args.mode == "server":
        shutil.rmtree(data_dir, ignore_errors=True)
        result["server"]["data_dir"] = "(removed)"
    return result


def _processed_at(samples: list[dict[str, Any]], t: float) -> int | None:
    """Events processed at time ``t`` (linear between the two nearest samples)."""
    points = [(s["t"], s["processed"]) for s in samples if "processed" in s]
    if not points:
        return None
    before = [p for p in points if p[0] <= t]
    after = [p for p in points if p[0] >= t]
    if not before:
        return after[0][1]
    if not after:
        return before[-1][1]
    (t0, v0), (t1, v1) = before[-1], after[0]
    if t1 == t0:
        return v0
    return round(v0 + (v1 - v0) * (t - t0) / (t1 - t0))


def summary_rows(r: dict[str, Any]) -> list[tuple[str, Any]]:
    load = r["load"]
    rows: list[tuple[str, Any]] = [
        ("mode", r["mode"]),
        (
            "connections / client processes",
            f"{r['params']['connections']} / {r['params']['processes']}",
        ),
        (
            "batch size / bytes per event",
            f"{r['params']['batch_size']} / {r['params']['bytes_per_event']}",
        ),
        ("load duration (s)", load["seconds"]),
        ("requests (200 + errors)", f"{load['requests']:,} ({load['errors']} errors)"),
        ("events acknowledged", load["events_acked"]),
        ("events/s acknowledged", load["events_per_s"]),
        (
            "request latency p50 / p99 (ms)",
            f"{load['latency']['p50_ms']} / {load['latency']['p99_ms']}",
        ),
        (
            "CPU cores used: server / clients",
            f"{load['server_cpu_cores']} / {load['client_cpu_cores']}",
        ),
        ("client CPU per request (µs)", load["client_cpu_us_per_request"]),
        ("other processes on the box (cores)", load["other_processes_cpu_cores"]),
    ]
    if "processing" in r:
        p = r["processing"]
        rows += [
            ("processed during load (events/s)", p["events_per_s_during_load"]),
            ("drain after load ends (s)", p["drain_after_load_s"]),
            ("first send → drained (s)", p["first_send_to_drained_s"]),
            ("processing rate (events/s)", p["events_per_s"]),
            ("server CPU cores while draining", p["server_cpu_cores_while_draining"]),
            ("processor last_error", p["last_error"]),
        ]
        v = r["verify"]
        rows += [
            (
                "events stored / acknowledged",
                f"{v['events_stored']:,} / {v['events_acked']:,}",
            ),
            ("stored exactly once", v["exactly_once"]),
            ("profiles / identities", f"{v['profiles']:,} / {v['identities']:,}"),
        ]
        if "expected_profiles" in v:
            rows.append(
                (
                    "expected (bulk resolver)",
                    f"{v['expected_profiles']:,} / {v['expected_identities']:,}"
                    f" → match={v['profiles_match']}",
                )
            )
    rows.append(("server peak RSS", fmt_bytes(r["server"]["peak_rss_bytes"])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="load-generator processes (connections are spread over them)",
    )
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument(
        "--batches",
        type=int,
        default=0,
        help="distinct request templates (default: 2 events per customer)",
    )
    parser.add_argument(
        "--mode", choices=["server", "sink", "uvicorn-null"], default="server"
    )
    parser.add_argument("--data", help="data folder (default: a new temporary folder)")
    parser.add_argument("--tmp", help="parent folder for the temporary data folder")
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--port", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--drain-timeout", type=float, default=1800.0)
    parser.add_argument(
        "--no-verify", action="store_true", help="skip the bulk-resolver profile check"
    )
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="attach py-spy to the server: PREFIX-load.txt covers the load, "
        "PREFIX-drain.txt the drain (raw collapsed stacks; summarise with "
        "`python bench/_common.py profile FILE`)",
    )
    parser.add_argument(
        "--profile-gil",
        action="store_true",
        help="with --profile: sample only the thread holding the GIL",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="wait up to this many seconds for the box to be idle first "
        "(0: do not wait)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--json-out", metavar="FILE", help="also write the JSON here")
    args = parser.parse_args()
    result = run(args)
    text = json.dumps(result, indent=2)
    if args.json_out:
        Path(args.json_out).write_text(text)
    if args.json:
        print(text)
    else:
        print_table("OmniCX ingest benchmark", summary_rows(result))


if __name__ == "__main__":
    main()
