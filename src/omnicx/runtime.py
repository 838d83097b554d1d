"""Wire one data folder into a running system: stores, ingest service, processor."""

from __future__ import annotations

from dataclasses import dataclass

from omnicx.ingest import IngestService, Limits, Processor
from omnicx.settings import Settings
from omnicx.storage import Store, open_store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    ingest: IngestService
    processor: Processor

    @classmethod
    def open(cls, settings: Settings, start_processor: bool = True) -> Runtime:
        store = open_store(settings.data_dir, int(settings.log_segment_bytes))
        limits = Limits(int(settings.max_event_bytes), int(settings.max_request_bytes))
        ingest = IngestService(store, limits, settings.default_region)
        processor = Processor(
            store,
            batch_events=int(settings.process_batch_events),
            idle_wait_s=float(settings.process_interval_s),
            default_region=settings.default_region,
        )
        runtime = cls(settings, store, ingest, processor)
        if start_processor:
            processor.start()
        return runtime

    def invalidate_workspace(self, workspace_id: str) -> None:
        self.ingest.invalidate(workspace_id)
        self.processor.invalidate_rules(workspace_id)

    def close(self) -> None:
        self.processor.stop()
        self.store.close()
