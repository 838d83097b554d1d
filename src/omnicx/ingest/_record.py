"""What one ingest-log record holds: accepted events and rejections of one request."""

from __future__ import annotations

import msgspec

from omnicx.contracts import Event
from omnicx.ingest._messages import Rejection


class LogRecord(msgspec.Struct, array_like=True, gc=False):
    events: list[Event]
    rejected: list[Rejection] = []


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(LogRecord)


def encode_record(record: LogRecord) -> bytes:
    return _encoder.encode(record)


def decode_record(payload: bytes) -> LogRecord:
    return _decoder.decode(payload)
