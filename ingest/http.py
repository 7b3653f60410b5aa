"""Fetching over HTTP(S) with httpx: polite, bounded, conditional. Errors are values, never exceptions.

Every fetch has a deadline (``timeout``: the whole fetch, redirects and body included), follows at most
``max_redirects`` redirects (each checked: http and https only), stops reading a body at ``max_bytes``,
sends a clear User-Agent and, when it has them, the validators of the last response (``If-None-Match`` /
``If-Modified-Since``) so an unchanged feed costs a 304. Whether a redirect chain was permanent (301/308
all the way) is reported, so the caller can record the feed's new address.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import httpx
import idna

USER_AGENT = "Accord/0.1 (+feed reader)"
PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, kw_only=True)
class FetchConfig:
    timeout: float = 20.0  # seconds for the whole fetch: connecting, redirects, reading the body
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = USER_AGENT


DEFAULT_CONFIG = FetchConfig()


@dataclass(frozen=True, kw_only=True)
class Fetched:
    """What one fetch gave. ``outcome`` is "ok", "not-modified", "gone" (410) or "error"."""

    url: str  # as asked
    final_url: str  # after redirects
    outcome: str
    status: int | None = None
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # seconds the server asked us to wait (429, 503)
    moved_to: str | None = None  # set when every redirect was permanent (301/308)
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def url_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) URL that can be fetched, or None if it is.

    Checks what would otherwise fail deep inside the fetch: whitespace or control characters, an
    unparsable address (``http://[bad``), a port out of range, and a host that cannot be IDNA-encoded
    (``http://a..b/``, ``http://xn--zz/``)."""
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cs") for c in url):
        return "it contains whitespace or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        return str(e)
    if parts.scheme.lower() not in ("http", "https"):
        return "only http and https are fetched"
    if not parts.hostname:
        return "no host"
    if port == 0:
        return "port 0 is not a port to fetch from"
    try:
        host = httpx.URL(url).raw_host.decode("ascii")  # as httpx will send it (IDNA-encoded)
        host.encode("idna")  # as the resolver is given it: no empty or over-long label
        for label in host.split("."):
            if label.lower().startswith("xn--"):
                idna.decode(label)  # strict, like httpx's own check of a host that starts with one
    except (httpx.InvalidURL, idna.IDNAError, ValueError):  # UnicodeError is a ValueError
        return f"the host {parts.hostname!r} is not a valid host name"
    return None


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    config: FetchConfig = DEFAULT_CONFIG,
    client: httpx.Client | None = None,
    accept: str = "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5",
) -> Fetched:
    """GET ``url`` once (following redirects by hand), all within ``config.timeout``. Never raises for a
    bad URL, network or HTTP trouble. A ``client`` should come from ``make_client`` (no kept-alive
    connections, so that every connection of the fetch is its own and the deadline can close it)."""
    if problem := url_problem(url):
        return Fetched(
            url=url,
            final_url=url,
            outcome="error",
            error=f"not an http(s) URL: {url!r} ({problem})",
            seconds=0.0,
        )
    own = client is None
    http = client or make_client(config)
    try:
        with _Deadline(config.timeout) as deadline:
            return _fetch(http, url, etag, last_modified, config, accept, deadline)
    finally:
        if own:
            http.close()


def make_client(config: FetchConfig = DEFAULT_CONFIG) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(config.timeout),
        follow_redirects=False,
        headers={"User-Agent": config.user_agent},
        trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


