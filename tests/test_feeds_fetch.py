"""``ingest.http``: which addresses can be fetched, and a fetch's deadline against servers that trickle.

No database and no internet: a bad address is refused before any connection, and the slow servers are
local sockets in a thread.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.http import FetchConfig, fetch, url_problem

# A fetch that honours its 1 s deadline ends well inside this; one that does not runs for the 30 s the
# trickling server takes. Generous, so that a slow machine never fails it.
BOUND = 15.0


@pytest.mark.parametrize(
    ("description", "url", "expected"),
    [
        ("plain https", "https://news.example/rss.xml", None),
        ("port and query", "http://news.example:8080/feed?x=1#top", None),
        ("IPv6 literal", "http://[::1]:8080/feed", None),
        ("IDN host", "https://bücher.example/feed", None),
        ("valid A-label", "https://xn--bcher-kva.example/feed", None),
        ("underscore in a label", "https://a_b.example/feed", None),
        ("empty label", "http://a..b/x", "not a valid host name"),
        ("over-long label", "http://" + "a" * 64 + ".example/", "not a valid host name"),
        ("bad A-label", "http://xn--zz/", "not a valid host name"),
        ("bad A-label inside", "http://a.xn--zz.example/", "not a valid host name"),
        # an A-label that punycode decodes but IDNA refuses: refused wherever it stands in the host
        ("non-IDNA A-label first", "http://xn--a-gea.example/", "not a valid host name"),
        ("non-IDNA A-label inside", "http://www.xn--a-gea.example/", "not a valid host name"),
        ("bad IPv4", "http://256.1.1.1/", "not a valid host name"),
        ("tab in the host", "http://exa\tmple.org/", "whitespace or control"),
        ("space in the host", "http://exa mple.org/x", "whitespace or control"),
        ("control character", "http://example.org/\x01", "whitespace or control"),
        ("unclosed IPv6", "http://[bad", "Invalid IPv6 URL"),
        ("unclosed IPv6 loopback", "http://[::1", "Invalid IPv6 URL"),
        ("port too large", "http://127.0.0.1:99999/x", "out of range"),
        ("port 0", "http://127.0.0.1:0/x", "port 0"),
        ("port not a number", "http://127.0.0.1:abc/x", "Port could not be cast"),
        ("no host", "http://:80/", "no host"),
        ("file", "file:///etc/passwd", "only http and https"),
        ("no scheme", "example.com/rss", "only http and https"),
    ],
)
def test_url_problem(description: str, url: str, expected: str | None) -> None:
    problem = url_problem(url)
    if expected is None:
        assert problem is None, description
    else:
        assert expected in (problem or ""), (description, problem)


@pytest.mark.parametrize(
    "url", ["http://a..b/x", "http://exa\tmple.org/", "http://\x01/", "http://xn--zz/", "http://[bad"]
)
def test_a_bad_address_is_an_error_value(url: str) -> None:
    fetched = fetch(url, config=FetchConfig(timeout=2))
    assert fetched.outcome == "error"
    assert (fetched.error or "").startswith("not an http(s) URL: ")


@settings(deadline=None)  # a loaded machine is slow
@given(st.text(max_size=40) | st.text(max_size=40).map("http://".__add__))
def test_url_problem_never_raises_and_fetch_refuses_what_it_flags(url: str) -> None:
    problem = url_problem(url)
    if problem is not None:  # only then: an accepted URL would go to the network
        fetched = fetch(url, config=FetchConfig(timeout=2))
        assert (fetched.outcome, fetched.error) == ("error", f"not an http(s) URL: {url!r} ({problem})")


# --- servers that trickle -------------------------------------------------------------------------------


PACE = 0.05  # seconds between two bytes of a trickle


class _Trickler(socketserver.BaseRequestHandler):
    """Answers ``/slow-body`` with headers at once and then one byte every ``PACE`` seconds, and
    ``/slow-headers`` with its headers themselves at that pace, for ``seconds`` in all. Stops when the
    client goes away."""

    requests: list[str]
    seconds: float

    def handle(self) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            data = self.request.recv(4096)
            if not data:
                return
            request += data
        path = request.split(b" ", 2)[1].decode()
        self.requests.append(path)
        size = int(self.seconds / PACE)
        if path == "/slow-body":
            head, trickled = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size, b"x" * size
        else:
            head, trickled = b"", b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * size + b"\r\n"
        try:
            self.request.sendall(head)
            for byte in trickled:
                self.request.sendall(bytes([byte]))
                time.sleep(PACE)
        except OSError:
            return  # the client hung up: what a deadline does


@contextmanager
def trickling_server(seconds: float = 30.0) -> Iterator[tuple[str, list[str]]]:
    """A local server whose answers trickle for ``seconds``; yields its base URL and the paths asked."""
    requests: list[str] = []
    handler = type("Handler", (_Trickler,), {"requests": requests, "seconds": seconds})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def trickler() -> Iterator[tuple[str, list[str]]]:
    with trickling_server() as served:
        yield served


@pytest.mark.parametrize("path", ["/slow-body", "/slow-headers"])
def test_the_timeout_bounds_the_whole_fetch(trickler: tuple[str, list[str]], path: str) -> None:
    base, requests = trickler
    began = time.monotonic()
    fetched = fetch(base + path, config=FetchConfig(timeout=1))
    took = time.monotonic() - began
    assert (fetched.outcome, fetched.error) == ("error", "timed out after 1s")
    assert requests == [path]
    assert took < BOUND, f"the fetch took {took:.1f}s with a 1s timeout"


def test_the_deadline_covers_every_redirect_hop() -> None:
    """Each hop answers at once, but the hops together take longer than the timeout."""
    hits: list[float] = []

    class Slowish(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.recv(4096)
            hits.append(time.monotonic())
            time.sleep(0.4)
            with_location = b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n"
            self.request.sendall(with_location)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Slowish)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/start"
        fetched = fetch(url, config=FetchConfig(timeout=1, max_redirects=50))
    finally:
        server.shutdown()
        server.server_close()
    assert fetched.error == "timed out after 1s"
    assert len(hits) < 10  # 50 hops of 0.4 s would be 20 s


def test_a_socket_left_open_by_the_server_does_not_outlive_the_deadline() -> None:
    """A server that accepts and then says nothing at all."""
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        began = time.monotonic()
        fetched = fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/", config=FetchConfig(timeout=1))
        assert fetched.error == "timed out after 1s"
        assert time.monotonic() - began < BOUND
    finally:
        listener.close()
