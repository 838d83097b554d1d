"""Process the ingest log in micro-batches: dedup, identity, traits, event tables.

Crash safety: before a batch, its end position is stored as the *intent*; the state
transaction (dedup marks, identity graph, traits, checkpoint) commits after the events
reach the event store. If the process dies in between, the next start sees the intent
and skips events the event store already holds, so a replay never duplicates.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import msgspec

from omnicx.contracts import Event, IdentityKey
from omnicx.identity import (
    GraphView,
    anchor_identity,
    link_identities,
)
from omnicx.ingest._record import decode_record
from omnicx.ingest._rules_cache import MergeRulesCache
from omnicx.storage import EventRow, Store

log = logging.getLogger("omnicx.processor")
_CHECKPOINT = "log_checkpoint"
_INTENT = "log_intent"
_decode_traits = msgspec.json.Decoder(dict[str, object]).decode
_encode = msgspec.json.Encoder().encode


def _position(text: str | None) -> tuple[int, int]:
    if not text:
        return (0, 0)
    segment, offset = json.loads(text)
    return (int(segment), int(offset))


class Processor:
    """Reads the log behind the ingest API and files events into the stores."""

    def __init__(
        self,
        store: Store,
        batch_events: int = 20_000,
        idle_wait_s: float = 0.05,
        default_region: str = "US",
    ) -> None:
        self.store = store
        self.batch_events = batch_events
        self.idle_wait_s = idle_wait_s
        self.default_region = default_region
        self.position = _position(store.state.get_processing_value(_CHECKPOINT))
        intent = store.state.get_processing_value(_INTENT)
        self._recover_until = _position(intent) if intent else None
        self._next_identity, self._next_profile = store.state.max_ids()
        self._rules = MergeRulesCache(store, default_region)
        self._progress = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.events_processed = 0
        self.last_error: str | None = None
        self._listeners: list[EventListener] = []
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="omnicx-events-writer")

    # -- control ---------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="omnicx-processor", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self._pool.shutdown()

    def add_listener(self, listener: EventListener) -> None:
        """Call ``listener(workspace_id, events)`` after each committed micro-batch
        with the new (deduplicated) events, each paired with its profile id now.
        Listeners must not raise; failures are logged and do not stop processing."""
        self._listeners.append(listener)

    def _notify(self, fresh: dict[str, list[tuple[Event, int]]]) -> None:
        for listener in self._listeners:
            for workspace_id, events in fresh.items():
                try:
                    listener(workspace_id, events)
                except Exception:
                    log.exception("event listener %r failed", listener)

    def invalidate_rules(self, workspace_id: str) -> None:
        self._rules.invalidate(workspace_id)

    def wait_until(self, position: tuple[int, int], timeout: float = 30.0) -> bool:
        """Block until everything up to ``position`` has been processed."""
        with self._progress:
            return self._progress.wait_for(
                lambda: self.position >= position, timeout=timeout
            )

    def drain(self, timeout: float = 60.0) -> bool:
        return self.wait_until(self.store.log.durable_position, timeout)

    @property
    def lag_bytes(self) -> int:
        durable = self.store.log.durable_position
        if durable[0] == self.position[0]:
            return max(0, durable[1] - self.position[1])
        return durable[1] + 1

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.process_available():
                    self.store.log.wait_for_more(self.position, self.idle_wait_s)
            except Exception as exc:  # keep serving; report and retry
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("processing failed; retrying in 1 s")
                time.sleep(1.0)

    # -- work ------------------------------------------------------------------
    def process_available(self) -> int:
        """Process one micro-batch of durable records; return how many events."""
        events: list[Event] = []
        rejected = []
        end = self.position
        budget = max(16 * 1024 * 1024, self.batch_events * 4096)
        for payload, after in self.store.log.read(self.position, budget):
            record = decode_record(payload)
            events.extend(record.events)
            rejected.extend(record.rejected)
            end = after
            if len(events) >= self.batch_events:
                break
        if end == self.position:
            return 0
        self.store.state.put_processing_value(_INTENT, json.dumps(end))
        recovering = self._recover_until is not None and self.position < (
            self._recover_until
        )
        fresh: dict[str, list[tuple[Event, int]]] = {}
        with self.store.state.transaction() as conn:
            by_workspace: dict[str, list[Event]] = defaultdict(list)
            for event in events:
                by_workspace[event.workspace_id].append(event)
            for workspace_id, workspace_events in by_workspace.items():
                fresh[workspace_id] = self._process_workspace(
                    conn, workspace_id, workspace_events, recovering
                )
            if rejected:
                self.store.state.insert_rejections(
                    conn,
                    [
                        {
                            "workspace_id": r.workspace_id,
                            "source_id": r.source_id,
                            "received_at": r.received_at,
                            "batch_index": r.index,
                            "field": r.field,
                            "message": r.message,
                            "payload": r.payload,
                        }
                        for r in rejected
                    ],
                )
            self.store.state.set_processing_value(conn, _CHECKPOINT, json.dumps(end))
            self.store.state.set_processing_value(conn, _INTENT, None)
        if self._recover_until is not None and end >= self._recover_until:
            self._recover_until = None
        if end[0] > self.position[0]:
            self.store.log.drop_segments_before(end[0])
        if self._listeners:  # before the position moves, so drain() includes them
            self._notify(fresh)
        with self._progress:
            self.position = end
            self.events_processed += len(events)
            self._progress.notify_all()
        return len(events)

    def _write_events(
        self, workspace_id: str, rows: list[EventRow], changed: list[tuple[int, int]]
    ) -> None:
        self.store.events.insert_events(rows)
        self.store.events.upsert_identity_profiles(
            workspace_id, changed, version=time.time_ns()
        )

    def _new_profile_id(self) -> int:
        self._next_profile += 1
        return self._next_profile

    def _process_workspace(
        self, conn, workspace_id: str, events: list[Event], recovering: bool
    ) -> list[tuple[Event, int]]:
        state = self.store.state
        unseen = state.unseen_message_ids(
            conn, workspace_id, [e.message_id for e in events]
        )
        fresh: list[Event] = []
        for event in events:
            if event.message_id in unseen:
                unseen.discard(event.message_id)
                fresh.append(event)
        if not fresh:
            return []
        state.mark_seen(conn, workspace_id, [e.message_id for e in fresh])
        fresh.sort(key=lambda e: (e.timestamp, e.message_id))

        keys = list({key for e in fresh for key in e.identities})
        known = state.identities_by_key(conn, workspace_id, keys)
        # Only profiles an event may change (it brings a new identity or spans
        # several profiles) need their full identity sets; the rest stay as they are.
        touched: set[int] = set()
        for event in fresh:
            on = {known[k][1] if k in known else None for k in event.identities}
            if None in on or len(on) > 1:
                touched.update(p for p in on if p is not None)
        members = state.members_of(conn, sorted(touched))
        identity_id: dict[IdentityKey, int] = {k: ids[0] for k, ids in known.items()}
        original_profile = {k: ids[1] for k, ids in known.items()}
        for profile_id, identity_type, value, member_id in members:
            identity_id[(identity_type, value)] = member_id
            original_profile[(identity_type, value)] = profile_id
        view = GraphView.from_members(
            ((p, t, v) for p, t, v, _ in members),
            state.split_pairs_of(conn, sorted(touched)),
        )
        for key, (_, profile_id) in known.items():
            view.profile_of.setdefault(key, profile_id)
        rules = self._rules.get(workspace_id)
        new_profiles: list[int] = []
        merges: list[dict] = []
        seen_range: dict[int, list[int]] = {}
        traits: dict[tuple[int, str], tuple] = {}
        rows: list[EventRow] = []
        for event in fresh:
            resolution = link_identities(
                view, event.identities, rules, self._new_profile_id
            )
            new_profiles.extend(resolution.new_profiles)
            for key in event.identities:
                if key not in identity_id:
                    self._next_identity += 1
                    identity_id[key] = self._next_identity
                span = seen_range.setdefault(
                    identity_id[key], [event.timestamp, event.timestamp]
                )
                span[0] = min(span[0], event.timestamp)
                span[1] = max(span[1], event.timestamp)
            for merge in resolution.merges:
                merges.append(
                    {
                        "workspace_id": workspace_id,
                        "survivor_id": merge.survivor,
                        "merged_id": merge.merged,
                        "identity_ids": json.dumps(merge.identities),
                        "linking_identity": json.dumps(merge.linking_identity),
                        "message_id": event.message_id,
                        "at": event.received_at,
                    }
                )
            anchor = anchor_identity(event.identities)
            assert anchor is not None  # validation guarantees one identity
            anchor_id = identity_id[anchor]
            rows.append(
                self.store.events.row(
                    event, anchor_id, resolution.profile_of_identity[anchor]
                )
            )
            if event.profile_traits:
                for key, value in _decode_traits(event.profile_traits).items():
                    current = traits.get((anchor_id, key[:200]))
                    if current is None or current[6] <= event.timestamp:
                        traits[(anchor_id, key[:200])] = (
                            anchor_id,
                            key[:200],
                            workspace_id,
                            _encode(value).decode(),
                            event.source_id,
                            event.channel,
                            event.timestamp,
                            event.message_id,
                        )
        new_identities = []
        moved = []
        for key, profile_id in view.profile_of.items():
            if key not in original_profile:
                span = seen_range[identity_id[key]]
                new_identities.append(
                    (
                        identity_id[key],
                        workspace_id,
                        key[0],
                        key[1],
                        profile_id,
                        span[0],
                        span[1],
                    )
                )
            elif original_profile[key] != profile_id:
                moved.append((identity_id[key], profile_id))
        new_ids = {row[0] for row in new_identities}
        if recovering:
            present = self.store.events.existing_message_ids(
                workspace_id, [r.message_id for r in rows]
            )
            rows = [r for r in rows if r.message_id not in present]
        changed = [(row[0], row[4]) for row in new_identities] + moved
        # The event store insert runs beside the state writes (both release the GIL
        # in C); the state transaction still commits only after both finished.
        insert = self._pool.submit(self._write_events, workspace_id, rows, changed)
        state.apply_identity_changes(
            conn,
            workspace_id,
            new_profiles,
            new_identities,
            moved,
            [(i, s[0], s[1]) for i, s in seen_range.items() if i not in new_ids],
            merges,
        )
        state.upsert_traits(conn, list(traits.values()))
        insert.result()
        return [
            (event, view.profile_of[anchor_identity(event.identities)])  # type: ignore[index]
            for event in fresh
        ]


EventListener = Callable[[str, list[tuple[Event, int]]], None]
