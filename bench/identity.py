"""Identity benchmarks: bulk resolution, incremental linking, lookup under ingest.

    .venv/bin/python bench/identity.py bulk          # 1M customers / 5M identifiers
    .venv/bin/python bench/identity.py incremental   # µs per event of link_identities
    .venv/bin/python bench/identity.py processor     # processor µs/event, in-process
    .venv/bin/python bench/identity.py lookup        # lookup p50/p95/p99 during ingest
    .venv/bin/python bench/identity.py all --json-out bench-identity.json

bulk
    1M customers, each with a user id, an email, usually a phone, 1-3 anonymous ids
    and sometimes a device, as the identity tuples of their events (what
    ``extract_identities`` yields: priority order, normalised) →
    ``omnicx.identity.resolve_components``. Some devices are then seen with a
    *second* customer's anonymous id (a shared family tablet): those components break
    the ``user_id`` limit and must NOT merge the two customers. Checked: profiles ==
    customers; every customer's identifiers share one label; two customers never share
    a label; a shared device stays with one of its two.
incremental
    ``link_identities`` on a warm ``GraphView`` (100K profiles), over a realistic
    stream: repeat visits (all identities known), a new anonymous id for a known
    customer, an anonymous visitor who identifies (merge), brand-new customers.
processor
    The whole processing step in-process (no HTTP): ingest-log records → dedup →
    identity → traits → chdb rows; µs per event, time per stage and per SQL
    statement (``--profile`` adds a cProfile top list).
lookup
    ``omnicx serve`` with N preloaded customers; background ``/v1/batch`` load from
    separate processes while this process calls
    ``GET /api/v1/profiles/lookup?type=email&value=…`` for random known customers.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import http.client
import io
import json
import pstats
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    CpuMeter,
    Server,
    api_json,
    batch_request,
    build_workload,
    create_workspace,
    fmt_bytes,
    free_port,
    latency_summary_ms,
    machine_note,
    make_event,
    print_table,
    run_load,
    wait_drained,
    wait_for_quiet,
)

from omnicx.identity import GraphView, MergeRules, link_identities, resolve_components


# -- shared ----------------------------------------------------------------------------
def rss_bytes() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def top_functions(profile: cProfile.Profile, limit: int = 15) -> list[dict[str, Any]]:
    stats = pstats.Stats(profile, stream=io.StringIO())
    total = sum(v[2] for v in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_cc, nc, tt, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        short = filename.split("/site-packages/")[-1].split("/src/")[-1]
        rows.append(
            {
                "function": f"{short}:{line}({name})",
                "calls": nc,
                "self_s": round(tt, 3),
                "cumulative_s": round(ct, 3),
                "self_pct": round(100 * tt / total, 1),
            }
        )
    rows.sort(key=lambda r: r["self_s"], reverse=True)
    return rows[:limit]


def print_profile(rows: list[dict[str, Any]], title: str) -> None:
    print(f"\n{title} (cProfile, by self time)")
    for r in rows:
        print(
            f"  {r['self_pct']:5.1f}%  self {r['self_s']:7.3f}s"
            f"  cum {r['cumulative_s']:7.3f}s"
            f"  {r['calls']:>10,}×  {r['function']}"
        )


# -- (a) bulk --------------------------------------------------------------------------
def generate_bulk(customers: int, shared_devices: int, seed: int) -> dict[str, Any]:
    """Identity tuples of 1M customers' linking events; ~5 identifiers per customer.

    Per customer: user_id, email (100%), phone (80%), anonymous ids (1 + 70% + 10% →
    avg 1.8), device (40% of customers) → about 5.0 identifiers per customer.
    Values embed the customer number so the owner of every key can be checked.
    """
    rng = random.Random(seed)
    events: list[tuple[tuple[str, str], ...]] = []
    n_ids = 0
    UID, EMAIL, PHONE, ANON, DEVICE = (
        "user_id",
        "email",
        "phone",
        "anonymous_id",
        "device_id",
    )
    devices_of: list[int] = []
    for c in range(customers):
        user = (UID, f"usr_{c:07d}")
        email = (EMAIL, f"c{c}.{rng.getrandbits(20):05x}@example.com")
        anons = [
            (ANON, f"a{c}-{k}-{rng.getrandbits(48):012x}")
            for k in range(1 + (rng.random() < 0.7) + (rng.random() < 0.1))
        ]
        n_ids += 2 + len(anons)
        first = (user, email)
        if rng.random() < 0.8:
            first = (user, email, (PHONE, f"+1{2000000000 + c:010d}"))
            n_ids += 1
        events.append((*first, anons[0]))  # identify on the first browser
        for anon in anons[1:]:
            events.append((user, anon))  # logs in on another browser
        if rng.random() < 0.4:
            device = (DEVICE, f"d{c}-{rng.getrandbits(40):010x}")
            n_ids += 1
            events.append((device, anons[-1]))  # the app's anonymous session
            devices_of.append(c)
    rng.shuffle(events)  # customers interleave in time
    # shared devices, seen later with another customer's anonymous id
    conflicts: list[tuple[int, int]] = []
    for a in rng.sample(devices_of, min(shared_devices, len(devices_of))):
        b = rng.randrange(customers)
        if b != a:
            conflicts.append((a, b))
    # find each conflicted device key and one anonymous id of B (index pass, no scan)
    device_of: dict[int, tuple[str, str]] = {}
    anon_of: dict[int, tuple[str, str]] = {}
    wanted_a = {a for a, _ in conflicts}
    wanted_b = {b for _, b in conflicts}
    for e in events:
        head = e[0]
        if head[0] == "device_id":
            owner = int(head[1][1 : head[1].index("-")])
            if owner in wanted_a:
                device_of[owner] = head
        for key in e:
            if key[0] == "anonymous_id":
                owner = int(key[1][1 : key[1].index("-")])
                if owner in wanted_b and owner not in anon_of:
                    anon_of[owner] = key
    for a, b in conflicts:
        events.append((device_of[a], anon_of[b]))
    return {
        "events": events,
        "identifiers": n_ids,
        "customers": customers,
        "conflicts": conflicts,
    }


def _owner(key: tuple[str, str]) -> int:
    kind, value = key
    if kind == "user_id":
        return int(value[4:])
    if kind == "phone":
        return int(value[2:]) - 2000000000
    if kind == "email":
        return int(value[1 : value.index(".")])
    return int(value[1 : value.index("-")])  # anonymous_id a<c>-…, device_id d<c>-…


def check_bulk(
    keys: list[tuple[str, str]], labels: np.ndarray, data: dict[str, Any]
) -> dict[str, Any]:
    customers = data["customers"]
    owners = np.fromiter((_owner(k) for k in keys), dtype=np.int64, count=len(keys))
    labels = np.asarray(labels, dtype=np.int64)
    conflict_b = dict(data["conflicts"])  # device owner A → the other customer B
    is_device = np.fromiter(
        (k[0] == "device_id" for k in keys), dtype=bool, count=len(keys)
    )
    order = np.argsort(owners, kind="stable")
    o, lab = owners[order], labels[order]
    same_owner = o[1:] == o[:-1]
    split_customers = int(np.unique(o[1:][same_owner & (lab[1:] != lab[:-1])]).size)
    pairs = np.unique(np.stack([owners, labels], axis=1), axis=0)
    customers_per_label = np.bincount(pairs[:, 1])
    merged_labels = int((customers_per_label > 1).sum())
    profiles = int(np.unique(labels).size)
    # each shared device's label must be the label of A or of B
    label_of_user = {}
    uid_pos = [i for i, k in enumerate(keys) if k[0] == "user_id"]
    for i in uid_pos:
        label_of_user[int(owners[i])] = int(labels[i])
    shared_ok = 0
    dev_positions = np.flatnonzero(is_device)
    for i in dev_positions:
        a = int(owners[i])
        if a in conflict_b and int(labels[i]) in (
            label_of_user[a],
            label_of_user[conflict_b[a]],
        ):
            shared_ok += 1
    return {
        "profiles": profiles,
        "customers": customers,
        "profiles_equal_customers": profiles == customers,
        "customers_split_across_profiles": split_customers,
        "profiles_holding_two_customers": merged_labels,
        "shared_devices": len(conflict_b),
        "shared_devices_kept_with_an_owner": shared_ok,
        "correct": profiles == customers
        and split_customers == 0
        and merged_labels == 0
        and shared_ok == len(conflict_b),
    }


def bench_bulk(args: argparse.Namespace) -> dict[str, Any]:
    print(
        f"bulk: generating {args.customers:,} customers …", file=sys.stderr, flush=True
    )
    t = time.perf_counter()
    data = generate_bulk(args.customers, args.shared_devices, args.seed)
    gen_s = time.perf_counter() - t
    events = data["events"]
    print(
        f"  {len(events):,} events, {data['identifiers']:,} identifiers "
        f"({gen_s:.1f} s)",
        file=sys.stderr,
        flush=True,
    )
    rules = MergeRules()
    if args.quiet_wait > 0:
        wait_for_quiet(args.quiet_wait)
    gc.collect()
    rss0 = rss_bytes()
    box = CpuMeter()
    profile = cProfile.Profile() if args.profile else None
    c0 = time.process_time()
    t0 = time.perf_counter()
    if profile:
        profile.enable()
    keys, labels = resolve_components(events, rules)
    if profile:
        profile.disable()
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    busy = box.busy_cores()
    rss1 = rss_bytes()
    print(f"  resolve_components: {elapsed:.2f} s", file=sys.stderr, flush=True)
    check = check_bulk(keys, labels, data)
    result: dict[str, Any] = {
        "customers": args.customers,
        "identifiers": len(keys),
        "identifiers_generated": data["identifiers"],
        "events": len(events),
        "shared_devices_injected": len(data["conflicts"]),
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "identifiers_per_s": round(len(keys) / elapsed),
        "rss_growth_bytes": rss1 - rss0,
        "box_busy_cores": round(busy, 2),
        "check": check,
        "target_s": 10.0,
        "met": elapsed <= 10.0 and check["correct"],
    }
    if profile:
        result["profile_note"] = (
            "timed WITH cProfile on; rerun without --profile for time"
        )
        result["profile_top"] = top_functions(profile, 18)
    elif elapsed > 10.0 and not args.no_auto_profile:
        print(
            "  slower than 10 s: profiling a second run …", file=sys.stderr, flush=True
        )
        profile = cProfile.Profile()
        profile.enable()
        resolve_components(events, rules)
        profile.disable()
        result["profile_top"] = top_functions(profile, 18)
    return result


def bench_incremental(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    rules = MergeRules()
    warm = args.warm_profiles
    rows = []
    next_profile = [0]

    def new_profile() -> int:
        next_profile[0] += 1
        return next_profile[0]

    known: list[dict[str, Any]] = []
    for c in range(warm):
        p = new_profile()
        person = {
            "user": ("user_id", f"usr_{c:07d}"),
            "email": ("email", f"c{c}@example.com"),
            "anons": [("anonymous_id", f"a{c}-0")],
        }
        rows += [(p, *person["user"]), (p, *person["email"]), (p, *person["anons"][0])]
        if c % 3 == 0:
            person["phone"] = ("phone", f"+1{2000000000 + c:010d}")
            rows.append((p, *person["phone"]))
        known.append(person)
    # anonymous-only profiles (visitors who have not identified yet)
    anonymous_visitors = []
    for v in range(warm // 10):
        p = new_profile()
        key = ("anonymous_id", f"visitor-{v}")
        rows.append((p, *key))
        anonymous_visitors.append(key)
    view = GraphView.from_members(rows)
    # the stream
    kinds = ["repeat", "new_anonymous_id", "identify_merge", "new_customer"]
    weights = [0.80, 0.10, 0.05, 0.05]
    stream = []
    fresh = warm
    visitor = 0
    for i in range(args.events):
        kind = rng.choices(kinds, weights)[0]
        if kind == "repeat":
            c = known[rng.randrange(warm)]
            ids = (
                (c["user"], rng.choice(c["anons"]))
                if rng.random() < 0.7
                else (rng.choice(c["anons"]),)
            )
        elif kind == "new_anonymous_id":
            c = known[rng.randrange(warm)]
            anon = ("anonymous_id", f"n{i}")
            c["anons"].append(anon)
            ids = (c["user"], anon)
        elif kind == "identify_merge" and visitor < len(anonymous_visitors):
            c = known[rng.randrange(warm)]
            ids = (c["user"], c["email"], anonymous_visitors[visitor])
            visitor += 1
        else:
            kind = "new_customer"
            ids = (
                ("user_id", f"usr_{fresh:07d}"),
                ("email", f"c{fresh}@example.com"),
                ("anonymous_id", f"a{fresh}-0"),
            )
            fresh += 1
        stream.append((kind, ids))
    per_kind: dict[str, list[float]] = {k: [] for k in kinds}
    perf = time.perf_counter
    gc.collect()
    t0 = perf()
    for kind, ids in stream:
        s = perf()
        link_identities(view, ids, rules, new_profile)
        per_kind[kind].append(perf() - s)
    total = perf() - t0
    mean_us = 1e6 * total / len(stream)
    result = {
        "warm_profiles": warm + len(anonymous_visitors),
        "events": len(stream),
        "mean_us_per_event": round(mean_us, 2),
        "per_kind": {
            k: {
                "share": round(len(v) / len(stream), 3),
                "mean_us": round(1e6 * sum(v) / len(v), 2) if v else None,
                "p99_us": round(1e6 * sorted(v)[int(0.99 * (len(v) - 1))], 2)
                if v
                else None,
            }
            for k, v in per_kind.items()
        },
        "target_us": 20.0,
        "met": mean_us < 20.0,
        "note": "link_identities only (pure graph step); the processor's SQL lookups "
        "and writes around it are measured by the `processor` benchmark",
    }
    return result


# -- (b2) the whole processor in-process -----------------------------------------------
_STAGES = {
    # (object attribute path, label)
    "decode_record": "read + decode log records",
    "state.unseen_message_ids": "dedup lookup (SQLite)",
    "state.mark_seen": "dedup insert (SQLite)",
    "state.identities_by_key": "identity lookup (SQLite)",
    "state.members_of": "profile members (SQLite)",
    "state.split_pairs_of": "split pairs (SQLite)",
    "link_identities": "link_identities (pure Python graph)",
    "state.apply_identity_changes": "identity/profile/merge writes (SQLite)",
    "state.upsert_traits": "trait upserts (SQLite)",
    "events.row": "event row build",
    "events.insert_events": "events insert (chdb)",
    "events.upsert_identity_profiles": "identity_profiles insert (chdb)",
    "state.put_processing_value": "intent write (SQLite txn)",
}


def _instrument(runtime: Any) -> dict[str, float]:
    """Wrap the processor's steps with timers (cheap: no per-line profiling). What is
    left over (the per-event Python in ``_process_workspace`` and the SQLite commit) is
    reported as the rest."""
    import omnicx.ingest._processor as processor_module

    totals: dict[str, float] = {label: 0.0 for label in _STAGES.values()}
    perf = time.perf_counter

    def wrap(fn: Any, label: str) -> Any:
        def timed(*a: Any, **kw: Any) -> Any:
            s = perf()
            try:
                return fn(*a, **kw)
            finally:
                totals[label] += perf() - s

        return timed

    store = runtime.store
    for path, label in _STAGES.items():
        if "." in path:
            owner_name, attr = path.split(".")
            owner = getattr(store, owner_name)
            setattr(owner, attr, wrap(getattr(owner, attr), label))
        else:
            setattr(
                processor_module, path, wrap(getattr(processor_module, path), label)
            )
    return totals


def bench_processor(args: argparse.Namespace) -> dict[str, Any]:
    from omnicx.ingest._record import encode_record
    from omnicx.runtime import Runtime
    from omnicx.settings import load_settings

    data_dir = Path(tempfile.mkdtemp(prefix="omnicx-bench-proc-", dir=args.tmp))
    runtime = Runtime.open(
        load_settings({"data": str(data_dir)}, environ={}), start_processor=False
    )
    try:
        ws = runtime.store.state.create_workspace("bench")
        batches = max(1, args.processor_events // 100)
        workload = build_workload(
            1,
            ws.source.write_key,
            args.processor_customers,
            batches,
            100,
            seed=args.seed,
            with_identities=False,
            progress=False,
        )
        if args.quiet_wait > 0:
            wait_for_quiet(args.quiet_wait)
        appended = 0
        prepare_s = 0.0
        for i, template in enumerate(workload.templates):
            buf = bytearray(template.data)
            for j, off in enumerate(template.offsets):
                buf[off : off + 32] = b"proc-%027d" % (i * 1000 + j)
            body = bytes(buf[buf.index(b"\r\n\r\n") + 4 :])
            s = time.perf_counter()
            record, _ = runtime.ingest.prepare(
                "batch", body, write_key=ws.source.write_key
            )
            payload = encode_record(record)
            prepare_s += time.perf_counter() - s
            runtime.store.log.append(payload).result()
            appended += len(record.events)
        sql_time = _time_sql(runtime.store.state.engine)
        stages = _instrument(runtime)
        profile = cProfile.Profile() if args.profile else None
        box = CpuMeter()
        t0, cpu0 = time.perf_counter(), time.process_time()
        batches_s = []
        if profile:
            profile.enable()
        while True:
            s = time.perf_counter()
            n = runtime.processor.process_available()
            if not n:
                break
            batches_s.append((n, round(time.perf_counter() - s, 3)))
        if profile:
            profile.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        sql_rows = sorted(
            (
                {"sql": k, "calls": v[0], "rows": v[1], "seconds": round(v[2], 3)}
                for k, v in sql_time.items()
            ),
            key=lambda r: -r["seconds"],
        )
        stage_total = sum(stages.values())
        by_stage = {
            k: round(100 * v / wall, 1)
            for k, v in sorted(stages.items(), key=lambda kv: -kv[1])
            if v
        }
        by_stage["Python glue in the processor (rest)"] = round(
            100 * (wall - stage_total) / wall, 1
        )
        result = {
            "events": appended,
            "customers": args.processor_customers,
            "validate_and_encode_us_per_event": round(1e6 * prepare_s / appended, 1),
            "process_us_per_event": round(1e6 * wall / appended, 1),
            "process_events_per_s": round(appended / wall),
            "process_cpu_s": round(cpu, 2),
            "process_wall_s": round(wall, 2),
            "box_busy_cores": round(box.busy_cores(), 2),
            "micro_batches": batches_s,
            "time_by_stage_pct": by_stage,
            "sqlite_statements": sql_rows[:10],
        }
        if profile:
            result["profile_top"] = top_functions(profile, 18)
            result["note"] = "timed with cProfile on; rerun without --profile for time"
        return result
    finally:
        runtime.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def _time_sql(engine: Any) -> dict[str, list[float]]:
    """Wall time per SQL statement (first 90 characters) through engine events."""
    from sqlalchemy import event

    totals: dict[str, list[float]] = {}

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_t"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - conn.info.pop("bench_t", time.perf_counter())
        key = " ".join(statement.split())[:90]
        rows = len(parameters) if executemany and parameters is not None else 1
        entry = totals.setdefault(key, [0, 0, 0.0])
        entry[0] += 1
        entry[1] += rows
        entry[2] += elapsed

    return totals


# -- (c) lookup under ingest -----------------------------------------------------------
def _preload(port: int, write_key: str, people: list[Any], batch_size: int) -> int:
    """Send one identify per customer (sequential keep-alive client)."""
    rng = random.Random(1)
    now = int(time.time() * 1000)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    sent = 0
    for start in range(0, len(people), batch_size):
        messages = []
        for person in people[start : start + batch_size]:
            m = make_event(person, rng, now)
            while m["type"] != "identify":
                m = make_event(person, rng, now)
            m["messageId"] = f"preload-{person.index:010d}-{rng.getrandbits(40):010x}"
            messages.append(m)
        template = batch_request(port, write_key, messages, now, placeholders=False)
        head, _, body = template.data.partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
        headers.pop("Host", None)
        conn.request("POST", "/v1/batch", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"preload failed: {response.status} {payload[:300]!r}")
        sent += len(messages)
    conn.close()
    return sent


def _lookups(
    port: int, token: str, people: list[Any], seconds: float, seed: int, rate: float
) -> dict[str, Any]:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    interval = 1.0 / rate if rate > 0 else 0.0
    next_at = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"}
    while time.perf_counter() < deadline:
        if interval:
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            next_at += interval
        person = people[rng.randrange(len(people))]
        path = f"/api/v1/profiles/lookup?type=email&value={quote(person.email)}"
        s = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        latencies.append(time.perf_counter() - s)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.status == 200 and rng.random() < 0.01:
            found = json.loads(body)
            emails = [i["value"] for i in found["identities"] if i["type"] == "email"]
            if person.email.lower() not in emails:
                statuses[-1] = statuses.get(-1, 0) + 1  # wrong profile
    conn.close()
    return {
        "latency": latency_summary_ms(latencies),
        "statuses": statuses,
        "lookups_per_s": round(len(latencies) / seconds, 1),
    }


def bench_lookup(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="omnicx-bench-lookup-", dir=args.tmp))
    port = free_port()
    workspace = create_workspace(data_dir)
    write_key, token = workspace["write_key"], workspace["admin_token"]
    batches = max(1, (2 * args.lookup_customers) // 100)
    print(
        f"lookup: generating traffic for {args.lookup_customers:,} customers …",
        file=sys.stderr,
        flush=True,
    )
    workload = build_workload(
        port,
        write_key,
        args.lookup_customers,
        batches,
        100,
        seed=args.seed,
        with_identities=False,
        progress=False,
    )
    people = workload.people
    if args.quiet_wait > 0:
        wait_for_quiet(args.quiet_wait)
    server = Server(data_dir, port, log_path=data_dir / "server.log")
    server.start()
    result: dict[str, Any] = {"customers": args.lookup_customers}
    try:
        t = time.perf_counter()
        preloaded = _preload(port, write_key, people, 100)
        drained, _ = wait_drained(port, token, 1800)
        result["preload"] = {
            "events": preloaded,
            "seconds_incl_processing": round(time.perf_counter() - t, 1),
            "drained": drained,
        }
        print(
            f"  preloaded {preloaded:,} identifies in "
            f"{result['preload']['seconds_incl_processing']} s",
            file=sys.stderr,
        )
        result["idle"] = _lookups(
            port, token, people, args.lookup_idle_seconds, args.seed, args.lookup_rate
        )
        print(f"  idle lookups: {result['idle']['latency']}", file=sys.stderr)
        load_box: dict[str, Any] = {}

        def background() -> None:
            load_box["load"] = run_load(
                port, workload.templates, args.seconds, args.connections, args.processes
            )

        thread = threading.Thread(target=background, daemon=True)
        box = CpuMeter()
        thread.start()
        time.sleep(1.0)  # let the load generator ramp up
        result["under_ingest"] = _lookups(
            port, token, people, args.seconds - 2.0, args.seed + 1, args.lookup_rate
        )
        thread.join()
        load = load_box["load"]
        result["box_busy_cores"] = round(box.busy_cores(), 2)
        result["background_ingest"] = {
            "seconds": round(load.seconds, 1),
            "events_acked": load.events_acked,
            "events_per_s": round(load.events_per_s),
            "latency": load.latency,
            "connections": args.connections,
            "errors": load.errors,
        }
        status = api_json(port, "/api/v1/ingest/status", token)
        result["lag_bytes_at_end_of_load"] = status["lag_bytes"]
        print(f"  under ingest: {result['under_ingest']['latency']}", file=sys.stderr)
        result["target_p95_ms"] = 10.0
        result["met"] = result["under_ingest"]["latency"]["p95_ms"] < 10.0
    finally:
        server.stop()
        result["server_peak_rss_bytes"] = server.peak_rss
    try:
        result["idle_breakdown_ms"] = lookup_breakdown(data_dir, people, args.seed)
    finally:
        if not args.keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)
    return result


def lookup_breakdown(
    data_dir: Path, people: list[Any], seed: int, n: int = 300
) -> dict[str, float]:
    """Mean ms of each step of one lookup, in-process on the same data (server stopped):
    where the time of ``GET /api/v1/profiles/lookup`` goes before any contention."""
    from omnicx.identity import merge_rules_from_config, normalize_identity
    from omnicx.profiles._profile import _current, _traits
    from omnicx.runtime import Runtime
    from omnicx.settings import load_settings

    runtime = Runtime.open(
        load_settings({"data": str(data_dir)}, environ={}), start_processor=False
    )
    state, events = runtime.store.state, runtime.store.events
    rng = random.Random(seed)
    steps: dict[str, float] = {}

    def timed(name: str, fn: Any, *a: Any) -> Any:
        s = time.perf_counter()
        out = fn(*a)
        steps[name] = steps.get(name, 0.0) + time.perf_counter() - s
        return out

    try:
        ws = state.workspaces()[0].id
        token_ws = state.workspace_for_token  # the admin token is hashed per call
        for _ in range(n):
            person = people[rng.randrange(len(people))]
            timed("auth: workspace_for_token", token_ws, "adm_not_a_real_token")
            config = timed("workspace() config read", state.workspace, ws).config
            rules = timed(
                "merge_rules_from_config", merge_rules_from_config, config, "US"
            )
            value = normalize_identity("email", person.email, rules.default_region)
            pid = timed(
                "profile_for_identity", state.profile_for_identity, ws, "email", value
            )
            if pid is None:
                continue
            pid = timed("current_profile_id", _current, runtime.store, ws, pid)
            identities = timed("profile_identities", state.profile_identities, pid)
            ids = [i["id"] for i in identities]
            rows = timed("profile_traits", state.profile_traits, ids)
            timed("traits assembly", _traits, rows)
            timed("chdb profile_activity", events.profile_activity, ws, ids)
            timed("profile_row", state.profile_row, pid)
    finally:
        runtime.close()
    total = sum(steps.values())
    out = {k: round(1000 * v / n, 3) for k, v in steps.items()}
    out["total"] = round(1000 * total / n, 3)
    return out


# -- driver ----------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "what",
        nargs="?",
        default="all",
        choices=["all", "bulk", "incremental", "processor", "lookup"],
    )
    parser.add_argument(
        "--customers", type=int, default=1_000_000, help="bulk customers"
    )
    parser.add_argument("--shared-devices", type=int, default=10_000)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the bulk / processor run (slower; for the breakdown)",
    )
    parser.add_argument("--no-auto-profile", action="store_true")
    parser.add_argument("--warm-profiles", type=int, default=100_000)
    parser.add_argument(
        "--events", type=int, default=200_000, help="incremental events"
    )
    parser.add_argument("--processor-events", type=int, default=100_000)
    parser.add_argument("--processor-customers", type=int, default=50_000)
    parser.add_argument("--lookup-customers", type=int, default=100_000)
    parser.add_argument(
        "--lookup-rate",
        type=float,
        default=100.0,
        help="lookups per second (0: as fast as one connection goes)",
    )
    parser.add_argument("--lookup-idle-seconds", type=float, default=5.0)
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="lookup: load seconds"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--tmp", help="parent folder for temporary data folders")
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--quiet-wait", type=float, default=120.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--json-out", metavar="FILE")
    args = parser.parse_args()

    result: dict[str, Any] = {"benchmark": "identity", "machine": machine_note()}
    todo = (
        ["bulk", "incremental", "processor", "lookup"]
        if args.what == "all"
        else [args.what]
    )
    for what in todo:
        result[what] = {
            "bulk": bench_bulk,
            "incremental": bench_incremental,
            "processor": bench_processor,
            "lookup": bench_lookup,
        }[what](args)
        gc.collect()
    text = json.dumps(result, indent=2)
    if args.json_out:
        Path(args.json_out).write_text(text)
    if args.json:
        print(text)
        return
    if "bulk" in result:
        b = result["bulk"]
        print_table(
            "Identity: bulk resolve_components",
            [
                (
                    "customers / identifiers / events",
                    f"{b['customers']:,} / {b['identifiers']:,} / {b['events']:,}",
                ),
                ("shared devices injected", b["shared_devices_injected"]),
                ("time (s)  [target ≤ 10]", b["seconds"]),
                ("identifiers/s", b["identifiers_per_s"]),
                ("RSS growth", fmt_bytes(b["rss_growth_bytes"])),
                ("profiles == customers", b["check"]["profiles_equal_customers"]),
                (
                    "customers split / profiles with 2 customers",
                    f"{b['check']['customers_split_across_profiles']} / "
                    f"{b['check']['profiles_holding_two_customers']}",
                ),
                (
                    "shared devices kept with an owner",
                    f"{b['check']['shared_devices_kept_with_an_owner']:,} / "
                    f"{b['check']['shared_devices']:,}",
                ),
                ("correct", b["check"]["correct"]),
                ("met", b["met"]),
            ],
        )
        pass
        if "profile_top" in b:
            print_profile(b["profile_top"], "bulk profile")
    if "incremental" in result:
        i = result["incremental"]
        rows = [
            ("warm profiles / events", f"{i['warm_profiles']:,} / {i['events']:,}"),
            ("mean µs/event  [target < 20]", i["mean_us_per_event"]),
        ]
        for k, v in i["per_kind"].items():
            rows.append(
                (
                    f"  {k} ({v['share']:.0%})",
                    f"mean {v['mean_us']} µs, p99 {v['p99_us']} µs",
                )
            )
        rows.append(("met", i["met"]))
        print_table("Identity: incremental link_identities", rows)
    if "processor" in result:
        p = result["processor"]
        print_table(
            "Processor in-process (log → identity → state → chdb)",
            [
                ("events / customers", f"{p['events']:,} / {p['customers']:,}"),
                (
                    "validate+encode µs/event (ingest side)",
                    p["validate_and_encode_us_per_event"],
                ),
                ("process µs/event", p["process_us_per_event"]),
                ("process events/s  [target ≥ 50,000]", p["process_events_per_s"]),
                (
                    "process wall / CPU s",
                    f"{p['process_wall_s']} / {p['process_cpu_s']}",
                ),
            ],
        )
        print("  time by stage (% of processing wall time):")
        for k, v in p["time_by_stage_pct"].items():
            print(f"    {v:5.1f}%  {k}")
        print("  SQLite statements by wall time:")
        for r in p["sqlite_statements"]:
            print(
                f"    {r['seconds']:7.3f}s  {r['calls']:>5}× {r['rows']:>8,} rows"
                f"  {r['sql']}"
            )
        if "profile_top" in p:
            print_profile(p["profile_top"], "processor profile")
    if "lookup" in result:
        lk = result["lookup"]
        print_table(
            "Profile lookup by email",
            [
                ("customers preloaded", lk["customers"]),
                (
                    "idle p50/p95/p99 (ms)",
                    "{p50_ms} / {p95_ms} / {p99_ms}".format(**lk["idle"]["latency"]),
                ),
                (
                    "under ingest p50/p95/p99 (ms)  [p95 < 10]",
                    "{p50_ms} / {p95_ms} / {p99_ms}".format(
                        **lk["under_ingest"]["latency"]
                    ),
                ),
                (
                    "lookups/s, statuses",
                    f"{lk['under_ingest']['lookups_per_s']}, "
                    f"{lk['under_ingest']['statuses']}",
                ),
                ("background ingest events/s", lk["background_ingest"]["events_per_s"]),
                ("met", lk["met"]),
                ("server peak RSS", fmt_bytes(lk["server_peak_rss_bytes"])),
            ],
        )
        print("  one lookup, in-process, idle (mean ms per step):")
        for k, v in lk.get("idle_breakdown_ms", {}).items():
            print(f"    {v:8.3f}  {k}")


if __name__ == "__main__":
    main()
