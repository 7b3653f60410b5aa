"""The pure meeting fold, on hand-built report states (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from extract.facts import Extraction, Fact
from matcher import blocking_keys, profile_from_extraction
from store.events import ReportExtracted, canonical_json
from store.fold import (
    FACT_COLUMNS,
    MEETING_COLUMNS,
    MEMBER_COLUMNS,
    SOURCE_COLUMNS,
    ReportState,
    Review,
    date_window,
    derive_report,
    derive_reports,
    fold_meeting,
    fold_meetings,
    meeting_rows,
)


def fact(field: str, value: str, start: int = 0, rule: str = "test", **attrs: str | None) -> Fact:
    return Fact(
        field=field, value=value, start=start, end=start + len(value), quote=value, rule=rule, attrs=attrs
    )


def report(n: int, facts: list[Fact], date: tuple[str | None, str | None] = (None, None)) -> ReportState:
    extraction = Extraction(
        extractor_version="x-1", date_from=date[0], date_to=date[1], facts=tuple(facts), body=()
    )
    return ReportState(
        article_id=f"{n:020d}",
        source=f"r{n}.txt",
        origin=f"r{n}.txt",
        title=f"title {n}",
        published=None,
        content_hash="h",
        revision=1,
        received_position=n * 10,
        article_position=n * 10,
        extraction_position=n * 10 + 1,
        extractor_version="x-1",
        extraction=canonical_json(extraction.to_dict()),
        decision_position=n * 10 + 2,
        outcome="merged",
    )


def values(view: Any, field: str) -> list[str]:
    return [f["value"] for f in view.facts if f["field"] == field]


PERSON_ROWS = [
    pytest.param(["haldane joren", "haldane j", "haldane"], ["Joren Haldane"], id="initial and surname join the full name"),
    pytest.param(["haldane joren", "haldane mia", "haldane"], ["Joren Haldane", "Mia Haldane", "Haldane"],
                 id="a bare surname with two candidates stays apart"),
    pytest.param(["rell ada", "birk tom"], ["Ada Rell", "Tom Birk"], id="different people stay apart"),
]  # fmt: skip


@pytest.mark.parametrize(("keys", "expected"), PERSON_ROWS)
def test_participant_spellings_are_unified(keys: list[str], expected: list[str]) -> None:
    names = {
        "haldane joren": "Joren Haldane", "haldane j": "J. Haldane", "haldane": "Haldane",
        "haldane mia": "Mia Haldane", "rell ada": "Ada Rell", "birk tom": "Tom Birk",
    }  # fmt: skip
    members = [report(i + 1, [fact("participant", names[k], key=k)]) for i, k in enumerate(keys)]
    view = fold_meeting(members, [])
    assert sorted(values(view, "participant")) == sorted(expected)


def test_date_is_the_intersection_of_the_windows() -> None:
    members = [report(1, [], ("2023-03-14", "2023-03-14")), report(2, [], ("2023-02-13", "2023-03-15"))]
    view = fold_meeting(members, [])
    assert (view.meeting["date_from"], view.meeting["date_to"]) == ("2023-03-14", "2023-03-14")
    [date] = [f for f in view.facts if f["field"] == "date"]
    assert date["rule"] == "intersection"
    assert date["alternatives"] == canonical_json(["2023-02-13..2023-03-15"])


def test_disjoint_windows_keep_the_most_supported_and_list_the_other() -> None:
    members = [
        report(1, [], ("2023-03-14", "2023-03-14")),
        report(2, [], ("2023-03-14", "2023-03-14")),
        report(3, [], ("2024-03-06", "2024-03-06")),
    ]
    view = fold_meeting(members, [])
    assert view.meeting["date_from"] == "2023-03-14"
    [date] = [f for f in view.facts if f["field"] == "date"]
    assert date["rule"] == "conflict:most-supported"
    assert "2024-03-06" in date["alternatives"]


def test_organisations_are_the_participants_affiliations_when_known() -> None:
    facts = [
        fact("participant", "Ada Rell", key="rell ada", organization="Seed Agency"),
        fact("organization", "Seed Agency", 20, key="seed agency"),
        fact("organization", "General Assembly", 40, key="ga"),
    ]
    assert values(fold_meeting([report(1, facts)], []), "organization") == ["Seed Agency"]
    no_people = [fact("organization", "Seed Agency", key="seed agency")]
    assert values(fold_meeting([report(1, no_people)], []), "organization") == ["Seed Agency"]


def test_mentions_are_not_participants() -> None:
    facts = [
        fact("participant", "Ada Rell", key="rell ada"),
        fact("participant", "Mara Jost", 30, "mention", key="jost mara"),
    ]
    assert values(fold_meeting([report(1, facts)], []), "participant") == ["Ada Rell"]


def test_place_majority_with_alternatives() -> None:
    members = [
        report(1, [fact("place", "Oslo")]),
        report(2, [fact("place", "Oslo")]),
        report(3, [fact("place", "Bergen")]),
    ]
    view = fold_meeting(members, [])
    assert view.meeting["place"] == "Oslo"
    [place] = [f for f in view.facts if f["field"] == "place"]
    assert place["rule"] == "majority"
    assert place["alternatives"] == canonical_json(["Bergen"])


def test_a_correction_replaces_the_value_and_keeps_the_old_one_as_alternative() -> None:
    members = [report(1, [fact("place", "Bergen")])]
    correction = Review(position=99, action="correct", article_ids=(members[0].article_id,), others=(),
                        field_name="place", value="Oslo", actor="ana", reason="the wire misread the dateline")  # fmt: skip
    view = fold_meeting(members, [correction])
    assert view.meeting["place"] == "Oslo"
    assert view.meeting["status"] == "single"
    [place] = [f for f in view.facts if f["field"] == "place"]
    assert (place["rule"], place["review_position"]) == ("human-correction", 99)
    assert place["alternatives"] == canonical_json(["Bergen"])


def decision(
    position: int, action: str, ids: Sequence[ReportState], others: Sequence[ReportState] = ()
) -> Review:
    return Review(position=position, action=action, article_ids=tuple(m.article_id for m in ids),
                  others=tuple(m.article_id for m in others), field_name=None, value=None, actor="ana",
                  reason="checked")  # fmt: skip


def test_a_meeting_is_confirmed_while_decisions_vouch_for_every_report_it_holds() -> None:
    a, b, c = (report(n, []) for n in (1, 2, 3))
    assert fold_meeting([a, b], [decision(50, "confirm", [a, b])]).meeting["status"] == "confirmed"
    # The matcher added c after the confirmation: back to the queue, until someone looks again.
    assert fold_meeting([a, b, c], [decision(50, "confirm", [a, b])]).meeting["status"] == "needs-review"
    reconfirmed = [decision(50, "confirm", [a, b]), decision(60, "confirm", [a, b, c])]
    assert fold_meeting([a, b, c], reconfirmed).meeting["status"] == "confirmed"
    # A merge vouches for both sides; a split for what stays, not for the report taken out.
    assert fold_meeting([a, b, c], [decision(50, "merge", [a], [b, c])]).meeting["status"] == "confirmed"
    split = [decision(50, "split", [c], [a, b])]
    assert fold_meeting([a, b], split).meeting["status"] == "confirmed"
    assert fold_meeting([c], split).meeting["status"] == "single"


@pytest.mark.parametrize(
    ("value", "window"),
    [("2020-11-02", ("2020-11-02", "2020-11-02")), (" 2020-11-02 .. 2020-11-03", ("2020-11-02", "2020-11-03")),
     ("2020-11-03..2020-11-02", None), ("2011-10-22T01", None), ("20201102", None), ("not a date", None),
     ("2020-02-30", None), ("", None)],
)  # fmt: skip
def test_a_date_correction_names_a_window_or_nothing(value: str, window: tuple[str, str] | None) -> None:
    assert date_window(value) == window
    members = [report(1, [], date=("2019-05-05", "2019-05-05"))]
    correction = Review(position=99, action="correct", article_ids=(members[0].article_id,), others=(),
                        field_name="date", value=value, actor="ana", reason="per the ministry")  # fmt: skip
    meeting = fold_meeting(members, [correction]).meeting
    # One that names no date (older versions recorded such values unchecked) changes nothing.
    assert (meeting["date_from"], meeting["date_to"]) == (window or ("2019-05-05", "2019-05-05"))


def correct(position: int, members: Sequence[ReportState], field: str, value: str) -> Review:
    return Review(position=position, action="correct", article_ids=tuple(m.article_id for m in members),
                  others=(), field_name=field, value=value, actor="ana", reason="per the host")  # fmt: skip


def test_a_correction_marks_the_fact_it_made_and_cites_only_reports_that_state_its_value() -> None:
    members = [report(1, [fact("participant", "Ada Rell"), fact("place", "Bergen", start=20)])]
    view = fold_meeting(
        members, [correct(99, members, "participant", "Tom Birk"), correct(98, members, "place", "Oslo")]
    )
    marked = {(f["field"], f["value"]): f["review_position"] for f in view.facts}
    assert marked == {
        ("participant", "Ada Rell"): None,
        ("participant", "Tom Birk"): 99,
        ("place", "Oslo"): 98,
    }
    # No report says Oslo: the correction is the only source, not the report that said Bergen.
    assert {(s["field"], s["value"]) for s in view.sources} == {("participant", "Ada Rell")}
    # A correction to the value a report states keeps that report as its source.
    again = fold_meeting(members, [correct(99, members, "place", "Bergen")])
    assert {(s["field"], s["value"]) for s in again.sources} == {
        ("participant", "Ada Rell"),
        ("place", "Bergen"),
    }


def test_meeting_id_follows_the_earliest_report_and_sources_carry_spans() -> None:
    members = [report(2, [fact("format", "videoconference", 5)]), report(1, [])]
    view = fold_meeting(members, [])
    assert view.meeting["meeting_id"] == f"m-{members[1].article_id[:12]}"
    [source] = view.sources
    assert (source["span_start"], source["span_end"], source["quote"]) == (5, 20, "videoconference")
    assert source["extraction_position"] == 21


def test_meeting_rows_carry_every_column_of_the_view() -> None:
    """The row tuples that cross to worker processes hold the same values as the view's dicts."""
    members = [
        report(1, [fact("place", "Oslo", 3), fact("participant", "Ada Rell", 9, key="rell ada")]),
        report(2, [fact("place", "Bergen", 4)], date=("2024-03-07", "2024-03-07")),
    ]
    view = fold_meeting(members, [])
    rows = meeting_rows(view)
    for columns, dicts, tuples in (
        (MEETING_COLUMNS, [view.meeting], [rows.meeting]),
        (MEMBER_COLUMNS, view.reports, rows.reports),
        (FACT_COLUMNS, view.facts, rows.facts),
        (SOURCE_COLUMNS, view.sources, rows.sources),
    ):
        assert dicts, columns
        assert [set(d) for d in dicts] == [set(columns)] * len(dicts)
        assert [dict(zip(columns, t, strict=True)) for t in tuples] == dicts
    assert fold_meetings([(members, [])]) == [rows]


