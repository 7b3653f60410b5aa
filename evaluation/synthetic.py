"""A deterministic-by-seed stream of labelled synthetic news reports about meetings (and a few disasters).

Each event is written up by 1-4 different outlets in their own house styles, published 0-3 days later.
A share of meetings bring back a pair of people who met before: the agency re-uses its boilerplate for
the pair, so the two meetings look alike although they are different events (the hard negatives).

The stream is a generator with bounded state (a small shuffle window and a capped pool of known pairs),
so a million reports take constant memory.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

from evaluation.synthetic_world import Person, World, build_world
from evaluation.synthetic_writing import (
    BACKGROUND,
    DATE_STYLES,
    FORMATS,
    INCIDENT_KINDS,
    STYLES,
    TOPICS,
    Incident,
    Meeting,
    Outlet,
    write,
)

START = dt.date(2016, 1, 4)
SPAN_DAYS = 8 * 365
SHUFFLE_WINDOW = 32  # reports of one event arrive near each other, interleaved with other events
PAIR_POOL = 2000  # pairs remembered for recurrences; bounds memory
MAX_PUBLICATION_LAG = 3
_TOPICS = tuple(TOPICS)


@dataclass(frozen=True, kw_only=True)
class SyntheticReport:
    """One labelled report. ``gold`` is the event key; ``hard_negative_of`` the pair's previous meeting."""

    source: str
    title: str
    published: str
    text: str
    gold: str
    event_date: str
    kind: str
    participants: tuple[str, ...]
    outlet: str
    hard_negative_of: str | None


@dataclass(kw_only=True)
class _PairMemory:
    people: tuple[Person, Person]
    last_key: str
    topic: str
    background: tuple[int, ...]


def _outlets(world: World, rng: random.Random, count: int = 12) -> tuple[Outlet, ...]:
    outlets = []
    for i in range(count):
        style = STYLES[i % len(STYLES)]
        # Web dumps mostly give only their own "Published" date, agencies like "on Tuesday".
        date_style = {"web": "none", "agency": "weekday"}.get(style) if rng.random() < 0.6 else None
        outlets.append(
            Outlet(
                slug=f"outlet-{i}",
                name=f"{rng.choice(world.places).country} {style.title()} {i}",
                style=style,
                spelling=rng.randrange(6),
                date_style=date_style or rng.choice(DATE_STYLES),
                home=rng.choice(world.places),
                boilerplate_last=i % 2 == 1,
            )
        )
    return tuple(outlets)


