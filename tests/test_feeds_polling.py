"""Polling feeds from a local HTTP server, on SQLite and PostgreSQL; every scenario ends with a rebuild
check (the feeds projection and the meetings projections replay identically from the log)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

import jobs.polling
from accord.errors import IngestError
from ingest.feeditems import FeedDocument
from ingest.http import FetchConfig
from jobs.polling import PollReport, PollSettings, feed_lease, poll_feed, poll_many
from store import feeds as store_feeds
from store.eventlog import EventLog
from store.feedfold import FeedState
from store.feeds import add_feed, current_feeds, resume_feed
from store.rebuild import rebuild
from store.schema import EventRow, ReportRow
from tests.fixtures.feeds.server import FeedServer

# The timeout bounds a whole fetch (redirects, body, each linked page): room for a loaded machine, and
# still well under the 2 s a "slow" server below waits.
SETTINGS = PollSettings(fetch=FetchConfig(timeout=1.0, max_bytes=100_000), jitter=0.0)


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
        ({"delay": 2.0, "body": b"<rss/>"}, "timed out after 1s"),
        ({"stream_bytes": 300_000}, "over the 100,000-byte limit"),
        ({"status": 200, "body": b"\x00\x01binary"}, "binary"),
        ({"status": 200, "body": b"<note><to>Ada</to></note>"}, "not an RSS or Atom feed"),
        (
            {
                "status": 200,
                "body": b"<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>Moved</title></head>"
                b"<body><p>Our feeds have moved<br></body></html>",
                "headers": {"Content-Type": "text/html; charset=utf-8"},
            },
            "an HTML page, not an RSS or Atom feed",
        ),
    ],
    ids=["slow", "oversized", "binary", "not-a-feed", "html-page"],
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


def test_gone_pauses_the_feed_until_it_is_resumed(engine: Engine, server: FeedServer) -> None:
    feed = _add(engine, server.serve("/rss.xml", status=410))
    assert _poll(engine, feed).status == "gone"
    state = _state(engine, feed)
    assert state.paused
    assert "410" in (state.pause_reason or "")
    # the reason names a command that resumes it (see test_feeds_cli)
    assert f"accord feeds add {feed.url}" in (state.pause_reason or "")
    assert poll_feed(engine, feed.feed_id, settings=SETTINGS).status == "paused"
    server.serve("/rss.xml", "rss.xml")
    with engine.begin() as conn:
        resumed = resume_feed(conn, feed.feed_id, actor="test")
    assert (resumed.paused, resumed.pause_reason, resumed.next_poll_at) == (False, None, None)
    assert poll_feed(engine, feed.feed_id, settings=SETTINGS).new == 2  # due at once, not forced


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


# --- whatever goes wrong with one feed is recorded for it, and the others go on -----------------------------


def _add_unchecked(engine: Engine, url: str, every_seconds: int = 600) -> FeedState:
    """A feed whose URL went into the log before ``add_feed`` checked URLs as it does now."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(store_feeds, "url_problem", lambda _url: None)
        return _add(engine, url, every_seconds=every_seconds)


def _assert_one_recorded_error(engine: Engine, feed: FeedState, report: PollReport, problem: str) -> None:
    assert report.status == "error"
    assert problem in (report.error or ""), report.error
    state = _state(engine, feed)
    assert (state.last_outcome, state.error_streak, state.last_error) == ("error", 1, report.error)
    assert state.next_poll_at is not None
    assert state.last_polled_at is not None
    assert state.next_poll_at - state.last_polled_at == timedelta(seconds=feed.every_seconds)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://a..b/x", "not a valid host name"),
        ("http://exa\tmple.org/", "whitespace or control characters"),
        ("http://exa\x01mple.org/", "whitespace or control characters"),
        ("http://xn--zz/feed.xml", "not a valid host name"),
    ],
    ids=["empty-label", "tab", "control", "bad-a-label"],
)
def test_a_bad_address_is_recorded_and_the_other_feeds_are_polled(
    engine: Engine, server: FeedServer, url: str, problem: str
) -> None:
    bad = _add_unchecked(engine, url)
    good = _add(engine, server.serve("/rss.xml", "rss.xml"))
    reports = poll_many(engine, [bad.feed_id, good.feed_id], force=True, settings=SETTINGS)
    assert [r.feed_id for r in reports] == [bad.feed_id, good.feed_id]
    _assert_one_recorded_error(engine, bad, reports[0], problem)
    assert (reports[1].status, reports[1].new) == ("ok", 2)
    assert _events(engine, "FeedPolled") == 2


@pytest.mark.parametrize(
    ("location", "problem"),
    [
        ("http://a..b/feed.xml", "redirected to a bad URL: 'http://a..b/feed.xml'"),
        ("http://xn--zz/feed.xml", "IDNAError: Invalid A-label"),  # httpx itself reads the Location
        ("http://[bad/feed.xml", "HTTP 302 redirect to a bad URL: 'http://[bad/feed.xml' (Invalid IPv6 URL)"),
        ("ftp://files.example/feed.xml", "only http and https"),
    ],
    ids=["empty-label", "bad-a-label", "bad-ipv6", "ftp"],
)
def test_a_bad_redirect_is_recorded_and_the_other_feeds_are_polled(
    engine: Engine, server: FeedServer, location: str, problem: str
) -> None:
    bad = _add(
        engine, server.serve("/moved.xml", status=302, headers={"Location": location}), every_seconds=600
    )
    good = _add(engine, server.serve("/rss.xml", "rss.xml"))
    reports = poll_many(engine, [bad.feed_id, good.feed_id], force=True, settings=SETTINGS)
    _assert_one_recorded_error(engine, bad, reports[0], problem)
    assert (reports[1].status, reports[1].new) == ("ok", 2)


