"""The engine interface: one sentence in, one `Clip` out."""

from __future__ import annotations

from typing import Protocol

from ..model import Clip, Sentence
from ..voices import Voice


class Engine(Protocol):
    name: str  # the `engine` value of a voice profile
    # How many `synthesize` calls the synth stage may run at once, in threads
    # (baker: 2, one interpreter pair per thread; edge: requests in flight).
    max_workers: int
    # True when a call keeps a core busy (baker): a batch then runs one call per core, in
    # as many worker processes; False when calls mostly wait (edge, on the network).
    cpu_bound: bool

    def identity(self) -> str:
        """Everything about the engine itself that changes the sound (model hashes, versions).

        Part of the cache key: a new model means new clips.
        """
        ...

    def available(self) -> str | None:
        """None when the engine can run here, else a one-line reason why not."""
        ...

    def warm_up(self) -> None:
        """Load what the first `synthesize` call would (model files), ahead of it; may raise
        what `synthesize` raises. A build calls it while the text is being read."""
        ...

    def release(self) -> None:
        """Free what `warm_up` and `synthesize` loaded (the next call loads it again). A
        build calls it when its voice stage is done: the stages after it never speak."""
        ...

    def synthesize(self, sentence: Sentence, voice: Voice) -> Clip:
        """Speak ``sentence.reading`` (required) and time every character of ``sentence.text``.

        Raises `SynthesisError` for a sentence it cannot speak (the build goes on with
        the others, or falls back to another engine), `VoiceError` when it cannot run at all.
        """
        ...
