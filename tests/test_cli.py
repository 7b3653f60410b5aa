"""The CLI through click's runner: every command, its help, its errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from accord.cli import cli
from store.db import make_engine

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
