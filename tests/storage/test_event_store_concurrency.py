"""Concurrent reads on one event store each get their own answer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from omnicx.storage import ChdbEventStore


def test_parameterised_reads_from_many_threads_do_not_mix(tmp_path):
    store = ChdbEventStore(tmp_path / "events")
    try:

        def read(i: int) -> tuple[int, int]:
            rows = store.query_rows(
                "SELECT {n:UInt32} AS n, length({s:String}) AS l",
                {"n": i, "s": "x" * i},
            )
            return rows[0]["n"], rows[0]["l"]

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(read, range(400)))
        assert results == [(i, i) for i in range(400)]
    finally:
        store.close()
