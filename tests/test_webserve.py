"""The local server: byte ranges (browsers seek audio with them), types, the serve command."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from accessible.errors import InputError
from accessible.outputs.webserve import _parse_range, make_server, pages_under

DATA = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    web = root / "book" / "web"  # the output folder of `accessible build`
    (web / "audio").mkdir(parents=True)
    (web / "audio" / "01-一、回顾.mp3").write_bytes(DATA)
    (web / "index.html").write_text("<!DOCTYPE html><title>页</title>", encoding="utf-8")
    (web / "player.js").write_text("void 0;", encoding="utf-8")
    server = make_server(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def fetch(url: str, range_: str | None = None):
    request = urllib.request.Request(url, headers={"Range": range_} if range_ else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


AUDIO = "/book/web/audio/01-%E4%B8%80%E3%80%81%E5%9B%9E%E9%A1%BE.mp3"


def test_whole_file_says_ranges_are_accepted(served):
    _, base = served
    status, headers, body = fetch(base + AUDIO)
    assert (status, body) == (200, DATA)
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "audio/mpeg"


@pytest.mark.parametrize(
    ("range_", "start", "end"),
    [("bytes=0-", 0, 10239), ("bytes=100-199", 100, 199), ("bytes=10000-", 10000, 10239), ("bytes=-40", 10200, 10239), ("bytes=10200-99999", 10200, 10239)],
)
def test_byte_ranges(served, range_, start, end):
    _, base = served
    status, headers, body = fetch(base + AUDIO, range_)
    assert status == 206
    assert headers["Content-Range"] == f"bytes {start}-{end}/10240"
    assert int(headers["Content-Length"]) == end - start + 1
    assert body == DATA[start : end + 1]


@pytest.mark.parametrize("range_", ["bytes=10240-", "bytes=-0", "bytes=20000-30000"])
def test_unsatisfiable_range(served, range_):
    _, base = served
    status, headers, body = fetch(base + AUDIO, range_)
    assert status == 416 and headers["Content-Range"] == "bytes */10240" and body == b""


@pytest.mark.parametrize("range_", ["bytes=1-0", "bytes=500-100", "items=0-4", "bytes=-", "bytes=abc", "bytes=0-4,9-1"])
def test_an_invalid_range_is_ignored(served, range_):
    """RFC 9110 §14.2: a Range header that is no valid byte range is ignored: the whole file, 200."""
    _, base = served
    status, headers, body = fetch(base + AUDIO, range_)
    assert (status, body) == (200, DATA) and "Content-Range" not in headers


def test_types_and_missing_files(served):
    _, base = served
    assert fetch(base + "/book/web/index.html")[1]["Content-Type"] == "text/html; charset=utf-8"
    assert fetch(base + "/book/web/player.js")[1]["Content-Type"] == "text/javascript; charset=utf-8"
    assert fetch(base + "/book/web/nothing.mp3", "bytes=0-")[0] == 404
    assert fetch(base + "/book/web/../../../etc/passwd")[0] == 404


@pytest.mark.parametrize(
    ("header", "expected"),
    [("bytes=5-9", (5, 9)), ("bytes=5-", (5, 99)), ("bytes=-10", (90, 99)), ("bytes=-500", (0, 99)), ("bytes=0-4, 10-20", (0, 4)),
     ("bytes=200-300, 10-20", (10, 20)), ("items=0-4", "ignore"), ("bytes=1-0", "ignore"), ("bytes=-", "ignore"),
     ("bytes=100-", "unsatisfiable"), ("bytes=-0", "unsatisfiable")],
)
def test_parse_range(header, expected):
    assert _parse_range(header, 100) == expected


def test_pages_under(served):
    root, _ = served
    page = root / "book" / "web" / "index.html"
    assert pages_under(root) == pages_under(root / "book") == pages_under(root / "book" / "web") == [page]
    assert pages_under(root / "book" / "web" / "audio") == []


def test_missing_folder(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        make_server(tmp_path / "nope")


def test_serve_command(served, tmp_path):
    root, _ = served
    cli = [sys.executable, "-m", "accessible.cli"]
    proc = subprocess.Popen([*cli, "serve", str(root), "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/book/web/index.html")
        assert fetch(url)[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    failed = subprocess.run([*cli, "serve", str(tmp_path / "nope")], capture_output=True, text=True)
    assert failed.returncode == 2
    assert failed.stderr.strip().splitlines() == [f"error: {tmp_path / 'nope'}: no such folder to serve"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A served folder with links out of it, hidden files, a folder without a page."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("secret")
    root = tmp_path_factory.mktemp("served")
    (root / "book" / "web").mkdir(parents=True)
    (root / "book" / "web" / "index.html").write_text("<!DOCTYPE html><title>页</title>", encoding="utf-8")
    (root / "book" / "book.epub").write_bytes(b"PK")
    (root / "book" / ".accessible.lock").write_text("123\n")
    (root / "book" / "link-out.txt").symlink_to(outside / "secret.txt")
    (root / "book" / "dir-out").symlink_to(outside)
    (root / "book" / "passwd").symlink_to("/etc/passwd")
    (root / "book" / "link-in.epub").symlink_to(root / "book" / "book.epub")
    server = make_server(root)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def raw(port: int, request: bytes) -> bytes:
    """The server's whole answer to a request sent byte for byte."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer


