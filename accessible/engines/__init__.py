"""The engines a voice profile can name, found through a small registry.

An engine's module is imported only when a profile uses it (the online engine pulls
in aiohttp, the offline one LiteRT), and each engine is made once per process so its
model is loaded once.
"""

from __future__ import annotations

import importlib
import threading

from ..errors import VoiceError
from ..voices import Voice
from .base import Engine

# name -> "module:class", relative to this package; a new engine is one line here.
ENGINES: dict[str, str] = {
    "baker": "baker:BakerEngine",
    "edge": "edge:EdgeEngine",
}

_made: dict[str, Engine] = {}
_lock = threading.Lock()


def get_engine(name: str) -> Engine:
    """The engine called ``name`` (one shared instance per process)."""
    with _lock:
        if name not in _made:
            if name not in ENGINES:
                raise VoiceError(f"unknown engine {name!r}; known engines: {', '.join(sorted(ENGINES))}")
            module, cls = ENGINES[name].split(":")
            try:
                factory = getattr(importlib.import_module(f".{module}", __name__), cls)
            except ImportError as e:
                raise VoiceError(f"engine {name!r} cannot be loaded here: {e}") from None
            _made[name] = factory()
        return _made[name]


def engine_for(voice: Voice) -> Engine:
    return get_engine(voice.engine)


__all__ = ["ENGINES", "Engine", "engine_for", "get_engine"]
