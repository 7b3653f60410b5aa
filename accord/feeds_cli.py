"""``accord feeds``, ``accord poll`` and ``accord run``: thin commands over ``store.feeds`` and ``jobs``.

``accord.cli`` imports this module at its end, which adds the commands to its group.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from accord.cli import Context, cli, friendly, pass_context
from accord.errors import AccordError

if TYPE_CHECKING:
    from jobs.polling import PollSettings
    from store.feedfold import FeedState

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(value: str) -> int:
    """``90s``, ``15m``, ``2h``, ``1d`` or plain seconds → seconds."""
    match = _INTERVAL.match(value)
    if not match:
        raise click.BadParameter(f"{value!r} is not an interval such as 90s, 15m, 2h or 1d")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def _every(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    return parse_interval(value)


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"  # type: ignore[attr-defined]


@click.group()
def feeds() -> None:
    """Feeds polled over HTTP: add, list, remove, import and export (OPML)."""


@feeds.command("add")
@click.argument("url")
@click.option("--name", help="A name to show instead of the URL.")
@click.option(
    "--every", default="15m", show_default=True, callback=_every, help="Poll interval: 90s, 15m, 2h, 1d."
)
@click.option("--full-text", is_flag=True, help="Fetch each item's linked page and use its article text.")
@pass_context
@friendly
def feeds_add(ctx: Context, url: str, name: str | None, every: int, full_text: bool) -> None:
    """Add a feed (RSS, Atom or JSON Feed) to poll. Adding a paused feed again (paused after the
    publisher answered 410 Gone) resumes it, with its settings as they were.

    \b
    Example:
      accord feeds add https://news.example/rss.xml --name "Example News" --every 30m
    """
    from store.feeds import add_or_resume_feed

    with ctx.engine().begin() as conn:
        feed, done = add_or_resume_feed(
            conn, url, name=name, every_seconds=every, full_text=full_text, actor="cli"
        )
    click.echo(f"{done} {feed.feed_id}  {feed.url}  every {feed.every_seconds}s")


@feeds.command("list")
@pass_context
@friendly
def feeds_list(ctx: Context) -> None:
    """The feeds, with how their last polls went.

    \b
    Example:
      accord feeds list
    """
    from store.feeds import current_feeds

    with ctx.engine().begin() as conn:
        rows = current_feeds(conn)
    click.echo(f"{'FEED':<13} {'EVERY':>6} {'STATE':<13} {'LAST OK':<16} {'NEXT':<16} {'NEW':>5}  URL")
    for f in rows:
        click.echo(
            f"{f.feed_id:<13} {f.every_seconds:>5}s {_state(f):<13} {_when(f.last_success_at):<16} "
            f"{_when(f.next_poll_at):<16} {f.items_new:>5}  {f.name + ' ' if f.name else ''}{f.url}"
        )
        if f.paused and f.pause_reason:
            click.echo(f"{'':<13} paused: {f.pause_reason}")
        if f.last_error and f.error_streak:
            click.echo(f"{'':<13} last error: {f.last_error}")
    click.echo(f"{len(rows)} feeds")


def _state(feed: FeedState) -> str:
    if feed.paused:
        return "paused"
    if feed.error_streak:
        return f"errors x{feed.error_streak}"
    return "never polled" if feed.last_polled_at is None else "ok"


@feeds.command("remove")
@click.argument("feed")
@click.option("--reason", default="removed", help="Kept in the log with the removal.")
@pass_context
@friendly
def feeds_remove(ctx: Context, feed: str, reason: str) -> None:
    """Stop polling a feed (by id, id prefix or URL). Its articles stay.

    \b
    Example:
      accord feeds remove f3a9c
    """
    from store.feeds import remove_feed

    with ctx.engine().begin() as conn:
        removed = remove_feed(conn, feed, actor="cli", reason=reason)
    click.echo(f"removed {removed.feed_id}  {removed.url}")


@feeds.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--every", default="15m", show_default=True, callback=_every, help="Poll interval for each.")
@pass_context
@friendly
def feeds_import(ctx: Context, file: str, every: int) -> None:
    """Add every feed an OPML file lists; feeds already added are skipped.

    \b
    Example:
      accord feeds import subscriptions.opml --every 1h
    """
    from ingest.feeditems import read_opml
    from store.feedevents import FeedExistsError
    from store.feeds import add_or_resume_feed

    listed = read_opml(file, Path(file).read_bytes())
    if isinstance(listed, AccordError):
        raise listed
    done_counts = {"added": 0, "resumed": 0}
    skipped = failed = 0
    for item in listed:
        try:
            with ctx.engine().begin() as conn:
                feed, done = add_or_resume_feed(
                    conn, item.url, name=item.name, every_seconds=every, actor="opml"
                )
            done_counts[done] += 1
            click.echo(f"{done:<10} {feed.feed_id}  {feed.url}")
        except FeedExistsError:
            skipped += 1
            click.echo(f"skipped    {item.url} (already added)")
        except AccordError as e:
            failed += 1
            click.echo(f"failed     {item.url}: {e}", err=True)
    resumed = f", {done_counts['resumed']} resumed" if done_counts["resumed"] else ""
    click.echo(f"{done_counts['added']} added{resumed}, {skipped} already there, {failed} failed")
    if failed:
        sys.exit(1)


@feeds.command("export")
@click.option(
    "--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="File (default stdout)."
)
@pass_context
@friendly
def feeds_export(ctx: Context, output: io.TextIOBase) -> None:
    """The feeds as OPML (for another reader, or for 'accord feeds import').

    \b
    Example:
      accord feeds export -o subscriptions.opml
    """
    from ingest.feeditems import OpmlFeed, write_opml
    from store.feeds import current_feeds

    with ctx.engine().begin() as conn:
        rows = current_feeds(conn)
    output.write(write_opml(OpmlFeed(url=f.url, name=f.name) for f in rows))


def _timeout_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--timeout",
        type=float,
        default=20.0,
        show_default=True,
        help="Seconds one fetch may take in all (connecting, redirects, reading).",
    )(func)


def _settings(timeout: float) -> PollSettings:
    from ingest.http import FetchConfig
    from jobs.polling import PollSettings

    return PollSettings(fetch=FetchConfig(timeout=timeout))


def _log_to_stderr() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


@cli.command()
@click.argument("feed", required=False)
@click.option("--all", "all_feeds", is_flag=True, help="Poll every feed that is not paused.")
@_timeout_option
@pass_context
@friendly
def poll(ctx: Context, feed: str | None, all_feeds: bool, timeout: float) -> None:
    """Poll one feed, or all of them, now (whether due or not) and ingest what is new.

    \b
    Example:
      accord poll --all
    """
    from jobs.polling import poll_many
    from store.feeds import current_feeds, resolve_feed

    if bool(feed) == all_feeds:
        raise click.UsageError("name one FEED or give --all")
    engine = ctx.engine()
    with engine.begin() as conn:
        ids = (
            [resolve_feed(conn, feed).feed_id]
            if feed
            else [f.feed_id for f in current_feeds(conn) if not f.paused]
        )
    reports = poll_many(engine, ids, force=True, settings=_settings(timeout))
    for r in reports:
        detail = f"  {r.error}" if r.error else ""
        click.echo(
            f"{r.feed_id:<13} {r.status:<12} {r.new} new, {r.revised} revised, "
            f"{r.duplicate} duplicate, {r.failed} failed{detail}"
        )
    if any(r.status in ("error", "gone") or r.failed for r in reports):
        sys.exit(1)


@cli.command()
@_timeout_option
@click.option("--exit-after", type=float, default=None, help="Stop after this many seconds (default: never).")
@pass_context
@friendly
def run(ctx: Context, timeout: float, exit_after: float | None) -> None:
    """Run the feed daemon: poll every feed at its interval until SIGINT or SIGTERM.

    One structured log line per poll goes to stderr. On PostgreSQL several daemons may share a database
    (each feed is polled by one at a time); on SQLite run one.

    \b
    Example:
      accord --db postgresql+psycopg://me@localhost/accord run
    """
    from jobs.scheduler import run as run_daemon

    _log_to_stderr()
    daemon = run_daemon(ctx.engine(), settings=_settings(timeout), exit_after=exit_after)
    polled = [r for r in daemon.reports if r.polled]
    click.echo(f"stopped after {len(polled)} polls", err=True)


for _command in (feeds, poll, run):
    cli.add_command(_command)
