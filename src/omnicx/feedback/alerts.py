"""Alert rules evaluated as events arrive, and the closed loop's moving parts.

``attach(runtime)`` (called at ``Runtime.open``) wires:

- a processor listener: after each committed micro-batch, event rules
  (``_alert_rules``) are matched against the new events; each match is recorded once
  per (rule, event) as a *firing* with its deliveries (and a case, for ``open_case``) in
  one transaction, then handed to the dispatcher (``_alert_actions``). The same listener
  links re-survey answers to their case (``cases.link_resurvey_answers``).
- periodic jobs: failed deliveries retried with backoff (every second), metric rules
  (every minute: a channel's NPS/CSAT/CES dropping over a window, from the event store),
  SLA breaches of open cases flagged (every 30 s), and once at start ``recover``: events
  received since the stored evaluation watermark are evaluated again, so a crash
  between the processor's commit and the listener's loses no alert (firings are unique
  per rule and event, so nothing fires twice).

Time comes from ``ClosedLoop.clock`` (epoch seconds), so tests can move it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from omnicx.errors import NotFoundError, OmnicxError
from omnicx.feedback import _case_context as ctx
from omnicx.feedback import cases
from omnicx.feedback._alert_actions import (
    LEASE_MS,
    Dispatcher,
    Job,
    event_from_row,
    event_snapshot,
    iso,
)
from omnicx.feedback._alert_metrics import judge_metric, metric_params
from omnicx.feedback._alert_rule_store import (
    create_rule,
    delete_rule,
    get_rule,
    list_firings,
    list_rules,
    update_rule,
)
from omnicx.feedback._alert_rules import (
    SURVEY_EVENT,
    AlertRulePatch,
    AlertRuleRequest,
    EventMatcher,
    decode_when,
)
from omnicx.storage._closed_loop_state import ClosedLoopState
from omnicx.storage.sql import feedback_alerts as sql

if TYPE_CHECKING:
    from omnicx.contracts import Event
    from omnicx.runtime import Runtime

__all__ = [
    "AlertRulePatch",
    "AlertRuleRequest",
    "ClosedLoop",
    "attach",
    "closed_loop",
    "create_rule",
    "delete_rule",
    "get_rule",
    "list_firings",
    "list_rules",
    "update_rule",
]

log = logging.getLogger("omnicx.alerts")

RETRY_INTERVAL_S = 1.0
METRIC_INTERVAL_S = 60.0
SLA_INTERVAL_S = 30.0
RULE_CACHE_S = 5.0
WATERMARK_EVERY_S = 5.0
RECOVERY_MARGIN_MS = 60_000
RECOVERY_LIMIT = 200_000


class ClosedLoop:
    """The closed loop of one runtime: state, clock, rule cache and dispatcher."""

    def __init__(
        self, runtime: Runtime, clock: Callable[[], float] = time.time
    ) -> None:
        self.runtime = runtime
        self.state = ClosedLoopState(runtime.store.state.engine)
        self.clock = clock
        stop = getattr(runtime, "_stop", None)
        self.dispatcher = Dispatcher(
            self, (lambda: stop.is_set()) if stop is not None else (lambda: False)
        )
        self._rules: dict[str, tuple[float, list[tuple[EventMatcher, dict]]]] = {}
        self._evaluated: dict[str, int] = {}  # workspace -> received_at (ms)
        self._persisted_at = 0.0

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    @property
    def base_url(self) -> str:
        settings = self.runtime.settings
        public = str(settings.public_url or "").rstrip("/")
        return public or f"http://{settings.host}:{settings.port}"

    def profile_or_none(self, workspace_id: str, profile_id: int) -> dict | None:
        """The full profile (``profiles.get_profile``), None when it is gone."""
        from omnicx import profiles

        try:
            return profiles.get_profile(self.runtime.store, workspace_id, profile_id)
        except NotFoundError:
            return None

    def profile_summary(self, workspace_id: str, profile_id: int) -> dict | None:
        return ctx.profile_summary(self.runtime.store, workspace_id, profile_id)

    # -- rules cache ---------------------------------------------------------------
    def invalidate(self, workspace_id: str) -> None:
        self._rules.pop(workspace_id, None)

    def matchers(self, workspace_id: str) -> list[tuple[EventMatcher, dict]]:
        cached = self._rules.get(workspace_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < RULE_CACHE_S:
            return cached[1]
        rules = self.state.rules(workspace_id, kind="event", enabled_only=True)
        found = [(EventMatcher(r["id"], decode_when(r["when"])), r) for r in rules]
        self._rules[workspace_id] = (now, found)
        return found

    # -- the listener ----------------------------------------------------------------
    def on_events(self, workspace_id: str, events: list[tuple[Event, int]]) -> None:
        matchers = self.matchers(workspace_id)
        names = set().union(*(m.event_names for m, _ in matchers))
        answers: list[tuple[Event, int, dict[str, Any]]] = []
        hits: list[tuple[dict, Event, int, dict[str, Any]]] = []
        traits: dict[int, dict[str, Any]] = {}

        def traits_of(profile_id: int) -> Callable[[], dict[str, Any]]:
            def load() -> dict[str, Any]:
                if profile_id not in traits:
                    profile = self.profile_summary(workspace_id, profile_id)
                    traits[profile_id] = profile["traits"] if profile else {}
                return traits[profile_id]

            return load

        for event, profile_id in events:
            if event.type != "track":
                continue
            is_answer = event.event == SURVEY_EVENT
            if not is_answer and event.event not in names:
                continue
            try:
                props = json.loads(event.properties or "{}")
            except ValueError:
                continue
            if not isinstance(props, dict):
                continue
            if is_answer and props.get("invitation"):
                answers.append((event, profile_id, props))
            for matcher, rule in matchers:
                if matcher.matches(
                    event.event, event.channel, props, traits_of(profile_id)
                ):
                    hits.append((rule, event, profile_id, props))
        if answers:
            cases.link_resurvey_answers(self, workspace_id, answers)
        if hits:
            self._fire(workspace_id, hits)
        if events:
            self._evaluated_until(workspace_id, max(e.received_at for e, _ in events))

    def _evaluated_until(self, workspace_id: str, received_at: int) -> None:
        """Note (and every few seconds store) how far events were evaluated."""
        previous = self._evaluated.get(workspace_id, 0)
        self._evaluated[workspace_id] = max(previous, received_at)
        if time.monotonic() - self._persisted_at >= WATERMARK_EVERY_S:
            self._persisted_at = time.monotonic()
            self.state.set_watermarks(dict(self._evaluated))

    def recover(self) -> int:
        """Evaluate again what was received since each workspace's watermark (less a
        margin): firings lost to a crash between the processor's commit and the
        listener's are made now. Firings are unique per (rule, event), so what had
        fired already does not fire twice. Runs once, at start."""
        found = 0
        for workspace_id, mark in self.state.watermarks().items():
            rows = self.runtime.store.events.query_rows(
                sql.EVENTS_SINCE,
                {
                    "ws": workspace_id,
                    "since": mark - RECOVERY_MARGIN_MS,
                    "limit": RECOVERY_LIMIT,
                },
            )
            events = [
                (event_from_row(workspace_id, r), int(r["profile_id"])) for r in rows
            ]
            for start in range(0, len(events), 1000):
                self.on_events(workspace_id, events[start : start + 1000])
            found += len(events)
        return found

    def _fire(
        self, workspace_id: str, hits: list[tuple[dict, Event, int, dict[str, Any]]]
    ) -> None:
        now = self.now_ms()
        jobs: list[Job] = []
        with self.state.transaction() as conn:
            for rule, event, profile_id, props in hits:
                snapshot = event_snapshot(event, props)
                firing_id = self.state.insert_firing(
                    conn,
                    {
                        "workspace_id": workspace_id,
                        "rule_id": rule["id"],
                        "profile_id": profile_id,
                        "message_id": event.message_id,
                        "event": snapshot,
                        "fired_at": now,
                    },
                )
                if firing_id is None:
                    continue  # a replayed event: this rule already fired on it
                jobs += self._record_actions(
                    conn, workspace_id, rule, firing_id, profile_id, snapshot, now
                )
        self.dispatcher.submit(jobs)

    def _record_actions(
        self,
        conn: Any,
        workspace_id: str,
        rule: dict,
        firing_id: int,
        profile_id: int | None,
        snapshot: dict[str, Any],
        now: int,
    ) -> list[Job]:
        """Open the case and record the deliveries of a new firing (in its
        transaction); the deliveries come back claimed for the dispatcher."""
        case_id = None
        for action in rule["actions"]:
            if action["type"] == "open_case" and profile_id is not None:
                case_id = cases.open_case(
                    conn,
                    self,
                    workspace_id,
                    rule,
                    action,
                    firing_id,
                    profile_id,
                    snapshot,
                )
                self.state.set_firing_case(conn, firing_id, case_id)
        firing = {
            "id": firing_id,
            "workspace_id": workspace_id,
            "rule_id": rule["id"],
            "profile_id": profile_id,
            "event": snapshot,
            "case_id": case_id,
            "fired_at": now,
        }
        jobs = []
        for index, action in enumerate(rule["actions"]):
            if action["type"] not in ("webhook", "email"):
                continue
            delivery = {
                "workspace_id": workspace_id,
                "firing_id": firing_id,
                "action_index": index,
                "type": action["type"],
                "target": action.get("url") or action.get("to"),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now + LEASE_MS,  # leased to the dispatcher
                "created_at": now,
                "updated_at": now,
            }
            delivery_id = self.state.insert_delivery(conn, delivery)
            jobs.append(
                Job({**delivery, "id": delivery_id, "payload": None}, firing, rule)
            )
        return jobs

    # -- periodic jobs ---------------------------------------------------------------
    def check_metrics(self) -> None:
        for rule in self.state.enabled_metric_rules():
            try:
                self._check_metric(rule)
            except OmnicxError:
                log.exception("metric rule %s could not be checked", rule["id"])

    def _check_metric(self, rule: dict) -> None:
        when = decode_when(rule["when"])
        now = self.now_ms()
        rows = self.runtime.store.events.query_rows(
            sql.METRIC_WINDOWS, metric_params(when, rule["workspace_id"], now)
        )
        state, snapshot = judge_metric(when, rows, rule["metric_state"], iso(now))
        jobs: list[Job] = []
        if snapshot is not None:
            with self.state.transaction() as conn:
                firing_id = self.state.insert_firing(
                    conn,
                    {
                        "workspace_id": rule["workspace_id"],
                        "rule_id": rule["id"],
                        "profile_id": None,
                        "message_id": f"metric:{now}",
                        "event": snapshot,
                        "fired_at": now,
                    },
                )
                if firing_id is not None:
                    jobs = self._record_actions(
                        conn, rule["workspace_id"], rule, firing_id, None, snapshot, now
                    )
        self.state.update_rule(
            rule["workspace_id"], rule["id"], {"metric_state": state}
        )
        self.dispatcher.submit(jobs)

    def check_sla(self) -> None:
        flagged = self.state.flag_sla_breaches(self.now_ms())
        if flagged:
            log.info("%d case(s) breached their SLA", len(flagged))


def closed_loop(runtime: Runtime) -> ClosedLoop:
    """The runtime's closed loop (made at ``attach``; made here if it was not)."""
    loop = runtime.__dict__.get("closed_loop")
    if loop is None:
        loop = ClosedLoop(runtime)
        runtime.__dict__["closed_loop"] = loop
    return loop


def attach(runtime: Runtime) -> None:
    loop = closed_loop(runtime)
    runtime.processor.add_listener(loop.on_events)
    runtime.add_periodic("alert-deliveries", RETRY_INTERVAL_S, loop.dispatcher.run_due)
    runtime.add_periodic("alert-metrics", METRIC_INTERVAL_S, loop.check_metrics)
    runtime.add_periodic("case-sla", SLA_INTERVAL_S, loop.check_sla)
    runtime.add_periodic("alert-recovery", float("inf"), loop.recover)  # once
