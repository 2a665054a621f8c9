"""Tags and chapter marks: ID3v2.4 for the chapter MP3s, iTunes atoms and ffmetadata for the M4B."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from mutagen.id3 import APIC, CHAP, CTOC, ID3, TALB, TCOM, TCON, TDRC, TIT2, TLAN, TPE1, TRCK, CTOCFlags
from mutagen.mp4 import MP4, MP4Cover

from ..errors import InputError
from ..ffmpeg import escape_ffmetadata

GENRE = "Audiobook"
_NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unknown: players use the times
_ISO639_2 = {"zh": "zho", "yue": "yue", "en": "eng"}


@dataclass(frozen=True)
class Mark:
    """A navigable part of the audio (a chapter, or a section inside one); times in seconds."""

    id: str  # "c03", "c03-s02": also the ID3 CHAP element id
    title: str
    start: float
    end: float


@dataclass(frozen=True)
class TrackTags:
    title: str
    album: str  # the book title
    artist: str  # the author
    narrator: str  # the voice; players such as Audiobookshelf read it from "composer"
    track: int = 1
    total: int = 1
    date: str = ""
    language: str = "zho"  # ISO 639-2
    cover: bytes | None = None


def iso639_2(language: str) -> str:
    """``zh-CN`` -> ``zho`` (ID3 TLAN and MP4 track language want three letters)."""
    return _ISO639_2.get(language.split("-")[0].lower(), "und")


def cover_mime(data: bytes, source: Path | str = "cover") -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    raise InputError(f"{source}: a cover must be a JPEG or PNG image")


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def write_id3(path: Path, tags: TrackTags, marks: Sequence[Mark]) -> None:
    """Replace the ID3 tag of ``path`` with an ID3v2.4 tag, CHAP frames for ``marks`` and a CTOC."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TALB(encoding=3, text=tags.album))
    if tags.artist:
        id3.add(TPE1(encoding=3, text=tags.artist))
    if tags.narrator:
        id3.add(TCOM(encoding=3, text=tags.narrator))
    id3.add(TRCK(encoding=3, text=f"{tags.track}/{tags.total}"))
    id3.add(TLAN(encoding=3, text=tags.language))
    id3.add(TCON(encoding=3, text=GENRE))
    if tags.date:
        id3.add(TDRC(encoding=3, text=tags.date))
    if tags.cover:
        id3.add(APIC(encoding=3, mime=cover_mime(tags.cover), type=3, desc="cover", data=tags.cover))
    for mark in marks:
        id3.add(
            CHAP(
                element_id=mark.id,
                start_time=_ms(mark.start),
                end_time=_ms(mark.end),
                start_offset=_NO_OFFSET,
                end_offset=_NO_OFFSET,
                sub_frames=[TIT2(encoding=3, text=mark.title)],
            )
        )
    id3.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=[m.id for m in marks],
            sub_frames=[TIT2(encoding=3, text=tags.title)],
        )
    )
    id3.save(path, v2_version=4)


def ffmetadata(tags: TrackTags, marks: Sequence[Mark]) -> str:
    """ffmpeg's metadata text: global tags and one [CHAPTER] per mark (in milliseconds)."""
    lines = [";FFMETADATA1"]
    for key, value in (("title", tags.album), ("album", tags.album), ("artist", tags.artist), ("composer", tags.narrator), ("genre", GENRE), ("date", tags.date)):
        if value:
            lines.append(f"{key}={escape_ffmetadata(value)}")
    for mark in marks:
        lines += ["", "[CHAPTER]", "TIMEBASE=1/1000", f"START={_ms(mark.start)}", f"END={_ms(mark.end)}", f"title={escape_ffmetadata(mark.title)}"]
    return "\n".join(lines) + "\n"


def write_mp4_extras(path: Path, tags: TrackTags) -> None:
    """What ffmpeg does not write into an M4B: the audiobook media kind and the cover."""
    mp4 = MP4(path)
    if mp4.tags is None:
        mp4.add_tags()
    assert mp4.tags is not None
    mp4.tags["stik"] = [2]  # media kind: audiobook
    if tags.cover:
        kind = MP4Cover.FORMAT_JPEG if cover_mime(tags.cover) == "image/jpeg" else MP4Cover.FORMAT_PNG
        mp4.tags["covr"] = [MP4Cover(tags.cover, imageformat=kind)]
    mp4.save()
