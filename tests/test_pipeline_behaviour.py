"""Ingest behaviour: idempotency, revisions, provenance of copies, bad input, order independence."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from accord.errors import AccordError
from bench.corpus import article
from evaluation.synthetic import generate
from ingest.sources import iter_articles
from jobs.pipeline import Pipeline
from store.db import open_database
from store.eventlog import EventLog
from store.queries import audit, export_meetings
from store.rebuild import rebuild
from store.schema import EventRow

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"

REPORT = (
    "On 14 March 2025, Foreign Minister Alma Tursunova of Norland met the Director-General of the Arctic "
    "Fisheries Agency (AFA), Pieter van Dalen, in Reykjavik. The two discussed quotas for the coming season "
    "and a joint research programme on cod stocks in the northern waters.\n"
)


def event_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(EventRow)).scalar_one())


def groups(engine: Engine) -> set[frozenset[str]]:
    with engine.connect() as conn:
        return {frozenset(Path(r["source"]).name for r in m["reports"]) for m in export_meetings(conn)}


def test_same_content_same_source_appends_nothing(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(REPORT, encoding="utf-8")
    first = Pipeline(engine).ingest(iter_articles([str(path)]))
    before = event_count(engine)
    second = Pipeline(engine).ingest(iter_articles([str(path)]))
    assert [o.status for o in first.outcomes] == ["new"]
    assert [o.status for o in second.outcomes] == ["duplicate"]
    assert event_count(engine) == before


def test_changed_content_is_a_revision_of_the_same_article(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(REPORT, encoding="utf-8")
    Pipeline(engine).ingest(iter_articles([str(path)]))
    path.write_text(REPORT.replace("cod stocks", "cod and haddock stocks"), encoding="utf-8")
    summary = Pipeline(engine).ingest(iter_articles([str(path)]))
    assert [o.status for o in summary.outcomes] == ["revised"]
    with engine.connect() as conn:
        types = [e.type for e in EventLog(conn).stream(f"article-{summary.outcomes[0].article_id}")]
    assert types[0] == "ArticleReceived"
    assert "ArticleRevised" in types
    with engine.connect() as conn:
        meetings = list(export_meetings(conn))
    assert len(meetings) == 1
    assert len(meetings[0]["reports"]) == 1
    # The audit's spans are offsets in the revised text, and its chain names the revision they come from.
    with engine.connect() as conn:
        stream = EventLog(conn).stream(f"article-{summary.outcomes[0].article_id}")
        revision = next(e for e in stream if e.type == "ArticleRevised")
        text = json.loads(revision.payload)["text"]
        facts = audit(conn, meetings[0]["id"])
    sources = [source for fact in facts for source in fact["sources"]]
    assert sources
    for source in sources:
        start, end = source["span"]
        assert text[start:end] == source["quote"]
        steps = {step["step"]: step["position"] for step in source["chain"]}
        assert steps["revised"] == revision.position
        assert steps["received"] == stream[0].position


def test_same_text_from_another_source_is_a_new_article_grouped_with_the_first(
    engine: Engine, tmp_path: Path
) -> None:
    for name in ("outlet-a.txt", "outlet-b.txt"):
        (tmp_path / name).write_text(REPORT, encoding="utf-8")
    summary = Pipeline(engine).ingest(iter_articles([str(tmp_path)]))
    assert [o.status for o in summary.outcomes] == ["new", "new"]
    assert groups(engine) == {frozenset({"outlet-a.txt", "outlet-b.txt"})}


def test_bad_inputs_are_named_and_the_rest_goes_on(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 au lait with the minister".encode("latin-1"))
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    missing = str(tmp_path / "missing.txt")
    summary = Pipeline(engine).ingest(iter_articles([str(tmp_path), missing]))
    statuses = {Path(o.source).name: o.status for o in summary.outcomes}
    assert statuses["good.txt"] == "new"
    failed = {Path(o.source).name for o in summary.failed}
    assert failed == {"empty.txt", "binary.txt", "latin.txt", "broken.json", "missing.txt"}
    assert all(o.message for o in summary.failed)
    with engine.connect() as conn:
        assert EventLog(conn).verify().ok
    assert rebuild(engine, check=True).identical


def test_a_report_without_facts_is_still_a_meeting_of_its_own(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "vague.txt").write_text("Some talks happened somewhere, sources said.\n", encoding="utf-8")
    Pipeline(engine).ingest(iter_articles([str(tmp_path)]))
    with engine.connect() as conn:
        [meeting] = list(export_meetings(conn))
    assert meeting["date"] is None
    assert meeting["date_from"] is None
    assert [Path(r["source"]).name for r in meeting["reports"]] == ["vague.txt"]


def _corpus_files() -> list[str]:
    files = sorted(
        str(p) for p in CORPUS.iterdir() if p.suffix in {".txt", ".html", ".json", ".jsonl", ".xml"}
    )
    if len(files) < 5:
        pytest.fail(f"the example corpus at {CORPUS} is missing")
    return files


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(_corpus_files()))
def test_grouping_does_not_depend_on_arrival_order(
    order: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    reference_db = tmp_path_factory.mktemp("ref") / "ref.db"
    permuted_db = tmp_path_factory.mktemp("perm") / "perm.db"
    results = []
    for db, files in ((reference_db, sorted(order)), (permuted_db, order)):
        engine = open_database(f"sqlite:///{db}")
        Pipeline(engine).ingest(iter_articles(files))
        with engine.connect() as conn:
            results.append({frozenset(r["source"] for r in m["reports"]) for m in export_meetings(conn)})
        engine.dispose()
    assert results[0] == results[1]


def test_example_corpus_matches_its_truth_file(engine: Engine) -> None:
    truth = json.loads((CORPUS.parent / "corpus.expected.json").read_text(encoding="utf-8"))
    Pipeline(engine).ingest(iter_articles(_corpus_files()))

    def name(source: str) -> str:
        return source if "://" in source else Path(source).name

    with engine.connect() as conn:
        found = {frozenset(name(r["source"]) for r in m["reports"]): m for m in export_meetings(conn)}
    expected = {frozenset(m["reports"]) for m in truth["meetings"]}
    expected |= {frozenset([o["report"]]) for o in truth["other_reports"]}
    assert set(found) == expected
    for meeting in truth["meetings"]:
        if meeting.get("date"):
            assert found[frozenset(meeting["reports"])]["date"] == meeting["date"], meeting["key"]
        assert found[frozenset(meeting["reports"])]["format"] == meeting["format"], meeting["key"]


class _Boom(AccordError):
    def __init__(self) -> None:
        super().__init__("extraction failed on purpose")


def test_an_article_failing_inside_a_batch_leaves_no_event_and_the_others_are_kept(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jobs.pipeline

    real = jobs.pipeline.extract_report

    def extract(text: str, **kwargs: Any) -> Any:
        if "haddock" in text:
            raise _Boom()
        return real(text, **kwargs)

    monkeypatch.setattr(jobs.pipeline, "extract_report", extract)
    names = ("a.txt", "b.txt", "c.txt")
    for name in names:
        body = REPORT.replace("cod stocks", "haddock stocks") if name == "b.txt" else REPORT
        (tmp_path / name).write_text(body, encoding="utf-8")
    summary = Pipeline(engine).ingest(iter_articles([str(tmp_path / n) for n in names]), batch=10)
    assert [o.status for o in summary.outcomes] == ["new", "failed", "new"]
    failed = summary.outcomes[1]
    with engine.connect() as conn:
        log = EventLog(conn)
        kept = {o.article_id for o in summary.outcomes if o.status == "new"}
        assert {e.stream_id for e in log.read(after=0, limit=100)} == {f"article-{a}" for a in kept}
        assert log.verify().ok
    assert failed.message == "extraction failed on purpose"
    assert groups(engine) == {frozenset({"a.txt", "c.txt"})}


def _decisions(db: Path) -> list[tuple[str, str]]:
    engine = open_database(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(
            select(EventRow.type, EventRow.payload)
            .where(EventRow.type == "MatchDecided")
            .order_by(EventRow.position)
        ).all()
    engine.dispose()
    return [(t, p) for t, p in rows]


def test_batches_and_the_match_cache_change_no_decision(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One ingest call (batched, reads cached from article to article) logs exactly the decisions that
    one call per article (each with fresh reads) does; a revision in the stream empties the cache."""
    stream = [article(r) for r in generate(80, seed=5)]
    more = stream[10].text + " Talks will continue."
    revised = replace(stream[10], raw=more, text=more)
    stream.insert(40, revised)
    batched, single = tmp_path_factory.mktemp("batched") / "b.db", tmp_path_factory.mktemp("single") / "s.db"
    engine = open_database(f"sqlite:///{batched}")
    statuses = [o.status for o in Pipeline(engine).ingest(stream, batch=7).outcomes]
    engine.dispose()
    engine = open_database(f"sqlite:///{single}")
    for item in stream:
        Pipeline(engine).ingest([item])
    engine.dispose()
    assert statuses.count("revised") == 1
    decisions = _decisions(batched)
    assert len(decisions) > len(stream)  # some reports were re-decided as groups formed
    assert decisions == _decisions(single)


