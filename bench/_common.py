"""Shared helpers for the benchmark scripts (not a test suite, not part of the package).

- start/stop ``python -m omnicx serve`` as a subprocess and sample its RSS;
- create a workspace through the CLI;
- a realistic Segment event generator (web + mobile + server-side, identify/track/page);
- pre-encoded ``/v1/batch`` request templates whose ``messageId``s are patched in place
  per send, so a load generator can run for any length of time without repeating ids;
- a multi-process keep-alive HTTP load generator (asyncio streams on uvloop);
- small statistics and table-printing helpers.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MID_WIDTH = 32  # messageId width; patched in place per send
MID_PLACEHOLDER = b"#" * MID_WIDTH  # never occurs in generated JSON text
_MID_JSON = "#" * MID_WIDTH
_encode = msgspec.json.Encoder().encode


# -- processes ------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine_note() -> dict[str, Any]:
    import platform

    import psutil

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "src"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        commit, dirty = "", ""
    return {
        "git_commit": commit + (" (+uncommitted src changes)" if dirty else ""),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


class CpuMeter:
    """System-wide busy CPU (cores) over an interval: to spot other load on the box."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self.start()

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.c0 = self._psutil.cpu_times()

    def busy_cores(self) -> float:
        c1 = self._psutil.cpu_times()
        elapsed = time.monotonic() - self.t0
        busy = sum(
            getattr(c1, f) - getattr(self.c0, f)
            for f in ("user", "system", "nice", "irq", "softirq", "steal")
            if hasattr(c1, f)
        )
        return busy / elapsed if elapsed > 0 else 0.0


def wait_for_quiet(
    max_wait: float = 120.0, threshold: float = 0.25, window: float = 2.0
) -> float:
    """Wait (up to ``max_wait`` s) until the box is idle; return busy cores last seen.

    Other engineers' test runs share these 2 cores; a benchmark started during one
    measures the noise, not OmniCX.
    """
    deadline = time.monotonic() + max_wait
    busy = 0.0
    while True:
        meter = CpuMeter()
        time.sleep(window)
        busy = meter.busy_cores()
        if busy <= threshold or time.monotonic() > deadline:
            return busy
        print(
            f"  box busy ({busy:.2f} cores used by other processes); waiting …",
            file=sys.stderr,
            flush=True,
        )


