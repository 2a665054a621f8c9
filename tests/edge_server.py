"""A local stand-in for Microsoft's read-aloud service, speaking edge-tts's WebSocket protocol.

Tests point ``edge_tts`` at it (see ``EdgeServer.patch``); nothing here touches the network
beyond 127.0.0.1. The frames follow what ``edge_tts/communicate.py`` (7.x) parses:

- in: a text frame ``Path:speech.config`` then a text frame ``Path:ssml`` with the SSML;
- out: text ``Path:turn.start``; binary frames ``<2-byte big-endian header length><headers>
  <MP3 bytes>`` with ``Path:audio`` and ``Content-Type:audio/mpeg``; text
  ``Path:audio.metadata`` frames holding one WordBoundary each (Offset and Duration in
  100 ns ticks); a final binary ``Path:audio`` frame without Content-Type or data; text
  ``Path:turn.end``.

Every request is recorded (text, prosody, voice), and the server counts simultaneous
connections. A ``plan`` decides per request how to misbehave: ``ok``, ``drop`` (close without
answering), ``silent`` (keep the socket open and say nothing), ``empty`` (a turn with no
audio), ``truncate`` (some audio, then close before turn.end); ``refusals`` answers the next
handshakes with an HTTP status (403 with a Date header, 429 …).
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import socket
import subprocess
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import unescape

import imageio_ffmpeg
import numpy as np
from aiohttp import WSMsgType, web

TICKS = 10_000_000
WORD_SECONDS = 0.3  # each word the server "says" lasts this long
LEAD_SECONDS = 0.1  # silence before the first word, as the real service leaves
CHUNK_BYTES = 2048  # MP3 bytes per binary frame

_PUNCTUATION = "，。、；：？！“”‘’（）《》—…,.;:?!()"
_PROSODY = re.compile(r"<prosody pitch='([^']*)' rate='([^']*)' volume='([^']*)'>(.*)</prosody>", re.S)
_VOICE = re.compile(r"<voice name='([^']*)'>")


def closed_port() -> int:
    """A local port nothing listens on (bound, then released): an unreachable service."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def split_words(text: str) -> list[str]:
    """The default word splitter: runs of non-punctuation cut into pieces of two characters."""
    words: list[str] = []
    for run in re.split(f"[{re.escape(_PUNCTUATION)}\\s]+", text):
        words.extend(run[i : i + 2] for i in range(0, len(run), 2))
    return words


@functools.lru_cache(maxsize=64)
def speech_mp3(words: int) -> bytes:
    """A 24 kHz mono 48 kbps MP3 (the service's format): after LEAD_SECONDS of silence, one
    tone burst per word, WORD_SECONDS apart and 90 % as long, then 0.1 s of silence.

    Encoded to a real file so LAME writes its gapless header: decoded by ffmpeg, the bursts
    sit exactly where the word boundaries say, so a test can check timings against sound.
    """
    rate = 24000
    t = np.arange(int(WORD_SECONDS * 0.9 * rate)) / rate
    burst = (0.3 * 32767 * np.sin(2 * np.pi * 330 * t)).astype(np.int16)
    gap = np.zeros(int(WORD_SECONDS * rate) - len(burst), np.int16)
    parts = [np.zeros(int(LEAD_SECONDS * rate), np.int16)]
    for _ in range(words):
        parts += [burst, gap]
    parts.append(np.zeros(int(0.1 * rate), np.int16))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.mp3"
        cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "s16le", "-ar", str(rate), "-ac", "1",
            "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", "48k", str(out),
        ]  # fmt: skip
        subprocess.run(cmd, input=np.concatenate(parts).tobytes(), capture_output=True, check=True)
        return out.read_bytes()


@dataclass
class Request:
    text: str
    voice: str
    pitch: str
    rate: str
    volume: str


def _text_frame(path: str, body: str, request_id: str) -> str:
    return (
        f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\n"
        f"Path:{path}\r\n\r\n{body}"
    )


def _audio_frame(data: bytes, request_id: str) -> bytes:
    # edge-tts reads the headers from the frame's start (length bytes included) and the
    # data after 2 + length, so the header block ends with a CRLF that it cuts off.
    content = "Content-Type:audio/mpeg\r\n" if data else ""
    headers = f"X-RequestId:{request_id}\r\n{content}X-StreamId:{request_id}\r\nPath:audio\r\n".encode()
    return len(headers).to_bytes(2, "big") + headers + data


