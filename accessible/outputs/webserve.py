"""A local static server for the output folder (``accessible serve``).

It listens on 127.0.0.1 only and serves what a listen-along page needs, nothing more:
regular files inside the folder (paths resolved, so no symlink leads out of it; hidden
files such as the build's lock and markers are not served), a folder's ``index.html``
but never a listing of it. A request must name the server as ``127.0.0.1:PORT`` or
``localhost:PORT`` in its ``Host``: a web page on another site that rebinds its own name
to 127.0.0.1 (DNS rebinding) sends its own name there and gets nothing. A malformed
request gets 400, and no request leaves a traceback.

Browsers seek in audio with ``Range`` requests (without them ``audio.seekable`` stays
empty and every jump restarts the chapter): a single byte range is answered with 206; a
header that is not a valid byte range is ignored (RFC 9110 §14.2: the whole file, 200);
a valid range that lies past the end is 416.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import re
import stat
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO, Literal
from urllib.parse import quote, unquote, urlsplit

from ..errors import InputError

log = logging.getLogger("accessible")

HOST = "127.0.0.1"
_RANGE_SPEC = re.compile(r"(\d*)-(\d*)")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".m4b": "audio/mp4",
    ".m3u8": "audio/x-mpegurl; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".epub": "application/epub+zip",
    ".svg": "image/svg+xml",
}


class _Refused(Exception):
    """A request answered with an error status."""

    def __init__(self, status: HTTPStatus, reason: str = "") -> None:
        super().__init__(reason)
        self.status = status


class _Redirect(Exception):
    """A folder asked for without its final slash: the page's relative links need it."""


def _parse_range(header: str, size: int) -> tuple[int, int] | Literal["ignore", "unsatisfiable"]:
    """The inclusive byte range a ``Range`` header asks of a file of ``size`` bytes.

    "ignore" for a header that is not a valid byte-ranges specifier (another unit, a range
    whose last byte comes before its first, garbage): the whole file is sent. Several
    ranges are answered with the first satisfiable one (browsers ask for one).
    """
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes":
        return "ignore"
    ranges: list[tuple[int, int]] = []
    for spec in specs.split(","):
        match = _RANGE_SPEC.fullmatch(spec.strip())
        if not match or match.groups() == ("", ""):
            return "ignore"
        first, last = match.groups()
        if first == "":  # the final N bytes
            if int(last) > 0 and size > 0:
                ranges.append((max(0, size - int(last)), size - 1))
        elif last != "" and int(last) < int(first):
            return "ignore"
        elif int(first) < size:
            ranges.append((int(first), min(int(last), size - 1) if last else size - 1))
    return ranges[0] if ranges else "unsatisfiable"


class RangeRequestHandler(BaseHTTPRequestHandler):
    server: "LocalServer"
    server_version = "accessible"

    def do_GET(self) -> None:  # noqa: N802 - the base class's naming
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def _answer(self, *, with_body: bool) -> None:
        try:
            self._check_host()
            path = self._target()
            with path.open("rb") as f:
                size = os.fstat(f.fileno()).st_size
                self._send_file(f, path, size, with_body)
        except _Refused as e:
            self.send_error(e.status, str(e) or None)
        except _Redirect as e:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", str(e))
            self.send_header("Content-Length", "0")
            self.end_headers()
        except (ConnectionError, TimeoutError):
            pass  # the browser went away (it stops a download to seek elsewhere)
        except OSError as e:  # the file went away or cannot be read
            self.send_error(HTTPStatus.NOT_FOUND, e.strerror)

    def _check_host(self) -> None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            raise _Refused(HTTPStatus.BAD_REQUEST, "one Host header is required")
        port = self.server.server_port
        if hosts[0].strip().lower() not in (f"{HOST}:{port}", f"localhost:{port}"):
            raise _Refused(HTTPStatus.MISDIRECTED_REQUEST, f"this server is {HOST}:{port} or localhost:{port}")

    def _target(self) -> Path:
        """The regular file the request names, inside the served folder."""
        url_path = urlsplit(self.path).path
        try:
            relative = unquote(url_path, errors="strict")
        except UnicodeDecodeError:
            raise _Refused(HTTPStatus.BAD_REQUEST, "the path is not UTF-8") from None
        if not relative.startswith("/") or "\0" in relative or "\\" in relative:
            raise _Refused(HTTPStatus.BAD_REQUEST, "malformed path")
        parts = [p for p in relative.split("/") if p not in ("", ".")]
        if any(p == ".." or p.startswith(".") for p in parts):
            raise _Refused(HTTPStatus.NOT_FOUND)
        root = self.server.root
        path = root.joinpath(*parts)
        if path.is_dir():
            if not relative.endswith("/"):
                raise _Redirect(quote(relative + "/"))
            path = path / "index.html"
        try:
            real = path.resolve()
            regular = stat.S_ISREG(real.stat().st_mode)
        except (OSError, RuntimeError):  # missing, unreadable, a symlink loop
            raise _Refused(HTTPStatus.NOT_FOUND) from None
        if not regular or not real.is_relative_to(root):  # a folder, a device, a link out
            raise _Refused(HTTPStatus.NOT_FOUND)
        return real

    def _send_file(self, f: BinaryIO, path: Path, size: int, with_body: bool) -> None:
        asked = _parse_range(self.headers["Range"], size) if "Range" in self.headers and with_body else "ignore"
        if asked == "unsatisfiable":
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = (0, size - 1) if asked == "ignore" else asked
        self.send_response(HTTPStatus.OK if asked == "ignore" else HTTPStatus.PARTIAL_CONTENT)
        kind = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send_header("Content-Type", kind)
        if asked != "ignore":
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if with_body:
            f.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = f.read(min(64 * 1024, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("serve: " + format % args)


class LocalServer(ThreadingHTTPServer):
    """The server of one folder; errors while answering are logged, not printed as tracebacks."""

    daemon_threads = True

    def __init__(self, root: Path, port: int) -> None:
        self.root = root.resolve()
        super().__init__((HOST, port), RangeRequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("serve: a request from %s failed", client_address[0], exc_info=True)


def make_server(root: Path, port: int = 0) -> ThreadingHTTPServer:
    """A server for ``root`` on 127.0.0.1 (``port`` 0 picks a free one); call serve_forever()."""
    if not root.is_dir():
        raise InputError(f"{root}: no such folder to serve")
    try:
        return LocalServer(root, port)
    except OSError as e:
        raise InputError(f"cannot serve {root} on {HOST}:{port}: {e.strerror or e}") from None


def pages_under(root: Path) -> list[Path]:
    """The listen-along pages in ``root``: itself, a book folder, or the whole output folder."""
    found = [root / "index.html"] if (root / "index.html").is_file() else []
    found += sorted(root.glob("web/index.html")) + sorted(root.glob("*/web/index.html"))
    return found
