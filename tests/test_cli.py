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


def test_unreachable_database_is_one_clear_line() -> None:
    result = CliRunner().invoke(cli, ["--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "meetings"])
    assert result.exit_code == 1
    assert result.output.startswith("accord: database error:")
    assert "Traceback" not in result.output


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