def test_derived_report_is_what_the_live_fold_stores() -> None:
    facts = [fact("participant", "Ada Rell", 0, key="rell ada"), fact("place", "Oslo", 12)]
    extraction = Extraction(
        extractor_version="x-1",
        date_from="2024-03-07",
        date_to="2024-03-07",
        facts=tuple(facts),
        body=((0, 40),),
    )
    text = "Ada Rell met Tom Birk in Oslo on Thursday at the Storting."
    payload = {
        "article_id": "a1",
        "article_position": 1,
        "extractor_version": "x-1",
        "extraction": extraction.to_dict(),
    }
    derived = derive_report("a1", extraction.to_dict(), text, "Talks")
    profile = profile_from_extraction("a1", extraction, text, "Talks")
    assert derived.extraction == canonical_json(extraction.to_dict())
    assert derived.profile == canonical_json(profile.to_dict())
    assert derived.keys == blocking_keys(profile)
    assert "p:rell ada|any" in derived.keys
    assert derive_reports([(canonical_json(payload), ReportExtracted.SCHEMA, text, "Talks")]) == [derived]


def remove(position: int, members: Sequence[ReportState], field: str, value: str) -> Review:
    return Review(position=position, action="remove", article_ids=tuple(m.article_id for m in members),
                  others=(), field_name=field, value=value, actor="ana", reason="not there")  # fmt: skip