def test_a_revision_that_takes_a_report_out_of_its_meeting_decides_the_reports_left_behind(
    engine: Engine, tmp_path: Path
) -> None:
    """Before, only the revised report's new component was decided: the report it had been merged with
    kept a latest decision that still named it, and audit cited that decision."""
    wording = (
        "On {day} Foreign Minister Alma Tursunova of Norland {verb} Pieter van Dalen, Director-General of "
        "the Arctic Fisheries Agency, in Reykjavik. They discussed cod quotas for the coming season.\n"
    )
    items = tmp_path / "items.json"

    def write(second_day: str) -> None:
        texts = [
            wording.format(day="14 March 2025", verb="met"),
            wording.format(day=second_day, verb="received"),
        ]
        rows = [
            {"url": f"https://news.example/{i}", "title": f"T{i}", "published": "2025-03-15", "text": t}
            for i, t in enumerate(texts)
        ]
        items.write_text(json.dumps(rows), encoding="utf-8")

    write("14 March 2025")
    Pipeline(engine).ingest(iter_articles([str(items)]))
    assert len(groups(engine)) == 1
    write("2 March 2025")  # the second outlet's report now dates another meeting
    assert [o.status for o in Pipeline(engine).ingest(iter_articles([str(items)])).outcomes] == [
        "duplicate",
        "revised",
    ]
    with engine.connect() as conn:
        meetings = list(export_meetings(conn))
        latest: dict[str, Any] = {}
        for event in EventLog(conn).iter_all():
            if event.type == "MatchDecided":
                payload = json.loads(event.payload)
                latest[payload["article_id"]] = payload
    assert len(meetings) == 2
    for meeting in meetings:
        [report] = meeting["reports"]
        assert latest[report["article_id"]]["cluster"] == [report["article_id"]]
