"""Fetching over HTTP(S) with httpx: polite, bounded, conditional. Errors are values, never exceptions.

Every fetch has a timeout, follows at most ``max_redirects`` redirects (each checked: http and https
only), stops reading a body at ``max_bytes``, sends a clear User-Agent and, when it has them, the
validators of the last response (``If-None-Match`` / ``If-Modified-Since``) so an unchanged feed costs a
304. Whether a redirect chain was permanent (301/308 all the way) is reported, so the caller can record
the feed's new address.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

USER_AGENT = "Accord/0.1 (+feed reader)"
PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, kw_only=True)
class FetchConfig:
    timeout: float = 20.0  # seconds, for connecting and for each read
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


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


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
    """GET ``url`` once (following redirects by hand). Never raises for network or HTTP trouble."""
    started = time.monotonic()
    own = client is None
    http = client or make_client(config)
    try:
        return _fetch(http, url, etag, last_modified, config, accept, started)
    finally:
        if own:
            http.close()


def make_client(config: FetchConfig = DEFAULT_CONFIG) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(config.timeout),
        follow_redirects=False,
        headers={"User-Agent": config.user_agent},
        trust_env=False,
    )


def _fetch(
    http: httpx.Client,
    url: str,
    etag: str | None,
    last_modified: str | None,
    config: FetchConfig,
    accept: str,
    started: float,
) -> Fetched:
    def failed(message: str, *, status: int | None = None, at: str = url, **extra: object) -> Fetched:
        return Fetched(
            url=url,
            final_url=at,
            outcome="error",
            status=status,
            error=message,
            seconds=time.monotonic() - started,
            **extra,  # type: ignore[arg-type]
        )

    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    permanent = True
    for hop in range(config.max_redirects + 1):
        if not is_web_url(current):
            return failed(f"refusing a non-http(s) URL: {current}", at=current)
        try:
            with http.stream("GET", current, headers=headers) as response:
                status = response.status_code
                if status in REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        return failed(f"HTTP {status} redirect without a Location", status=status, at=current)
                    permanent = permanent and status in PERMANENT
                    current = urljoin(current, location)
                    continue
                body, problem = _read_capped(response, config.max_bytes)
        except httpx.TimeoutException:
            return failed(f"timed out after {config.timeout:g}s", at=current)
        except httpx.HTTPError as e:
            return failed(f"{type(e).__name__}: {e}".rstrip(": "), at=current)
        moved = current if hop and permanent else None
        common = {
            "url": url,
            "final_url": current,
            "status": status,
            "moved_to": moved,
            "seconds": time.monotonic() - started,
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


def _read_capped(response: httpx.Response, max_bytes: int) -> tuple[bytes, str | None]:
    """The body, read until ``max_bytes``: a larger one is refused without reading the rest."""
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