def test_a_removed_person_stays_removed_when_more_reports_spell_them_otherwise() -> None:
    first = report(1, [fact("participant", "Joren Haldane", key="haldane joren"),
                       fact("participant", "Ada Rell", 30, key="rell ada")])  # fmt: skip
    removed = remove(50, [first], "participant", "Joren Haldane")
    assert values(fold_meeting([first], [removed]), "participant") == ["Ada Rell"]
    # Two later reports write "J. Haldane": the same person, now shown by that spelling.
    later = [report(n, [fact("participant", "J. Haldane", key="haldane j")]) for n in (2, 3)]
    assert sorted(values(fold_meeting([first, *later], []), "participant")) == ["Ada Rell", "J. Haldane"]
    assert values(fold_meeting([first, *later], [removed]), "participant") == ["Ada Rell"]


def test_a_correction_in_another_case_respells_the_fact_and_keeps_its_sources() -> None:
    members = [report(n, [fact("participant", "Anna Berg", key="berg anna")]) for n in (1, 2)]
    view = fold_meeting(members, [correct(50, members, "participant", "anna berg")])
    assert values(view, "participant") == ["anna berg"]
    assert sorted(s["article_id"] for s in view.sources if s["field"] == "participant") == sorted(
        m.article_id for m in members
    )
    place = [report(1, [fact("place", "Gdansk")])]
    view = fold_meeting(place, [correct(50, place, "place", "gdansk")])
    assert [(s["value"], s["quote"]) for s in view.sources] == [("gdansk", "Gdansk")]


