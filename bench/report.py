"""BENCHMARKS.md from the results of one run: machine, targets, one table per scenario, scaling, hot spots."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from bench.plan import PRESETS

# (scenario, metric prefix, backend) -> (target, "min" (value >= target) or "max" (value < target), label)
TARGETS = [
    ("rebuild", "full rebuild", "sqlite", 50_000.0, "min", "rebuild ≥ 50k events/s (SQLite)"),
    ("ingest", "end-to-end", "sqlite", 300.0, "min", "ingest ≥ 300 reports/s (SQLite)"),
    ("ingest", "end-to-end", "postgresql", 300.0, "min", "ingest ≥ 300 reports/s (PostgreSQL)"),
    (
        "match",
        "match one report, p99",
        "sqlite",
        20.0,
        "max",
        "match p99 < 20 ms (SQLite, 1M meetings wanted)",
    ),
    (
        "match",
        "match one report, p99",
        "postgresql",
        20.0,
        "max",
        "match p99 < 20 ms (PostgreSQL, 1M meetings wanted)",
    ),
]
# Growth allowed before a figure counts as worse than linear (timing noise on a shared 2-core machine).
NOISE = 1.25

Row = dict[str, Any]


def _fmt(value: float, unit: str = "") -> str:
    if unit == "ms":
        return f"{value:.1f}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def _size(n: int) -> str:
    if n >= 1_000_000 and n % 100_000 == 0:
        return f"{n / 1_000_000:g}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return [*lines, ""]


def _figures(results: list[dict[str, Any]]) -> list[Row]:
    return [f for r in results for f in r.get("figures", [])]


def _machine(described: dict[str, str]) -> list[str]:
    return _table(["", ""], [[k, f"`{v}`" if k == "command" else v] for k, v in described.items()])


def _targets(figures: list[Row]) -> list[str]:
    rows = []
    for scenario, prefix, backend, target, kind, label in TARGETS:
        found = [
            f
            for f in figures
            if f["scenario"] == scenario and f["metric"].startswith(prefix) and f["backend"] == backend
        ]
        if not found:
            continue
        f = max(found, key=lambda f: f["size"])
        value = f["value"]
        met = value >= target if kind == "min" else value < target
        factor = target / value if kind == "min" else value / target
        verdict = "met" if met else f"**missed**, {factor:.1f}x off"
        at = _size(f["size"])
        if "meetings" in f.get("extra", {}):
            at += f" reports ({f['extra']['meetings']:,} meetings)"
        rows.append([label, f"{_fmt(value, f['unit'])} {f['unit']} at {at}", verdict])
    return _table(["target", "measured (largest size run)", "verdict"], rows)


def _eventlog(figures: list[Row]) -> list[str]:
    by: dict[tuple[str, str, int], dict[str, Row]] = defaultdict(dict)
    for f in figures:
        if f["scenario"] == "eventlog":
            by[(f["backend"], f["metric"], f["size"])][f["impl"]] = f
    rows = []
    for (backend, metric, size), impls in sorted(by.items()):
        ours, theirs = impls.get("accord"), impls.get("eventsourcing")
        ratio = f"{ours['value'] / theirs['value']:.2f}" if ours and theirs else "—"
        count = (ours or theirs or {}).get("count", 0)
        rows.append(
            [
                backend,
                metric,
                f"{_size(size)} ({count:,} ops)",
                _fmt(ours["value"]) if ours else "—",
                _fmt(theirs["value"]) if theirs else "—",
                ratio,
            ]
        )
    payload = next((f["extra"].get("payload_bytes") for f in figures if f["scenario"] == "eventlog"), None)
    note = (
        [
            (
                f"Events/s (higher is better); payload {payload:,} bytes of canonical JSON per event, identical "
                "on both sides. *size* is the log length: the batch figure appends that many events in "
                "transactions of 100; the single-event figure then appends more, one per transaction, onto a "
                "log of that length; the read figure reads the whole log back in pages of 1000. "
                "Ratio = ours / eventsourcing."
            ),
            "",
        ]
        if payload
        else []
    )
    return note + _table(["backend", "operation", "size", "accord", "eventsourcing", "ratio"], rows)


def _simple(figures: list[Row], scenario: str, extras: list[tuple[str, str]]) -> list[str]:
    rows = []
    for f in sorted(
        (f for f in figures if f["scenario"] == scenario),
        key=lambda f: (f["backend"], f["metric"], f["size"]),
    ):
        cells = [
            f["backend"],
            f["metric"],
            _size(f["size"]),
            f"{_fmt(f['value'], f['unit'])} {f['unit']}",
            f"{f['seconds']:.1f}" if f["seconds"] else "—",
            f"{f['peak_rss_mb']:.0f}",
        ]
        cells += [str(f["extra"].get(key, f.get(key, "—"))) for key, _ in extras]
        rows.append(cells)
    return _table(
        ["backend", "metric", "size", "value", "timed s", "peak RSS MB", *[h for _, h in extras]], rows
    )


def _scaling(figures: list[Row]) -> list[str]:
    """Per figure measured at two or more sizes: cost per unit of work and memory, smallest vs largest."""
    series: dict[tuple[str, str, str, str], list[Row]] = defaultdict(list)
    for f in figures:
        series[(f["scenario"], f["metric"], f["backend"], f["impl"])].append(f)
    rows = []
    for (scenario, metric, backend, impl), fs in sorted(series.items()):
        if len({f["size"] for f in fs}) < 2:
            continue
        small, large = min(fs, key=lambda f: f["size"]), max(fs, key=lambda f: f["size"])
        grow = large["size"] / small["size"]
        latency = small["unit"] == "ms"
        # latency: the cost of one operation; throughput: its inverse is the time per operation
        per_op = large["value"] / small["value"] if latency else small["value"] / large["value"]
        total = per_op * grow if small["unit"] != "ms" else per_op
        mem = large["peak_rss_mb"] / small["peak_rss_mb"] if small["peak_rss_mb"] else float("nan")
        linear_ok = (total <= grow * NOISE) and (mem <= grow * NOISE)
        rows.append(
            [
                f"{scenario}: {metric}",
                backend if impl == "accord" else f"{backend} ({impl})",
                f"{_size(small['size'])} -> {_size(large['size'])} (x{grow:.0f})",
                f"{_fmt(small['value'], small['unit'])} -> {_fmt(large['value'], large['unit'])} {small['unit']}",
                f"x{per_op:.2f}",
                f"{small['peak_rss_mb']:.0f} -> {large['peak_rss_mb']:.0f} MB (x{mem:.1f})",
                "yes" if linear_ok else "**no**",
            ]
        )
    return [
        (
            "*cost per op* is the time per event/report (throughputs) or per match (latencies) at the large "
            "size divided by that at the small size: 1.0 means the work grows linearly with the data; above 1 "
            "means each operation gets slower as the data grows. *≤ linear* requires the total time and the "
            f"peak memory to grow no faster than the size (with {NOISE:.2f}x allowance for noise); a match "
            "latency, which should not grow with the store at all, counts as its own total."
        ),
        "",
        *_table(["figure", "backend", "size", "value", "cost per op", "peak memory", "≤ linear"], rows),
    ]


def _profiles(results: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for r in results:
        if "profile" not in r:
            continue
        job = r["job"]
        lines += [f"### {job['scenario']} on {job['backend']}, {_size(job['size'])} (pyinstrument)", ""]
        for kind, title in (
            ("inclusive", "Accord functions, inclusive time"),
            ("own", "own time (any code)"),
        ):
            spots = r["profile"].get(kind, [])
            rows = [[f"`{s['where']}`", f"{s['seconds']:.2f}", f"{s['share']:.0%}"] for s in spots]
            lines += [f"{title}:", "", *_table(["function (file:line)", "s", "share"], rows)]
    return lines


def _errors(results: list[dict[str, Any]]) -> list[str]:
    failed = [r for r in results if "error" in r]
    if not failed:
        return []
    rows = [
        [
            r["job"]["scenario"],
            r["job"]["backend"],
            _size(r["job"]["size"]),
            f"{r['wall_seconds']:.0f}",
            r["error"],
        ]
        for r in failed
    ]
    return ["## Jobs that failed", "", *_table(["scenario", "backend", "size", "after s", "error"], rows)]


def _quality() -> list[str]:
    from bench.quality import QUALITY

    if not QUALITY.exists():
        return ["Not measured yet: run `make eval`.", ""]
    return [*QUALITY.read_text(encoding="utf-8").splitlines(), ""]


def _merged(runs: Sequence[dict[str, Any]]) -> list[str]:
    lines = []
    for run in runs:
        m = run["machine"]
        lines += [
            (
                f"Merged in: a run of preset **{run['preset']}** ({len(run['results'])} jobs, "
                f"{run['seconds'] / 60:.1f} minutes) on {m.get('date', '?')} at commit "
                f"{m.get('git commit', '?')}, `{m.get('command', '?')}`, on the same machine; its figures "
                "appear in the tables beside this run's."
            ),
            "",
        ]
    return lines


def render(
    described: dict[str, str],
    preset: str,
    results: list[dict[str, Any]],
    total_seconds: float,
    *,
    merged: Sequence[dict[str, Any]] = (),
) -> str:
    """BENCHMARKS.md for a run; ``merged`` are other saved runs (``--json`` files) whose figures are shown
    beside this run's, each named with its preset, date and commit."""
    from bench import notes

    figures = _figures([*results, *(r for run in merged for r in run["results"])])
    sizes = PRESETS[preset]
    out = [
        "# Benchmarks",
        "",
        (
            "Generated by `make bench` (`python -m bench.run --out BENCHMARKS.md`); do not edit by hand — "
            "the analysis lives in `bench/notes.py`. "
            f"Preset **{preset}**, {len(results)} jobs, {total_seconds / 60:.1f} minutes in all, each job in "
            "its own process (peak RSS is that process's `ru_maxrss`: interpreter, libraries and data)."
        ),
        "",
        *_merged(merged),
        "## Machine and run",
        "",
        *_machine(described),
        "## Targets",
        "",
        *_targets(figures),
        *notes.summary(preset, sizes),
        "## 1. Event log: ours vs eventsourcing",
        "",
        *_eventlog(figures),
        *notes.EVENTLOG,
        "## 2. Projection rebuild",
        "",
        *_simple(figures, "rebuild", [("log_build_seconds", "log build s")]),
        *notes.REBUILD,
        "## 3. End-to-end ingest",
        "",
        *_simple(figures, "ingest", []),
        *notes.INGEST,
        "## 4. Match latency",
        "",
        *_simple(
            figures,
            "match",
            [
                ("count", "probes"),
                ("reports", "reports"),
                ("meetings", "meetings"),
                ("match_keys", "keys"),
                ("mean_decisions", "decisions/match"),
                ("max_ms", "max ms"),
                ("load_seconds", "load s"),
            ],
        ),
        *notes.MATCH,
        "## 5. Scaling: 10x more data",
        "",
        *_scaling(figures),
        "## 6. Matching quality (from `make eval`)",
        "",
        *_quality(),
        "## Hot spots",
        "",
        *_profiles(results),
        *notes.HOT_SPOTS,
        *_errors(results),
    ]
    return "\n".join(out).rstrip() + "\n"
