"""Processing behind the log: dedup, replay after a crash, rejections kept."""

from __future__ import annotations

import json

import pytest

from omnicx.runtime import Runtime


def batch(*messages):
    return json.dumps({"batch": list(messages)}).encode()


def track(message_id, user="u1", event="Order Completed", **extra):
    return {
        "type": "track",
        "event": event,
        "userId": user,
        "messageId": message_id,
        "timestamp": "2026-03-01T10:00:00Z",
        **extra,
    }


@pytest.fixture
def quiet_runtime(settings):
    runtime = Runtime.open(settings, start_processor=False)
    yield runtime
    runtime.close()


def test_duplicate_deliveries_are_stored_once(quiet_runtime):
    rt = quiet_runtime
    ws = rt.store.state.create_workspace("w")
    body = batch(track("m1"), track("m2"), track("m1"))
    rt.ingest.ingest_blocking("batch", body, ws.source.write_key)
    rt.ingest.ingest_blocking("batch", body, ws.source.write_key)
    while rt.processor.process_available():
        pass
    assert rt.store.events.count_events(ws.workspace.id) == 2


def test_crash_between_event_insert_and_commit_does_not_duplicate(settings):
    rt = Runtime.open(settings, start_processor=False)
    ws = rt.store.state.create_workspace("w")
    key = ws.source.write_key
    rt.ingest.ingest_blocking("batch", batch(track("m1"), track("m2")), key)

    original = rt.store.state.set_processing_value

    def crash(conn, name, value):
        if name == "log_checkpoint":
            raise RuntimeError("simulated crash before commit")
        original(conn, name, value)

    rt.store.state.set_processing_value = crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        rt.processor.process_available()
    assert rt.store.events.count_events(ws.workspace.id) == 2  # reached chdb
    rt.close()

    again = Runtime.open(settings, start_processor=False)
    try:
        again.ingest.ingest_blocking("batch", batch(track("m3")), key)
        while again.processor.process_available():
            pass
        assert again.store.events.count_events(ws.workspace.id) == 3
        assert again.store.state.count_profiles(ws.workspace.id) == 1
    finally:
        again.close()


def test_unprocessed_log_is_replayed_on_start(settings):
    rt = Runtime.open(settings, start_processor=False)
    ws = rt.store.state.create_workspace("w")
    rt.ingest.ingest_blocking(
        "batch", batch(track("m1"), track("m2")), ws.source.write_key
    )
    rt.close()  # acknowledged, never processed

    again = Runtime.open(settings)
    try:
        assert again.processor.drain(30)
        assert again.store.events.count_events(ws.workspace.id) == 2
    finally:
        again.close()


def test_rejections_are_kept_for_inspection(quiet_runtime):
    rt = quiet_runtime
    ws = rt.store.state.create_workspace("w")
    result = rt.ingest.ingest_blocking(
        "batch",
        batch(track("ok"), {"type": "track", "userId": "u"}),
        ws.source.write_key,
    )
    assert result.rejected == [
        {
            "index": 1,
            "field": "batch[1].event",
            "message": "a track call needs a non-empty event name",
        }
    ]
    while rt.processor.process_available():
        pass
    rows = rt.store.state.rejections(ws.workspace.id, 10, None)
    assert [(r["batch_index"], r["field"]) for r in rows] == [(1, "batch[1].event")]
    assert json.loads(rows[0]["payload"]) == {"type": "track", "userId": "u"}


def test_log_segments_rotate_and_are_dropped_after_processing(tmp_path):
    from omnicx.settings import load_settings

    settings = load_settings(
        {"data": str(tmp_path / "d"), "log_segment_bytes": 300}, environ={}
    )
    rt = Runtime.open(settings, start_processor=False)
    try:
        ws = rt.store.state.create_workspace("w")
        for i in range(20):
            rt.ingest.ingest_blocking(
                "batch", batch(track(f"m{i}", user=f"u{i}")), ws.source.write_key
            )
        assert len(rt.store.log.segments()) > 3
        while rt.processor.process_available():
            pass
        assert rt.store.events.count_events(ws.workspace.id) == 20
        assert len(rt.store.log.segments()) <= 2
    finally:
        rt.close()