class _Stream:
    def __init__(
        self,
        n_reports: int,
        seed: int,
        reports_per_meeting: tuple[int, int],
        recurring_share: float,
        reports_per_day: float | None,
    ) -> None:
        low, high = reports_per_meeting
        if not 1 <= low <= high:
            raise ValueError(
                f"reports_per_meeting must be (low, high) with 1 <= low <= high, got {low, high}"
            )
        if not 0.0 <= recurring_share <= 1.0:
            raise ValueError(f"recurring_share must be within [0, 1], got {recurring_share}")
        if reports_per_day is not None and not reports_per_day > 0:
            raise ValueError(f"reports_per_day must be positive, got {reports_per_day}")
        self.rng = random.Random(seed)
        self.n_reports = n_reports
        self.low, self.high = low, high
        self.recurring_share = recurring_share
        # By default the world grows with the stream; at a fixed density it is the world of the reports
        # of one default span, so that every week of a longer stream is as busy, person by person.
        reach = n_reports if reports_per_day is None else round(reports_per_day * SPAN_DAYS)
        self.world = build_world(self.rng, people=max(30, min(5000, reach // 5)))
        self.outlets = _outlets(self.world, self.rng)
        self.pairs: list[_PairMemory] = []
        per_event = (low + high) / 2
        if reports_per_day is None:
            expected_events = max(1.0, n_reports / per_event)
            self.mean_gap_days = max(0.005, min(4.0, SPAN_DAYS / expected_events))
        else:
            self.mean_gap_days = per_event / reports_per_day

    def _meeting(self, key: str, day: dt.date) -> tuple[Meeting, str | None]:
        rng = self.rng
        previous: str | None = None
        if self.pairs and rng.random() < self.recurring_share:
            memory = rng.choice(self.pairs)
            previous = memory.last_key
            memory.last_key = key
            if rng.random() < 0.4:
                memory.topic = rng.choice(_TOPICS)
        else:
            first, second = rng.sample(self.world.people, 2)
            background = tuple(rng.sample(range(len(BACKGROUND)), 3))
            memory = _PairMemory(
                people=(first, second), last_key=key, topic=rng.choice(_TOPICS), background=background
            )
            if len(self.pairs) < PAIR_POOL:
                self.pairs.append(memory)
            else:
                self.pairs[rng.randrange(PAIR_POOL)] = memory
        first, second = memory.people
        meeting_format = rng.choices(FORMATS, weights=(0.35, 0.5, 0.15))[0]
        meeting = Meeting(
            key=key,
            date=day,
            first=first,
            second=second,
            format=meeting_format,
            city=rng.choice(rng.choice((first, second)).place.cities),
            topic=memory.topic,
            background=memory.background,
            previous_key=previous,
        )
        return meeting, previous

    def _incident(self, key: str, day: dt.date) -> Incident:
        place = self.rng.choice(self.world.places)
        return Incident(
            key=key,
            date=day,
            kind=self.rng.choice(INCIDENT_KINDS),
            place=place,
            city=self.rng.choice(place.cities),
            number=self.rng.randint(12, 4000),
        )

    def _event_reports(self, number: int, day: dt.date, count: int) -> Iterator[SyntheticReport]:
        rng = self.rng
        event: Meeting | Incident
        participants: tuple[str, ...] = ()
        if rng.random() < 0.05:
            event = self._incident(f"incident-{number:07d}", day)
            previous, kind = None, event.kind
        else:
            event, previous = self._meeting(f"meeting-{number:07d}", day)
            kind, participants = "meeting", (event.first.name, event.second.name)
        for outlet in rng.sample(self.outlets, count):
            published = day + dt.timedelta(days=rng.randint(0, MAX_PUBLICATION_LAG))
            title, text = write(event, outlet, published, self.world, rng)
            yield SyntheticReport(
                source=outlet.slug,  # completed with the serial number when emitted
                title=title,
                published=published.isoformat(),
                text=text,
                gold=event.key,
                event_date=day.isoformat(),
                kind=kind,
                participants=participants,
                outlet=outlet.name,
                hard_negative_of=previous,
            )

    def __iter__(self) -> Iterator[SyntheticReport]:
        rng = self.rng
        window: list[SyntheticReport] = []
        serial = 0
        remaining = self.n_reports
        clock = 0.0
        number = 0
        while remaining > 0 or window:
            if remaining > 0 and len(window) < SHUFFLE_WINDOW:
                number += 1
                clock += rng.expovariate(1 / self.mean_gap_days)
                count = min(rng.randint(self.low, self.high), remaining, len(self.outlets))
                remaining -= count
                window.extend(self._event_reports(number, START + dt.timedelta(days=int(clock)), count))
                continue
            picked = rng.randrange(len(window))
            window[picked], window[-1] = window[-1], window[picked]
            report = window.pop()
            yield replace(report, source=f"synthetic://{report.source}/{serial:07d}")
            serial += 1


def generate(
    n_reports: int,
    *,
    seed: int = 0,
    reports_per_meeting: tuple[int, int] = (1, 4),
    recurring_share: float = 0.3,
    reports_per_day: float | None = None,
) -> Iterator[SyntheticReport]:
    """Yield exactly ``n_reports`` labelled reports; the same arguments always yield the same stream.

    Every event gets between ``reports_per_meeting`` reports (the last event may get fewer, so the total
    is exact, and never more than the 12 outlets). ``recurring_share`` is the share of meetings that bring
    back a pair of people who met before.

    By default the reports are spread over about eight years from 2016 (at least one event every four
    days on average), so a larger ``n_reports`` is also a denser stream. ``reports_per_day`` fixes the
    density instead: events come at that mean rate of reports a day, among the people of a world sized for
    eight years at that rate, and a larger stream covers more time, as a longer-running archive would.
    """
    return iter(_Stream(n_reports, seed, reports_per_meeting, recurring_share, reports_per_day))
