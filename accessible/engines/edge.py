"""Microsoft's online neural voices through edge-tts, with word timings, retries and a fast
"no network" verdict.

One sentence is one request: the spoken form goes out as plain text (edge-tts takes no
custom SSML), MP3 and WordBoundary events come back. The MP3 is decoded to 16-bit PCM with
the bundled ffmpeg; each boundary's word is found in the spoken form and mapped through
``Reading.origin`` to the original characters it reads, so ``8.2%`` is highlighted while
百分之八点二 is heard.

The service is free and flaky, so every request is retried with exponential backoff and
jitter (dropped connections, silence, 403/429 refusals, empty or cut-off audio); a sentence
that still fails is a `SynthesisError` (the synth stage goes on with the others). Two cases
stop the whole run with a `VoiceError` instead, so a build does not grind through hundreds
of hopeless sentences: a host that was never reached (the very first requests cannot even
connect: the verdict comes within seconds, pointing at the offline voice, instead of after
minutes of backoff), and several sentences in a row failing after all their retries.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import threading
import time
from dataclasses import dataclass
from typing import NamedTuple

import aiohttp
import edge_tts
import edge_tts.exceptions
from edge_tts.data_classes import TTSConfig
from edge_tts.typing import Voice as ServiceVoice

from .. import ffmpeg
from ..errors import AccessibleError, SynthesisError, VoiceError
from ..model import Clip, Sentence
from ..voices import Voice
from .timing import Said, original_timings

log = logging.getLogger("accessible")

SAMPLE_RATE = 24_000  # the service sends audio-24khz-48kbitrate-mono-mp3
TICKS_PER_SECOND = 10_000_000  # boundary offsets and durations are 100 ns ticks
SERVICE_HOST = "speech.platform.bing.com"
OFFLINE_HINT = "use the offline voice instead: --voice baker"
# A pitch multiplier becomes an offset in Hz (the only pitch unit edge-tts accepts) against
# this nominal speaking fundamental, halfway between typical Mandarin male (~120 Hz) and
# female (~220 Hz) news voices: pitch 1.1 -> "+17Hz", 0.9 -> "-17Hz".
PITCH_REFERENCE_HZ = 170
SILENT_CLIP_SECONDS = 0.2  # what a sentence without anything to say (only punctuation) lasts
# How long a verdict that stopped a run (service unreachable or failing) holds: long enough
# for the sentences already in flight to stop at once, short enough that a long-lived
# process tries again later.
VERDICT_SECONDS = 120.0
# Bump when the way clips or timings are made changes: it is part of the cache key.
FORMAT_VERSION = "1"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one sentence before the build stops."""

    attempts: int = 6
    base_delay: float = 1.0  # seconds before the 2nd attempt; doubled each time, with jitter
    max_delay: float = 30.0
    connect_timeout: int = 8  # seconds (edge-tts takes whole seconds)
    message_timeout: float = 20.0  # longest silence between two frames of one answer
    # While the service has never answered, a connect error (DNS, refused, unreachable,
    # connect timeout) is given this many attempts in all, then the network is declared
    # down for every sentence.
    first_contact_attempts: int = 2
    # This many sentences failing in a row (each after all its attempts) stop the run.
    failures_in_a_row: int = 3

    def __post_init__(self) -> None:
        if min(self.attempts, self.first_contact_attempts, self.failures_in_a_row) < 1:
            raise ValueError("attempts and failure counts must be at least 1")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based): equal jitter."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


class Boundary(NamedTuple):
    """One WordBoundary event, in seconds from the start of the clip."""

    start: float
    end: float
    text: str


class _Truncated(Exception):
    """The connection closed after some audio but before the end of the turn."""


class _BadAudio(SynthesisError):
    """ffmpeg could not decode the MP3 the service sent (retried like any bad answer)."""


class _NoConnection(Exception):
    """The attempt failed before a TCP connection to the service existed (DNS, refused,
    unreachable, timed out): the host itself is out of reach, not merely answering badly."""