def test_errors_of_a_bad_address_back_off(engine: Engine) -> None:
    bad = _add_unchecked(engine, "http://a..b/x", every_seconds=600)
    for _ in range(3):
        assert poll_many(engine, [bad.feed_id], force=True, settings=SETTINGS)[0].status == "error"
    state = _state(engine, bad)
    assert state.error_streak == 3
    assert state.next_poll_at - state.last_polled_at == timedelta(seconds=2400)  # type: ignore[operator]


def test_a_bug_in_one_poll_is_logged_recorded_and_backed_off(
    engine: Engine, server: FeedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken_url = server.serve("/broken.xml", "rss.xml")
    real = jobs.polling.read_feed_document

    def buggy(origin: str, body: bytes, content_type: str | None = None) -> FeedDocument | IngestError:
        if origin == broken_url:
            raise TypeError("a bug")
        return real(origin, body, content_type)

    monkeypatch.setattr(jobs.polling, "read_feed_document", buggy)
    bad = _add(engine, broken_url, every_seconds=600)
    good = _add(engine, server.serve("/rss.xml", "rss.xml"))
    with caplog.at_level(logging.INFO, logger="accord.feeds"):
        reports = poll_many(engine, [bad.feed_id, good.feed_id], force=True, settings=SETTINGS)
    _assert_one_recorded_error(engine, bad, reports[0], "unexpected TypeError: a bug")
    assert reports[0].http_status == 200
    assert (reports[1].status, reports[1].new) == ("ok", 2)
    [logged] = [r for r in caplog.records if r.exc_info]
    assert "failed unexpectedly" in logged.getMessage()
    assert bad.feed_id in logged.getMessage()


def test_poll_many_goes_on_when_a_poll_raises(
    engine: Engine, server: FeedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Even what escapes a poll (the database failing as it records it, say) stops only that feed."""
    good = _add(engine, server.serve("/rss.xml", "rss.xml"))
    real = jobs.polling.poll_feed

    def failing(engine: Engine, feed_id: str, **kwargs: object) -> PollReport:
        if feed_id == "f-doomed":
            raise RuntimeError("database went away")
        return real(engine, feed_id, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jobs.polling, "poll_feed", failing)
    with caplog.at_level(logging.INFO, logger="accord.feeds"):
        reports = poll_many(engine, ["f-doomed", good.feed_id, "f-missing"], force=True, settings=SETTINGS)
    assert [(r.status, r.error) for r in reports] == [
        ("error", "unexpected RuntimeError: database went away"),
        ("ok", None),
        ("error", "no feed 'f-missing'"),
    ]
    assert [r.exc_info is not None for r in caplog.records if "status=failed" in r.getMessage()] == [
        True,
        False,
    ]


def test_a_stopping_full_text_poll_keeps_what_it_has_and_the_old_validators(
    engine: Engine, server: FeedServer
) -> None:
    server.serve("/pages/summit.html", "summit.html")
    server.serve("/pages/envoy.html", "envoy.html")
    feed = _add(engine, server.serve("/teasers.xml", "fulltext.xml", etag='"v1"'), full_text=True)
    stop = threading.Event()
    stop.set()
    report = poll_feed(engine, feed.feed_id, force=True, settings=SETTINGS, stop=stop)
    assert (report.status, report.new, report.failed) == ("ok", 0, 0)
    assert report.warnings == ["stopping: 2 items not fetched, left for the next poll"]
    assert server.hits["/pages/summit.html"] == server.hits["/pages/envoy.html"] == 0
    assert _state(engine, feed).etag is None  # so the next poll is not answered 304
    report = _poll(engine, feed)
    assert (report.status, report.new) == ("ok", 2)
    assert "if-none-match" not in server.requests[-3]
    assert _state(engine, feed).etag == '"v1"'


def test_a_full_text_poll_hands_each_page_to_the_pipeline_as_it_is_fetched(
    engine: Engine, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages were all fetched into a list before the pipeline saw any: a poll cut short (a second
    signal) lost every page fetched so far. Now the pipeline reads them as they come."""
    server.serve("/pages/summit.html", "summit.html")
    server.serve("/pages/envoy.html", "envoy.html")
    feed = _add(engine, server.serve("/teasers.xml", "fulltext.xml"), full_text=True)
    fetch_page, ingest = jobs.polling._full_text, jobs.polling.Pipeline.ingest
    fetched: list[object] = []  # the pages fetched so far
    drawn: list[int] = []  # how many were fetched when the pipeline drew each item

    def fetching(*args: Any, **kwargs: Any) -> Any:
        fetched.append(args[1])
        return fetch_page(*args, **kwargs)

    def watching(self: Any, items: Iterable[Any], **kwargs: Any) -> Any:
        def watched() -> Iterator[Any]:
            for item in items:
                drawn.append(len(fetched))
                yield item

        return ingest(self, watched(), **kwargs)

    monkeypatch.setattr(jobs.polling, "_full_text", fetching)
    monkeypatch.setattr(jobs.polling.Pipeline, "ingest", watching)
    assert _poll(engine, feed).new == 2
    assert drawn == [1, 2]  # each page handed on before the next was fetched (a list gave [2, 2])
