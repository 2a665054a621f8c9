"""Where each output of a book goes, so every packager names files the same way."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .model import Book, Chapter

# Characters that Windows, macOS or Linux refuse in a file name, and controls.
_ILLEGAL = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
FRONT_LABEL = "开篇"


def safe_name(text: str, limit: int = 40) -> str:
    """A file-name-safe form of ``text`` that keeps Chinese characters.

    A text with nothing usable in it (``..``, ``///``) gets ``book-`` and a hash of itself:
    two such titles still get folders of their own, and none is ``..`` or hidden."""
    name = unicodedata.normalize("NFC", text)
    name = _ILLEGAL.sub("_", name).strip(" ._")
    name = re.sub(r"\s+", " ", name)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return name[:limit].rstrip(" ._") or f"book-{digest[:8]}"


def chapter_label(chapter: Chapter) -> str:
    """The chapter title as listed in tables of contents and tags."""
    return chapter.title or FRONT_LABEL


@dataclass(frozen=True)
class Layout:
    root: Path  # output/<book>/
    slug: str

    @classmethod
    def for_book(cls, book: Book, out_dir: Path) -> "Layout":
        slug = safe_name(book.title)
        return cls(out_dir / slug, slug)

    @property
    def audio_dir(self) -> Path:
        return self.root / "audio"

    @property
    def captions_dir(self) -> Path:
        return self.root / "captions"

    @property
    def web_dir(self) -> Path:
        return self.root / "web"

    @property
    def braille_dir(self) -> Path:
        return self.root / "braille"

    def braille(self, extension: str) -> Path:
        """``braille/<book>.brf`` / ``.pef`` / ``.txt``."""
        return self.braille_dir / f"{self.slug}.{extension}"

    @property
    def epub(self) -> Path:
        return self.root / f"{self.slug}.epub"

    @property
    def m4b(self) -> Path:
        return self.root / f"{self.slug}.m4b"

    @property
    def playlist(self) -> Path:
        return self.root / f"{self.slug}.m3u8"

    def chapter_stem(self, chapter: Chapter) -> str:
        return f"{chapter.number:02d}-{safe_name(chapter_label(chapter), 30)}"

    def chapter_audio(self, chapter: Chapter) -> Path:
        return self.audio_dir / f"{self.chapter_stem(chapter)}.mp3"

    def chapter_part(self, chapter: Chapter, key: str, suffix: str) -> Path:
        """A part of the chapter's audio, encoded (``key`` names its content): the chapter
        MP3 and the M4B are joined from these (not an output: hidden)."""
        return self.root / ".audio-parts" / f"{self.chapter_stem(chapter)}-{key[:16]}{suffix}"
