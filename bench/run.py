"""Run the benchmarks and write BENCHMARKS.md.

    python -m bench.run --out BENCHMARKS.md [--quick] [--only eventlog|rebuild|ingest|match]

Each measurement runs in a child process of its own (``--job``), so its peak memory is its own and one
scenario's caches do not help another. Run from the repository root with the project's venv.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.measure import Figure, peak_rss_mb
from bench.plan import PRESETS, SCENARIOS, Job, jobs

ROOT = Path(__file__).resolve().parent.parent


def run_job(job: Job) -> dict[str, Any]:
    """Run one job in this process; return what the parent needs (figures or hot spots)."""
    from bench import eventlog, ingest, match_latency, rebuild

    if job.profile:
        module = {"rebuild": rebuild, "ingest": ingest}[job.scenario]
        spots = module.hot_spots(job.backend, job.size)
        return {"profile": {k: [asdict(s) for s in v] for k, v in spots.items()}}
    figures: list[Figure]
    if job.scenario == "eventlog":
        plan = eventlog.Plan(size=job.size, singles=job.params["singles"])
        figures = eventlog.measure(job.backend, job.params["impl"], plan)
    elif job.scenario == "rebuild":
        figures = rebuild.measure(job.backend, job.size)
    elif job.scenario == "ingest":
        figures = ingest.measure(job.backend, job.size)
    elif job.scenario == "match":
        figures = match_latency.measure(job.backend, job.size, job.params["probes"])
    else:
        raise ValueError(f"unknown scenario {job.scenario!r}")
    peak = peak_rss_mb()
    for f in figures:
        f.peak_rss_mb = peak
    return {"figures": [f.to_dict() for f in figures]}


def spawn(job: Job, timeout: float | None = None) -> dict[str, Any]:
    """Run ``job`` in a fresh interpreter and return its result; a failure (or running longer than
    ``timeout`` seconds) is recorded, not raised."""
    spec = json.dumps(asdict(job))
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.run", "--job", spec],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        error = f"stopped after {timeout:.0f} s (the preset's time limit per job)"
        return {"job": asdict(job), "error": error, "wall_seconds": time.perf_counter() - started}
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        error = f"exit status {proc.returncode}: {tail}"  # negative: killed by that signal
        return {"job": asdict(job), "error": error, "wall_seconds": elapsed}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"job": asdict(job), **result, "wall_seconds": elapsed}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default="BENCHMARKS.md", help="Markdown file to write (default BENCHMARKS.md)"
    )
    parser.add_argument("--quick", action="store_true", help="sizes ten times smaller, a few minutes in all")
    parser.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="full (default, ~25 min), large (match at 1M meetings, 1M rebuild, 10k/100k ingest: ~45 min), quick, or smoke (tests)",
    )
    parser.add_argument("--only", choices=SCENARIOS, help="run one scenario")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql (default both)"
    )
    parser.add_argument("--no-eventsourcing", action="store_true", help="skip the eventsourcing comparison")
    parser.add_argument("--json", help="also write the raw results as JSON here")
    parser.add_argument("--render", metavar="JSON", help="only re-render --out from a --json file of a run")
    parser.add_argument(
        "--merge",
        action="append",
        default=[],
        metavar="JSON",
        help="also show the results of another run on this machine (its --json file, e.g. --preset large's 1M jobs)",
    )
    parser.add_argument("--job", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


LAST_RUN = Path(__file__).resolve().parent / "last-run.json"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    if args.job:
        print(json.dumps(run_job(Job(**json.loads(args.job)))))
        return 0
    from bench import eventlog, machine, report

    merged = [json.loads(Path(path).read_text()) for path in args.merge]
    if args.render:
        saved = json.loads(Path(args.render).read_text())
        text = report.render(
            saved["machine"], saved["preset"], saved["results"], saved["seconds"], merged=merged
        )
        Path(args.out).write_text(text, encoding="utf-8")
        return 0
    preset = args.preset or ("quick" if args.quick else "full")
    backends = tuple(b for b in args.backends.split(",") if b)
    impls = (
        ("accord",)
        if args.no_eventsourcing or not eventlog.eventsourcing_available()
        else (
            "accord",
            "eventsourcing",
        )
    )
    planned = jobs(preset, backends, args.only, impls)
    described = machine.describe(argv)
    results = []
    started = time.perf_counter()
    for i, job in enumerate(planned, 1):
        print(f"[{i}/{len(planned)}] {job.label()} ...", file=sys.stderr, flush=True)
        result = spawn(job, PRESETS[preset].timeout_s)
        print(
            f"    {result.get('error', 'ok')} ({result['wall_seconds']:.0f} s)", file=sys.stderr, flush=True
        )
        results.append(result)
    total = time.perf_counter() - started
    Path(args.out).write_text(
        report.render(described, preset, results, total, merged=merged), encoding="utf-8"
    )
    raw = Path(args.json) if args.json else LAST_RUN  # committed, so `make eval` can re-render
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(
        json.dumps({"machine": described, "preset": preset, "results": results, "seconds": total}, indent=1)
    )
    print(f"wrote {args.out} ({total / 60:.1f} min)", file=sys.stderr)
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
