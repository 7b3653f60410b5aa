"""End to end on the shared sample reports: extraction, profiles, blocking, clustering.

Runs only once the extractor is importable; the texts stay in /work/shared and are never copied here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher import cluster, expand_component, index_keys, profile_from_extraction, query_keys

SEEDS = Path("/work/shared/seeds")

pytestmark = pytest.mark.skipif(not (SEEDS / "expected.json").exists(), reason="shared seeds not present")


def test_seed_reports_group_as_expected() -> None:
    report = pytest.importorskip("extract.report")
    profiles = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        profiles.append(
            profile_from_extraction(path.name, report.extract_report(text, published=None), text, None)
        )
    expected = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))
    truth = tuple(sorted(tuple(sorted(m["reports"])) for m in expected["meetings"]))

    assert cluster(profiles).clusters == truth

    # Blocking and the component walk must not lose the pair either.
    by_key: dict[str, set[str]] = {}
    for p in profiles:
        for key in index_keys(p):
            by_key.setdefault(key, set()).add(p.report_id)
    by_id = {p.report_id: p for p in profiles}

    def fetch(p: object) -> list:
        ids = set().union(*(by_key.get(k, set()) for k in query_keys(p)))  # type: ignore[arg-type]
        return [by_id[i] for i in sorted(ids)]

    for group in truth:
        reached = {p.report_id for p in expand_component(by_id[group[0]], fetch)}
        assert set(group) <= reached