def _boundary(word: str, offset: float, duration: float) -> str:
    data = {
        "Offset": round(offset * TICKS),
        "Duration": round(duration * TICKS),
        "text": {"Text": word, "Length": len(word), "BoundaryType": "WordBoundary"},
    }
    return json.dumps({"Metadata": [{"Type": "WordBoundary", "Data": data}]}, ensure_ascii=False)


@dataclass
class EdgeServer:
    """Run with ``start()``/``stop()`` (or as a context manager); ``url`` is the WSS_URL stand-in."""

    plan: Callable[[str, int], str] = lambda text, nth: "ok"
    words: Callable[[str], list[str]] = split_words
    delay: float = 0.0  # seconds to wait before answering each request (to make overlap visible)
    refusals: list[int] = field(default_factory=list)  # HTTP statuses for the next handshakes
    voices: list[dict] = field(default_factory=list)  # what /voices/list returns
    requests: list[Request] = field(default_factory=list)
    connections: int = 0  # handshakes seen (refused ones included)
    active: int = 0
    max_active: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/consumer/speech/synthesize/readaloud/edge/v1?TrustedClientToken=test"

    @property
    def voices_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/voices/list?trustedclienttoken=test"

    def count(self, text: str) -> int:
        with self._lock:
            return sum(r.text == text for r in self.requests)

    def patch(self, monkeypatch) -> "EdgeServer":
        """Point edge_tts at this server for the rest of the test."""
        monkeypatch.setattr("edge_tts.communicate.WSS_URL", self.url)
        monkeypatch.setattr("edge_tts.voices.VOICE_LIST", self.voices_url)
        return self

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "EdgeServer":
        app = web.Application()
        app.router.add_get("/consumer/speech/synthesize/readaloud/edge/v1", self._speak)
        app.router.add_get("/voices/list", self._list)
        self._runner = web.AppRunner(app)
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.SockSite(self._runner, self._sock).start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> "EdgeServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- handlers --------------------------------------------------------------------------
    async def _list(self, request: web.Request) -> web.Response:
        return web.json_response(self.voices)

    async def _speak(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            self.connections += 1
            status = self.refusals.pop(0) if self.refusals else None
        if status:
            return web.Response(status=status, text="refused")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            await self._converse(ws)
        finally:
            with self._lock:
                self.active -= 1
        return ws

    async def _converse(self, ws: web.WebSocketResponse) -> None:
        ssml = None
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            if "Path:ssml" in msg.data.split("\r\n\r\n", 1)[0]:
                ssml = msg.data.split("\r\n\r\n", 1)[1]
                break
        if ssml is None:
            return
        prosody, voice = _PROSODY.search(ssml), _VOICE.search(ssml)
        assert prosody and voice, ssml
        text = unescape(prosody.group(4))
        with self._lock:
            self.requests.append(Request(text, voice.group(1), *prosody.group(1, 2, 3)))
            nth = sum(r.text == text for r in self.requests)
        action = self.plan(text, nth)
        if self.delay:
            await asyncio.sleep(self.delay)
        if action == "drop":
            await ws.close()
            return
        if action == "silent":  # until the client gives up
            async for _ in ws:
                pass
            return
        await self._answer(ws, text, action)

    async def _answer(self, ws: web.WebSocketResponse, text: str, action: str) -> None:
        rid = uuid.uuid4().hex
        await ws.send_str(_text_frame("turn.start", '{"context":{"serviceTag":"test"}}', rid))
        if action == "empty":
            await ws.send_str(_text_frame("turn.end", "{}", rid))
            return
        words = self.words(text)
        audio = speech_mp3(len(words))
        chunks = [audio[i : i + CHUNK_BYTES] for i in range(0, len(audio), CHUNK_BYTES)]
        if action == "truncate":
            await ws.send_bytes(_audio_frame(chunks[0], rid))
            await ws.close()
            return
        for chunk in chunks:
            await ws.send_bytes(_audio_frame(chunk, rid))
        for i, word in enumerate(words):
            offset = LEAD_SECONDS + i * WORD_SECONDS
            await ws.send_str(_text_frame("audio.metadata", _boundary(word, offset, WORD_SECONDS * 0.9), rid))
        await ws.send_bytes(_audio_frame(b"", rid))
        await ws.send_str(_text_frame("turn.end", "{}", rid))
