"""Polling feeds from a local HTTP server, on SQLite and PostgreSQL; every scenario ends with a rebuild
check (the feeds projection and the meetings projections replay identically from the log)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from ingest.http import FetchConfig
from jobs.polling import PollReport, PollSettings, feed_lease, poll_feed
from store.eventlog import EventLog
from store.feedfold import FeedState
from store.feeds import add_feed, current_feeds
from store.rebuild import rebuild
from store.schema import EventRow, ReportRow
from tests.fixtures.feeds.server import FeedServer

SETTINGS = PollSettings(fetch=FetchConfig(timeout=0.5, max_bytes=100_000), jitter=0.0)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer()
    yield s
    s.close()


def _add(engine: Engine, url: str, **kwargs: object) -> FeedState:
    with engine.begin() as conn:
        return add_feed(conn, url, **kwargs)  # type: ignore[arg-type]


def _poll(engine: Engine, feed: FeedState) -> PollReport:
    return poll_feed(engine, feed.feed_id, force=True, settings=SETTINGS)


def _state(engine: Engine, feed: FeedState) -> FeedState:
    with engine.begin() as conn:
        return next(f for f in current_feeds(conn) if f.feed_id == feed.feed_id)


def _events(engine: Engine, type_name: str | None = None) -> int:
    query = select(func.count()).select_from(EventRow)
    if type_name:
        query = query.where(EventRow.type == type_name)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _texts(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        events = EventLog(conn).read(types=["ArticleReceived", "ArticleRevised"])
    return [json.loads(e.payload)["text"] for e in events]


@pytest.fixture
def engine(engine: Engine) -> Iterator[Engine]:
    """The conftest database; after the test, replaying the log must give identical projections."""
    yield engine
    assert rebuild(engine, check=True).identical


def test_rss_items_become_articles_once_with_feed_metadata(engine: Engine, server: FeedServer) -> None:
    feed = _add(engine, server.serve("/rss.xml", "rss.xml"), name="Courier")
    first = _poll(engine, feed)
    assert (first.status, first.new, first.duplicate) == ("ok", 2, 0)
    second = _poll(engine, feed)
    assert (second.status, second.new, second.duplicate) == ("ok", 0, 2)
    assert _events(engine, "ArticleReceived") == 2
    with engine.connect() as conn:
        received = EventLog(conn).read(types=["ArticleReceived"])
        sources = sorted(conn.execute(select(ReportRow.source)).scalars())
    assert all(e.meta()["feed_id"] == feed.feed_id for e in received)
    # the tracking parameters and the trailing slash are gone from the item identity and source
    assert sources == [server.url("/news/ferro-brel"), server.url("/news/floods")]
    state = _state(engine, feed)
    assert (state.items_seen, state.items_new, state.error_streak, state.last_status) == (4, 2, 0, 200)
    assert state.name == "Courier"
    assert state.last_success_at is not None
    assert server.requests[0]["user-agent"] == "Accord/0.1 (+feed reader)"


@pytest.mark.parametrize(("name", "expected"), [("atom.xml", 2), ("feed.json", 2)])
def test_atom_and_json_feed(engine: Engine, server: FeedServer, name: str, expected: int) -> None:
    feed = _add(engine, server.serve("/" + name, name))
    report = _poll(engine, feed)
    assert (report.status, report.new, report.failed) == ("ok", expected, 0)
    assert any("Kestria" in t or "Brel" in t for t in _texts(engine))


def test_not_modified_appends_only_the_poll(engine: Engine, server: FeedServer) -> None:
    etag, modified = '"v1"', "Tue, 02 May 2023 10:00:00 GMT"
    feed = _add(engine, server.serve("/rss.xml", "rss.xml", etag=etag, last_modified=modified))
    assert _poll(engine, feed).new == 2
    before = _events(engine)
    report = _poll(engine, feed)
    assert report.status == "not-modified"
    assert _events(engine) == before + 1  # FeedPolled, nothing else
    assert server.requests[-1]["if-none-match"] == etag
    assert server.requests[-1]["if-modified-since"] == modified
    state = _state(engine, feed)
    assert (state.etag, state.last_modified, state.last_outcome) == (etag, modified, "not-modified")


def test_server_errors_back_off_and_recover(engine: Engine, server: FeedServer) -> None:
    url = server.serve("/rss.xml", status=500, body=b"oops")
    feed = _add(engine, url, every_seconds=600)
    first = _poll(engine, feed)
    _poll(engine, feed)
    assert (first.status, first.error) == ("error", "HTTP 500 Internal Server Error")
    state = _state(engine, feed)
    assert state.error_streak == 2
    assert state.last_error == "HTTP 500 Internal Server Error"
    assert state.next_poll_at is not None
    assert state.last_polled_at is not None
    assert state.next_poll_at - state.last_polled_at == timedelta(seconds=1200)  # 600 * 2**(2-1)
    server.serve("/rss.xml", "rss.xml")
    assert _poll(engine, feed).new == 2
    assert _state(engine, feed).error_streak == 0


def test_retry_after_is_honoured(engine: Engine, server: FeedServer) -> None:
    feed = _add(
        engine, server.serve("/rss.xml", status=429, headers={"Retry-After": "7200"}), every_seconds=60
    )
    report = _poll(engine, feed)
    assert report.status == "error"
    assert "429" in (report.error or "")
    state = _state(engine, feed)
    assert state.next_poll_at - state.last_polled_at >= timedelta(seconds=7200)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("route", "problem"),
    [
        ({"delay": 2.0, "body": b"<rss/>"}, "timed out after 0.5s"),
        ({"stream_bytes": 300_000}, "over the 100,000-byte limit"),
        ({"status": 200, "body": b"\x00\x01binary"}, "binary"),
        ({"status": 200, "body": b"<html><body>not a feed</body></html>"}, "not an RSS or Atom feed"),
    ],
    ids=["slow", "oversized", "binary", "not-a-feed"],
)
def test_bad_responses_are_recorded_errors(
    engine: Engine, server: FeedServer, route: dict[str, object], problem: str
) -> None:
    feed = _add(engine, server.serve("/feed", **route))
    report = _poll(engine, feed)
    assert report.status == "error"
    assert problem in (report.error or "")
    assert _state(engine, feed).error_streak == 1
    assert _events(engine) == 2  # FeedAdded, FeedPolled


def test_redirect_loop_is_an_error(engine: Engine, server: FeedServer) -> None:
    server.serve("/a", status=302, headers={"Location": "/b"})
    server.serve("/b", status=302, headers={"Location": "/a"})
    report = _poll(engine, _add(engine, server.url("/a")))
    assert report.status == "error"
    assert "more than 5 redirects" in (report.error or "")


def test_permanent_redirect_moves_the_feed_and_keeps_identities(engine: Engine, server: FeedServer) -> None:
    new_url = server.serve("/new.xml", "rss.xml")
    server.serve("/old.xml", status=301, headers={"Location": "/new.xml"})
    feed = _add(engine, server.url("/old.xml"))
    assert _poll(engine, feed).new == 2
    state = _state(engine, feed)
    assert (state.url, state.origin) == (new_url, server.url("/old.xml"))
    assert _events(engine, "FeedChanged") == 1
    report = _poll(engine, feed)  # fetched from the new address, same articles
    assert (report.new, report.duplicate) == (0, 2)
    assert server.hits["/old.xml"] == 1


def test_temporary_redirect_does_not_move_the_feed(engine: Engine, server: FeedServer) -> None:
    server.serve("/new.xml", "rss.xml")
    server.serve("/old.xml", status=302, headers={"Location": "/new.xml"})
    feed = _add(engine, server.url("/old.xml"))
    assert _poll(engine, feed).new == 2
    assert _state(engine, feed).url == server.url("/old.xml")


def test_gone_pauses_the_feed(engine: Engine, server: FeedServer) -> None:
    feed = _add(engine, server.serve("/rss.xml", status=410))
    assert _poll(engine, feed).status == "gone"
    state = _state(engine, feed)
    assert state.paused
    assert "410" in (state.pause_reason or "")
    assert poll_feed(engine, feed.feed_id, settings=SETTINGS).status == "paused"


def test_legacy_encoding(engine: Engine, server: FeedServer) -> None:
    feed = _add(engine, server.serve("/ru.xml", "legacy-1251.xml"))
    assert _poll(engine, feed).new == 1
    assert any("Министр иностранных дел" in t for t in _texts(engine))


def test_malformed_feed_is_read_and_flagged(engine: Engine, server: FeedServer) -> None:
    feed = _add(engine, server.serve("/broken.xml", "malformed.xml"))
    report = _poll(engine, feed)
    assert (report.status, report.new) == ("ok", 1)
    assert any("malformed" in w for w in report.warnings)


def test_repeated_guids_lose_no_item(engine: Engine, server: FeedServer) -> None:
    feed = _add(engine, server.serve("/sloppy.xml", "repeated-guids.xml"))
    report = _poll(engine, feed)
    assert (report.new, report.failed) == (3, 0)  # the exact repeat of the third counts once
    assert _poll(engine, feed).new == 0


def test_changed_item_is_a_revision(engine: Engine, server: FeedServer) -> None:
    feed = _add(engine, server.serve("/rss.xml", "rss.xml"))
    assert _poll(engine, feed).new == 2
    changed = server.fixture("rss.xml").replace(b"on Monday", b"on Monday and Tuesday")
    server.serve("/rss.xml", body=changed, headers={"Content-Type": "application/rss+xml"})
    report = _poll(engine, feed)
    assert (report.new, report.revised, report.duplicate) == (0, 1, 1)
    assert _events(engine, "ArticleRevised") == 1


def test_full_text_fetches_each_page_once(engine: Engine, server: FeedServer) -> None:
    server.serve("/pages/summit.html", "summit.html")
    server.serve("/pages/envoy.html", "envoy.html")
    feed = _add(engine, server.serve("/teasers.xml", "fulltext.xml"), full_text=True)
    report = _poll(engine, feed)
    assert (report.status, report.new, report.failed) == ("ok", 2, 0)
    texts = _texts(engine)
    assert any("joint commission on the river basin" in t for t in texts)
    assert not any("Copyright" in t or "Home" in t for t in texts)
    assert (_poll(engine, feed).duplicate, server.hits["/pages/summit.html"]) == (2, 1)


def test_one_bad_item_does_not_stop_the_others(engine: Engine, server: FeedServer) -> None:
    server.serve("/pages/summit.html", "summit.html")  # envoy.html is missing: 404
    feed = _add(engine, server.serve("/teasers.xml", "fulltext.xml"), full_text=True)
    report = _poll(engine, feed)
    assert (report.status, report.new, report.failed) == ("ok", 1, 1)
    assert any("envoy.html" in w for w in report.warnings)


def test_not_due_feed_is_skipped(engine: Engine, server: FeedServer) -> None:
    feed = _add(engine, server.serve("/rss.xml", "rss.xml"))
    assert poll_feed(engine, feed.feed_id, settings=SETTINGS).status == "ok"  # never polled: due
    assert poll_feed(engine, feed.feed_id, settings=SETTINGS).status == "not-due"
    assert server.hits["/rss.xml"] == 1


def test_a_held_lease_skips_the_feed(engine: Engine, server: FeedServer) -> None:
    feed = _add(engine, server.serve("/rss.xml", "rss.xml"))
    with feed_lease(engine, feed.feed_id) as held:
        assert held
        assert poll_feed(engine, feed.feed_id, settings=SETTINGS).status == "busy"
    assert server.hits["/rss.xml"] == 0


def test_only_http_urls_are_added(engine: Engine) -> None:
    from store.feedevents import BadFeedSettingError

    for url in ("file:///etc/passwd", "ftp://example.com/feed", "example.com/rss"):
        with pytest.raises(BadFeedSettingError):
            _add(engine, url)
