"""The benchmark harness runs end to end at toy sizes. No timing is asserted: figures are BENCHMARKS.md's job."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bench import run


@pytest.mark.slow
def test_every_scenario_runs_and_the_report_is_written(tmp_path: Path) -> None:
    out, raw = tmp_path / "BENCHMARKS.md", tmp_path / "results.json"
    args = ["--preset", "smoke", "--backends", "sqlite", "--out", str(out), "--json", str(raw)]
    if importlib.util.find_spec("eventsourcing") is None:
        args.append("--no-eventsourcing")

    status = run.main(args)

    results = json.loads(raw.read_text())["results"]
    assert [r.get("error") for r in results if "error" in r] == []
    assert status == 0
    scenarios = {f["scenario"] for r in results for f in r.get("figures", [])}
    assert scenarios == {"eventlog", "rebuild", "ingest", "match"}
    assert all(f["value"] > 0 and f["peak_rss_mb"] > 0 for r in results for f in r.get("figures", []))
    text = out.read_text()
    for heading in (
        "## Machine and run",
        "## 1. Event log",
        "## 2. Projection rebuild",
        "## 3. End-to-end",
        "## 4. Match latency",
        "## 5. Scaling",
        "## Hot spots",
    ):
        assert heading in text


def test_a_rendered_report_can_be_re_rendered_from_its_json(tmp_path: Path) -> None:
    raw = tmp_path / "results.json"
    saved = {"machine": {"date": "today"}, "preset": "smoke", "results": [], "seconds": 0.0}
    raw.write_text(json.dumps(saved))

    assert run.main(["--render", str(raw), "--out", str(tmp_path / "B.md")]) == 0
    assert "| date | today |" in (tmp_path / "B.md").read_text()