def get(port: int, path: str, host: str | None = None) -> int:
    host = f"127.0.0.1:{port}" if host is None else host
    answer = raw(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    ("path", "status"),
    [("/book/web/index.html", 200), ("/book/web/", 200), ("/book/web", 301), ("/book/link-in.epub", 200),
     ("/book/link-out.txt", 404), ("/book/passwd", 404), ("/book/dir-out/secret.txt", 404), ("/book/dir-out/", 404),
     ("/book/", 404), ("/", 404), ("/book/.accessible.lock", 404), ("/book/web/../../book/book.epub", 404),
     ("/book/%2e%2e/%2e%2e/etc/passwd", 404), ("/%00", 400), ("/book/%ff.mp3", 400), ("/book\\web", 400),
     ("http://127.0.0.1/book/book.epub", 200)],
)  # fmt: skip
def test_only_regular_files_inside_the_folder(hostile, path, status):
    assert get(hostile, path) == status


@pytest.mark.parametrize(("host", "status"), [("localhost:{port}", 200), ("LOCALHOST:{port}", 200),
                                              ("127.0.0.1", 421), ("evil.example:{port}", 421), ("localhost:1", 421)])  # fmt: skip
def test_the_host_must_be_this_server(hostile, host, status):
    assert get(hostile, "/book/book.epub", host.format(port=hostile)) == status


def test_a_request_without_one_host_is_refused(hostile):
    assert raw(hostile, b"GET /book/book.epub HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 400")
    two = f"GET /book/book.epub HTTP/1.1\r\nHost: 127.0.0.1:{hostile}\r\nHost: evil.example\r\n\r\n".encode()
    assert raw(hostile, two).startswith(b"HTTP/1.0 400")


def test_hostile_requests_leave_no_traceback(hostile, tmp_path):
    root = tmp_path / "site"
    (root / "web").mkdir(parents=True)
    (root / "web" / "index.html").write_text("<title>页</title>", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "accessible", "serve", str(root), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().split(":")[2].split("/")[0])
        host = f"Host: 127.0.0.1:{port}\r\n".encode()
        for request, answer in (
            (b"GET /%00 HTTP/1.1\r\n" + host + b"\r\n", b"HTTP/1.0 400"),
            (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n" + host + b"\r\n", b"HTTP/1.0 414"),
            (b"GET /web/ HTTP/1.1\r\n" + host + b"Range: bytes=\xff\r\n\r\n", b"HTTP/1.0 200"),  # ignored
            (b"GARBAGE\r\n\r\n", b"<!DOCTYPE"),  # HTTP/0.9: the 400 page without a status line
        ):
            assert raw(port, request).startswith(answer)
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    assert "Traceback" not in stderr and stderr == ""
