"""What keeps other web sites out of the review page: a form token, the Origin check, the Host check,
and headers that forbid framing.

A browser that visits another site while the review page runs can be made to POST to localhost. The
forms therefore carry a token the other site cannot read (it is made when the process starts and is
only in our pages), and a POST whose ``Origin`` is another site is refused even with it. The Host check
stops DNS rebinding (another site's name pointed at 127.0.0.1 to read our pages, token included).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.errors import AccordError

LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class ForgedRequestError(AccordError, PermissionError):
    """A POST that did not come from one of our own forms."""

    def __init__(self, problem: str, advice: str = "Reload the page and submit the form again") -> None:
        super().__init__(f"refused: {problem}. {advice}.")


class StaleFormError(ForgedRequestError):
    """A form from one of our own pages (its ``Origin`` is ours) whose token is not this process's: the
    page was opened before the server restarted. Nothing it asks is done, but what was typed may be
    offered again with the current token: the person then sends it, not the stale page."""

    def __init__(self) -> None:
        super().__init__(
            "the form's token is out of date, the server was restarted after the page was opened",
            "The meeting is shown as it is now, with what you typed: send the form again",
        )


def new_token() -> str:
    return secrets.token_urlsafe(32)


def check_post(headers: Headers, submitted: str | None, token: str) -> None:
    """Raise ``ForgedRequestError`` unless the POST carries our token and, if it says, our origin.

    A wrong or missing token on a POST whose ``Origin`` is ours (browsers send it with every form POST,
    and no other site can forge it) is a page of ours from before a restart: ``StaleFormError``. Without
    an ``Origin`` there is no telling it from a forgery.
    """
    origin = headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != headers.get("host"):
        raise ForgedRequestError(f"the form was sent from another site ({origin})")
    if not submitted or not hmac.compare_digest(submitted.encode(), token.encode()):
        if origin is not None:
            raise StaleFormError
        raise ForgedRequestError("the form's token is missing or out of date (the server was restarted?)")


def allowed_hosts(bind_host: str) -> list[str]:
    """Host names the server answers to: the local names and the one it is bound to (any, if bound to
    every interface, where the operator has chosen to be reachable by other names)."""
    if bind_host in ("0.0.0.0", "::", ""):
        return ["*"]
    return sorted({*LOCAL_NAMES, bind_host})


class SecurityHeaders:
    """ASGI middleware adding ``SECURITY_HEADERS`` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
