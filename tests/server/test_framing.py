"""Broken HTTP framing, sent on raw sockets: a 4xx (JSON when the app answers)
or a closed connection, never a 5xx or a hang, and the server answers the next
caller at once."""

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from sync.protocol import HEALTH_PATH, PUSH_PATH

from .conftest import BODY_TIMEOUT

HEAD = (
    b"POST " + PUSH_PATH.encode() + b" HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
)
# Long enough for a 408 to come back, short enough for a test.
WAIT = BODY_TIMEOUT + 5


def exchange(port: int, raw: bytes, *, wait: float = WAIT, half_close: bool = False):
    """Send raw bytes on a fresh connection; returns what came back, whether the
    server closed the connection, and the seconds it took."""
    started = time.monotonic()
    received, closed = b"", False
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        try:
            while chunk := sock.recv(65536):
                received += chunk
            closed = True
        except TimeoutError:
            pass  # still open: a keep-alive connection after a whole response
        except ConnectionResetError:
            closed = True
    return received, closed, time.monotonic() - started


def status_and_body(received: bytes) -> tuple[int | None, dict[str, str], bytes]:
    if not received:
        return None, {}, b""
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def assert_refused_cleanly(received: bytes, closed: bool) -> int | None:
    status, headers, body = status_and_body(received)
    if status is None:
        assert closed, "the server neither answered nor closed"
        return None
    assert 400 <= status < 500, received[:300]
    if headers.get("content-type", "").startswith("application/json"):
        error = json.loads(body)["error"]
        assert error["code"] and error["message"]
    else:  # the HTTP server's own refusal, before the app saw a request
        assert closed, received[:300]
    return status


def assert_answers_at_once(server) -> None:
    started = time.monotonic()
    assert httpx.get(f"{server.base_url}{HEALTH_PATH}", timeout=2).status_code == 200
    assert time.monotonic() - started < 1.5


BROKEN = {
    "garbage request line": b"GARBAGE\r\n\r\n",
    "binary noise": bytes(range(256)) * 4,
    "http/2 preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "space in target": b"GET /v1/health extra HTTP/1.1\r\nHost: test\r\n\r\n",
    "header without colon": b"GET /v1/health HTTP/1.1\r\nHost test\r\n\r\n",
    "nul in header": b"GET /v1/health HTTP/1.1\r\nHost: te\x00st\r\n\r\n",
    "bad chunk size": HEAD + b"Transfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
    "chunk longer than said": HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\nabcdef\r\n0\r\n\r\n",
    "content-length not a number": HEAD + b"Content-Length: abc\r\n\r\n{}",
    "negative content-length": HEAD + b"Content-Length: -5\r\n\r\n{}",
    "two content-lengths": HEAD + b"Content-Length: 2\r\nContent-Length: 7\r\n\r\n{}",
    "length and chunked": HEAD
    + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "non-ascii target": b"GET /v1/\xff\xfe%ED%A0%80%00 HTTP/1.1\r\nHost: test\r\n\r\n",
}


@pytest.mark.parametrize("raw", BROKEN.values(), ids=BROKEN.keys())
def test_broken_framing_is_a_4xx_or_a_closed_connection(server, raw):
    received, closed, _ = exchange(server.port, raw)
    assert_refused_cleanly(received, closed)
    assert_answers_at_once(server)


def test_a_body_shorter_than_its_content_length_times_out_with_408(server):
    raw = HEAD + b"Content-Length: 100\r\n\r\n" + b'{"device_id": "x"'
    received, closed, took = exchange(server.port, raw)
    status, headers, body = status_and_body(received)
    assert status == 408, received[:300]
    assert json.loads(body)["error"]["code"] == "request_timeout"
    assert closed and BODY_TIMEOUT - 0.5 <= took < WAIT
    assert_answers_at_once(server)


def test_a_client_that_gives_up_mid_body_leaves_nothing_behind(server):
    raw = HEAD + b"Content-Length: 100\r\n\r\n" + b'{"device_id"'
    received, closed, took = exchange(server.port, raw, half_close=True)
    assert_refused_cleanly(received, closed)
    assert took < BODY_TIMEOUT + 1
    assert_answers_at_once(server)


def test_many_stalled_bodies_hold_no_worker(server):
    """While 40 clients never finish their bodies, others are served at once."""
    raw = HEAD + b"Content-Length: 1000\r\n\r\n{"
    with ThreadPoolExecutor(40) as pool:
        stalled = [pool.submit(exchange, server.port, raw) for _ in range(40)]
        time.sleep(0.5)
        assert_answers_at_once(server)
        outcomes = [future.result() for future in stalled]
    assert {status_and_body(received)[0] for received, _, _ in outcomes} == {408}
    assert_answers_at_once(server)
