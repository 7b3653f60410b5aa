"""The ``accord`` command: a thin shell over the library. Each command opens the database and calls one
function; the work happens in ``ingest``, ``jobs``, ``store`` and ``matcher``."""

from __future__ import annotations

import csv
import functools
import getpass
import io
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from sqlalchemy import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from accord.errors import AccordError

if TYPE_CHECKING:
    from store.events import DomainEvent

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    def __init__(self, db: str | None, debug: bool) -> None:
        self.db = db
        self.debug = debug
        self.url: str | None = None  # set once a command opens the database, for naming it in an error
        self._engine: Engine | None = None

    def engine(self, *, auto_upgrade: bool | None = None) -> Engine:
        if self._engine is None:
            from store.db import database_url, open_database

            self.url = database_url(self.db)
            self._engine = open_database(self.url, auto_upgrade=auto_upgrade)
        return self._engine

    def reads(self) -> Engine:
        """The database for a command that only reads (no write lock on SQLite)."""
        from store.db import reader

        return reader(self.engine())

    def reads_projections(self) -> Engine:
        """``reads``, for a command that shows the projections (meetings, facts), not only the log.

        Tables another version of their fold built are shown as they are, with a warning on stderr: they
        may not be what this Accord builds from the log (commands that write refuse until a rebuild).
        """
        from store.rebuild import outdated

        engine = self.reads()
        with engine.connect() as conn:
            for problem in outdated(conn):
                click.echo(f"accord: warning: {problem}", err=True)
        return engine


# The fields of a meeting a person may correct or remove, and audit filters on: jobs.review.CORRECTABLE,
# which this module does not import at start-up (a test checks the two agree).
_FIELD_CHOICE = click.Choice(["date", "participant", "organization", "place", "format", "topic"])