class _Deadline:
    """The end of one fetch, enforced. httpx's timeouts bound each read, so a server that trickles a
    byte at a time could hold a fetch for ever; at the deadline a timer shuts the sockets the fetch
    opened (seen through httpcore's ``trace`` hook), which ends any read under way."""

    def __init__(self, seconds: float) -> None:
        self.started = time.monotonic()
        self.at = self.started + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Self:
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.cancel()

    @property
    def passed(self) -> bool:
        return self._expired or time.monotonic() >= self.at

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: keep each socket the fetch opens."""
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        sock = info["return_value"].get_extra_info("socket")
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            late = self._expired
        if late:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for a TLS socket: it wakes a read blocked in another thread and
    # leaves the TLS state to the reader, who then fails cleanly. A socket closed already is no matter.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _fetch(
    http: httpx.Client,
    url: str,
    etag: str | None,
    last_modified: str | None,
    config: FetchConfig,
    accept: str,
    deadline: _Deadline,
) -> Fetched:
    def failed(message: str, *, status: int | None = None, at: str = url, **extra: object) -> Fetched:
        return Fetched(
            url=url,
            final_url=at,
            outcome="error",
            status=status,
            error=message,
            seconds=deadline.elapsed(),
            **extra,  # type: ignore[arg-type]
        )

    timed_out = f"timed out after {config.timeout:g}s"
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    permanent = True
    for hop in range(config.max_redirects + 1):
        if hop and (problem := url_problem(current)):  # fetch checked the first
            return failed(f"redirected to a bad URL: {current!r} ({problem})", at=current)
        if deadline.passed:
            return failed(timed_out, at=current)
        try:
            with http.stream(
                "GET",
                current,
                headers=headers,
                timeout=httpx.Timeout(deadline.remaining()),
                extensions={"trace": deadline.trace},
            ) as response:
                status = response.status_code
                if status in REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        return failed(f"HTTP {status} redirect without a Location", status=status, at=current)
                    permanent = permanent and status in PERMANENT
                    try:
                        current = urljoin(current, location)
                    except ValueError as e:
                        return failed(
                            f"HTTP {status} redirect to a bad URL: {location!r} ({e})",
                            status=status,
                            at=current,
                        )
                    continue
                body, problem = _read_capped(response, config.max_bytes, deadline)
        # Whatever a server or an address can make httpx raise: its own errors, a URL it refuses, a host
        # the resolver cannot encode (UnicodeError is a ValueError), a header value it cannot encode.
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError) as e:
            if deadline.passed or isinstance(e, httpx.TimeoutException):
                return failed(timed_out, at=current)
            return failed(f"{type(e).__name__}: {e}".rstrip(": "), at=current)
        if deadline.passed:  # a body the deadline cut short can look complete
            return failed(timed_out, status=status, at=current)
        moved = current if hop and permanent else None
        common = {
            "url": url,
            "final_url": current,
            "status": status,
            "moved_to": moved,
            "seconds": deadline.elapsed(),
        }
        if status == 304:
            return Fetched(
                **common,  # type: ignore[arg-type]
                outcome="not-modified",
                etag=response.headers.get("etag") or etag,
                last_modified=response.headers.get("last-modified") or last_modified,
            )
        if status == 410:
            return Fetched(**common, outcome="gone", error="HTTP 410 Gone")  # type: ignore[arg-type]
        if status >= 400:
            return Fetched(
                **common,  # type: ignore[arg-type]
                outcome="error",
                error=f"HTTP {status} {response.reason_phrase}".strip(),
                retry_after=retry_after_seconds(response.headers.get("retry-after"))
                if status in (429, 503)
                else None,
            )
        if problem:
            return Fetched(**common, outcome="error", error=problem)  # type: ignore[arg-type]
        return Fetched(
            **common,  # type: ignore[arg-type]
            outcome="ok",
            body=body,
            content_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
    return failed(f"more than {config.max_redirects} redirects (a loop?)", at=current)


def _read_capped(response: httpx.Response, max_bytes: int, deadline: _Deadline) -> tuple[bytes, str | None]:
    """The body, read until ``max_bytes`` or the deadline (the caller checks which): a larger one is
    refused without reading the rest."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        return b"", f"body of {int(declared):,} bytes is over the {max_bytes:,}-byte limit"
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            return b"", f"body is over the {max_bytes:,}-byte limit (stopped reading)"
        chunks.append(chunk)
        if deadline.passed:
            break
    return b"".join(chunks), None


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """A Retry-After header (delay-seconds or an HTTP date) as seconds from now; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
