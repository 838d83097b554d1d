"""Attribution benchmark: our models vs the ``channelattribution`` package, same paths.

    .venv/bin/python bench/attribution.py                     # 1M journeys
    .venv/bin/python bench/attribution.py --journeys 100000 --json-out attribution.json

Generates N synthetic journeys (``--channels`` channels, 8 by default; lengths 1-10;
channels follow a random first-order chain with some immediate repeats; about 30 %
convert, the chance rising with the channels touched; converting journeys carry a
log-normal value). Both tools get the *same* table of distinct paths with their
conversion, non-conversion and value totals (channelattribution as its DataFrame of
``"a > b > c"`` path strings — its native input; ours as the ``PathTable`` the store's
SQL rows become; building that table from the rows is timed too).

Timed (fastest of ``--repeat`` runs, 3 by default), in the same process: our
first/last/linear (``heuristic``) and order-1 Markov
(exact removal effects) against ``channelattribution.heuristic_models`` and
``channelattribution.markov_model`` (default parameters: it *simulates* the chain —
``nsim_start`` 1e5 paths, growing until the results vary < 5 % across 10 folds — with
one core). Reported: both times, the largest absolute difference of any channel's
conversions / value per model, and for Markov also the largest relative difference
(channelattribution's simulation noise: ours is the exact absorbing-chain solution).
``--converged`` also runs channelattribution's Markov with ``max_step=1000`` and
``nsim_start=1e7``: without the path-length cut its simulation converges on our exact
answer (the default's few-percent gap is that cut plus simulation noise).
``--per-journey`` gives both tools one row per journey instead of per distinct path.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from omnicx.journeys import _attribution_heuristic as heuristic
from omnicx.journeys._attribution_markov import markov
from omnicx.journeys._attribution_paths import PathTable, paths_from_rows


def generate(
    journeys: int, channels: int, seed: int, aggregate: bool = True
) -> dict[str, np.ndarray]:
    """Paths (flattened channel ids + offsets) with their totals: the distinct paths,
    or with ``aggregate=False`` one row per journey."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 11, size=journeys)
    total = int(lengths.sum())
    transition = rng.dirichlet(np.ones(channels) * 0.7, size=channels)
    transition += np.eye(channels) * 0.25  # some immediate repeats
    transition /= transition.sum(axis=1, keepdims=True)
    cumulative = transition.cumsum(axis=1)
    touches = np.empty(total, dtype=np.int64)
    starts = np.zeros(journeys + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    current = rng.integers(0, channels, size=journeys)
    touches[starts[:-1]] = current
    for step in range(1, 10):
        alive = lengths > step
        draw = rng.random(int(alive.sum()))
        nxt = (draw[:, None] > cumulative[current[alive]]).sum(axis=1)
        current[alive] = np.minimum(nxt, channels - 1)
        touches[starts[:-1][alive] + step] = current[alive]
    # conversion: logistic in the channels touched
    effect = rng.normal(0, 0.6, size=channels)
    pid = np.repeat(np.arange(journeys), lengths)
    touched = np.zeros((journeys, channels), dtype=bool)
    touched[pid, touches] = True
    logit = -1.6 + touched @ effect + 0.08 * lengths
    p = 1.0 / (1.0 + np.exp(-logit))
    converted = rng.random(journeys) < p
    value = np.where(converted, np.round(rng.lognormal(3.5, 0.8, journeys), 2), 0.0)
    if not aggregate:
        return {
            "touches": touches,
            "offsets": starts,
            "journeys": np.ones(journeys),
            "conversions": converted.astype(np.float64),
            "value": value,
            "converting_share": np.array([converted.mean()]),
        }
    # distinct paths: a path as one base-(channels + 1) integer
    key = np.zeros(journeys, dtype=np.int64)
    for step in range(10):
        alive = lengths > step
        digit = np.zeros(journeys, dtype=np.int64)
        digit[alive] = touches[starts[:-1][alive] + step] + 1
        key = key * (channels + 1) + digit
    unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    n_paths = len(unique)
    d_lengths = lengths[first]
    d_offsets = np.zeros(n_paths + 1, dtype=np.int64)
    np.cumsum(d_lengths, out=d_offsets[1:])
    take = _gather(starts[:-1][first], d_lengths, d_offsets)
    return {
        "touches": touches[take],
        "offsets": d_offsets,
        "journeys": np.bincount(inverse, minlength=n_paths).astype(np.float64),
        "conversions": np.bincount(inverse, weights=converted, minlength=n_paths),
        "value": np.bincount(inverse, weights=value, minlength=n_paths),
        "converting_share": np.array([converted.mean()]),
    }


def _gather(starts: np.ndarray, lengths: np.ndarray, offsets: np.ndarray) -> Any:
    within = np.arange(int(lengths.sum())) - np.repeat(offsets[:-1], lengths)
    return np.repeat(starts, lengths) + within


def table_of(data: dict[str, np.ndarray], channels: int) -> PathTable:
    return PathTable(
        tuple(f"ch{c}" for c in range(channels)),
        data["touches"],
        data["offsets"],
        data["journeys"],
        data["conversions"],
        data["value"],
    )


def best_of(repeat: int, fn: Any, *args: Any) -> tuple[Any, float]:
    """The result and the fastest wall time of ``repeat`` runs (the box is shared:
    the minimum is the least disturbed run)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        result, seconds = timed(fn, *args)
        best = min(best, seconds)
    return result, best


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def ours(table: PathTable) -> dict[str, Any]:
    return {
        "first_touch": heuristic.first_touch(table),
        "last_touch": heuristic.last_touch(table),
        "linear": heuristic.linear(table),
        "markov": markov(table, 1),
    }


def converged(frame: Any) -> tuple[Any, float]:
    """channelattribution's Markov without the path-length cut, 1e7 simulations."""
    import ChannelAttribution as ca

    with contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        chain = ca.markov_model(
            frame,
            "path",
            "conv",
            var_value="value",
            var_null="null",
            max_step=1000,
            nsim_start=1e7,
            flg_pro=False,
        )
    return chain, time.perf_counter() - start


def theirs(frame: Any, quiet: bool = True) -> dict[str, Any]:
    import ChannelAttribution as ca

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
        start = time.perf_counter()
        heuristics = ca.heuristic_models(
            frame, "path", "conv", var_value="value", flg_pro=False
        )
        heuristic_s = time.perf_counter() - start
        start = time.perf_counter()
        chain = ca.markov_model(
            frame, "path", "conv", var_value="value", var_null="null", flg_pro=False
        )
        markov_s = time.perf_counter() - start
    return {
        "heuristics": heuristics,
        "markov": chain,
        "heuristic_s": heuristic_s,
        "markov_s": markov_s,
    }


def _markov_frame(result: Any) -> Any:
    result = result["result"] if isinstance(result, dict) else result
    return result.set_index("channel_name")


def markov_difference(table: PathTable, ours: Any, result: Any) -> dict[str, float]:
    theirs = _markov_frame(result)
    conv = theirs["total_conversions"].reindex(table.channels).to_numpy()
    val = theirs["total_conversion_value"].reindex(table.channels).to_numpy()
    return {
        "max_abs_conversions": float(np.abs(ours.conversions - conv).max()),
        "max_abs_value": float(np.abs(ours.value - val).max()),
        "max_rel_conversions": float((np.abs(ours.conversions - conv) / conv).max()),
        "max_rel_value": float((np.abs(ours.value - val) / val).max()),
    }


def differences(
    table: PathTable, mine: dict[str, Any], reference: dict[str, Any]
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    heur = reference["heuristics"].set_index("channel_name")
    columns = {
        "first_touch": "first_touch",
        "last_touch": "last_touch",
        "linear": "linear_touch",
    }
    for model, prefix in columns.items():
        conv = heur[f"{prefix}_conversions"].reindex(table.channels).to_numpy()
        val = heur[f"{prefix}_value"].reindex(table.channels).to_numpy()
        out[model] = {
            "max_abs_conversions": float(np.abs(mine[model].conversions - conv).max()),
            "max_abs_value": float(np.abs(mine[model].value - val).max()),
        }
    out["markov"] = markov_difference(table, mine["markov"], reference["markov"])
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd

    log = (lambda *a: None) if args.json else print
    data, gen_s = timed(
        generate, args.journeys, args.channels, args.seed, not args.per_journey
    )
    table = table_of(data, args.channels)
    log(
        f"generated {args.journeys:,} journeys → {table.n_paths:,} path rows "
        f"({'one per journey' if args.per_journey else 'distinct paths'}), "
        f"{len(table.touches):,} touches, {data['converting_share'][0]:.1%} "
        f"converting ({gen_s:.1f} s)"
    )
    names = np.array(table.channels)
    lists = [
        names[table.touches[a:b]].tolist()
        for a, b in zip(table.offsets[:-1], table.offsets[1:], strict=True)
    ]
    frame = pd.DataFrame(
        {
            "path": [" > ".join(p) for p in lists],
            "conv": table.conversions,
            "null": table.non_conversions,
            "value": table.value,
        }
    )
    # ours: rows (as the SQL returns them) → PathTable, then the models
    # the rows as ATTRIBUTION_PATHS returns them: 1-based channel numbers
    rows = [
        {
            "path": (table.touches[a:b] + 1).tolist(),
            "journeys": j,
            "conversions": c,
            "value": v,
        }
        for a, b, j, c, v in zip(
            table.offsets[:-1].tolist(),
            table.offsets[1:].tolist(),
            table.journeys.tolist(),
            table.conversions.tolist(),
            table.value.tolist(),
            strict=True,
        )
    ]
    _, build_s = best_of(args.repeat, paths_from_rows, rows, table.channels)
    del lists, rows

    def heuristics() -> dict[str, Any]:
        return {
            m: getattr(heuristic, m)(table)
            for m in ("first_touch", "last_touch", "linear")
        }

    mine, heur_s = best_of(args.repeat, heuristics)
    mine["markov"], markov_s = best_of(args.repeat, markov, table, 1)
    runs = [theirs(frame) for _ in range(args.repeat)]
    ref = runs[-1]
    ref["heuristic_s"] = min(r["heuristic_s"] for r in runs)
    ref["markov_s"] = min(r["markov_s"] for r in runs)
    report: dict[str, Any] = {
        "journeys": args.journeys,
        "path_rows": table.n_paths,
        "rows_are": "journeys" if args.per_journey else "distinct paths",
        "touches": len(table.touches),
        "channels": args.channels,
        "converting_share": float(data["converting_share"][0]),
        "ours_s": {
            "build_table_from_rows": build_s,
            "heuristics": heur_s,
            "markov_order1": markov_s,
            "heuristics_plus_markov": heur_s + markov_s,
        },
        "channelattribution_s": {
            "heuristic_models": ref["heuristic_s"],
            "markov_model": ref["markov_s"],
            "heuristics_plus_markov": ref["heuristic_s"] + ref["markov_s"],
        },
        "repeat": args.repeat,
        "max_difference": differences(table, mine, ref),
        "markov_relative_difference_per_run": [
            markov_difference(table, mine["markov"], r["markov"])["max_rel_conversions"]
            for r in runs
        ],
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
    }
    if args.converged:
        chain, converged_s = converged(frame)
        report["channelattribution_converged"] = {
            "params": {"max_step": 1000, "nsim_start": 1e7},
            "seconds": converged_s,
            "max_difference": markov_difference(table, mine["markov"], chain),
        }
    return report


def show(report: dict[str, Any]) -> None:
    ours, ref = report["ours_s"], report["channelattribution_s"]
    print(f"\n{'':34}{'ours':>10}{'channelattribution':>22}")
    rows = [
        ("heuristics (first/last/linear)", "heuristics", "heuristic_models"),
        ("markov order 1", "markov_order1", "markov_model"),
        ("both", "heuristics_plus_markov", "heuristics_plus_markov"),
    ]
    for label, mine, theirs_key in rows:
        a, b = ours[mine], ref[theirs_key]
        print(f"{label:34}{a:>9.2f}s{b:>21.2f}s   ({b / a:,.0f}× faster)")
    print(f"{'(ours: rows → table, once)':34}{ours['build_table_from_rows']:>9.2f}s")
    print("\nmax |difference| per channel (conversions, value):")
    for model, d in report["max_difference"].items():
        extra = ""
        if "max_rel_conversions" in d:
            extra = (
                f"   relative {d['max_rel_conversions']:.2%}, "
                f"{d['max_rel_value']:.2%} (its default: simulated, paths cut at "
                "the longest observed)"
            )
        print(
            f"  {model:14}{d['max_abs_conversions']:.3g}, "
            f"{d['max_abs_value']:.3g}{extra}"
        )
    if "channelattribution_converged" in report:
        c = report["channelattribution_converged"]
        d = c["max_difference"]
        print(
            f"  markov vs channelattribution max_step=1000, nsim 1e7 "
            f"({c['seconds']:.1f} s): relative {d['max_rel_conversions']:.2%}, "
            f"{d['max_rel_value']:.2%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--per-journey",
        action="store_true",
        help="one row per journey instead of one per distinct path",
    )
    parser.add_argument(
        "--converged",
        action="store_true",
        help="also run channelattribution's Markov uncut with 1e7 simulations",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per timing; the fastest counts"
    )
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    report = run(args)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        show(report)


if __name__ == "__main__":
    main()
