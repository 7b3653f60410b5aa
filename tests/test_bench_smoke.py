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


def test_a_saved_large_run_is_merged_into_the_report(tmp_path: Path) -> None:
    def figure(size: int, value: float) -> dict[str, object]:
        return {
            "scenario": "rebuild",
            "metric": "full rebuild (replay into empty projections)",
            "backend": "sqlite",
            "impl": "accord",
            "size": size,
            "value": value,
            "unit": "events/s",
            "count": size,
            "seconds": size / value,
            "peak_rss_mb": size / 300,
            "extra": {},
        }

    def saved(preset: str, date: str, size: int, value: float) -> dict[str, object]:
        job = {"scenario": "rebuild", "backend": "sqlite", "size": size, "params": {}, "profile": False}
        result = {"job": job, "figures": [figure(size, value)], "wall_seconds": 1.0}
        return {
            "machine": {"date": date, "git commit": "abc1234"},
            "preset": preset,
            "results": [result],
            "seconds": 60.0,
        }

    main, large = tmp_path / "main.json", tmp_path / "large-rebuild.json"
    main.write_text(json.dumps(saved("smoke", "today", 100_000, 11_000.0)))
    large.write_text(json.dumps(saved("large", "yesterday", 1_000_000, 9_000.0)))
    out = tmp_path / "B.md"

    assert run.main(["--render", str(main), "--merge", str(large), "--out", str(out)]) == 0
    text = out.read_text()
    assert "Merged in: a run of preset **large**" in text
    assert "yesterday at commit abc1234" in text
    assert "| 1M | 9,000 events/s |" in text
    assert "100k -> 1M (x10)" in text  # the scaling table spans both runs


@pytest.mark.parametrize("cycle", [1, 2, 7])
def test_shifted_keys_are_the_index_keys_of_the_shifted_profile(cycle: int) -> None:
    from dataclasses import replace

    from bench.match_latency import CYCLE_SHIFT, shifted_keys
    from matcher import index_keys
    from tests.test_matcher_cases import profile

    for base in (
        profile("a", date_from="2019-12-30", people={"anna kovalenko"}, places={"tarnow"}),
        profile("b", date_from="2020-12-28", date_to="2021-01-09", organizations={"eldoria"}),
        profile("c", date_from="2016-02-29", people={"jan novak", "ola berg"}),
    ):
        assert base.date_from is not None
        assert base.date_to is not None
        shifted = replace(
            base,
            date_from=base.date_from + CYCLE_SHIFT * cycle,
            date_to=base.date_to + CYCLE_SHIFT * cycle,
        )
        assert sorted(shifted_keys(index_keys(base), cycle, {})) == sorted(index_keys(shifted))
        assert index_keys(shifted) != index_keys(base)
