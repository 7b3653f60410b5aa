"""Human review decisions: events with actor and reason that every later matcher run honours."""

from __future__ import annotations

import importlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from accord.cli import cli
from accord.errors import AccordError, NotFoundError
from ingest.sources import iter_articles
from jobs.pipeline import Pipeline
from jobs.review import CORRECTABLE, rematch, review
from matcher.features import MatcherConfig, PairScore, score_pair
from matcher.profile import ReportProfile
from store.eventlog import EventLog
from store.queries import audit, export_meetings
from store.rebuild import rebuild
from tests.meetings import meeting_with, name

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
TRUTH = json.loads((CORPUS.parent / "corpus.expected.json").read_text(encoding="utf-8"))
MEETING_A = set(TRUTH["meetings"][0]["reports"])  # the three reports of the 2023 meeting


def meetings(engine: Engine) -> dict[frozenset[str], dict]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return {frozenset(name(r["source"]) for r in m["reports"]): m for m in export_meetings(conn)}


@pytest.fixture
def corpus(engine: Engine, tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    Pipeline(engine).ingest(iter_articles([str(folder)]))
    assert frozenset(MEETING_A) in meetings(engine)
    return folder


def test_split_outlives_new_reports_and_rematch(engine: Engine, corpus: Path) -> None:
    wire = "nwa-2023-03-15-castellan-haldane.txt"
    meeting = meeting_with(engine, wire)
    review(engine, "split", meeting["id"], report=wire, actor="ana", reason="the wire describes a later call")
    groups = meetings(engine)
    assert frozenset({wire}) in groups
    assert frozenset(MEETING_A - {wire}) in groups
    # The split vouches for the reports it left together, not for where the one taken out belongs.
    assert groups[frozenset(MEETING_A - {wire})]["status"] == "confirmed"
    assert groups[frozenset({wire})]["status"] != "confirmed"

    # Another outlet's copy of the wire arrives: the matcher decides again around it.
    shutil.copy(corpus / wire, corpus / "copy-of-wire.txt")
    Pipeline(engine).ingest(iter_articles([str(corpus / "copy-of-wire.txt")]))
    # The store is consistent with the matcher: running it again over every report changes nothing.
    assert rematch(engine) == 0
    groups = meetings(engine)
    assert not any(wire in g and len(g & MEETING_A) > 1 for g in groups)
    assert rebuild(engine, check=True).identical


def test_a_split_or_merge_logs_one_decision_per_report_it_changes(engine: Engine, corpus: Path) -> None:
    """Each report named was matched again in turn, and each match logged its own report's decision
    even when an earlier one had already placed it: the same MatchDecided twice."""
    wire = "nwa-2023-03-15-castellan-haldane.txt"
    split = review(
        engine, "split", meeting_with(engine, wire)["id"], report=wire, actor="ana", reason="later"
    )
    a = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    b = meeting_with(engine, "nwa-2024-03-07-castellan-haldane.txt")
    merge = review(engine, "merge", a["id"], other_meeting=b["id"], actor="ana", reason="one event")
    with engine.connect() as conn:
        for decision in (split, merge):
            trigger = f"review#{decision.position}"
            placed = [
                json.loads(e.payload)["article_id"]
                for e in EventLog(conn).iter_all(after=decision.position)
                if e.type == "MatchDecided" and json.loads(e.payload)["trigger"] == trigger
            ]
            assert placed, trigger
            assert len(placed) == len(set(placed)), trigger


def test_merge_joins_what_the_matcher_vetoed_and_survives_rematch(engine: Engine, corpus: Path) -> None:
    a = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    b = meeting_with(engine, "nwa-2024-03-07-castellan-haldane.txt")
    assert a["id"] != b["id"]
    review(engine, "merge", a["id"], other_meeting=b["id"], actor="ana", reason="test: one event")
    merged = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    assert "nwa-2024-03-07-castellan-haldane.txt" in {name(r["source"]) for r in merged["reports"]}
    assert rematch(engine) == 0
    again = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    assert {r["source"] for r in again["reports"]} == {r["source"] for r in merged["reports"]}
    assert rebuild(engine, check=True).identical


def test_a_merge_does_not_score_a_pair_again_for_each_report(
    engine: Engine, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every report of a merge is matched again, over components that overlap: a pair scored for one
    is not scored again for each next one (scoring is most of a merge's time; it was once per report)."""
    scored: Counter[tuple[str, str]] = Counter()

    def counting(a: ReportProfile, b: ReportProfile, config: MatcherConfig) -> PairScore:
        scored[(a.report_id, b.report_id)] += 1
        return score_pair(a, b, config)

    for module in ("matcher.component", "matcher.cluster"):  # the package's names are the functions
        monkeypatch.setattr(importlib.import_module(module), "score_pair", counting)
    a = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    b = meeting_with(engine, "nwa-2024-03-07-castellan-haldane.txt")
    review(engine, "merge", a["id"], other_meeting=b["id"], actor="ana", reason="one event")
    assert len(a["reports"]) + len(b["reports"]) > 2
    assert scored
    # At most twice: the component walk keeps its own memo of edges, so a pair only the clustering
    # scored is scored once more by the next walk (matcher/component.py).
    assert max(scored.values()) <= 2, scored.most_common(3)


def test_correct_and_confirm_are_recorded_with_actor_and_reason(engine: Engine, corpus: Path) -> None:
    meeting = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    review(
        engine,
        "correct",
        meeting["id"],
        field_name="place",
        value="Lundmark Harbour",
        actor="ana",
        reason="per the ministry",
    )
    confirmed = review(engine, "confirm", meeting["id"], actor="bo", reason="checked")
    after = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    assert confirmed.meetings == [after["id"]]
    assert after["place"] == "Lundmark Harbour"
    assert after["status"] == "confirmed"
    with engine.connect() as conn:
        [place] = audit(conn, after["id"], field="place")
        decisions = [json.loads(e.payload) for e in EventLog(conn).read(types=["ReviewDecided"])]
    assert place["rule"] == "human-correction"
    assert place["review_position"] is not None
    # the position returned is the confirmation's own event
    with engine.connect() as conn:
        recorded = EventLog(conn).at([confirmed.position])[confirmed.position]
    assert recorded.type == "ReviewDecided"
    assert json.loads(recorded.payload)["actor"] == "bo"
    assert [(d["action"], d["actor"], d["reason"]) for d in decisions] == [
        ("correct", "ana", "per the ministry"),
        ("confirm", "bo", "checked"),
    ]
    assert rebuild(engine, check=True).identical


def test_a_confirmed_meeting_that_gains_a_report_goes_back_to_the_queue(engine: Engine, corpus: Path) -> None:
    source = "lundmark-courier-2023-03-14.html"
    meeting = meeting_with(engine, source)
    review(engine, "confirm", meeting["id"], actor="ana", reason="checked all three")
    assert meeting_with(engine, source)["status"] == "confirmed"
    # Another outlet runs the same story: the matcher adds it to the confirmed meeting.
    shutil.copy(corpus / source, corpus / "another-outlet.html")
    Pipeline(engine).ingest(iter_articles([str(corpus / "another-outlet.html")]))
    grown = meeting_with(engine, source)
    assert "another-outlet.html" in {name(r["source"]) for r in grown["reports"]}
    assert grown["status"] == "needs-review"
    review(engine, "confirm", grown["id"], actor="bo", reason="the new one is the same meeting")
    assert meeting_with(engine, source)["status"] == "confirmed"
    assert rebuild(engine, check=True).identical


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2011-10-22T01", "not a date"),
        ("date", "2023-03-20..2023-03-01", "FROM not after TO"),
        ("date", "next week", "not a date"),
        ("format", "banana", "not a format: one of videoconference, phone call, in-person"),
        ("place", "  ", "needs a field"),
        ("colour", "red", "needs a field"),
    ],
)
def test_a_correction_is_refused_unless_its_value_fits_the_field(
    engine: Engine, corpus: Path, field: str, value: str, message: str
) -> None:
    meeting = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    with engine.connect() as conn:
        before = EventLog(conn).head()
    with pytest.raises(AccordError, match=message):
        review(engine, "correct", meeting["id"], field_name=field, value=value, actor="ana", reason="r")
    with engine.connect() as conn:
        assert EventLog(conn).head() == before


def test_a_date_correction_is_recorded_in_one_spelling(engine: Engine, corpus: Path) -> None:
    meeting = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    done = review(engine, "correct", meeting["id"], field_name="date", value=" 2023-03-14 .. 2023-03-15",
                  actor="ana", reason="two days")  # fmt: skip
    with engine.connect() as conn:
        recorded = EventLog(conn).at([done.position])[done.position]
    assert json.loads(recorded.payload)["value"] == "2023-03-14..2023-03-15"
    after = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    assert (after["date_from"], after["date_to"]) == ("2023-03-14", "2023-03-15")


def test_remove_drops_a_wrong_fact_and_a_later_correction_can_bring_it_back(
    engine: Engine, corpus: Path
) -> None:
    source = "lundmark-courier-2023-03-14.html"
    meeting = meeting_with(engine, source)
    topics = meeting["topics"]
    assert len(topics) >= 2
    wrong = topics[0]
    done = review(engine, "remove", meeting["id"], field_name="topic", value=wrong.upper(), actor="ana",
                  reason="the report mentions it in passing")  # fmt: skip
    after = meeting_with(engine, source)
    assert after["topics"] == topics[1:]
    with engine.connect() as conn:
        recorded = json.loads(EventLog(conn).at([done.position])[done.position].payload)
    # Recorded as the meeting states it, whatever case was typed.
    assert (recorded["action"], recorded["field_name"], recorded["value"]) == ("remove", "topic", wrong)
    assert rebuild(engine, check=True).identical
    review(engine, "correct", meeting["id"], field_name="topic", value=wrong, actor="bo", reason="it is")
    assert sorted(meeting_with(engine, source)["topics"]) == sorted(topics)
    assert rematch(engine) == 0
    assert sorted(meeting_with(engine, source)["topics"]) == sorted(topics)


def test_remove_refuses_a_fact_the_meeting_does_not_state(engine: Engine, corpus: Path) -> None:
    meeting = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    with pytest.raises(AccordError, match="states no participant 'Nobody Here' \\(it states: "):
        review(
            engine,
            "remove",
            meeting["id"],
            field_name="participant",
            value="Nobody Here",
            actor="a",
            reason="r",
        )
    with pytest.raises(AccordError, match="remove needs a field"):
        review(engine, "remove", meeting["id"], field_name="mood", value="calm", actor="a", reason="r")


def test_the_cli_offers_the_fields_a_review_may_change() -> None:
    for command in ("correct", "remove"):
        [field] = [p for p in cli.commands["review"].commands[command].params if p.name == "field"]  # type: ignore[attr-defined]
        assert tuple(field.type.choices) == CORRECTABLE  # type: ignore[attr-defined]


def test_a_decision_on_a_meeting_id_a_merge_retired_is_refused(engine: Engine, corpus: Path) -> None:
    a = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    b = meeting_with(engine, "nwa-2024-03-07-castellan-haldane.txt")
    review(engine, "merge", a["id"], other_meeting=b["id"], actor="ana", reason="one event")
    merged = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    retired = next(m for m in (a["id"], b["id"]) if m != merged["id"])
    with pytest.raises(NotFoundError, match=retired):
        review(engine, "correct", retired, field_name="place", value="Brell", actor="bo", reason="r")
    assert meeting_with(engine, "lundmark-courier-2023-03-14.html")["place"] == merged["place"]


def test_review_needs_a_reason_and_a_real_report(engine: Engine, corpus: Path) -> None:
    meeting = meeting_with(engine, "lundmark-courier-2023-03-14.html")
    with pytest.raises(AccordError, match="needs a reason"):
        review(engine, "confirm", meeting["id"], actor="ana", reason=" ")
    with pytest.raises(AccordError, match="does not name exactly one report"):
        review(engine, "split", meeting["id"], report="nope.txt", actor="ana", reason="x")


def test_review_through_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", url, "ingest", str(CORPUS)]).exit_code == 0
    engine_ids = runner.invoke(cli, ["--db", url, "meetings", "--ids"]).output.split()
    result = runner.invoke(
        cli, ["--db", url, "review", "confirm", engine_ids[0], "--reason", "ok", "--actor", "ana"]
    )
    assert result.exit_code == 0, result.output
    assert "confirmed" in runner.invoke(cli, ["--db", url, "show", engine_ids[0]]).output
    missing = runner.invoke(cli, ["--db", url, "review", "confirm", engine_ids[0]])
    assert missing.exit_code == 2
    assert "--reason" in missing.output
