"""``accord feeds``, ``accord poll`` and ``accord run`` through click's runner, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from accord.cli import cli
from accord.feeds_cli import parse_interval
from store.db import open_database
from store.rebuild import rebuild
from tests.fixtures.feeds.server import FeedServer

Run = Callable[..., Result]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer()
    yield s
    s.close()


@pytest.fixture
def run(db_url: str) -> Iterator[Run]:
    open_database(db_url, auto_upgrade=True).dispose()

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", db_url, *args])

    yield invoke
    engine = open_database(db_url)
    try:
        assert rebuild(engine, check=True).identical
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400), ("600", 600)]
)
def test_intervals(text: str, seconds: int) -> None:
    assert parse_interval(text) == seconds


def test_add_poll_list_remove(run: Run, server: FeedServer) -> None:
    url = server.serve("/rss.xml", "rss.xml")
    added = run("feeds", "add", url, "--name", "Courier", "--every", "30m")
    assert added.exit_code == 0, added.output
    feed_id = added.output.split()[1]
    again = run("feeds", "add", url)
    assert again.exit_code == 1
    assert "already added" in again.output
    polled = run("poll", feed_id[:6])
    assert polled.exit_code == 0, polled.output
    assert "2 new, 0 revised, 0 duplicate, 0 failed" in polled.output
    listed = run("feeds", "list")
    assert "never polled" not in listed.output
    assert "Courier" in listed.output
    assert "1800s" in listed.output
    assert "1 feeds" in listed.output
    removed = run("feeds", "remove", url)
    assert removed.exit_code == 0, removed.output
    assert "0 feeds" in run("feeds", "list").output


def test_bad_input_is_one_line(run: Run, server: FeedServer) -> None:
    assert "not an http(s) URL" in run("feeds", "add", "file:///etc/passwd").output
    assert "not an interval" in run("feeds", "add", server.url("/x"), "--every", "soon").output
    assert run("poll").exit_code != 0  # neither FEED nor --all
    assert "no feed 'nope'" in run("feeds", "remove", "nope").output


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "http://exa mple.org/x",
        "http://127.0.0.1:99999/x",
        "http://a..b/x",
        "http://xn--zz/",
        "http://exa\tmple.org/",
    ],
)
def test_a_bad_url_is_refused_in_one_line(run: Run, url: str) -> None:
    result = run("feeds", "add", url)
    assert result.exit_code == 1
    assert result.output.startswith(f"accord: not an http(s) URL: {url!r} (")
    assert result.output.count("\n") == 1, result.output
    assert "0 feeds" in run("feeds", "list").output


def test_poll_all_records_a_bad_redirect_and_goes_on(run: Run, server: FeedServer) -> None:
    first = run(
        "feeds", "add", server.serve("/moved.xml", status=302, headers={"Location": "http://a..b/f.xml"})
    )
    run("feeds", "add", server.serve("/rss.xml", "rss.xml"))
    result = run("poll", "--all", "--timeout", "5")
    assert result.exit_code == 1
    assert "redirected to a bad URL: 'http://a..b/f.xml'" in result.output
    assert "2 new" in result.output
    listed = run("feeds", "list").output
    assert "errors x1" in listed
    assert "last error: redirected to a bad URL" in listed
    assert first.output.split()[1] in listed


def test_a_gone_feed_is_resumed_by_adding_it_again(run: Run, server: FeedServer) -> None:
    url = server.serve("/rss.xml", status=410)
    run("feeds", "add", url, "--every", "1h")
    assert "never polled" in run("feeds", "list").output
    assert run("poll", "--all").exit_code == 1
    listed = run("feeds", "list").output
    assert "paused" in listed
    assert (
        f"paused: HTTP 410 Gone: the publisher removed the feed (to poll it again: accord feeds add {url})"
        in (listed)
    )
    server.serve("/rss.xml", "rss.xml")
    resumed = run("feeds", "add", url)
    assert resumed.exit_code == 0, resumed.output
    assert resumed.output.startswith("resumed ")
    assert "every 3600s" in resumed.output  # its settings as they were
    assert "paused" not in run("feeds", "list").output
    polled = run("poll", "--all")
    assert "2 new" in polled.output
    again = run("feeds", "add", url)
    assert (again.exit_code, "already added;" in again.output) == (1, True)


def test_importing_a_gone_feed_resumes_it_as_adding_does(
    run: Run, server: FeedServer, tmp_path: Path
) -> None:
    url = server.serve("/rss.xml", status=410)
    run("feeds", "add", url)
    run("poll", "--all")
    assert "paused" in run("feeds", "list").output
    opml = tmp_path / "subscriptions.opml"
    assert run("feeds", "export", "-o", str(opml)).exit_code == 0
    imported = run("feeds", "import", str(opml))
    assert imported.exit_code == 0, imported.output
    assert imported.output.startswith("resumed ")
    assert "0 added, 1 resumed, 0 already there, 0 failed" in imported.output
    assert "paused" not in run("feeds", "list").output


def test_poll_all_reports_a_failing_feed_and_goes_on(run: Run, server: FeedServer) -> None:
    run("feeds", "add", server.serve("/rss.xml", "rss.xml"))
    run("feeds", "add", server.serve("/down.xml", status=500))
    result = run("poll", "--all", "--timeout", "2")
    assert result.exit_code == 1
    assert "2 new" in result.output
    assert "HTTP 500" in result.output


def test_log_shows_each_feed_event_s_address_outcome_and_reason(run: Run, server: FeedServer) -> None:
    url = server.serve("/down.xml", status=500)
    feed_id = run("feeds", "add", url, "--name", "Lundmark Courier").output.split()[1]
    assert run("poll", feed_id).exit_code == 1
    why = "the publisher moved its feed to a new address, which we add separately"
    assert run("feeds", "remove", feed_id, "--reason", why).exit_code == 0
    added, polled, removed = run("log", "--stream", f"feed-{feed_id}").output.splitlines()
    assert f'FeedAdded       feed-{feed_id} v1  actor=cli url={url} name="Lundmark Courier" ' in added
    assert "actor=poller outcome=error http_status=500 new=0 revised=0 duplicate=0 failed=0 " in polled
    assert polled.endswith(f' url={url} error="HTTP 500 Internal Server Error"')
    assert removed.endswith(f'actor=cli reason="{why}"')


def test_opml_import_and_export(run: Run, server: FeedServer, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_bytes(server.fixture("opml.xml"))
    first = run("feeds", "import", str(opml), "--every", "1h")
    assert first.exit_code == 0, first.output
    assert "2 added, 0 already there, 0 failed" in first.output
    assert "0 added, 2 already there" in run("feeds", "import", str(opml)).output
    exported = run("feeds", "export")
    assert 'xmlUrl="' + server.url("/rss.xml") + '"' in exported.output
    assert 'title="Lundmark Courier"' in exported.output


def test_run_exits_cleanly(run: Run, server: FeedServer) -> None:
    run("feeds", "add", server.serve("/rss.xml", "rss.xml"))
    result = run("run", "--exit-after", "3", "--timeout", "2")
    assert result.exit_code == 0, result.output
    assert "stopped after 1 polls" in result.output
