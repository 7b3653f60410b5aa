"""The CLI through click's runner: every command, its help, its errors."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from accord.cli import cli
from store.db import make_engine
from store.eventlog import EventLog
from store.queries import audit

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert "accord " in result.output.split("Example:")[1]


@pytest.fixture
def run(db_url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    if db_url.startswith("postgresql"):
        assert runner.invoke(cli, ["--db", db_url, "db", "upgrade"]).exit_code == 0

    def invoke(*args: str) -> click.testing.Result:
        return runner.invoke(cli, ["--db", db_url, *args])

    return invoke


def test_ingest_then_read_every_view(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", str(CORPUS))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith(" 0 failed")

    ids = run("meetings", "--ids").output.split()
    table = run("meetings").output
    assert f"{len(ids)} meetings" in table
    assert ids
    assert all(i in table for i in ids)

    merged = [i for i in ids if "merged" in run("show", i).output.splitlines()[0]]
    assert merged, "the example corpus has a meeting reported by several outlets"
    shown = run("show", merged[0]).output
    assert "reports:" in shown
    assert "score" in shown

    audit = run("audit", merged[0], "--field", "participant").output
    assert "participant:" in audit
    assert "events received #" in audit

    jsonl = run("export", "meetings", "--format", "jsonl").output.splitlines()
    items = [json.loads(line) for line in jsonl]
    assert {i["id"] for i in items} == set(ids)
    sources = {r["source"] for i in items for r in i["reports"]}
    assert all(s.startswith(str(CORPUS)) or "://" in s for s in sources)
    for item in items:
        assert {"id", "participants", "organizations", "place", "format", "status", "reports"} <= set(item)
        assert item["date"] or "date_from" in item

    rows = list(csv.DictReader(io.StringIO(run("export", "meetings", "--format", "csv").output)))
    assert {r["id"] for r in rows} == set(ids)
    assert json.loads(run("export", "meetings", "--format", "json").output)[0]["id"] in ids

    log = run("log", "--limit", "3").output.splitlines()
    assert len(log) == 3
    assert log[0].startswith("#1 ")

    assert "rebuild check passed" in run("rebuild", "--check").output
    assert "hash chain intact" in run("verify").output
    again = run("ingest", str(CORPUS))
    assert again.output.splitlines()[-1].startswith("0 new, 0 revised,")
    assert "duplicate" in again.output


def test_verify_fails_with_the_position_after_tampering(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", url, "ingest", str(CORPUS)]).exit_code == 0
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER events_refuse_update"))
        conn.execute(text('UPDATE events SET metadata = \'{"actor":"mallory"}\' WHERE position = 3'))
    engine.dispose()
    result = runner.invoke(cli, ["--db", url, "verify"])
    assert result.exit_code == 1
    assert "position 3" in result.output


def test_failed_inputs_give_exit_status_1_and_one_line_each(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    result = CliRunner().invoke(
        cli, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "ingest", str(tmp_path / "empty.txt")]
    )
    assert result.exit_code == 1
    assert "empty.txt" in result.output
    assert "Traceback" not in result.output


def test_unknown_meeting_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "show", "nope"])
    assert result.exit_code == 1
    assert "no meeting 'nope'" in result.output


@pytest.mark.postgres
def test_postgres_commands_refuse_until_db_upgrade(pg_url: str) -> None:
    runner = CliRunner()
    refused = runner.invoke(cli, ["--db", pg_url, "meetings"])
    assert refused.exit_code == 1
    assert "accord db upgrade" in refused.output
    assert runner.invoke(cli, ["--db", pg_url, "db", "upgrade"]).exit_code == 0
    assert runner.invoke(cli, ["--db", pg_url, "meetings"]).exit_code == 0


# A database Accord cannot open: the line names it (its password hidden), gives the driver's words, and
# ends with what to do.
_UNOPENABLE = [
    (
        "a folder that does not exist",
        "sqlite:///{tmp}/missing/accord.db",
        "sqlite:///{tmp}/missing/accord.db",
        "the folder {tmp}/missing does not exist: create it, or give another --db",
    ),
    (
        "a folder, not a file",
        "sqlite:///{tmp}",
        "sqlite:///{tmp}",
        "{tmp} is a folder: give --db a file in it",
    ),
    (
        "a file that is not a database",
        "sqlite:///{tmp}/notes.txt",
        "sqlite:///{tmp}/notes.txt",
        "--db must name an Accord database, or a file that does not exist yet",
    ),
    (
        "a server that refuses, its password hidden",
        "postgresql+psycopg://ana:s3cret@127.0.0.1:1/accord",
        "postgresql+psycopg://ana:***@127.0.0.1:1/accord",
        "check the URL, and that the server is running and reachable from here",
    ),
]


@pytest.mark.parametrize(
    ("description", "url", "named", "remedy"), _UNOPENABLE, ids=[c[0] for c in _UNOPENABLE]
)
def test_a_database_that_cannot_be_opened_is_named_in_one_line(
    tmp_path: Path, description: str, url: str, named: str, remedy: str
) -> None:
    (tmp_path / "notes.txt").write_text("a note, not a database\n")
    result = CliRunner().invoke(cli, ["--db", url.format(tmp=tmp_path), "meetings"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"accord: database error: {named.format(tmp=tmp_path)}: "), description
    assert result.stderr.endswith(f"; {remedy.format(tmp=tmp_path)}\n"), description
    assert result.stderr.count("\n") == 1
    assert "s3cret" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("meetings", "--status", "bogus"),
        ("audit", "m-0", "--field", "participants"),
        ("log", "--limit", "-1"),
        ("log", "--after", "-3"),
        ("ingest", "--max-bytes", "0", "x.txt"),
    ],
    ids=" ".join,
)
def test_an_option_value_that_means_nothing_is_refused(run, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output


def test_log_of_one_stream_honours_after_and_limit(run) -> None:  # type: ignore[no-untyped-def]
    assert run("ingest", str(CORPUS)).exit_code == 0
    lines = run("log", "--limit", "200").output.splitlines()
    stream = lines[0].split()[4]
    whole = [line for line in lines if line.split()[4] == stream]
    assert len(whole) >= 2
    first = int(whole[0].split()[0].lstrip("#"))
    assert run("log", "--stream", stream, "--limit", "1").output.splitlines() == whole[:1]
    assert run("log", "--stream", stream, "--after", str(first)).output.splitlines() == whole[1:]
    missing = run("log", "--stream", "article-nope")
    assert missing.exit_code == 1
    assert "no stream 'article-nope'" in missing.output


def test_log_shows_each_source_and_a_decision_s_actor_and_reason_whole(run) -> None:  # type: ignore[no-untyped-def]
    assert run("ingest", str(CORPUS)).exit_code == 0
    exported = json.loads(run("export", "meetings", "--format", "json").output)
    merged = next(m for m in exported if len(m["reports"]) > 1)
    reason = (
        "the ministry's page and both agency wires describe the same videoconference on 14 March; "
        "checked with the ministry's press office by phone"
    )
    assert run("review", "confirm", merged["id"], "--reason", reason, "--actor", "ana").exit_code == 0

    lines = run("log", "--limit", "500").output.splitlines()
    shown = {line.split(" source=")[1].split()[0] for line in lines if " ArticleReceived " in line}
    assert shown == {r["source"] for m in exported for r in m["reports"]}
    [decision] = [line for line in lines if " ReviewDecided " in line]
    assert "actor=ana action=confirm " in decision
    assert decision.endswith(f" reason={json.dumps(reason)}")


def test_every_exported_meeting_has_the_same_keys_one_day_or_a_range(run) -> None:  # type: ignore[no-untyped-def]
    assert run("ingest", str(CORPUS)).exit_code == 0
    ranged = run("meetings", "--ids").output.split()[0]
    corrected = run(
        "review", "correct", ranged, "date", "2023-03-14..2023-03-15", "--reason", "r", "--actor", "ana"
    )
    assert corrected.exit_code == 0, corrected.output

    as_json = json.loads(run("export", "meetings", "--format", "json").output)
    as_jsonl = [
        json.loads(line) for line in run("export", "meetings", "--format", "jsonl").output.splitlines()
    ]
    for items in (as_json, as_jsonl):
        assert len({tuple(item) for item in items}) == 1, "the same keys, in the same order"
        dates = {item["id"]: (item["date"], item["date_from"], item["date_to"]) for item in items}
        assert dates.pop(ranged) == (None, "2023-03-14", "2023-03-15")
        assert dates
        assert all(day is not None and day == first == last for day, first, last in dates.values())
    rows = {
        r["id"]: r for r in csv.DictReader(io.StringIO(run("export", "meetings", "--format", "csv").output))
    }
    assert (rows[ranged]["date"], rows[ranged]["date_from"], rows[ranged]["date_to"]) == (
        "",
        "2023-03-14",
        "2023-03-15",
    )


def test_split_by_a_source_two_reports_share_asks_for_the_id(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for copy in ("a", "b"):  # one feed file in two folders: two reports with the same item address
        (tmp_path / copy).mkdir()
        (tmp_path / copy / "feed.xml").write_bytes((CORPUS / "mfa-veloria-news.xml").read_bytes())
    assert run("ingest", str(tmp_path / "a"), str(tmp_path / "b")).exit_code == 0
    exported = json.loads(run("export", "meetings", "--format", "json").output)
    shared = next(
        (m, r["source"])
        for m in exported
        for r in m["reports"]
        if sum(o["source"] == r["source"] for o in m["reports"]) == 2
    )
    result = run("review", "split", shared[0]["id"], shared[1], "--reason", "r", "--actor", "ana")
    assert result.exit_code == 1
    assert "2 reports have it: give the id" in result.output


def test_after_an_upgrade_that_changed_a_fold_writes_refuse_and_reads_warn_until_a_rebuild(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", url, "ingest", str(CORPUS / "mfa-veloria-news.xml")]).exit_code == 0
    engine = make_engine(url)
    with engine.begin() as conn:  # as a database projected by an Accord whose fold was meetings-0
        conn.execute(text("UPDATE projection_checkpoints SET version = 'meetings-0' WHERE name = 'meetings'"))
    engine.dispose()
    wire = str(CORPUS / "nwa-2024-03-07-castellan-haldane.txt")

    refused = runner.invoke(cli, ["--db", url, "ingest", wire])
    assert refused.exit_code == 1
    assert "built by fold meetings-0" in refused.stderr
    assert "run 'accord rebuild'" in refused.stderr
    listed = runner.invoke(cli, ["--db", url, "meetings", "--ids"])
    assert listed.exit_code == 0
    assert listed.stdout.split()
    assert "warning: the meetings tables were built by fold meetings-0" in listed.stderr  # with a warning
    check = runner.invoke(cli, ["--db", url, "rebuild", "--check"])
    assert check.exit_code == 1
    assert "differs: the meetings tables" in check.stderr

    assert runner.invoke(cli, ["--db", url, "rebuild"]).exit_code == 0
    listed = runner.invoke(cli, ["--db", url, "meetings", "--ids"])
    assert listed.exit_code == 0
    assert "warning" not in listed.stderr
    assert runner.invoke(cli, ["--db", url, "ingest", wire]).exit_code == 0


def _audit(run: Callable[..., Result], meeting: str) -> dict[str, Any]:
    """``accord audit MEETING --json``, parsed."""
    result = run("audit", meeting, "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_audit_names_the_matcher_version_of_the_decision_that_placed_each_source(
    run: Callable[..., Result], db_url: str
) -> None:
    assert run("ingest", str(CORPUS)).exit_code == 0
    exported = json.loads(run("export", "meetings", "--format", "json").output)
    merged = next(m for m in exported if len(m["reports"]) > 1)
    document = _audit(run, merged["id"])
    sources = [s for fact in document["facts"] for s in fact["sources"]]
    placed = {
        s["article_id"]: next(c["position"] for c in s["chain"] if c["step"] == "placed") for s in sources
    }
    assert set(placed) == {r["article_id"] for r in merged["reports"]}

    engine = make_engine(db_url)
    with engine.connect() as conn:
        decided = {p: json.loads(e.payload) for p, e in EventLog(conn).at(list(placed.values())).items()}
        web_facts = audit(conn, merged["id"])  # what the review page reads: the same facts, keys kept
    engine.dispose()
    assert web_facts == document["facts"]
    assert {"field", "value", "attrs", "alternatives", "rule", "review_position", "sources"} < set(
        web_facts[0]
    )
    assert {e["article_id"] for e in decided.values()} == set(placed)  # each a MatchDecided of its report
    for s in sources:
        version = decided[placed[s["article_id"]]]["matcher_version"]
        assert version
        assert s["matcher_version"] == version
    text_lines = run("audit", merged["id"]).output.splitlines()
    for article_id, position in placed.items():
        assert any(
            line.endswith(f"placed #{position} ({decided[position]['matcher_version']})")
            for line in text_lines
        )
        assert any(line.startswith(f"    {article_id[:12]} ") for line in text_lines)


def test_audit_says_who_decided_what_and_why_about_the_meeting_s_reports(run: Callable[..., Result]) -> None:
    assert run("ingest", str(CORPUS)).exit_code == 0
    exported = json.loads(run("export", "meetings", "--format", "json").output)
    meeting = next(m for m in exported if len(m["reports"]) == 3)
    named_after = meeting["id"].removeprefix("m-")
    out = next(r["article_id"] for r in meeting["reports"] if not r["article_id"].startswith(named_after))
    removed = meeting["participants"][-1]["name"]
    decisions = [
        ("confirm", meeting["id"], "--reason", "the three wires agree", "--actor", "ana"),
        ("correct", meeting["id"], "place", "Ashgabat", "--reason", "the dateline city", "--actor", "ana"),
        ("remove", meeting["id"], "participant", removed, "--reason", "quoted, not there", "--actor", "bo"),
        ("split", meeting["id"], out[:12], "--reason", "another day's talks", "--actor", "cy"),
    ]
    for args in decisions:
        result = run("review", *args)
        assert result.exit_code == 0, result.output

    document = _audit(run, meeting["id"])
    [place] = [f for f in document["facts"] if f["field"] == "place"]
    assert place["value"] == "Ashgabat"
    assert place["alternatives"] == [meeting["place"]]
    position = place["review_position"]
    assert place["decision"] == {
        "position": position,
        "action": "correct",
        "actor": "ana",
        "reason": "the dateline city",
    }
    assert removed not in [f["value"] for f in document["facts"] if f["field"] == "participant"]
    listed = [(d["action"], d["actor"], d["reason"]) for d in document["decisions"]]
    assert listed == [
        ("confirm", "ana", "the three wires agree"),
        ("correct", "ana", "the dateline city"),
        ("remove", "bo", "quoted, not there"),
        ("split", "cy", "another day's talks"),
    ]
    positions = [d["position"] for d in document["decisions"]]
    assert positions == sorted(positions)
    assert position == positions[1]
    removal, split = document["decisions"][2:]
    assert (removal["field"], removal["value"]) == ("participant", removed)
    members = sorted(r["article_id"] for r in meeting["reports"])
    assert removal["article_ids"] == members
    assert (split["article_ids"], split["others"]) == ([out], [m for m in members if m != out])
    assert removal["recorded_at"].endswith("+00:00")

    text_out = run("audit", meeting["id"]).output
    corrected = f'correct #{position} by ana, "the dateline city"; also: {meeting["place"]}'
    assert f"place: Ashgabat  (chosen by human-correction: {corrected})" in text_out
    lines = text_out.split("\ndecisions:\n")[1].splitlines()
    assert len(lines) == 4
    assert f' remove participant "{removed}" by bo: "quoted, not there"; reports ' in lines[2]
    assert f'split by cy: "another day\'s talks"; reports {out[:12]} apart from ' in lines[3]


def test_audit_tells_apart_two_reports_from_same_named_files_by_an_id_split_accepts(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    wording = (
        "On 14 March 2025 Foreign Minister Alma Tursunova of Norland {verb} Pieter van Dalen, "
        "Director-General of the Arctic Fisheries Agency, in Reykjavik. They discussed cod quotas.\n"
    )
    for folder, verb in (("a", "met"), ("b", "received")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(wording.format(verb=verb), encoding="utf-8")
    assert run("ingest", str(tmp_path / "a"), str(tmp_path / "b")).exit_code == 0
    [meeting] = run("meetings", "--ids").output.split()

    [place] = [f for f in _audit(run, meeting)["facts"] if f["field"] == "place"]
    ids = {s["article_id"] for s in place["sources"]}
    assert len(ids) == 2
    assert {s["source"].rsplit("/", 2)[-2] for s in place["sources"]} == {"a", "b"}
    shown = [
        line.split()[0]
        for line in run("audit", meeting, "--field", "place").output.splitlines()
        if line.startswith("    ") and "report.txt" in line
    ]
    assert sorted(shown) == sorted(i[:12] for i in ids)

    assert "2 reports have it" in run("review", "split", meeting, "report.txt", "--reason", "r").output
    result = run("review", "split", meeting, shown[1], "--reason", "two meetings", "--actor", "ana")
    assert result.exit_code == 0, result.output


def test_show_and_audit_follow_a_meeting_id_a_merge_retired_and_review_does_not(
    run: Callable[..., Result],
) -> None:
    assert run("ingest", str(CORPUS)).exit_code == 0
    before = set(run("meetings", "--ids").output.split())
    a, b = sorted(before)[:2]
    assert run("review", "merge", a, b, "--reason", "one event", "--actor", "ana").exit_code == 0
    after = set(run("meetings", "--ids").output.split())
    [retired] = before - after
    [merged] = {a, b} - {retired}  # named after the first of the reports, which names a or b
    assert merged in after

    for command, first_line in (("show", f"meeting {merged} "), ("audit", f"audit of meeting {merged}")):
        result = run(command, retired)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(first_line)
        assert result.stderr == f"accord: {retired} was retired by a split or merge; showing {merged}\n"
    assert _audit(run, retired)["meeting_id"] == merged
    assert run("show", merged).stderr == ""

    refused = run("review", "confirm", retired, "--reason", "checked", "--actor", "ana")
    assert refused.exit_code == 1
    assert f"no meeting '{retired}'" in refused.output
