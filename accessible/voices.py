"""Voice profiles: TOML files naming an engine and how it should sound.

The built-in profiles and the default lexicon ship inside the package (``data/voices/``),
so an installed copy finds them from any working directory; a ``voices/`` folder in the
working directory holds the user's own profiles, which add to (and override) them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import VoiceError

BUILTIN_DIR = Path(__file__).resolve().parent / "data" / "voices"
DEFAULT_VOICE = "baker"


@dataclass(frozen=True)
class Pauses:
    """Silence (seconds) after each kind of unit; a larger unit's pause replaces a smaller one's."""

    clause: float = 0.15
    sentence: float = 0.4
    paragraph: float = 0.8
    heading: float = 1.0
    chapter: float = 2.0

    def __post_init__(self) -> None:
        values = [self.clause, self.sentence, self.paragraph, self.heading, self.chapter]
        if any(v < 0 or v > 10 for v in values):
            raise VoiceError(f"pauses must be between 0 and 10 seconds: {values}")


@dataclass(frozen=True)
class Voice:
    name: str
    engine: str  # "baker" (offline) or "edge" (online)
    voice: str = ""  # the engine's own voice name, e.g. "zh-CN-YunyangNeural"
    description: str = ""
    rate: float = 1.0  # speaking speed multiplier
    pitch: float = 1.0  # pitch multiplier
    volume: float = 1.0  # loudness multiplier (before chapter loudness normalization)
    pauses: Pauses = field(default_factory=Pauses)
    lexicon: Path | None = None  # a user lexicon TOML that applies to this voice
    source: Path | None = None  # the file the profile was read from

    def __post_init__(self) -> None:
        for name in ("rate", "pitch", "volume"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.25 <= value <= 4.0:
                raise VoiceError(f"voice {self.name!r}: {name} must be a number between 0.25 and 4, got {value!r}")

    def sound_key(self) -> dict[str, object]:
        """The settings that change a clip's sound: the clause pause is inside a clip (between
        the chunks of a long sentence); the other pauses and the lexicon act elsewhere."""
        return {"engine": self.engine, "voice": self.voice, "rate": self.rate, "pitch": self.pitch, "volume": self.volume,
                "clause_pause": self.pauses.clause}


def _parse(path: Path) -> Voice:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise VoiceError(f"{path}: not a readable voice profile ({e})") from None
    known = {f.name for f in fields(Voice)} - {"source", "name"}
    unknown = set(data) - known
    if unknown:
        raise VoiceError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    if "engine" not in data:
        raise VoiceError(f"{path}: missing 'engine'")
    pauses = data.pop("pauses", {})
    pause_names = {f.name for f in fields(Pauses)}
    if not isinstance(pauses, dict) or set(pauses) - pause_names:
        raise VoiceError(f"{path}: [pauses] takes only {', '.join(sorted(pause_names))}")
    lexicon = data.pop("lexicon", None)
    return Voice(
        name=path.stem,
        pauses=Pauses(**pauses),
        lexicon=(path.parent / lexicon).resolve() if lexicon else None,
        source=path,
        **data,
    )


def voice_dirs(extra: Path | None = None) -> list[Path]:
    dirs = [BUILTIN_DIR, Path.cwd() / "voices"]
    if extra:
        dirs.append(extra)
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in seen:
            seen.append(d.resolve())
    return seen


def list_voices(extra: Path | None = None) -> dict[str, Voice]:
    """All profiles by name; later folders override earlier ones."""
    found: dict[str, Voice] = {}
    for d in voice_dirs(extra):
        for path in sorted(d.glob("*.toml")):
            if path.stem != "lexicon":
                found[path.stem] = _parse(path)
    return found


def load_voice(name: str, extra: Path | None = None) -> Voice:
    """A profile by name, or by path to a TOML file."""
    path = Path(name)
    if path.suffix == ".toml" and path.is_file():
        return _parse(path)
    voices = list_voices(extra)
    if name not in voices:
        known = ", ".join(sorted(voices)) or "none"
        raise VoiceError(f"unknown voice {name!r}; known voices: {known}")
    return voices[name]