def friendly(func: F) -> F:
    """Turn an AccordError or a database error into one line on stderr and exit status 1 (a traceback
    only with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (AccordError, SQLAlchemyError) as e:
            context: Context = click.get_current_context().find_object(Context)  # type: ignore[assignment]
            if context.debug:
                raise
            if isinstance(e, SQLAlchemyError):
                click.echo(f"accord: database error: {_database_problem(context.url, e)}", err=True)
            else:
                click.echo(f"accord: {e}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _database_problem(url: str | None, error: SQLAlchemyError) -> str:
    """Which database (password hidden), the driver's first line, and what to do where that is known.

    The driver's words name neither the database nor a remedy: sqlite says "unable to open database file"
    whether the folder is missing or the path is a folder. ``url`` is None when the command opened no
    database of the user's (``eval`` works in a database of its own).
    """
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    remedy = None
    if url is not None:
        parsed = make_url(url)
        detail = f"{parsed.render_as_string(hide_password=True)}: {detail}"
        remedy = _database_remedy(parsed, error)
    return f"{detail}; {remedy}" if remedy else f"{detail} (run with --debug for details)"


def _database_remedy(url: URL, error: SQLAlchemyError) -> str | None:
    """What the user can do about ``error``, where the URL and the error tell."""
    if url.get_backend_name() != "sqlite":
        # A DBAPI error without a statement was raised while connecting: the server was not reached,
        # or it refused this user or database (its reason, if it gave one, is in the driver's line).
        if isinstance(error, DBAPIError) and error.statement is None:
            return "check the URL, and that the server is running and reachable from here"
        return None
    if not url.database:  # in memory
        return None
    path = Path(url.database).absolute()
    code = getattr(getattr(error, "orig", None), "sqlite_errorname", None)
    if code == "SQLITE_NOTADB":
        return "--db must name an Accord database, or a file that does not exist yet"
    if code == "SQLITE_CANTOPEN" and not path.parent.is_dir():
        return f"the folder {path.parent} does not exist: create it, or give another --db"
    if code == "SQLITE_CANTOPEN" and path.is_dir():
        return f"{path} is a folder: give --db a file in it"
    return None


@click.group()
@click.option(
    "--db", envvar="ACCORD_DB", help="Database URL (default: sqlite:///accord.db here). Env: ACCORD_DB."
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, db: str | None, debug: bool) -> None:
    """Accord: ingest news reports, group the ones about the same meeting, audit every fact.

    \b
    Example:
      accord ingest examples/corpus && accord meetings
    """
    ctx.obj = Context(db, debug)


pass_context = click.make_pass_decorator(Context)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=None,
    help="Refuse files larger than this many bytes (default 5 MiB).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and the failures.")
@pass_context
@friendly
def ingest(ctx: Context, paths: tuple[str, ...], max_bytes: int | None, quiet: bool) -> None:
    """Ingest files and folders (.txt, .html, .json, .jsonl, RSS/Atom .xml).

    Each article is appended to the log once; the same content from the same source again is reported
    as a duplicate, changed content as a revision. Bad files are named and skipped; the exit status is
    1 if any input failed.

    \b
    Example:
      accord ingest reports/ extra/page.html feed.xml
    """
    from ingest.sources import DEFAULT_MAX_BYTES, iter_articles
    from jobs.pipeline import Outcome, Pipeline

    pipeline = Pipeline(ctx.engine(), actor="cli")
    counter = {"n": 0}

    def show(outcome: Outcome) -> None:
        counter["n"] += 1
        if outcome.status == "failed":
            click.echo(f"failed     {outcome.source}: {outcome.message}", err=True)
        elif not quiet:
            click.echo(f"{outcome.status:<10} {outcome.source}")
        elif counter["n"] % 100 == 0:
            click.echo(f"... {counter['n']} inputs", err=True)

    summary = pipeline.ingest(iter_articles(paths, max_bytes=max_bytes or DEFAULT_MAX_BYTES), on_outcome=show)
    click.echo(
        f"{summary.count('new')} new, {summary.count('revised')} revised, "
        f"{summary.count('duplicate')} duplicate, {summary.count('failed')} failed"
    )
    if summary.failed:
        sys.exit(1)


@cli.command()
@click.option(
    "--status",
    type=click.Choice(["needs-review", "merged", "single", "confirmed"]),
    help="Only meetings with this status.",
)
@click.option("--ids", is_flag=True, help="Print only the meeting ids, one per line.")
@pass_context
@friendly
def meetings(ctx: Context, status: str | None, ids: bool) -> None:
    """The canonical meeting table.

    \b
    Example:
      accord meetings --status needs-review
    """
    from store.queries import list_meetings

    with ctx.reads_projections().connect() as conn:
        rows = list_meetings(conn, status=status)
    if ids:
        for row in rows:
            click.echo(row["id"])
        return
    click.echo(f"{'MEETING':<16} {'DATE':<22} {'STATUS':<12} {'N':>2}  {'FORMAT':<15} PARTICIPANTS")
    for row in rows:
        people = "; ".join(row["participants"]) or "-"
        click.echo(
            f"{row['id']:<16} {row['date']:<22} {row['status']:<12} {row['reports']:>2}  "
            f"{row['format'] or '-':<15} {people}"
        )
    click.echo(f"{len(rows)} meetings")


def _shown_meeting(conn: Connection, ref: str) -> str:
    """The meeting a reading command shows for ``ref``: a full id that a split or merge retired leads to
    the meeting its namesake report is in now (as the web page does), with a note on stderr saying so.
    Review commands never follow one: a decision must land on the meeting named."""
    from accord.errors import NotFoundError
    from store.queries import resolve_meeting, successor

    try:
        return resolve_meeting(conn, ref)
    except NotFoundError:
        moved = successor(conn, ref)
        if moved is None:
            raise
    click.echo(f"accord: {ref.strip()} was retired by a split or merge; showing {moved}", err=True)
    return moved


@cli.command()
@click.argument("meeting")
@pass_context
@friendly
def show(ctx: Context, meeting: str) -> None:
    """A meeting's facts, its reports, and why the matcher put them together.

    A meeting id that a split or merge retired shows the meeting its namesake report is in now.

    \b
    Example:
      accord show m-3f2a
    """
    from jobs.pipeline import decision_from_payload
    from matcher.explain import explain
    from store.queries import meeting_detail

    with ctx.reads_projections().connect() as conn:
        detail = meeting_detail(conn, _shown_meeting(conn, meeting))
    click.echo(f"meeting {detail['id']}  [{detail['status']}]  {detail['title'] or ''}")
    click.echo(f"  date    {detail['date']}")
    click.echo(f"  format  {detail['format'] or '-'}")
    click.echo(f"  place   {detail['place'] or '-'}")
    if detail["review_with_meeting"]:
        click.echo(f"  needs review: may be the same meeting as {detail['review_with_meeting']}")
    click.echo("facts:")
    for fact in detail["facts"]:
        extra = ", ".join(f"{k}={v}" for k, v in sorted(fact["attrs"].items()) if v and k != "key")
        alt = f"  (also: {'; '.join(fact['alternatives'])})" if fact["alternatives"] else ""
        click.echo(
            f"  {fact['field']:<13} {fact['value']}{' [' + extra + ']' if extra else ''}  <{fact['rule']}>{alt}"
        )
    click.echo("reports:")
    for report in detail["reports"]:
        click.echo(f"  {_report_id(report['article_id'])}  {report['outcome'] or '-':<8} {report['source']}")
        if report["decision"]:
            for line in explain(decision_from_payload(report["decision"])):
                click.echo(f"      {line}")


def _report_id(article_id: str) -> str:
    """A report's id as ``show`` and ``audit`` print it: a prefix ``accord review split`` accepts, and
    what tells apart two reports ingested from same-named files."""
    return article_id[:12]


@cli.command()
@click.argument("meeting")
@click.option("--field", type=_FIELD_CHOICE, help="Only this field (the decisions are all listed).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
@pass_context
@friendly
def audit(ctx: Context, meeting: str, field: str | None, as_json: bool) -> None:
    """Where each fact of a meeting came from, and every person's decision about its reports.

    Each fact with the rule that chose it, the values reports gave instead, and the person who corrected
    it; each source with its report's id, span, quote, extractor and matcher versions and the events
    behind it. A meeting id that a split or merge retired shows the meeting its namesake report is in.

    \b
    Example:
      accord audit m-3f2a --field participant
      accord audit m-3f2a --json > m-3f2a.json
    """
    from store.queries import audit_document

    with ctx.reads_projections().connect() as conn:
        document = audit_document(conn, _shown_meeting(conn, meeting), field=field)
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, indent=2, default=datetime.isoformat))
        return
    click.echo(f"audit of meeting {document['meeting_id']}")
    for fact in document["facts"]:
        click.echo(f"{fact['field']}: {fact['value']}  ({_chosen_by(fact)})")
        for s in fact["sources"]:
            chain = " -> ".join(f"{c['step']} #{c['position']}" for c in s["chain"])
            matcher = f" ({s['matcher_version']})" if s["matcher_version"] else ""
            click.echo(
                f"    {_report_id(s['article_id'])} {s['source']} [{s['span'][0]}:{s['span'][1]}] "
                f"{_quoted(s['quote'])}"
            )
            click.echo(f"        rule {s['rule']}, {s['extractor_version']}; events {chain}{matcher}")
        if not fact["sources"]:
            click.echo("    (no report states it: a person's correction)")
    click.echo("decisions:" if document["decisions"] else "decisions: none")
    for d in document["decisions"]:
        click.echo(f"  {_decision_line(d)}")


def _quoted(text: str) -> str:
    """Text in JSON quotes: a quote or a reason stays on one line, its edges visible."""
    return json.dumps(text, ensure_ascii=False)


def _chosen_by(fact: dict[str, Any]) -> str:
    """How a fact got its value: the rule, the person who decided it, the values reports gave instead."""
    said = f"chosen by {fact['rule']}"
    if fact["decision"]:
        d = fact["decision"]
        said += f": {d['action']} #{d['position']} by {d['actor']}, {_quoted(d['reason'])}"
    if fact["alternatives"]:
        said += f"; also: {'; '.join(fact['alternatives'])}"
    return said


def _decision_line(d: dict[str, Any]) -> str:
    """One review decision in the audit: when, what, who, why, and the reports it names."""
    what = d["action"]
    if d["field"]:
        what += f" {d['field']} {_quoted(d['value'] or '')}"
    reports = ", ".join(map(_report_id, d["article_ids"]))
    if d["others"]:
        joined = "apart from" if d["action"] == "split" else "with"
        reports += f" {joined} {', '.join(map(_report_id, d['others']))}"
    return (
        f"#{d['position']} {d['recorded_at']:%Y-%m-%d %H:%M} {what} by {d['actor']}: "
        f"{_quoted(d['reason'])}; reports {reports}"
    )


@cli.group()
def export() -> None:
    """Export projections."""


@export.command("meetings")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option(
    "--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="File (default stdout)."
)
@pass_context
@friendly
def export_meetings_cmd(ctx: Context, fmt: str, output: io.TextIOBase) -> None:
    """Every meeting with its facts and reports (each report's ``source`` as given at ingest).

    Every meeting has the same keys, dates included: ``date_from`` and ``date_to`` (equal for one day)
    and ``date`` (that day; null for a range, as all three are for a meeting without a date).

    \b
    Example:
      accord export meetings --format jsonl -o meetings.jsonl
    """
    from store.queries import export_meetings

    with ctx.reads_projections().connect() as conn:
        items = list(export_meetings(conn))
    if fmt == "json":
        json.dump(items, output, ensure_ascii=False, indent=2)
        output.write("\n")
    elif fmt == "jsonl":
        output.writelines(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    else:
        writer = csv.writer(output)
        writer.writerow(
            [
                "id",
                "date",
                "date_from",
                "date_to",
                "status",
                "format",
                "place",
                "participants",
                "organizations",
                "sources",
            ]
        )
        for item in items:
            writer.writerow(
                [
                    item["id"],
                    item["date"] or "",
                    item["date_from"] or "",
                    item["date_to"] or "",
                    item["status"],
                    item["format"] or "",
                    item["place"] or "",
                    "; ".join(p["name"] for p in item["participants"]),
                    "; ".join(item["organizations"]),
                    "; ".join(r["source"] for r in item["reports"]),
                ]
            )


@cli.command()
@click.option("--after", type=click.IntRange(min=0), default=0, help="Start after this position.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many events."
)
@click.option("--stream", help="Only this stream (e.g. article-<id>), with --after and --limit as well.")
@pass_context
@friendly
def log(ctx: Context, after: int, limit: int, stream: str | None) -> None:
    """The events, oldest first.

    \b
    Example:
      accord log --after 100 --limit 20
    """
    from store.eventlog import EventLog

    with ctx.reads().connect() as conn:
        eventlog = EventLog(conn)
        if stream:
            events = [e for e in eventlog.stream(stream) if e.position > after][:limit]
            if not events and not eventlog.stream(stream):
                raise AccordError(f"no stream {stream!r} in the log")
        else:
            events = eventlog.read(after=after, limit=limit)
    for e in events:
        fields = {"actor": e.meta().get("actor"), **_log_fields(e.domain())}
        shown = " ".join(f"{k}={_log_value(v)}" for k, v in fields.items() if v not in (None, "", []))
        click.echo(
            f"#{e.position:<6} {e.recorded_at:%Y-%m-%d %H:%M:%S} {e.type:<15} {e.stream_id} v{e.stream_version}  {shown}"
        )


def _log_fields(event: DomainEvent) -> dict[str, object]:
    """What tells an event apart from its neighbours in ``accord log``, in the order shown.

    The stream already names the article, meeting or feed. Texts, raw pages, extractions and candidate
    lists are for ``show``, ``audit`` and the web page; titles and errors are shortened, never a source,
    an address or a person's reason.
    """
    from store.events import ArticleReceived, ArticleRevised, MatchDecided, ReportExtracted, ReviewDecided
    from store.feedevents import FeedAdded, FeedChanged, FeedPolled, FeedRemoved

    match event:
        case ArticleReceived():
            revision = event.revision if isinstance(event, ArticleRevised) else None
            return {
                "revision": revision,
                "source": event.source,
                "item_key": event.item_key,
                "title": _shorten(event.title),
            }
        case ReportExtracted():
            return {"extractor_version": event.extractor_version, "article_position": event.article_position}
        case MatchDecided():
            best = event.best or {}
            return {
                "outcome": event.outcome,
                "review_with": event.review_with,
                "best": best.get("report_id"),
                "score": best.get("score"),
                "cluster_size": len(event.cluster),
                "matcher_version": event.matcher_version,
                "trigger": event.trigger,
            }
        case ReviewDecided():
            return {
                "action": event.action,
                "article_ids": event.article_ids,
                "others": event.others,
                "field_name": event.field_name,
                "value": event.value,
                "reason": event.reason,
            }
        case FeedAdded():
            return {
                "url": event.url,
                "name": event.name,
                "every_seconds": event.every_seconds,
                "full_text": event.full_text,
            }
        case FeedChanged():
            return {
                "url": event.url,
                "name": event.name,
                "every_seconds": event.every_seconds,
                "paused": event.paused,
                "reason": event.reason,
            }
        case FeedRemoved():
            return {"reason": event.reason}
        case FeedPolled():
            return {
                "outcome": event.outcome,
                "http_status": event.http_status,
                "new": event.new,
                "revised": event.revised,
                "duplicate": event.duplicate,
                "failed": event.failed,
                "url": event.url,
                "error": _shorten(event.error),
                "warnings": _shorten("; ".join(event.warnings)),
            }
    # A type added since: its plain fields, each shortened (which of them identify it is not known here).
    return {
        k: _shorten(v) if isinstance(v, str) else v
        for k, v in event.payload().items()
        if isinstance(v, str | int | float)
    }


def _shorten(text: str | None, width: int = 80) -> str | None:
    return text if text is None or len(text) <= width else text[: width - 1] + "…"


def _log_value(value: object) -> str:
    """A field as ``accord log`` shows it: a list comma-joined, text with spaces, quotes or control
    characters in JSON quotes (so a line is one line, and splits on spaces into ``key=value`` pairs),
    booleans as JSON spells them."""
    if isinstance(value, bool):
        return json.dumps(value)
    text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    quote = not text.isprintable() or " " in text or '"' in text  # a newline or a tab is not printable
    return json.dumps(text, ensure_ascii=False) if quote else text


@cli.command()
@click.option(
    "--check", is_flag=True, help="Replay into a rolled-back transaction and compare with the live tables."
)
@pass_context
@friendly
def rebuild(ctx: Context, check: bool) -> None:
    """Drop the projections and replay the log (with --check: prove the replay is identical).

    \b
    Example:
      accord rebuild --check
    """
    from store.rebuild import rebuild as do_rebuild

    result = do_rebuild(ctx.engine(), check=check)
    if not check:
        click.echo(f"rebuilt projections from {result.events} events")
        return
    if result.identical:
        click.echo(f"rebuild check passed: replaying {result.events} events gives identical projections")
        return
    for line in result.differences:
        click.echo(f"differs: {line}", err=True)
    raise AccordError(
        "rebuild check failed: the projections differ from a replay of the log. If Accord was upgraded "
        "since they were built, 'accord rebuild' brings them up to date; if not, something wrote to "
        "them outside Accord"
    )


@cli.command()
@pass_context
@friendly
def verify(ctx: Context) -> None:
    """Walk the hash chain of the log and name the first event that does not match.

    \b
    Example:
      accord verify
    """
    from accord.errors import TamperedLogError
    from store.eventlog import EventLog

    with ctx.reads().connect() as conn:
        result = EventLog(conn).verify()
    if not result.ok:
        raise TamperedLogError(result.first_bad or 0, result.reason or "")
    click.echo(f"log verified: {result.checked} events, hash chain intact")


def _actor(actor: str | None) -> str:
    """The name a decision is recorded under: the given one, else the OS user, else "unknown"."""
    if actor:
        return actor
    try:
        return getpass.getuser()  # $LOGNAME, $USER, ... then the password database ($USER may be unset)
    except (OSError, KeyError):
        return "unknown"


@cli.group()
def review() -> None:
    """Human review of merged duplicates: confirm, split, merge, correct, remove.

    Every decision is an event with its actor and reason; it outlives every matcher re-run.
    """


_reason = click.option("--reason", required=True, help="Why: kept in the log with the decision.")
_actor_option = click.option("--actor", help="Who decides (default: $USER).")
_field = click.argument("field", type=_FIELD_CHOICE)


@review.command("confirm")
@click.argument("meeting")
@_reason
@_actor_option
@pass_context
@friendly
def review_confirm(ctx: Context, meeting: str, reason: str, actor: str | None) -> None:
    """Confirm that a meeting's reports belong together.

    \b
    Example:
      accord review confirm m-3f2a --reason "same videoconference, checked the ministry site"
    """
    from jobs.review import review as decide

    done = decide(ctx.engine(), "confirm", meeting, actor=_actor(actor), reason=reason)
    click.echo(f"confirmed: {', '.join(done.meetings)} (event #{done.position})")


@review.command("split")
@click.argument("meeting")
@click.argument("report")
@_reason
@_actor_option
@pass_context
@friendly
def review_split(ctx: Context, meeting: str, report: str, reason: str, actor: str | None) -> None:
    """Take a report (id prefix or source) out of a meeting; the matcher never puts it back.

    \b
    Example:
      accord review split m-3f2a reports/wire-0412.txt --reason "different day: 12 April, not 2 April"
    """
    from jobs.review import review as decide

    done = decide(ctx.engine(), "split", meeting, report=report, actor=_actor(actor), reason=reason)
    click.echo(f"split: the reports are now in {', '.join(done.meetings)} (event #{done.position})")


@review.command("merge")
@click.argument("meeting")
@click.argument("other")
@_reason
@_actor_option
@pass_context
@friendly
def review_merge(ctx: Context, meeting: str, other: str, reason: str, actor: str | None) -> None:
    """Merge two meetings that are the same event.

    \b
    Example:
      accord review merge m-3f2a m-77c1 --reason "the wire misdated it; same talks"
    """
    from jobs.review import review as decide

    done = decide(ctx.engine(), "merge", meeting, other_meeting=other, actor=_actor(actor), reason=reason)
    click.echo(f"merged into {', '.join(done.meetings)} (event #{done.position})")


@review.command("correct")
@click.argument("meeting")
@_field
@click.argument("value")
@_reason
@_actor_option
@pass_context
@friendly
def review_correct(
    ctx: Context, meeting: str, field: str, value: str, reason: str, actor: str | None
) -> None:
    """Correct a fact of a meeting (a date range is written FROM..TO).

    \b
    Example:
      accord review correct m-3f2a place Ashgabat --reason "the dateline city, confirmed by the ministry"
    """
    from jobs.review import review as decide

    done = decide(
        ctx.engine(), "correct", meeting, field_name=field, value=value, actor=_actor(actor), reason=reason
    )
    click.echo(f"corrected {field} of {meeting}: {value} (event #{done.position})")


@review.command("remove")
@click.argument("meeting")
@_field
@click.argument("value")
@_reason
@_actor_option
@pass_context
@friendly
def review_remove(ctx: Context, meeting: str, field: str, value: str, reason: str, actor: str | None) -> None:
    """Remove a fact the meeting states wrongly (a participant who was not there, a topic it is not about).

    \b
    Example:
      accord review remove m-3f2a participant "J. Haldane" --reason "quoted, not at the meeting"
    """
    from jobs.review import review as decide

    done = decide(
        ctx.engine(), "remove", meeting, field_name=field, value=value, actor=_actor(actor), reason=reason
    )
    click.echo(f"removed {field} {value!r} from {meeting} (event #{done.position})")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--actor", envvar="ACCORD_ACTOR", help="Name review forms start with (default: the OS user).")
@pass_context
@friendly
def serve(ctx: Context, host: str, port: int, actor: str | None) -> None:
    """The web review page: the meeting list and review queue, each fact's sources, review forms.

    Listens on localhost unless --host says otherwise. Uses the same database as every other command.

    \b
    Example:
      accord --db sqlite:///demo.db serve --port 8000 --actor ana
    """
    import uvicorn

    from web.app import create_app
    from web.guard import allowed_hosts

    app = create_app(ctx.engine(), actor=_actor(actor), allowed_hosts=allowed_hosts(host))
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Accord review page on http://{shown}:{port}/ (Ctrl+C stops it)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info")


@cli.command()
@pass_context
@friendly
def reextract(ctx: Context) -> None:
    """Extract again every report an older extractor read; old extraction events stay in the log.

    \b
    Example:
      accord reextract
    """
    from jobs.reprocess import reextract as run

    click.echo(f"{run(ctx.engine(), actor=_actor(None))} reports extracted again")


@cli.command()
@pass_context
@friendly
def rematch(ctx: Context) -> None:
    """Run the matcher again over every report (e.g. after an upgrade); human decisions still hold.

    \b
    Example:
      accord rematch
    """
    from jobs.review import rematch as run

    click.echo(f"{run(ctx.engine())} decisions changed")


@cli.command("eval")
@click.argument("corpus", type=click.Choice(["seeds", "synthetic", "ecbplus"]))
@click.option("--path", help="Folder of the seeds or of ECB+ (default: ../shared/seeds, ../shared/ecbplus).")
@click.option("-n", "size", type=int, default=2000, show_default=True, help="Synthetic: how many reports.")
@click.option("--seed", type=int, default=0, show_default=True, help="Synthetic: generator seed.")
@click.option(
    "--topics",
    type=click.Choice(["all", "odd", "even"]),
    default="all",
    show_default=True,
    help="ECB+: which topic folders (odd topics are the matcher's tuning set, even ones held out).",
)
@click.option("--no-baseline", is_flag=True, help="Skip the TF-IDF baseline.")
@click.option(
    "--json", "json_out", type=click.File("w", encoding="utf-8"), help="Also write the report as JSON."
)
@pass_context
@friendly
def evaluate_cmd(
    ctx: Context,
    corpus: str,
    path: str | None,
    size: int,
    seed: int,
    topics: str,
    no_baseline: bool,
    json_out: io.TextIOBase | None,
) -> None:
    """Run the real pipeline on a labelled corpus into a fresh database and score it beside a baseline.

    Prints B-cubed and pairwise precision/recall/F1, group counts, the hard-negative false-merge rate,
    the review share and the worst errors with the matcher's explanations (Markdown).

    \b
    Example:
      accord eval synthetic -n 1000 --seed 3
    """
    from evaluation import corpora
    from evaluation.errors import CorpusNotFoundError
    from evaluation.harness import evaluate
    from jobs.evaluate import run_pipeline

    if corpus == "seeds":
        labelled = corpora.load_seeds(path) if path else corpora.load_seeds()
    elif corpus == "ecbplus":
        try:
            chosen = (
                None if topics == "all" else [str(t) for t in range(1, 100) if t % 2 == (topics == "odd")]
            )
            labelled = corpora.load_ecbplus(path or "../shared/ecbplus", topics=chosen)
        except CorpusNotFoundError as e:
            click.echo(f"ECB+ not evaluated: {e}")
            return
    else:
        labelled = corpora.load_synthetic(size, seed)
    report = evaluate(labelled, run_pipeline, baseline=not no_baseline)
    click.echo(report.to_markdown())
    if json_out is not None:
        json_out.write(report.to_json())


@cli.group()
def db() -> None:
    """Database schema."""


@db.command()
@pass_context
@friendly
def upgrade(ctx: Context) -> None:
    """Migrate the database schema to the newest version.

    \b
    Example:
      accord --db postgresql+psycopg://me@localhost/accord db upgrade
    """
    from store.db import current_revision

    engine = ctx.engine(auto_upgrade=True)
    click.echo(f"schema at {current_revision(engine)}")


def main() -> None:
    cli(prog_name="accord")


import accord.feeds_cli  # noqa: F401  (adds feeds, poll and run to cli with cli.add_command)

if __name__ == "__main__":
    main()
