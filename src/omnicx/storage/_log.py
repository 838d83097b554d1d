"""The ingest log: an fsync'd, append-only, segmented record log.

It is the durability point: a request is acknowledged only after its record is written
and fsync'd. Concurrent appends share one fsync (group commit) on a writer thread.

Record layout: ``<u32 length><u32 crc32><payload>``, little-endian. A torn tail left by
a crash (short or corrupt record at the end of the newest segment) is truncated on open.
Positions are ``(segment number, byte offset)``.
"""

from __future__ import annotations

import asyncio
import os
import queue
import struct
import threading
import zlib
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

from omnicx.errors import StorageError

_HEADER = struct.Struct("<II")
Position = tuple[int, int]


def _segment_name(number: int) -> str:
    return f"{number:012d}.log"


class IngestLog:
    """Append records durably; read them back from a position."""

    def __init__(self, directory: Path, segment_bytes: int = 64 * 1024 * 1024) -> None:
        self.directory = directory
        self.segment_bytes = segment_bytes
        directory.mkdir(parents=True, exist_ok=True)
        segments = self.segments()
        self._segment = segments[-1] if segments else 0
        path = directory / _segment_name(self._segment)
        self._size = self._recover_tail(path) if path.exists() else 0
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._durable: Position = (self._segment, self._size)
        self._durable_changed = threading.Condition()
        self._queue: queue.SimpleQueue[tuple[bytes, Future[Position]] | None] = (
            queue.SimpleQueue()
        )
        self._closed = False
        self._writer = threading.Thread(
            target=self._write_loop, name="omnicx-log-writer", daemon=True
        )
        self._writer.start()

    # -- writing ---------------------------------------------------------------
    def append(self, payload: bytes) -> Future[Position]:
        """Queue a record; the future resolves once it is fsync'd."""
        future: Future[Position] = Future()
        if self._closed:
            future.set_exception(StorageError("the ingest log is closed"))
            return future
        self._queue.put((payload, future))
        return future

    async def append_async(self, payload: bytes) -> Position:
        return await asyncio.wrap_future(self.append(payload))

    def _write_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            group = [item]
            pending = len(item[0])
            while pending < 8 * 1024 * 1024:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)
                    break
                group.append(more)
                pending += len(more[0])
            try:
                self._write_group(group)
            except OSError as exc:
                error = StorageError(f"cannot write the ingest log: {exc}")
                for _, future in group:
                    future.set_exception(error)

    def _write_group(self, group: list[tuple[bytes, Future[Position]]]) -> None:
        if self._size >= self.segment_bytes:
            self._rotate()
        chunks = []
        for payload, _ in group:
            chunks.append(_HEADER.pack(len(payload), zlib.crc32(payload)))
            chunks.append(payload)
        written = os.writev(self._fd, chunks)
        total = sum(len(c) for c in chunks)
        while written < total:  # writev may write less than asked on some systems
            rest = b"".join(chunks)[written:]
            written += os.write(self._fd, rest)
        os.fdatasync(self._fd)
        self._size += total
        position = (self._segment, self._size)
        with self._durable_changed:
            self._durable = position
            self._durable_changed.notify_all()
        for _, future in group:
            future.set_result(position)

    def _rotate(self) -> None:
        os.close(self._fd)
        self._segment += 1
        self._size = 0
        path = self.directory / _segment_name(self._segment)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._writer.join()
        os.close(self._fd)

    # -- reading ---------------------------------------------------------------
    def segments(self) -> list[int]:
        return sorted(
            int(p.stem) for p in self.directory.glob("*.log") if p.stem.isdigit()
        )

    @property
    def durable_position(self) -> Position:
        return self._durable

    def wait_for_more(self, position: Position, timeout: float) -> bool:
        """Block until records exist beyond ``position`` (or the timeout passes)."""
        with self._durable_changed:
            return self._durable_changed.wait_for(
                lambda: self._durable > position, timeout=timeout
            )

    def read(
        self, start: Position, max_bytes: int = 16 * 1024 * 1024
    ) -> Iterator[tuple[bytes, Position]]:
        """Yield ``(payload, position after it)`` for durable records from ``start``."""
        end = self._durable
        segment, offset = start
        budget = max_bytes
        while (segment, offset) < end and budget > 0:
            path = self.directory / _segment_name(segment)
            if not path.exists():
                if segment >= end[0]:
                    return
                segment, offset = segment + 1, 0
                continue
            limit = end[1] if segment == end[0] else path.stat().st_size
            with path.open("rb") as handle:
                handle.seek(offset)
                while offset < limit and budget > 0:
                    header = handle.read(_HEADER.size)
                    length, crc = _HEADER.unpack(header)
                    payload = handle.read(length)
                    if zlib.crc32(payload) != crc:
                        raise StorageError(
                            f"ingest log record at {path}:{offset} is corrupt"
                        )
                    offset += _HEADER.size + length
                    budget -= length
                    yield payload, (segment, offset)
            if offset >= limit and segment < end[0]:
                segment, offset = segment + 1, 0

    def drop_segments_before(self, segment: int) -> None:
        """Delete fully processed segments older than ``segment``."""
        for number in self.segments():
            if number < segment:
                (self.directory / _segment_name(number)).unlink(missing_ok=True)

    @staticmethod
    def _recover_tail(path: Path) -> int:
        """Return the size of the valid prefix of ``path``; truncate a torn tail."""
        valid = 0
        with path.open("rb") as handle:
            data = handle.read()
        while valid + _HEADER.size <= len(data):
            length, crc = _HEADER.unpack_from(data, valid)
            end = valid + _HEADER.size + length
            if end > len(data) or zlib.crc32(data[valid + _HEADER.size : end]) != crc:
                break
            valid = end
        if valid != len(data):
            with path.open("r+b") as handle:
                handle.truncate(valid)
                os.fsync(handle.fileno())
        return valid
