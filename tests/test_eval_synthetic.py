"""The synthetic stream: deterministic by seed, exact size, consistent labels and dates, real variety."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest

from evaluation.synthetic import MAX_PUBLICATION_LAG, SyntheticReport, generate
from evaluation.synthetic_writing import MONTHS


@pytest.fixture(scope="module")
def stream() -> list[SyntheticReport]:
    return list(generate(1000, seed=7))


def test_same_seed_same_stream_other_seed_other_stream(stream: list[SyntheticReport]) -> None:
    assert list(generate(1000, seed=7)) == stream
    assert [r.text for r in generate(50, seed=8)] != [r.text for r in stream[:50]]


def test_exact_size_and_unique_sources(stream: list[SyntheticReport]) -> None:
    assert len(stream) == 1000
    assert len({r.source for r in stream}) == 1000
    assert all(re.fullmatch(r"synthetic://outlet-\d+/\d{7}", r.source) for r in stream)


def test_group_sizes_follow_reports_per_meeting(stream: list[SyntheticReport]) -> None:
    sizes = Counter(r.gold for r in stream)
    # Only the last event may be cut short so that the total is exact.
    assert sum(1 for size in sizes.values() if not 1 <= size <= 4) == 0
    exact = Counter(r.gold for r in generate(300, seed=1, reports_per_meeting=(3, 3)))
    assert set(exact.values()) == {3}


def test_each_outlet_writes_an_event_once(stream: list[SyntheticReport]) -> None:
    by_gold: dict[str, list[str]] = defaultdict(list)
    for report in stream:
        by_gold[report.gold].append(report.source.split("/")[2])
    assert all(len(outlets) == len(set(outlets)) for outlets in by_gold.values())


_DATES = re.compile(
    r"\b(\d{2})\.(\d{2})\.(\d{4})\b|\b(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})\b"
    r"|\b(" + "|".join(MONTHS) + r") (\d{1,2}), (\d{4})\b"
)


def _dates_in(text: str) -> set[dt.date]:
    found = set()
    for m in _DATES.finditer(text):
        if m.group(1):
            found.add(dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
        elif m.group(4):
            found.add(dt.date(int(m.group(6)), MONTHS.index(m.group(5)) + 1, int(m.group(4))))
        else:
            found.add(dt.date(int(m.group(9)), MONTHS.index(m.group(7)) + 1, int(m.group(8))))
    return found


def test_dates_are_consistent(stream: list[SyntheticReport]) -> None:
    for report in stream:
        event, published = dt.date.fromisoformat(report.event_date), dt.date.fromisoformat(report.published)
        assert 0 <= (published - event).days <= MAX_PUBLICATION_LAG
        assert _dates_in(report.text) <= {event, published}, report.text
    weekday_reports = [
        r for r in stream if re.search(r"\bon (Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b", r.text)
    ]
    assert weekday_reports
    for report in weekday_reports:
        assert dt.date.fromisoformat(report.event_date).strftime("%A") in report.text


def test_recurring_pairs_are_hard_negatives(stream: list[SyntheticReport]) -> None:
    participants = {r.gold: set(r.participants) for r in stream}
    recurring = [r for r in stream if r.hard_negative_of is not None]
    assert len({r.gold for r in recurring}) >= 20
    for report in recurring:
        assert report.hard_negative_of in participants
        assert report.hard_negative_of < report.gold  # an earlier meeting
        assert participants[report.hard_negative_of] == set(report.participants)
    assert all(r.hard_negative_of is None for r in generate(300, seed=7, recurring_share=0.0))


def test_variety_of_styles_events_and_spellings(stream: list[SyntheticReport]) -> None:
    assert any(r.text.startswith(" date ") for r in stream)
    assert any("\nLast news\n" in r.text for r in stream)
    kinds = Counter(r.kind for r in stream)
    assert kinds["meeting"] > 0.85 * len(stream)
    assert len(kinds) >= 3
    respelt = [
        r for r in stream if r.kind == "meeting" and not all(name in r.text for name in r.participants)
    ]
    assert respelt


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"reports_per_meeting": (0, 2)}, "reports_per_meeting", id="zero_reports"),
        pytest.param({"reports_per_meeting": (3, 2)}, "reports_per_meeting", id="inverted_range"),
        pytest.param({"recurring_share": 1.5}, "recurring_share", id="share_above_one"),
        pytest.param({"reports_per_day": 0.0}, "reports_per_day", id="no_reports_a_day"),
    ],
)
def test_bad_arguments_raise(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(10, **kwargs)  # type: ignore[arg-type]


def test_reports_per_day_sets_the_density_not_the_default(stream: list[SyntheticReport]) -> None:
    # Passing no density is the stream every figure was measured on: the same reports, byte for byte.
    assert list(generate(1000, seed=7, reports_per_day=None)) == stream

    def days_covered(reports: list[SyntheticReport]) -> int:
        dates = [dt.date.fromisoformat(r.event_date) for r in reports]
        return (max(dates) - min(dates)).days + 1

    small = list(generate(1000, seed=3, reports_per_day=5.0))
    large = list(generate(4000, seed=3, reports_per_day=5.0))
    # A fixed density: four times the reports cover about four times the days, at about 5 a day.
    for reports in (small, large):
        assert 4.0 < len(reports) / days_covered(reports) < 6.5
    assert 3.0 < days_covered(large) / days_covered(small) < 5.0

    # Person by person too: the first thousand reports of either stream name about as many people.
    def people(reports: list[SyntheticReport]) -> int:
        return len({p for r in reports for p in r.participants})

    assert 0.8 < people(large[:1000]) / people(small) < 1.25
    # By default a larger stream is packed into the same years, among more people, instead.
    default_small, default_large = list(generate(1000, seed=3)), list(generate(4000, seed=3))
    assert days_covered(default_large) / days_covered(default_small) < 2.0
    assert people(default_large[:1000]) / people(default_small) > 1.5
