"""The local server: byte ranges (browsers seek audio with them), types, the serve command."""

from __future__ import annotations

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


@pytest.mark.parametrize("range_", ["bytes=10240-", "bytes=500-100", "bytes=-0"])
def test_unsatisfiable_range(served, range_):
    _, base = served
    status, headers, body = fetch(base + AUDIO, range_)
    assert status == 416 and headers["Content-Range"] == "bytes */10240" and body == b""


def test_types_and_missing_files(served):
    _, base = served
    assert fetch(base + "/book/web/index.html")[1]["Content-Type"] == "text/html; charset=utf-8"
    assert fetch(base + "/book/web/player.js")[1]["Content-Type"] == "text/javascript; charset=utf-8"
    assert fetch(base + "/book/web/nothing.mp3", "bytes=0-")[0] == 404
    assert fetch(base + "/book/web/../../../etc/passwd")[0] == 404


@pytest.mark.parametrize(
    ("header", "expected"),
    [("bytes=5-9", (5, 9)), ("bytes=5-", (5, 99)), ("bytes=-10", (90, 99)), ("bytes=-500", (0, 99)), ("bytes=0-4, 10-20", (0, 4)), ("items=0-4", None), ("bytes=100-", None), ("bytes=-", None)],
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
