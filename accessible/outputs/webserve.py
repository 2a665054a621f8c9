"""A local static server for the output folder (``accessible serve``).

The standard library's server ignores ``Range`` requests, and without them a browser
cannot seek in an audio file (``audio.seekable`` stays empty, every jump restarts the
chapter). This one answers single byte ranges with 206 and names the types our outputs
use. It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import functools
import logging
import re
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, AnyStr, BinaryIO

if TYPE_CHECKING:
    from _typeshed import SupportsRead, SupportsWrite

from ..errors import InputError

log = logging.getLogger("accessible")

HOST = "127.0.0.1"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class RangeRequestHandler(SimpleHTTPRequestHandler):
    _remaining: int | None = None  # bytes of the range being sent
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
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

    def send_head(self) -> BinaryIO | None:
        if "Range" not in self.headers:
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        byte_range = _parse_range(self.headers["Range"], size)
        if byte_range is None:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        start, end = byte_range
        f = path.open("rb")
        f.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self._remaining = end - start + 1
        return f

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def copyfile(self, source: SupportsRead[AnyStr], outputfile: SupportsWrite[AnyStr]) -> None:
        remaining = self._remaining
        if remaining is None:
            return super().copyfile(source, outputfile)
        self._remaining = None
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("serve: " + format % args)


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte range of a single-range header, or None when it cannot be met.

    Several ranges in one header are answered with the first (browsers ask for one)."""
    match = _RANGE.match(header.split(",")[0].strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if first == "":
        if last == "" or int(last) == 0:
            return None
        return max(0, size - int(last)), size - 1  # the final N bytes
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end


def make_server(root: Path, port: int = 0) -> ThreadingHTTPServer:
    """A server for ``root`` on 127.0.0.1 (``port`` 0 picks a free one); call serve_forever()."""
    if not root.is_dir():
        raise InputError(f"{root}: no such folder to serve")
    handler = functools.partial(RangeRequestHandler, directory=str(root))
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as e:
        raise InputError(f"cannot serve {root} on {HOST}:{port}: {e.strerror or e}") from None


def pages_under(root: Path) -> list[Path]:
    """The listen-along pages in ``root``: itself, a book folder, or the whole output folder."""
    found = [root / "index.html"] if (root / "index.html").is_file() else []
    found += sorted(root.glob("web/index.html")) + sorted(root.glob("*/web/index.html"))
    return found

