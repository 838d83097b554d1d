"""Journey analytics benchmark: every registered analysis on 10M events / 1M customers.

    .venv/bin/python bench/analytics.py                      # 10M events, 1M customers
    .venv/bin/python bench/analytics.py --events 1000000 --customers 100000
    .venv/bin/python bench/analytics.py --keep /tmp/omnicx-bench-analytics --json
    .venv/bin/python bench/analytics.py --only web cohorts

Creates a real data folder with ``omnicx.storage.open_store`` and a real workspace
(``StateStore.create_workspace``), then writes synthetic omnichannel events and the
identity → profile map straight into its chdb tables with ``INSERT … SELECT FROM
numbers()`` (``bench/_analytics_data.py``: channel mix, funnel events, orders with
revenue, analytics.js page calls, merged anonymous ids). The state store holds the
workspace only (no per-profile traits), so trait filters are not exercised here.

Then every analysis registered at that moment (``omnicx.journeys.analyses()``) runs
its own ``Analysis.example`` query in this process (chdb is in-process) ``--runs``
times (default 3); the table shows the median, the first (cold) and the fastest run,
and the peak RSS of this process during the analysis (sampled every 20 ms) over the
RSS before it. ``--keep DIR`` keeps the data folder and reuses it when it already
holds a dataset of the same size.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _analytics_data import describe, generate
from _common import fmt_bytes, machine_note, wait_for_quiet

from omnicx import journeys
from omnicx.storage import open_store

MARKER = "bench-analytics.json"


class PeakRss(threading.Thread):
    """Peak RSS of this process while a block runs."""

    def __init__(self, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process()
        self.interval = interval
        self.peak = self.process.memory_info().rss
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._halt.set()
        self.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def prepare(data_dir: Path, events: int, customers: int) -> tuple[Any, str, dict]:
    """Open (or create and fill) the data folder; returns store, workspace, info."""
    marker = data_dir / MARKER
    if marker.exists():
        info = json.loads(marker.read_text())
        if info["events"] == events and info["customers"] == customers:
            print(f"reusing {data_dir} ({events:,} events)", file=sys.stderr)
            return open_store(data_dir), info["workspace_id"], info
        shutil.rmtree(data_dir)
    store = open_store(data_dir)
    workspace = store.state.create_workspace("bench-analytics")
    workspace_id = workspace.workspace.id
    print(f"generating {events:,} events / {customers:,} customers …", file=sys.stderr)
    with PeakRss() as rss:
        t0 = time.perf_counter()
        generate(store, workspace_id, events, customers)
        seconds = time.perf_counter() - t0
    info = {
        "events": events,
        "customers": customers,
        "workspace_id": workspace_id,
        "generate_s": round(seconds, 1),
        "generate_peak_rss": rss.peak,
        "data": describe(store, workspace_id),
    }
    marker.write_text(json.dumps(info, indent=1))
    return store, workspace_id, info


def summarize(result: dict[str, Any]) -> str:
    """A short look at an answer, to see that it is not empty."""
    parts = []
    for key, value in result.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(
                f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value:,}"
            )
        elif isinstance(value, (list, dict)) and value:
            parts.append(f"{key}[{len(value)}]")
        if len(parts) >= 4:
            break
    return " ".join(parts)


def time_analysis(store: Any, workspace_id: str, analysis: Any, runs: int) -> dict:
    query = analysis.parse(dict(analysis.example))
    times: list[float] = []
    before = psutil.Process().memory_info().rss
    result: dict[str, Any] = {}
    with PeakRss() as rss:
        for _ in range(runs):
            t0 = time.perf_counter()
            result = analysis.run(store, workspace_id, query)
            times.append(time.perf_counter() - t0)
    return {
        "median_s": round(statistics.median(times), 3),
        "first_s": round(times[0], 3),
        "min_s": round(min(times), 3),
        "runs_s": [round(t, 3) for t in times],
        "rss_before": before,
        "peak_rss": rss.peak,
        "peak_rss_delta": max(0, rss.peak - before),
        "answer": summarize(result),
        "example": analysis.example,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="data folder to keep and reuse")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="analysis names (default: all)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--json-out", type=Path, help="also write the JSON here")
    parser.add_argument("--quiet-wait", type=float, default=120.0)
    args = parser.parse_args()

    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="omnicx-bench-analytics-"))
    store, workspace_id, info = prepare(data_dir, args.events, args.customers)
    results: dict[str, Any] = {}
    try:
        registered = journeys.analyses()
        names = [n for n in registered if not args.only or n in args.only]
        busy = wait_for_quiet(args.quiet_wait)
        for name in names:
            print(f"  {name} …", file=sys.stderr, flush=True)
            try:
                results[name] = time_analysis(
                    store, workspace_id, registered[name], args.runs
                )
            except Exception as exc:  # one broken analysis must not stop the rest
                results[name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    finally:
        store.close()
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    report = {
        "events": args.events,
        "customers": args.customers,
        "dataset": info,
        "registered": sorted(registered),
        "other_load_cores_before": round(busy, 2),
        "machine": machine_note(),
        "analyses": results,
    }
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=1))
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(
        f"\n{args.events:,} events / {args.customers:,} customers "
        f"(generated in {info.get('generate_s', '?')} s); runs per analysis: "
        f"{args.runs}; registered: {', '.join(sorted(registered))}"
    )
    header = (
        f"{'analysis':<22}{'median s':>10}{'first s':>10}{'min s':>9}"
        f"{'peak RSS':>11}{'Δ RSS':>10}  answer"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        if "error" in r:
            print(f"{name:<22}  ERROR {r['error']}")
            continue
        print(
            f"{name:<22}{r['median_s']:>10.3f}{r['first_s']:>10.3f}{r['min_s']:>9.3f}"
            f"{fmt_bytes(r['peak_rss']):>11}{fmt_bytes(r['peak_rss_delta']):>10}"
            f"  {r['answer']}"
        )


if __name__ == "__main__":
    main()