def dated(n: int, day: str, rule: str, *, published: str | None = None) -> ReportState:
    facts = [fact("date", day, 5, rule, **{"from": day, "to": day, "of": "event"})]
    if published:
        facts.append(fact("date", published, 60, "published-line", **{"from": published, "to": published, "of": "publication"}))  # fmt: skip
    return report(n, facts, (day, day))


def test_a_date_is_sourced_by_the_reports_that_date_the_meeting_so_and_the_dates_they_reckoned_from() -> None:
    """A person merged a report dated 4 April with two dated 14 April: the 4 April quote supports the
    alternative, not the date. A publication date is a source where the event date was reckoned from it."""
    members = [
        dated(1, "2025-04-04", "explicit-date", published="2025-04-05"),
        dated(2, "2025-04-14", "explicit-date", published="2025-04-15"),
        dated(3, "2025-04-14", "relative-weekday", published="2025-04-15"),
    ]
    view = fold_meeting(members, [])
    assert view.meeting["date_from"] == "2025-04-14"
    sources = sorted((s["article_id"][-1], s["rule"]) for s in view.sources if s["field"] == "date")
    assert sources == [("2", "explicit-date"), ("3", "published-line"), ("3", "relative-weekday")]


def test_a_correction_stays_with_the_reports_left_together_when_one_is_split_off() -> None:
    a, b = report(1, [], ("2025-05-11", "2025-05-13")), report(2, [], ("2025-05-11", "2025-05-13"))
    fixed = correct(50, [a, b], "date", "2025-05-12")
    split = decision(60, "split", [b], [a])

    def day(members: list[ReportState], reviews: list[Review]) -> str:
        return fold_meeting(members, reviews).meeting["date_from"]

    assert day([a, b], [fixed]) == "2025-05-12"
    assert day([a], [fixed, split]) == "2025-05-12"
    assert day([b], [fixed, split]) == "2025-05-11"  # the split-off report's own window, uncorrected
    assert day([a, b], [fixed, split, decision(70, "merge", [a], [b])]) == "2025-05-12"
