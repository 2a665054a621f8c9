"""Bytes to text: files arrive as UTF-8 (with or without BOM), UTF-16 or GB18030/GBK."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff]")
_PLAIN_TEXT = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\n\r\t\x20-\x7e“”‘’—…·―]")

_BOMS = (  # (byte-order mark, codec, name we report)
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8-bom"),
    (b"\xff\xfe", "utf-16", "utf-16-le"),
    (b"\xfe\xff", "utf-16", "utf-16-be"),
)
_CHINESE_ENCODINGS = ["gb18030", "big5", "utf_16_le", "utf_16_be"]
# GB2312 and GBK are subsets of GB18030: pages that declare gb2312 while using GBK
# characters (very common on government sites) decode whole as GB18030.
_GB = {"gb2312", "gbk", "gb18030", "hz", "x-gbk", "euc-cn", "cp936", "gb_2312-80", "csgb2312"}


def read_bytes(p: Path) -> bytes:
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a text file")
    try:
        return p.read_bytes()
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None


def codec(name: str) -> str:
    """The codec to decode a declared or detected charset with (the GB family as GB18030)."""
    name = name.strip().lower()
    return "gb18030" if name in _GB else name


def decode(data: bytes, p: Path, declared: str = "") -> tuple[str, str]:
    """Decode ``data`` (UTF-8 with or without BOM, UTF-16, GB18030/GBK, ``declared``, …) or raise."""
    for bom, name, reported in _BOMS:
        if data.startswith(bom):
            return strict(data, name, p), reported
    if declared and codec(declared) not in ("utf-8", "utf8"):
        try:
            return data.decode(codec(declared)), codec(declared).replace("_", "-")
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong declaration: detect as for a text file
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        # GB18030 or UTF-16 fail on their first non-ASCII character; a long valid
        # prefix with Chinese in it means a UTF-8 file with a damaged byte.
        if len(CJK.findall(data[: e.start].decode("utf-8"))) >= 20:
            raise InputError(f"{p}: not valid UTF-8 at byte {e.start} (the file is damaged)") from None
    guess = _utf16_without_bom(data)
    if guess is None:
        if b"\x00" in data:
            raise InputError(f"{p}: binary data (NUL bytes), not a text document")
        # Only encodings a Chinese document comes in: asked about anything, the detector
        # happily reads garbage as EBCDIC or Latin-1.
        import charset_normalizer  # imported late: only non-UTF-8 input needs it

        match = charset_normalizer.from_bytes(data, cp_isolation=_CHINESE_ENCODINGS).best()
        if match is None:
            raise InputError(f"{p}: cannot decode: not UTF-8, UTF-16, GB18030/GBK or Big5")
        guess = match.encoding
    encoding = codec(guess)
    return strict(data, encoding, p), encoding.replace("_", "-")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: NUL bytes beside ASCII characters (newlines at least).

    Of the two byte orders, the one that reads as mostly Chinese and ASCII text wins.
    """
    if len(data) % 2 or b"\x00" not in data:
        return None
    best, best_score = None, 0.9
    for encoding in ("utf_16_le", "utf_16_be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = len(_PLAIN_TEXT.findall(text)) / len(text)
        if score > best_score:
            best, best_score = encoding, score
    return best


def strict(data: bytes, encoding: str, p: Path) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        where = f" at byte {e.start}" if isinstance(e, UnicodeDecodeError) else ""
        raise InputError(f"{p}: cannot decode as {encoding}{where} (damaged or mixed encodings)") from None