def create_workspace(data_dir: Path, name: str = "bench") -> dict[str, str]:
    """``omnicx workspace create --json`` → ``{workspace, write_key, admin_token}``."""
    out = subprocess.run(
        [
            PYTHON,
            "-m",
            "omnicx",
            "workspace",
            "create",
            "--data",
            str(data_dir),
            "--name",
            name,
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


class RssSampler(threading.Thread):
    """Peak RSS of a process tree, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        import psutil

        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._halt = threading.Event()

    def sample(self) -> int:
        import psutil

        try:
            total = self.proc.memory_info().rss
            for child in self.proc.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
        except psutil.Error:
            return 0
        self.peak = max(self.peak, total)
        self.samples.append((time.time(), total))
        return total

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)


class Server:
    """``python -m omnicx serve`` (or another command) on a loopback port."""

    def __init__(
        self,
        data_dir: Path | None,
        port: int | None = None,
        command: list[str] | None = None,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.port = port or free_port()
        self.data_dir = data_dir
        self.command = command or [
            PYTHON,
            "-m",
            "omnicx",
            "serve",
            "--data",
            str(data_dir),
            "--port",
            str(self.port),
        ]
        self.env = {**os.environ, "OMNICX_LOG_LEVEL": "warning", **(env or {})}
        self.log_path = log_path or Path(
            tempfile.mktemp(prefix="omnicx-bench-", suffix=".log")
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self.sampler: RssSampler | None = None

    def start(self, timeout: float = 60.0, health_path: str = "/health") -> None:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.command,
            cwd=REPO,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode}; log:\n"
                    + self.log_path.read_text(errors="replace")[-3000:]
                )
            try:
                status, _ = http_get(self.port, health_path, timeout=1)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("server did not become healthy in time")
            time.sleep(0.1)
        self.sampler = RssSampler(self.server_pid())
        self.sampler.sample()
        self.sampler.start()

    def server_pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu_seconds(self) -> float:
        """User + system CPU seconds used by the server so far."""
        import psutil

        times = psutil.Process(self.server_pid()).cpu_times()
        return times.user + times.system

    def start_profile(self, output: Path, gil: bool = False, rate: int = 97) -> None:
        """Attach py-spy (all threads, raw collapsed stacks) until ``stop_profile``."""
        command = [
            shutil.which("py-spy") or str(Path(PYTHON).with_name("py-spy")),
            "record",
            "--pid",
            str(self.server_pid()),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--threads",
            "--nonblocking",
            "--output",
            str(output),
        ]
        if gil:
            command.append("--gil")
        self._spy = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(1.0)  # let it attach before the measured work starts
        if self._spy.poll() is not None:
            raise RuntimeError("py-spy failed: " + self._spy.stderr.read().decode())

    def stop_profile(self) -> None:
        spy = getattr(self, "_spy", None)
        if spy is not None and spy.poll() is None:
            spy.send_signal(signal.SIGINT)
            try:
                spy.wait(timeout=60)
            except subprocess.TimeoutExpired:
                spy.kill()
        self._spy = None

    @property
    def peak_rss(self) -> int:
        return self.sampler.peak if self.sampler else 0

    def stop(self, timeout: float = 60.0) -> int | None:
        try:
            self.stop_profile()
        finally:
            if self.sampler:
                self.sampler.stop()
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        target = self.server_pid()
        os.kill(target, signal.SIGINT)  # graceful: uvicorn stops, runtime closes
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._log.close()
        return self.proc.returncode


# -- tiny HTTP helpers (parent process) ------------------------------------------------
def http_get(
    port: int, path: str, token: str | None = None, timeout: float = 30.0
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def api_json(port: int, path: str, token: str, timeout: float = 60.0) -> dict[str, Any]:
    status, body = http_get(port, path, token, timeout)
    if status != 200:
        raise RuntimeError(f"GET {path} → {status}: {body[:500]!r}")
    return json.loads(body)


def wait_drained(
    port: int,
    token: str,
    timeout: float,
    interval: float = 0.25,
    on_poll: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[bool, dict[str, Any]]:
    """Poll ``/api/v1/ingest/status`` until ``lag_bytes`` is 0."""
    deadline = time.monotonic() + timeout
    status: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status = api_json(port, "/api/v1/ingest/status", token)
        if on_poll:
            on_poll(status)
        if status["lag_bytes"] == 0:
            return True, status
        time.sleep(interval)
    return False, status


# -- statistics ------------------------------------------------------------------------
def percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def latency_summary_ms(values_s: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values_s)
    return {
        "count": len(ordered),
        "p50_ms": round(percentile(ordered, 50) * 1000, 2),
        "p95_ms": round(percentile(ordered, 95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 99) * 1000, 2),
        "max_ms": round((ordered[-1] if ordered else float("nan")) * 1000, 2),
    }


def print_table(title: str, rows: Sequence[tuple[str, Any]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    print("-" * (width + 30))
    for name, value in rows:
        if isinstance(value, bool) or value is None:
            value = str(value)
        elif isinstance(value, float):
            value = f"{value:,.2f}"
        elif isinstance(value, int):
            value = f"{value:,}"
        print(f"{name:<{width}}  {value}")


def fmt_bytes(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


# -- realistic Segment events ----------------------------------------------------------
FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Eitan",
    "Fatima",
    "Gao",
    "Hana",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
    "Mateo",
    "Noa",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tamar",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zoe",
]
LAST = [
    "Silva",
    "Cohen",
    "Müller",
    "Nakamura",
    "Okafor",
    "Rossi",
    "Smith",
    "Levi",
    "García",
    "Kim",
    "Novak",
    "Haddad",
    "Dubois",
    "Jensen",
    "Ivanova",
]
DOMAINS = ["example.com", "Example.org", "mail.test", "shop.example", "EXAMPLE.net"]
CATEGORIES = [
    "Shoes",
    "Outerwear",
    "Kitchen",
    "Toys",
    "Beauty",
    "Electronics",
    "Garden",
]
BRANDS = ["Acme", "Globex", "Initech", "Umbrella", "Soylent", "Hooli", "Vandelay"]
PAGES = [
    ("/", "Home"),
    ("/catalog", "Catalog"),
    ("/catalog/shoes", "Shoes"),
    ("/product/", "Product"),
    ("/cart", "Cart"),
    ("/checkout", "Checkout"),
    ("/account", "Account"),
    ("/help/returns", "Returns"),
    ("/stores", "Stores"),
]
TRACKS = [
    ("Product Viewed", 30),
    ("Product Added", 12),
    ("Products Searched", 10),
    ("Cart Viewed", 8),
    ("Checkout Started", 5),
    ("Order Completed", 3),
    ("Product List Viewed", 10),
    ("Coupon Applied", 2),
    ("Email Opened", 6),
    ("Push Opened", 4),
    ("Support Ticket Created", 2),
    ("Store Visit", 3),
]
_TRACK_NAMES = [name for name, _ in TRACKS]
_TRACK_WEIGHTS = [w for _, w in TRACKS]
_SERVER_SIDE = {
    "Email Opened": "email",
    "Store Visit": "store",
    "Support Ticket Created": "call_center",
    "Push Opened": "push",
}
UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/124.0.0.0 Safari/537.36"
)


@dataclass
class Customer:
    index: int
    user_id: str
    email: str  # as sent (mixed case); stored lower-case
    phone: str | None
    anonymous_ids: list[str]
    device_id: str | None  # mobile app users
    first: str
    last: str


def make_customer(index: int, rng: random.Random) -> Customer:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"{first}.{last}.{index}@{rng.choice(DOMAINS)}"
    phone = None
    if rng.random() < 0.4:
        phone = f"+1 (415) {200 + index // 10000:03d}-{index % 10000:04d}"
    anon = [
        f"{rng.getrandbits(128):032x}" for _ in range(1 if rng.random() < 0.6 else 2)
    ]
    anon = [f"{a[:8]}-{a[8:12]}-{a[12:16]}-{a[16:20]}-{a[20:]}" for a in anon]
    device = f"dev-{rng.getrandbits(64):016x}" if rng.random() < 0.3 else None
    return Customer(index, f"usr_{index:07d}", email, phone, anon, device, first, last)


def _iso(ms: int) -> str:
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000))
        + f".{ms % 1000:03d}Z"
    )


def make_event(c: Customer, rng: random.Random, now_ms: int) -> dict[str, Any]:
    """One Segment message for customer ``c``: ~45% page, ~45% track, ~10% identify."""
    r = rng.random()
    mobile = c.device_id is not None and rng.random() < 0.7
    anonymous_id = rng.choice(c.anonymous_ids)
    logged_in = rng.random() < 0.7
    ts = now_ms - rng.randint(0, 5000)
    if mobile:
        context: dict[str, Any] = {
            "library": {"name": "analytics-ios", "version": "4.1.8"},
            "app": {"name": "Shop", "version": "5.12.0", "build": "512"},
            "device": {
                "id": c.device_id,
                "manufacturer": "Apple",
                "model": "iPhone15,2",
                "type": "ios",
            },
            "os": {"name": "iOS", "version": "17.4"},
            "network": {"wifi": True, "carrier": "T-Mobile"},
            "screen": {"width": 393, "height": 852},
            "locale": "en-US",
            "timezone": "America/Los_Angeles",
            "ip": f"10.{c.index % 250}.{rng.randint(0, 250)}.{rng.randint(1, 250)}",
        }
    else:
        path, title = rng.choice(PAGES)
        context = {
            "library": {"name": "analytics.js", "version": "next-1.64.0"},
            "page": {
                "path": path,
                "referrer": "https://www.google.com/",
                "search": "",
                "title": title,
                "url": f"https://shop.example{path}",
            },
            "userAgent": UA,
            "locale": "en-US",
            "ip": f"10.{c.index % 250}.{rng.randint(0, 250)}.{rng.randint(1, 250)}",
        }
        if rng.random() < 0.2:
            context["campaign"] = {
                "name": "spring_sale",
                "source": "newsletter",
                "medium": "email",
            }
    message: dict[str, Any] = {
        "messageId": _MID_JSON,
        "anonymousId": anonymous_id,
        "originalTimestamp": _iso(ts),
        "context": context,
        "integrations": {},
    }
    if r < 0.10:  # identify: links anonymous id, user id, email (and phone)
        traits: dict[str, Any] = {
            "email": c.email,
            "firstName": c.first,
            "lastName": c.last,
            "name": f"{c.first} {c.last}",
            "plan": rng.choice(["free", "plus", "premium"]),
            "createdAt": _iso(now_ms - 86400000 * (1 + c.index % 900)),
            "address": {"city": "Lisbon", "country": "PT"},
        }
        if c.phone:
            traits["phone"] = c.phone
        if rng.random() < 0.1:
            traits["loyalty_id"] = f"L{c.index:08d}"
        message.update(type="identify", userId=c.user_id, traits=traits)
        return message
    if logged_in:
        message["userId"] = c.user_id
        if rng.random() < 0.2:
            context["traits"] = {"email": c.email}
    if r < 0.55 and not mobile:
        page = context["page"]
        message.update(
            type="page",
            name=page["title"],
            properties={
                "path": page["path"],
                "referrer": page["referrer"],
                "search": "",
                "title": page["title"],
                "url": page["url"],
                "category": rng.choice(CATEGORIES),
                "keywords": ["sale", "new"],
                "experiment": "hero-b",
                "scroll_depth": rng.randint(0, 100),
            },
        )
        return message
    name = rng.choices(_TRACK_NAMES, _TRACK_WEIGHTS)[0]
    price = round(rng.uniform(3, 400), 2)
    quantity = rng.randint(1, 4)
    properties = {
        "product_id": f"p{rng.randint(1, 50000):06d}",
        "sku": f"SKU-{rng.randint(1, 99999):05d}",
        "category": rng.choice(CATEGORIES),
        "name": "Trail Runner 3",
        "brand": rng.choice(BRANDS),
        "variant": rng.choice(["red", "blue", "black", "white"]),
        "price": price,
        "quantity": quantity,
        "coupon": rng.choice(["", "SPRING10", ""]),
        "position": rng.randint(1, 24),
        "url": "https://shop.example/product/trail-runner-3",
        "image_url": "https://cdn.shop.example/p/trail-runner-3.jpg",
        "currency": "USD",
        "value": round(price * quantity, 2),
        "cart_id": f"c{rng.getrandbits(40):010x}",
        "list_id": "hot_deals_1",
        "in_stock": True,
        "rating": round(rng.uniform(1, 5), 1),
        "reviews": rng.randint(0, 900),
        "size": rng.choice(["S", "M", "L", "42", "43"]),
    }
    if name == "Order Completed":
        properties.update(
            order_id=f"o{rng.getrandbits(48):012x}",
            revenue=properties["value"],
            tax=1.5,
            shipping=4.99,
        )
    if name in _SERVER_SIDE:
        # server-side sources (ESP, POS, helpdesk): the user id and an explicit channel
        message.pop("anonymousId", None)
        message["userId"] = c.user_id
        message["context"] = {
            "library": {"name": "analytics-python", "version": "2.3.2"},
            "channel": _SERVER_SIDE[name],
        }
    message.update(type="track", event=name, properties=properties)
    return message


def expected_identities(message: dict[str, Any], rules: Any) -> tuple:
    """The identity tuple the server will extract (same code as ingest)."""
    from omnicx.identity import extract_identities

    traits = message.get("traits") if message["type"] == "identify" else None
    ctx = message.get("context") or {}
    return extract_identities(
        message.get("userId"),
        message.get("anonymousId"),
        traits,
        {
            "traits": ctx.get("traits") or {},
            "externalIds": ctx.get("externalIds"),
            "device": ctx.get("device"),
        },
        rules,
    )


@dataclass
class Template:
    """One pre-encoded HTTP request; ``offsets`` are messageId positions in ``data``."""

    data: bytes
    offsets: array
    events: int


def batch_request(
    port: int,
    write_key: str,
    messages: list[dict[str, Any]],
    sent_at_ms: int,
    placeholders: bool = True,
) -> Template:
    body = _encode({"batch": messages, "sentAt": _iso(sent_at_ms)})
    auth = base64.b64encode(f"{write_key}:".encode()).decode()
    head = (
        f"POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Basic {auth}\r\nContent-Type: application/json\r\n"
        f"User-Agent: omnicx-bench\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    data = head + body
    offsets = array("q")
    start = data.find(MID_PLACEHOLDER)
    while start >= 0:
        offsets.append(start)
        start = data.find(MID_PLACEHOLDER, start + MID_WIDTH)
    assert len(offsets) == (len(messages) if placeholders else 0), len(offsets)
    return Template(data, offsets, len(messages))


@dataclass
class Workload:
    templates: list[Template]
    identity_tuples: list[list[tuple]]  # per template, per event
    customers: int
    bytes_per_event: float
    people: list[Customer] = field(default_factory=list)


def build_workload(
    port: int,
    write_key: str,
    customers: int,
    batches: int,
    batch_size: int,
    seed: int = 7,
    with_identities: bool = True,
    progress: bool = True,
) -> Workload:
    """``batches`` request templates over ``customers`` people; all of them appear."""
    from omnicx.identity import MergeRules

    rng = random.Random(seed)
    rules = MergeRules()
    people = [make_customer(i, rng) for i in range(customers)]
    order = list(range(customers))
    rng.shuffle(order)
    now = int(time.time() * 1000)
    templates: list[Template] = []
    tuples: list[list[tuple]] = []
    cursor = 0
    total_bytes = 0
    started = time.perf_counter()
    for b in range(batches):
        messages = []
        for _ in range(batch_size):
            # cover every customer once, then random repeat visits
            if cursor < customers:
                person = people[order[cursor]]
                cursor += 1
            else:
                person = people[rng.randrange(customers)]
            messages.append(make_event(person, rng, now))
        template = batch_request(port, write_key, messages, now)
        total_bytes += len(template.data)
        templates.append(template)
        if with_identities:
            tuples.append([expected_identities(m, rules) for m in messages])
        if progress and (b + 1) % max(1, batches // 10) == 0:
            print(
                f"  generated {b + 1:,}/{batches:,} batches "
                f"({time.perf_counter() - started:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    return Workload(
        templates, tuples, customers, total_bytes / (batches * batch_size), people
    )


# -- the load generator ----------------------------------------------------------------
@dataclass
class ConnResult:
    requests: int = 0
    events_acked: int = 0
    events_rejected: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    latencies: array = field(default_factory=lambda: array("d"))
    per_second: dict[int, int] = field(default_factory=dict)
    template_start: int = 0
    templates_sent: int = 0  # templates sent in order from template_start (wrapping)
    first_send: float = 0.0
    last_ack: float = 0.0


_SUCCESS = b'{"success":true}'


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _connection_loop(
    port: int,
    templates: list[Template],
    prefix: bytes,
    start_index: int,
    stop_at: float,
    t0: float,
    max_requests: int | None,
) -> ConnResult:
    result = ConnResult(template_start=start_index)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    seq = 0
    n = len(templates)
    index = start_index
    perf = time.perf_counter
    result.first_send = time.time()
    while True:
        now = perf()
        if now >= stop_at or (
            max_requests is not None and result.requests >= max_requests
        ):
            break
        template = templates[index % n]
        buf = bytearray(template.data)
        for off in template.offsets:
            buf[off : off + MID_WIDTH] = prefix + b"%016d" % seq
            seq += 1
        begin = perf()
        writer.write(buf)
        try:
            status, body = await _read_response(reader)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            result.errors += 1
            if len(result.error_samples) < 5:
                result.error_samples.append(f"connection: {exc!r}")
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            continue
        end = perf()
        result.requests += 1
        result.templates_sent += 1
        index += 1
        result.latencies.append(end - begin)
        if status == 200:
            if body == _SUCCESS:
                acked = template.events
            else:
                parsed = json.loads(body)
                rejected = len(parsed.get("rejected", []))
                acked = template.events - rejected
                result.events_rejected += rejected
                if len(result.error_samples) < 5:
                    result.error_samples.append(body[:300].decode(errors="replace"))
            result.events_acked += acked
            second = int(end - t0)
            result.per_second[second] = result.per_second.get(second, 0) + acked
        else:
            result.errors += 1
            if len(result.error_samples) < 5:
                result.error_samples.append(f"{status}: {body[:300]!r}")
    result.last_ack = time.time()
    writer.close()
    return result


def _worker_main(
    worker: int,
    port: int,
    conns: int,
    total_conns: int,
    seconds: float,
    run_id: str,
    ready: Any,
    go: Any,
    out: Any,
    max_requests: int | None,
) -> None:
    """Child process: ``conns`` keep-alive connections on one uvloop event loop."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    templates: list[Template] = _SHARED["templates"]
    n = len(templates)

    async def main() -> list[ConnResult]:
        ready.set()
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        t0 = _SHARED["t0"].value
        stop_at = time.perf_counter() + seconds
        tasks = []
        for c in range(conns):
            slot = sum(_SHARED["conn_counts"][:worker]) + c
            prefix = f"{run_id}-{worker:03d}{c:03d}-".encode()
            assert len(prefix) == MID_WIDTH - 16, prefix
            start = (slot * n) // max(1, total_conns)
            tasks.append(
                _connection_loop(
                    port,
                    templates,
                    prefix,
                    start,
                    stop_at,
                    time.perf_counter() - (time.time() - t0),
                    max_requests,
                )
            )
        return await asyncio.gather(*tasks)

    results = asyncio.run(main())
    cpu = os.times()
    out.put(
        [
            {
                **r.__dict__,
                "latencies": r.latencies.tobytes(),
                "client_cpu_s": (cpu.user + cpu.system) if i == 0 else 0.0,
            }
            for i, r in enumerate(results)
        ]
    )


_SHARED: dict[str, Any] = {}


@dataclass
class LoadResult:
    seconds: float
    t_first_send: float
    t_last_ack: float
    requests: int
    events_acked: int
    events_rejected: int
    errors: int
    error_samples: list[str]
    latency: dict[str, float]
    per_second: list[int]
    sent_ranges: list[tuple[int, int]]  # (template start, templates sent)
    client_cpu_s: float = 0.0  # CPU seconds used by all load-generator processes

    @property
    def events_per_s(self) -> float:
        return self.events_acked / self.seconds if self.seconds else 0.0


def run_load(
    port: int,
    templates: list[Template],
    seconds: float,
    connections: int,
    processes: int,
    run_id: str | None = None,
    max_requests: int | None = None,
) -> LoadResult:
    """Drive ``connections`` keep-alive connections spread over ``processes`` processes.

    The templates are shared copy-on-write with forked workers; each connection starts
    at its own offset in the template ring and patches unique messageIds into every
    request.
    """
    processes = max(1, min(processes, connections))
    run_id = run_id or f"{random.getrandbits(40):010x}"[: MID_WIDTH - 16 - 8]
    run_id = run_id.ljust(MID_WIDTH - 16 - 8, "x")
    counts = [
        connections // processes + (1 if i < connections % processes else 0)
        for i in range(processes)
    ]
    ctx = mp.get_context("fork")
    _SHARED["templates"] = templates
    _SHARED["conn_counts"] = counts
    _SHARED["t0"] = ctx.Value("d", 0.0)
    out = ctx.Queue()
    go = ctx.Event()
    readies = []
    procs = []
    for w, conns in enumerate(counts):
        ready = ctx.Event()
        readies.append(ready)
        p = ctx.Process(
            target=_worker_main,
            args=(
                w,
                port,
                conns,
                connections,
                seconds,
                run_id,
                ready,
                go,
                out,
                max_requests,
            ),
            daemon=True,
        )
        p.start()
        procs.append(p)
    for ready in readies:
        ready.wait(60)
    t0 = time.time()
    _SHARED["t0"].value = t0
    go.set()
    collected: list[dict[str, Any]] = []
    for _ in procs:
        collected.extend(out.get(timeout=seconds + 600))
    for p in procs:
        p.join(timeout=30)
    latencies = array("d")
    per_second: dict[int, int] = {}
    agg = ConnResult()
    ranges = []
    last = max(r["last_ack"] for r in collected)
    for r in collected:
        lat = array("d")
        lat.frombytes(r["latencies"])
        latencies.extend(lat)
        agg.requests += r["requests"]
        agg.events_acked += r["events_acked"]
        agg.events_rejected += r["events_rejected"]
        agg.errors += r["errors"]
        agg.error_samples.extend(r["error_samples"])
        for k, v in r["per_second"].items():
            per_second[int(k)] = per_second.get(int(k), 0) + v
        ranges.append((r["template_start"], r["templates_sent"]))
    seconds_measured = last - t0
    return LoadResult(
        seconds=seconds_measured,
        t_first_send=t0,
        t_last_ack=last,
        requests=agg.requests,
        events_acked=agg.events_acked,
        events_rejected=agg.events_rejected,
        errors=agg.errors,
        error_samples=agg.error_samples[:10],
        latency=latency_summary_ms(latencies),
        per_second=[per_second.get(s, 0) for s in range(int(seconds_measured) + 1)],
        sent_ranges=ranges,
        client_cpu_s=sum(r["client_cpu_s"] for r in collected),
    )


def sent_template_indices(ranges: Sequence[tuple[int, int]], n: int) -> set[int]:
    sent: set[int] = set()
    for start, count in ranges:
        if count >= n:
            return set(range(n))
        sent.update((start + i) % n for i in range(count))
    return sent


# -- baselines: what the client can do against servers that do nothing -----------------
SINK_SERVER = r"""
import asyncio, sys
try:
    import uvloop; uvloop.install()
except ImportError:
    pass
RESP = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        b"content-length: 16\r\n\r\n{\"success\":true}")
class P(asyncio.Protocol):
    def connection_made(self, t):
        self.t = t; self.buf = bytearray(); self.need = -1
    def data_received(self, data):
        self.buf += data
        while True:
            if self.need < 0:
                i = self.buf.find(b"\r\n\r\n")
                if i < 0: return
                head = bytes(self.buf[:i]).lower()
                j = head.find(b"content-length:")
                n = int(head[j+15:].split(b"\r\n", 1)[0]) if j >= 0 else 0
                self.need = i + 4 + n
            if len(self.buf) < self.need: return
            del self.buf[:self.need]; self.need = -1
            self.t.write(RESP)
async def main():
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(P, "127.0.0.1", int(sys.argv[1]))
    await srv.serve_forever()
asyncio.run(main())
"""

NULL_ASGI = r"""
import sys, uvicorn
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        m = await receive(); more = m.get("more_body", False)
    body = b'{"success":true}'
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False, lifespan="off", server_header=False)
"""


def baseline_server(kind: str) -> Server:
    port = free_port()
    code = SINK_SERVER if kind == "sink" else NULL_ASGI
    server = Server(None, port, command=[PYTHON, "-c", code, str(port)])
    return server


# -- py-spy raw (collapsed) profiles ---------------------------------------------------
def summarize_pyspy(path: Path, top: int = 25) -> str:
    """Per-thread sample counts, then inclusive and self time of the hottest frames.

    ``path`` is ``py-spy record --format raw --threads`` output: one
    ``thread (tid): name;frame;frame … count`` line per distinct stack.
    """
    import re
    from collections import Counter, defaultdict

    threads: Counter[str] = Counter()
    inclusive: dict[str, Counter[str]] = defaultdict(Counter)
    leaf: dict[str, Counter[str]] = defaultdict(Counter)
    for line in Path(path).read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        head = frames[0]
        match = re.match(r"thread \(\d+\)(?::\s*(.*))?", head)
        name = (match.group(1) if match and match.group(1) else head).strip()
        name = re.sub(r"-\d+$", "", name)  # pool threads: AnyIO worker thread-3 etc
        if name.startswith("thread ("):
            name = "MainThread"
        body = [
            re.sub(
                r"\s*\(.*?:\d+\)$",
                lambda m: (
                    " " + m.group(0).strip().split(":")[0].strip("(").rsplit("/", 1)[-1]
                    and ""
                ),
                f,
            )
            + " ("
            + (f.rsplit("(", 1)[-1].split(":")[0] if "(" in f else "")
            + ")"
            for f in frames[1:]
        ]
        threads[name] += count
        for frame in set(body):
            inclusive[name][frame] += count
        if body:
            leaf[name][body[-1]] += count
    total = sum(threads.values()) or 1
    out = [f"{total} samples"]
    for name, n in threads.most_common():
        out.append(f"\n== thread {name}: {n} samples ({100 * n / total:.1f}% of all)")
        out.append("  inclusive:")
        for frame, c in inclusive[name].most_common(top):
            out.append(f"    {100 * c / n:5.1f}%  {frame}")
        out.append("  self (leaf):")
        for frame, c in leaf[name].most_common(top // 2):
            out.append(f"    {100 * c / n:5.1f}%  {frame}")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "profile":
        print(
            summarize_pyspy(
                Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 25
            )
        )
    else:
        print("usage: python bench/_common.py profile PYSPY_RAW_FILE [TOP]")
