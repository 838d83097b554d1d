"""Storage: the ingest log, the event store (chdb) and the state store (SQLite).

One data folder holds all three::

    DATA/
      log/           fsync'd ingest log segments (the durability point)
      events/        chdb (embedded ClickHouse) MergeTree tables
      state.sqlite3  SQLite (WAL): workspaces, identity graph, traits, ...
      omnicx.toml    optional settings

Only this package writes SQL text.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from omnicx.errors import StorageError
from omnicx.storage._events import ChdbEventStore, EventRow
from omnicx.storage._log import IngestLog, Position
from omnicx.storage._state import NewWorkspace, Source, StateStore, Workspace, now_ms

__all__ = [
    "ChdbEventStore",
    "EventRow",
    "IngestLog",
    "NewWorkspace",
    "Position",
    "Source",
    "StateStore",
    "Store",
    "Workspace",
    "lock_data_folder",
    "now_ms",
    "open_store",
]


def lock_data_folder(data_dir: Path) -> IO[str]:
    """Hold the data folder for this process; fail clearly if another holds it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / ".lock").open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise StorageError(
            f"the data folder {data_dir} is in use by {holder}; stop it, or send data "
            "to that server over HTTP"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    return handle


@dataclass
class Store:
    """The three stores of one data folder, opened together."""

    data_dir: Path
    state: StateStore
    events: ChdbEventStore
    log: IngestLog
    _lock: IO[str]

    def close(self) -> None:
        self.log.close()
        self.events.close()
        self.state.close()
        self._lock.close()


def open_store(data_dir: Path, log_segment_bytes: int = 64 * 1024 * 1024) -> Store:
    data_dir = Path(data_dir)
    lock = lock_data_folder(data_dir)
    try:
        state = StateStore.in_folder(data_dir)
        events = ChdbEventStore(data_dir / "events")
        log = IngestLog(data_dir / "log", log_segment_bytes)
    except Exception:
        lock.close()
        raise
    return Store(data_dir, state, events, log, lock)
