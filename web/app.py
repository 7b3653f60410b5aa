"""The review page: routes that parse a request, call ``store.queries`` or ``jobs.review``, and render.

    create_app(engine, actor="ana")  ->  an ASGI app (``accord serve`` runs it with uvicorn)

Pages are server-rendered (Jinja2, autoescaped) and work without JavaScript. A review is a POST form;
on success the browser is redirected (303) to the resulting meeting, whose page names the event the
decision was recorded as. Every error is one message on a page with a 4xx status, never a traceback.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from accord.errors import AccordError, NotFoundError
from jobs.review import CORRECTABLE, review
from store import queries
from store.db import reader
from web import markup, pages
from web.guard import ForgedRequestError, SecurityHeaders, StaleFormError, check_post, new_token

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 50
MAX_SEARCH = 200  # characters: a name, a place, a source; longer is a paste gone wrong
# The list's filters, the review queue first.
TABS = (
    ("needs-review", "Needs review"),
    (None, "All"),
    ("merged", "Merged"),
    ("single", "Single"),
    ("confirmed", "Confirmed"),
)
log = logging.getLogger("accord.web")


class App:
    """The routes, holding the engine, the default actor and this process's form token."""

    def __init__(self, engine: Engine, *, actor: str, token: str) -> None:
        self.engine = engine  # decisions
        self.reads = reader(engine)  # pages: no write lock, so a running ingest never holds a page up
        self.actor = actor
        self.token = token
        env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["source_label"] = markup.source_label
        env.globals.update(
            in_context=markup.in_context,
            span_anchor=markup.span_anchor,
            statuses=queries.STATUSES,
            correctable=CORRECTABLE,
        )
        self.templates = Jinja2Templates(env=env)

    def render(self, request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        context = {"csrf": self.token, "default_actor": self.actor, **context}
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    # --- reading

    def home(self, request: Request) -> Response:
        return RedirectResponse("/meetings?status=needs-review", status_code=303)

    def meetings(self, request: Request) -> Response:
        params = request.query_params
        status = params.get("status") or None
        search = _search(params.get("q") or "")
        after = queries.Cursor.parse(params["after"]) if params.get("after") else None
        before = queries.Cursor.parse(params["before"]) if params.get("before") else None
        with self.reads.connect() as conn:
            page = queries.meeting_page(
                conn, status=status, search=search, after=after, before=before, limit=PAGE_SIZE
            )
            counts = queries.status_counts(conn)
        keep = {k: v for k, v in (("status", status), ("q", search)) if v}
        tabs = [
            {
                "label": label,
                "url": _url("/meetings", {k: v for k, v in (("status", value), ("q", search)) if v}),
                # The counts are of every meeting: beside a search they would mislead.
                "count": None if search else sum(counts.values()) if value is None else counts[value],
                "current": status == value,
            }
            for value, label in TABS
        ]
        return self.render(
            request,
            "meetings.html",
            {
                "page": page,
                "tabs": tabs,
                "status": status,
                "search": search,
                "next_url": _url("/meetings", {**keep, "after": page.after.token()}) if page.after else None,
                "prev_url": _url("/meetings", {**keep, "before": page.before.token()})
                if page.before
                else None,
                "first_url": _url("/meetings", keep) if (after or before) else None,
            },
        )

    def meeting(self, request: Request) -> Response:
        ref = request.path_params["ref"]
        with self.reads.connect() as conn:
            meeting_id = queries.resolve_meeting(conn, ref, follow_retired=True)
        if meeting_id != ref:
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(f"/meetings/{meeting_id}{query}", status_code=303)
        done = _position(request.query_params.get("done", ""))
        return self.meeting_response(request, meeting_id, done=done)

    def meeting_response(
        self,
        request: Request,
        meeting_id: str,
        *,
        done: int | None = None,
        error: str | None = None,
        form: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        with self.reads.connect() as conn:
            context = pages.meeting_context(conn, meeting_id, done=done)
        seen = " ".join(sorted(r["article_id"] for r in context["reports"]))
        return self.render(
            request,
            "meeting.html",
            {
                **context,
                "error": error,
                "form": form or {},
                "failed_action": (form or {}).get("action"),
                # What the forms send back: the reports shown (a decision on a meeting that changed
                # since is refused), and this rendering's name (a second submission records nothing).
                "seen": seen,
                "submission": secrets.token_urlsafe(12),
            },
            status,
        )

    def history(self, request: Request) -> Response:
        with self.reads.connect() as conn:
            meeting_id = queries.resolve_meeting(conn, request.path_params["ref"], follow_retired=True)
            events = queries.meeting_history(conn, meeting_id)
        return self.render(
            request,
            "history.html",
            {"meeting_id": meeting_id, "events": [pages.event_line(e) for e in events]},
        )

    def event(self, request: Request) -> Response:
        position = _position(request.path_params["position"])
        if position is None:
            raise NotFoundError("event", request.path_params["position"])
        with self.reads.connect() as conn:
            event = queries.event_detail(conn, position)
            links = pages.event_links(conn, event)
        return self.render(request, "event.html", {"event": event, **links})

    # --- deciding

    async def decide(self, request: Request) -> Response:
        action = request.path_params["action"]
        async with request.form(max_files=0, max_fields=20) as data:
            form = {k: v for k, v in data.items() if isinstance(v, str)}
        ref = request.path_params["ref"]
        try:
            check_post(request.headers, form.get("csrf"), self.token)
        except StaleFormError as e:
            return await run_in_threadpool(self._refused, request, ref, action, form, e, status=403)
        try:
            target, position = await run_in_threadpool(self._decide, action, ref, form)
        except AccordError as e:
            return await run_in_threadpool(self._refused, request, ref, action, form, e)
        return RedirectResponse(f"/meetings/{target}?done={position}#done", status_code=303)

    def _decide(self, action: str, ref: str, form: dict[str, str]) -> tuple[str, int]:
        """Record the decision; return the meeting to show next and the decision's log position."""
        reason = form.get("reason", "").strip()
        actor = form.get("actor", "").strip() or self.actor
        with self.reads.connect() as conn:
            meeting_id = queries.resolve_meeting(conn, ref)
        given = {k: form.get(k, "").strip() or None for k in ("report", "other", "field", "value")}
        if action == "remove":  # the form names the fact as "field:value"
            field_name, _, value = form.get("fact", "").partition(":")
            given.update(field=field_name or None, value=value or None)
        seen = form["seen"].split() if "seen" in form else None
        done = review(
            self.engine,
            action,
            meeting_id,
            actor=actor,
            reason=reason,
            report=given["report"] if action == "split" else None,
            other_meeting=given["other"] if action == "merge" else None,
            field_name=given["field"] if action in ("correct", "remove") else None,
            value=given["value"] if action in ("correct", "remove") else None,
            seen=seen,
            submission=form.get("submission") or None,
        )
        # A split or merge may rename the group: go where the meeting's reports went.
        return done.meeting or meeting_id, done.position

    def _refused(
        self,
        request: Request,
        ref: str,
        action: str,
        form: dict[str, str],
        error: AccordError,
        *,
        status: int = 400,
    ) -> Response:
        """The meeting page again, with the message and what was typed (400: the form asked for
        something that cannot be done, another meeting it names included; 403: its token is stale), or
        an error page if the meeting itself is unknown (404)."""
        retired = False
        with self.reads.connect() as conn:
            try:
                meeting_id: str | None = queries.resolve_meeting(conn, ref)
            except NotFoundError:
                meeting_id = queries.successor(conn, ref)
                retired = meeting_id is not None
            except AccordError:
                meeting_id = None
        if meeting_id is None:
            return self.error_page(request, error, 404 if isinstance(error, NotFoundError) else status)
        message = str(error)
        stale = isinstance(error, StaleFormError)
        if retired and not stale:
            message = (
                f"{error}: a split or merge retired it. Nothing was recorded; its reports are in "
                f"{meeting_id}, shown here"
            )
        # The failed form is rendered with this process's token and what was typed. A refused decision
        # is rejudged on the page as it is now (a new rendering of what the meeting holds); a stale one
        # was never judged, so it also keeps the reports its page showed and its submission: sent again,
        # it is refused if the meeting changed since, and recorded once if it was before the restart.
        dropped = ("csrf",) if stale else ("csrf", "seen", "submission")
        kept = {k: v for k, v in form.items() if k not in dropped}
        return self.meeting_response(
            request, meeting_id, error=message, form={**kept, "action": action}, status=status
        )

    # --- errors

    def error_page(self, request: Request, error: Exception | str, status: int) -> Response:
        return self.render(request, "error.html", {"message": str(error), "status": status}, status)


def _position(text: str) -> int | None:
    """A log position from a request (ASCII digits, within a 64-bit integer), or None."""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def _search(text: str) -> str:
    """The search as typed, trimmed; AccordError (400) for one no person types."""
    text = text.strip()
    if len(text) > MAX_SEARCH:
        raise AccordError(f"a search is at most {MAX_SEARCH} characters; this one has {len(text):,}")
    if any(ch < " " or ch == "\x7f" for ch in text):
        raise AccordError("a search cannot hold control characters (tabs, line breaks, NUL)")
    return text


def _url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def create_app(
    engine: Engine, *, actor: str, allowed_hosts: list[str] | None = None, token: str | None = None
) -> Starlette:
    """The review page over ``engine``. ``actor`` is the name review forms start with; ``token`` (default:
    a new random one) is what every form must send back."""
    app = App(engine, actor=actor, token=token or new_token())

    async def accord_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, ForgedRequestError):
            status = 403
        elif isinstance(exc, NotFoundError):
            status = 404
        else:
            status = 400
        return await run_in_threadpool(app.error_page, request, exc, status)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = "no such page" if status == 404 else str(getattr(exc, "detail", exc))
        return await run_in_threadpool(app.error_page, request, message, status)

    async def database_error(request: Request, exc: Exception) -> Response:
        log.exception("database error", exc_info=exc)
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return await run_in_threadpool(app.error_page, request, f"database error: {first}", 503)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path, exc_info=exc)
        message = f"internal error ({type(exc).__name__}); the server's log has the details"
        return await run_in_threadpool(app.error_page, request, message, 500)

    routes = [
        Route("/", app.home),
        Route("/meetings", app.meetings),
        Route("/meetings/{ref}", app.meeting),
        Route("/meetings/{ref}/history", app.history),
        Route("/meetings/{ref}/{action:str}", app.decide, methods=["POST"]),
        Route("/events/{position}", app.event),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or ["127.0.0.1", "localhost"]),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            AccordError: accord_error,
            HTTPException: http_error,
            SQLAlchemyError: database_error,
            Exception: server_error,
        },
    )
