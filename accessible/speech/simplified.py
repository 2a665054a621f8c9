"""Traditional characters read through OpenCC's traditional → simplified conversion.

The word lists, polyphone tables and rules of the speech stage know simplified text, so
a traditional sentence is read as its simplified form (極為 → 极为 jí wéi; OpenCC's phrase
tables keep 著作, 乾隆 …). The conversion is character for character, so offsets carry
over and the origin map stays exact; the text shown stays as written. Simplified text
passes through unchanged.
"""

from __future__ import annotations

from functools import cache

from opencc import OpenCC


@cache
def _converter() -> OpenCC:
    return OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` in simplified characters, one character for each character of ``text``."""
    if text.isascii():
        return text
    out: str = _converter().convert(text)
    # OpenCC's t2s tables map one character to one (checked on its data); should one
    # ever not, the text is read as written rather than with a broken origin map
    return out if len(out) == len(text) else text
