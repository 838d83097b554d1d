"""Wire one data folder into a running system: stores, ingest service, processor,
background jobs, and the domain extensions that listen to events."""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from omnicx.ingest import IngestService, Limits, Processor
from omnicx.settings import Settings
from omnicx.storage import Store, open_store

log = logging.getLogger("omnicx.runtime")

#: Domain packages with an ``attach(runtime)`` that registers event listeners
#: (``runtime.processor.add_listener``) and periodic jobs (``runtime.add_periodic``).
EXTENSIONS = ("omnicx.feedback",)


@dataclass
class PeriodicJob:
    name: str
    interval_s: float
    run: Callable[[], None]
    next_at: float = 0.0


@dataclass
class Runtime:
    settings: Settings
    store: Store
    ingest: IngestService
    processor: Processor
    jobs: list[PeriodicJob] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _scheduler: threading.Thread | None = None

    @classmethod
    def open(cls, settings: Settings, start_processor: bool = True) -> Runtime:
        """Open the data folder. ``start_processor`` also starts the background
        threads (log processing and periodic jobs): what a server needs."""
        store = open_store(settings.data_dir, int(settings.log_segment_bytes))
        try:
            limits = Limits(
                int(settings.max_event_bytes), int(settings.max_request_bytes)
            )
            ingest = IngestService(store, limits, settings.default_region)
            processor = Processor(
                store,
                batch_events=int(settings.process_batch_events),
                idle_wait_s=float(settings.process_interval_s),
                default_region=settings.default_region,
            )
            runtime = cls(settings, store, ingest, processor)
            runtime._attach_extensions()
        except BaseException:
            store.close()  # one chdb path per process: never leave it open
            raise
        if start_processor:
            processor.start()
            runtime.start_jobs()
        return runtime

    def _attach_extensions(self) -> None:
        for name in EXTENSIONS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            attach = getattr(module, "attach", None)
            if attach is not None:
                attach(self)

    def add_periodic(
        self, name: str, interval_s: float, run: Callable[[], None]
    ) -> None:
        """Run ``run()`` about every ``interval_s`` seconds on the scheduler thread."""
        self.jobs.append(PeriodicJob(name, interval_s, run))

    def run_due_jobs(self, now: float | None = None) -> None:
        """Run every job that is due (tests call this to step time by hand)."""
        now = time.monotonic() if now is None else now
        for job in self.jobs:
            if now >= job.next_at:
                job.next_at = now + job.interval_s
                try:
                    job.run()
                except Exception:
                    log.exception("periodic job %s failed", job.name)

    def start_jobs(self) -> None:
        def loop() -> None:
            interval = float(self.settings.scheduler_interval_s)
            while not self._stop.wait(interval):
                self.run_due_jobs()

        self._scheduler = threading.Thread(target=loop, name="omnicx-jobs", daemon=True)
        self._scheduler.start()

    def invalidate_workspace(self, workspace_id: str) -> None:
        self.ingest.invalidate(workspace_id)
        self.processor.invalidate_rules(workspace_id)

    def close(self) -> None:
        self._stop.set()
        if self._scheduler:
            self._scheduler.join(timeout=10)
        self.processor.stop()
        self.store.close()