class _WatchingConnector(aiohttp.TCPConnector):
    """A connector that remembers whether a connection was ever made.

    edge-tts closes its session (and so the connector it was given) after each try, then
    opens a second session on the same connector when it retries a 403: so closing waits
    for ``shutdown()``, called once the request is over.
    """

    connected = False

    async def connect(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        connection = await super().connect(*args, **kwargs)
        self.connected = True
        return connection

    async def close(self, *, abort_ssl: bool = False) -> None:
        pass

    async def shutdown(self) -> None:
        await super().close()


def prosody(voice: Voice) -> dict[str, str]:
    """The profile's rate/volume/pitch multipliers as edge-tts strings (``+10%``, ``-17Hz``)."""

    def signed(value: int, unit: str) -> str:
        return f"{value:+d}{unit}"

    return {
        "rate": signed(round((voice.rate - 1) * 100), "%"),
        "volume": signed(round((voice.volume - 1) * 100), "%"),
        "pitch": signed(round((voice.pitch - 1) * PITCH_REFERENCE_HZ), "Hz"),
    }


def said_words(spoken: str, boundaries: list[Boundary], duration: float) -> list[Said]:
    """Where each boundary's word lies in ``spoken`` (searched forward), and when it is said.

    Words the spoken form does not hold (the service rewrote something) are skipped; with
    none found at all, the whole spoken form is said over the whole clip.
    """
    said: list[Said] = []
    cursor = 0
    for b in boundaries:
        word = b.text.strip()
        at = spoken.find(word, cursor) if word else -1
        if at < 0:
            log.debug("edge: boundary %r not found in %r after %d", b.text, spoken, cursor)
            continue
        cursor = at + len(word)
        said.append(Said(at, cursor, b.start, b.end))
    return said or [Said(0, len(spoken), 0.0, duration)]


def decode_mp3(data: bytes) -> bytes:
    """MP3 bytes -> mono 16-bit little-endian PCM at SAMPLE_RATE."""
    args = ["-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"]
    pcm = ffmpeg.run(args, what="audio from the online voice", error=_BadAudio, stdin=data)
    if not pcm:
        raise _BadAudio("audio from the online voice: no samples")
    return pcm


def _speakable(spoken: str) -> bool:
    return any(ch.isalnum() for ch in spoken)


def _describe(e: BaseException) -> str:
    if isinstance(e, aiohttp.ClientConnectorDNSError):
        return f"cannot resolve {SERVICE_HOST}"
    if isinstance(e, aiohttp.ClientConnectorError):
        return f"cannot connect ({e.os_error.strerror or e.os_error})"
    if isinstance(e, aiohttp.ConnectionTimeoutError):
        return "connection timed out"
    if isinstance(e, aiohttp.ClientResponseError):
        return f"refused with HTTP {e.status}"
    if isinstance(e, TimeoutError):
        return "no answer in time"
    if isinstance(e, _NoConnection):
        return str(e)
    if isinstance(e, edge_tts.exceptions.NoAudioReceived):
        return "no audio received"
    if isinstance(e, (_Truncated, aiohttp.ServerDisconnectedError)):
        return "connection closed before the end of the audio"
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


# Refusals worth another try: clock skew (403; edge-tts also corrects its clock once),
# timeouts, throttling and server trouble. Any other status (404, 400 …) will not change.
RETRY_STATUSES = frozenset({403, 408, 425, 429, 500, 502, 503, 504})


def _final(e: BaseException) -> bool:
    return isinstance(e, aiohttp.ClientResponseError) and e.status not in RETRY_STATUSES


def _retry_after(e: BaseException) -> float:
    """Seconds a 429/503 refusal asks us to wait (0 when it does not say)."""
    headers = getattr(e, "headers", None) or {}
    try:
        return float(headers.get("Retry-After", 0))
    except ValueError:
        return 0.0


RETRYABLE = (
    aiohttp.ClientError,  # connect errors, refusals (403/429 handshakes), dropped sockets
    TimeoutError,  # our per-message timeout (asyncio.TimeoutError is TimeoutError)
    OSError,
    edge_tts.exceptions.EdgeTTSException,  # no audio, WebSocket errors, odd frames, clock skew
    _Truncated,
    _BadAudio,
    _NoConnection,
)


def where(sentence: Sentence) -> str:
    """'chapter c03, sentence c03-s02-p004-t007 (“年均增长8.2%…”)' for error messages."""
    chapter = sentence.id.split("-", 1)[0]
    text = sentence.text if len(sentence.text) <= 16 else sentence.text[:16] + "…"
    return f"chapter {chapter}, sentence {sentence.id} (“{text}”)"


class EdgeEngine:
    """The ``edge`` engine: thread-safe; at most ``concurrency`` requests in flight at once."""

    name = "edge"
    cpu_bound = False

    def __init__(self, concurrency: int = 4, policy: RetryPolicy = RetryPolicy()) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.max_workers = concurrency
        self.policy = policy
        # The synth stage may run more threads than this: the semaphore is the real limit.
        self._slots = threading.BoundedSemaphore(concurrency)
        self._state = threading.Lock()
        self._reached = False  # the service has answered at least once
        self._failed_in_a_row = 0  # sentences, each after all its attempts
        self._verdict: tuple[float, str] | None = None  # (when, why) the run was stopped

    def identity(self) -> str:
        return f"edge-tts audio-24khz-48kbitrate-mono-mp3 decoded to s16le {SAMPLE_RATE} Hz, format {FORMAT_VERSION}"

    def available(self) -> str | None:
        # No network probe here: listing voices must stay instant, and the first request
        # finds out within seconds when the service is out of reach.
        try:
            ffmpeg.ffmpeg_exe()
        except AccessibleError as e:
            return str(e)
        return None

    def warm_up(self) -> None:
        """Nothing to load ahead: each sentence is one request to the service."""

    def release(self) -> None:
        """Nothing held between sentences."""

    def synthesize(self, sentence: Sentence, voice: Voice) -> Clip:
        reading = sentence.reading
        if reading is None:
            raise SynthesisError(f"{where(sentence)}: no spoken form (the speech stage did not run)")
        if not _speakable(reading.spoken):
            pcm = bytes(2 * round(SILENT_CLIP_SECONDS * SAMPLE_RATE))
            return Clip(pcm, SAMPLE_RATE, original_timings(sentence.text, reading, (), SILENT_CLIP_SECONDS))
        settings = prosody(voice)
        try:  # the checks edge-tts makes, before any request
            TTSConfig(voice.voice, settings["rate"], settings["volume"], settings["pitch"], "WordBoundary")
        except (TypeError, ValueError) as e:
            raise VoiceError(f"voice {voice.name!r}: {e}") from None
        pcm, boundaries = self._with_retries(sentence, reading.spoken, voice.voice, settings)
        duration = len(pcm) / 2 / SAMPLE_RATE
        said = said_words(reading.spoken, boundaries, duration)
        return Clip(pcm, SAMPLE_RATE, original_timings(sentence.text, reading, said, duration))

    # -- retries ---------------------------------------------------------------------------
    def _with_retries(self, sentence: Sentence, spoken: str, name: str, settings: dict[str, str]) -> tuple[bytes, list[Boundary]]:
        policy = self.policy
        for attempt in range(1, policy.attempts + 1):
            self._check_verdict()
            try:
                with self._slots:
                    mp3, boundaries = asyncio.run(self._request(spoken, name, settings))
                    pcm = decode_mp3(mp3)
                with self._state:
                    self._reached, self._failed_in_a_row = True, 0
                return pcm, boundaries
            except RETRYABLE as e:
                error = e
            reason = _describe(error)
            with self._state:
                if not isinstance(error, _NoConnection):
                    self._reached = True  # it answered, however badly
                elif not self._reached and attempt >= policy.first_contact_attempts:
                    self._stop(
                        f"the online voice service ({SERVICE_HOST}) cannot be reached: {reason}; "
                        f"check the network, or {OFFLINE_HINT}"
                    )
            if attempt == policy.attempts or _final(error):
                break
            wait = max(policy.delay(attempt), min(_retry_after(error), policy.max_delay))
            log.debug("edge: %s: %s; attempt %d, retrying in %.1f s", sentence.id, reason, attempt, wait)
            time.sleep(wait)
        failed = f"{where(sentence)} after {attempt} attempt{'s' if attempt > 1 else ''}: {reason}"
        with self._state:
            self._failed_in_a_row += 1
            if self._failed_in_a_row >= policy.failures_in_a_row:
                self._stop(
                    f"the online voice service keeps failing ({self._failed_in_a_row} sentences in a row, "
                    f"last: {failed}); finished clips are cached: run again later to continue, "
                    f"or {OFFLINE_HINT} (or --fallback baker)"
                )
        raise SynthesisError(f"online voice failed on {failed}; finished clips are cached: run again to continue")

    def _stop(self, why: str) -> None:
        """Stop this run: this call and every call in the next VERDICT_SECONDS fail with ``why``."""
        self._verdict = (time.monotonic(), why)
        raise VoiceError(why)

    def _check_verdict(self) -> None:
        verdict = self._verdict
        if verdict and time.monotonic() - verdict[0] < VERDICT_SECONDS:
            raise VoiceError(verdict[1])

    async def _request(self, spoken: str, name: str, settings: dict[str, str]) -> tuple[bytes, list[Boundary]]:
        """One request: all MP3 bytes and word boundaries of one answer."""
        policy = self.policy
        connector = _WatchingConnector()
        communicate = edge_tts.Communicate(
            spoken,
            name,
            boundary="WordBoundary",
            connector=connector,
            connect_timeout=policy.connect_timeout,
            receive_timeout=math.ceil(policy.message_timeout),
            **settings,
        )
        audio = bytearray()
        boundaries: list[Boundary] = []
        stream = communicate.stream()
        try:
            while True:
                try:
                    chunk = await asyncio.wait_for(anext(stream), policy.message_timeout)
                except StopAsyncIteration:
                    break
                if chunk["type"] == "audio":
                    audio += chunk["data"]
                elif chunk["type"] == "WordBoundary":
                    start = chunk["offset"] / TICKS_PER_SECOND
                    boundaries.append(Boundary(start, start + chunk["duration"] / TICKS_PER_SECOND, chunk["text"]))
        except RETRYABLE as e:
            if connector.connected:
                raise
            reason = "no connection in time" if type(e) is TimeoutError else _describe(e)
            raise _NoConnection(reason) from e
        finally:
            await stream.aclose()
            await connector.shutdown()
        # edge-tts ends quietly when the socket closes mid-answer; only turn.end moves the
        # bytes of the current chunk into the cumulative count, so bytes left over mean the
        # answer was cut off.
        if communicate.state["chunk_audio_bytes"]:
            raise _Truncated("connection closed before turn.end")
        return bytes(audio), boundaries


@dataclass(frozen=True)
class OnlineVoice:
    short_name: str  # "zh-CN-YunyangNeural", the `voice` value of a profile
    gender: str
    locale: str
    personalities: tuple[str, ...]


def list_online_voices(prefix: str = "zh-", timeout: float = 6.0) -> list[OnlineVoice]:
    """The service's voices whose locale starts with ``prefix``; a one-line VoiceError when
    the service cannot be reached within ``timeout`` seconds."""

    async def fetch() -> list[ServiceVoice]:
        return await asyncio.wait_for(edge_tts.list_voices(), timeout)

    try:
        voices = asyncio.run(fetch())
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError, edge_tts.exceptions.EdgeTTSException) as e:  # ValueError: bad JSON too
        raise VoiceError(
            f"the online voice service ({SERVICE_HOST}) cannot be reached: {_describe(e)}; the offline voice (baker) needs no network"
        ) from None
    return sorted(
        (
            OnlineVoice(
                v["ShortName"], v.get("Gender", ""), v["Locale"], tuple(v.get("VoiceTag", {}).get("VoicePersonalities", []))
            )
            for v in voices
            if v.get("Locale", "").startswith(prefix)
        ),
        key=lambda v: (v.locale, v.short_name),
    )
